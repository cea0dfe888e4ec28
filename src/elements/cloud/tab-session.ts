// Optional "stay signed in in this tab": the token (never a password or secret) in this tab's
// sessionStorage, which the browser drops when the tab closes. Never localStorage. A restored
// session signs in with the token itself, so it cannot renew and ends when the token expires.
import type { AuthConfig, EndpointInterface } from '../../core/openstack/types.ts';

const KEY = 'image-inspector.cloud.tab-session';

interface Stored {
  authUrl: string;
  token: string;
  expiresAt: string;
  projectId?: string;
  region?: string;
  iface?: EndpointInterface;
}

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled (sandboxed frame, privacy mode): the feature is simply off
  }
}

export function rememberInTab(s: Stored): void {
  storage()?.setItem(KEY, JSON.stringify(s));
}

export function forgetTab(): void {
  storage()?.removeItem(KEY);
}

/** The stored session as a token sign-in, or null when none or expired. */
export function restoredConfig(now = Date.now()): AuthConfig | null {
  const raw = storage()?.getItem(KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Stored;
    if (!s.token || !s.authUrl || Date.parse(s.expiresAt) - now < 30_000) {
      forgetTab();
      return null;
    }
    return {
      authUrl: s.authUrl,
      auth: { type: 'token', token: s.token },
      scope: s.projectId ? { projectId: s.projectId } : undefined,
      regionName: s.region || undefined,
      interface: s.iface,
    };
  } catch {
    forgetTab(); // unreadable: start clean
    return null;
  }
}
