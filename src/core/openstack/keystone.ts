// Keystone v3 sign-in (password, application credential, existing token) and a session that
// renews its token before expiry with the secret it holds in memory only.
import { findEndpoint, type EndpointQuery } from './catalog.ts';
import { OpenStackError } from './errors.ts';
import { defaultFetch, joinUrl, send } from './http.ts';
import type { AuthConfig, FetchLike, ProjectScope, ServiceCatalog, TokenInfo, TokenProvider } from './types.ts';

/** `https://host:5000`, `…/v3`, `…/v3/` all become `…/v3`. */
export function keystoneV3Url(authUrl: string): string {
  let u = authUrl.trim().replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(u))
    throw new OpenStackError(`The Keystone URL "${authUrl}" must start with http:// or https://.`, {
      code: 'keystone.url-scheme',
      params: { url: authUrl },
      kind: 'bad-config',
    });
  u = u.replace(/\/v2\.0$/, '');
  return /\/v3$/.test(u) ? u : `${u}/v3`;
}

function domainRef(name?: string, id?: string): { id: string } | { name: string } {
  return id ? { id } : { name: name || 'Default' };
}

function scopeBody(scope?: ProjectScope): Record<string, unknown> | undefined {
  if (!scope) return undefined;
  if (scope.projectId) return { project: { id: scope.projectId } };
  if (scope.projectName) return { project: { name: scope.projectName, domain: domainRef(scope.projectDomainName, scope.projectDomainId) } };
  return undefined;
}

/** The POST /v3/auth/tokens body for a config (exported for tests of the request shape). */
export function authRequestBody(config: AuthConfig): Record<string, unknown> {
  const a = config.auth;
  let identity: Record<string, unknown>;
  let scope = scopeBody(config.scope);
  switch (a.type) {
    case 'password':
      if (!a.username || !a.password)
        throw new OpenStackError('Sign-in needs a user name and a password.', { code: 'sign-in.needs-password', kind: 'bad-config' });
      identity = {
        methods: ['password'],
        password: { user: { name: a.username, domain: domainRef(a.userDomainName, a.userDomainId), password: a.password } },
      };
      break;
    case 'application-credential': {
      if (!a.secret || (!a.id && !a.name))
        throw new OpenStackError('An application credential needs its id (or name and user) and its secret.', {
          code: 'sign-in.app-credential-incomplete',
          kind: 'bad-config',
        });
      const cred: Record<string, unknown> = { secret: a.secret };
      if (a.id) cred.id = a.id;
      else {
        cred.name = a.name;
        if (!a.userId && !a.username)
          throw new OpenStackError('An application credential given by name also needs the user name or id.', {
            code: 'sign-in.app-credential-needs-user',
            kind: 'bad-config',
          });
        cred.user = a.userId ? { id: a.userId } : { name: a.username, domain: domainRef(a.userDomainName, a.userDomainId) };
      }
      identity = { methods: ['application_credential'], application_credential: cred };
      scope = undefined; // the credential carries its project
      break;
    }
    case 'token':
      if (!a.token) throw new OpenStackError('Paste a token to sign in with it.', { code: 'sign-in.needs-token', kind: 'bad-config' });
      identity = { methods: ['token'], token: { id: a.token } };
      break;
  }
  return { auth: scope ? { identity, scope } : { identity } };
}

interface RawToken {
  token: {
    expires_at: string;
    issued_at: string;
    methods: string[];
    user: { id: string; name: string; domain: { id: string; name: string } };
    project?: { id: string; name: string; domain: { id: string; name: string } };
    roles?: { id: string; name: string }[];
    catalog?: ServiceCatalog;
  };
}

/** Signs in once; resolves with the token (value from X-Subject-Token) and its catalog. */
export async function authenticate(config: AuthConfig, options: { fetch?: FetchLike; signal?: AbortSignal } = {}): Promise<TokenInfo> {
  const fetchFn = options.fetch ?? defaultFetch();
  const url = joinUrl(keystoneV3Url(config.authUrl), 'auth/tokens');
  const a = config.auth;
  // An existing token without a scope to change is used as it is: validating it returns its
  // scope and catalog without minting a new token (which could come back unscoped).
  const asIs = a.type === 'token' && !scopeBody(config.scope);
  const res = await (
    asIs
      ? send(fetchFn, url, {
          method: 'GET',
          headers: { 'X-Auth-Token': a.token, 'X-Subject-Token': a.token },
          service: 'keystone',
          action: 'checking the token',
          signIn: true,
          signal: options.signal,
        })
      : send(fetchFn, url, {
          method: 'POST',
          json: authRequestBody(config),
          service: 'keystone',
          action: 'signing in',
          signIn: true,
          signal: options.signal,
        })
  ).catch((e: unknown) => {
    if (a.type === 'token' && e instanceof OpenStackError && (e.kind === 'wrong-credentials' || e.kind === 'not-found'))
      throw new OpenStackError(
        'Keystone refused the token: it has expired, was revoked, or is not valid for that project. Get a new one (openstack token issue) or sign in with a password or application credential.',
        { code: 'sign-in.token-refused', kind: 'wrong-credentials', status: e.status, service: 'keystone', cause: e },
      );
    throw e;
  });
  const value = res.headers.get('x-subject-token');
  const body = (await res.json()) as RawToken;
  if (!value)
    throw new OpenStackError(
      'Keystone answered the sign-in but its X-Subject-Token header is not readable: add X-Subject-Token to expose_headers in the [cors] section of keystone.conf.',
      { code: 'sign-in.subject-token-hidden', kind: 'cors', service: 'keystone' },
    );
  const t = body.token;
  if (!t.project)
    throw new OpenStackError('Signed in, but the token is not scoped to a project: give a project name (and its domain) or id.', {
      code: 'sign-in.unscoped',
      kind: 'bad-config',
      service: 'keystone',
    });
  return {
    value,
    expiresAt: new Date(t.expires_at),
    issuedAt: new Date(t.issued_at),
    user: t.user,
    project: t.project,
    roles: t.roles ?? [],
    catalog: t.catalog ?? [],
    methods: t.methods,
  };
}

/** Revokes a token (sign-out). */
export async function revokeToken(authUrl: string, token: string, options: { fetch?: FetchLike } = {}): Promise<void> {
  const fetchFn = options.fetch ?? defaultFetch();
  await send(fetchFn, joinUrl(keystoneV3Url(authUrl), 'auth/tokens'), {
    method: 'DELETE',
    headers: { 'X-Auth-Token': token, 'X-Subject-Token': token },
    service: 'keystone',
    action: 'signing out',
  });
}

export interface SessionOptions {
  fetch?: FetchLike;
  /** Renew when less than this is left; default: a tenth of the lifetime, between 5 s and 5 min. */
  renewMarginMs?: number;
  /** Told after each renewal (the UI refreshes its "expires at"). */
  onRenew?: (token: TokenInfo) => void;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * A signed-in user. Holds the config (with its secret) in memory only, so it can sign in again
 * shortly before the token expires; an existing-token session cannot renew and reports expiry.
 */
export class KeystoneSession implements TokenProvider {
  #config: AuthConfig | null;
  #token: TokenInfo;
  #renewing: Promise<TokenInfo> | null = null;
  readonly #options: SessionOptions;
  readonly authUrl: string;

  private constructor(config: AuthConfig, token: TokenInfo, options: SessionOptions) {
    this.#config = config;
    this.#token = token;
    this.#options = options;
    this.authUrl = keystoneV3Url(config.authUrl);
  }

  static async signIn(config: AuthConfig, options: SessionOptions = {}): Promise<KeystoneSession> {
    const token = await authenticate(config, { fetch: options.fetch });
    return new KeystoneSession(config, token, options);
  }

  /** The current token's details (user, project, roles, catalog, expiry). */
  get token(): TokenInfo {
    return this.#token;
  }

  get catalog(): ServiceCatalog {
    return this.#token.catalog;
  }

  /** Region and interface chosen at sign-in (clouds.yaml / form), used when a query omits them. */
  get defaults(): EndpointQuery {
    return { region: this.#config?.regionName, interface: this.#config?.interface };
  }

  get canRenew(): boolean {
    return this.#config !== null && this.#config.auth.type !== 'token';
  }

  get signedIn(): boolean {
    return this.#config !== null;
  }

  /** Endpoint URL of a service type ("image", "object-store") from this token's catalog. */
  endpoint(serviceType: string, query: EndpointQuery = {}): string {
    const d = this.defaults;
    return findEndpoint(this.catalog, serviceType, { region: query.region ?? d.region, interface: query.interface ?? d.interface });
  }

  #now(): number {
    return this.#options.now ? this.#options.now() : Date.now();
  }

  #margin(): number {
    if (this.#options.renewMarginMs !== undefined) return this.#options.renewMarginMs;
    const life = this.#token.expiresAt.getTime() - this.#token.issuedAt.getTime();
    return Math.min(300_000, Math.max(5_000, life / 10));
  }

  /** Milliseconds until the held token expires (negative once expired). */
  get expiresInMs(): number {
    return this.#token.expiresAt.getTime() - this.#now();
  }

  async getToken(): Promise<string> {
    if (!this.#config)
      throw new OpenStackError('You are signed out. Sign in again.', {
        code: 'session.signed-out',
        kind: 'token-expired',
        service: 'keystone',
      });
    if (this.expiresInMs > this.#margin()) return this.#token.value;
    if (!this.canRenew) {
      if (this.expiresInMs > 0) return this.#token.value;
      throw new OpenStackError(
        `The token you signed in with expired at ${this.#token.expiresAt.toISOString()}. Sign in again (with a password or application credential the page can renew the token itself).`,
        {
          code: 'session.token-expired-at',
          params: { expiresAt: this.#token.expiresAt.toISOString() },
          kind: 'token-expired',
          service: 'keystone',
        },
      );
    }
    return (await this.renew()).value;
  }

  /** Signs in again with the held secret now (one renewal at a time). */
  async renew(): Promise<TokenInfo> {
    const config = this.#config;
    if (!config || !this.canRenew)
      throw new OpenStackError('This session cannot renew its token: sign in again.', {
        code: 'session.cannot-renew',
        kind: 'token-expired',
        service: 'keystone',
      });
    if (!this.#renewing) {
      this.#renewing = authenticate(config, { fetch: this.#options.fetch })
        .then((t) => {
          this.#token = t;
          this.#options.onRenew?.(t);
          return t;
        })
        .catch((e: unknown) => {
          // the password changed or the user was disabled since sign-in
          if (e instanceof OpenStackError && e.kind === 'wrong-credentials')
            throw new OpenStackError('Renewing your token failed: the credentials are no longer accepted. Sign in again.', {
              code: 'session.renew-failed',
              kind: 'token-expired',
              service: 'keystone',
              cause: e,
            });
          throw e;
        })
        .finally(() => {
          this.#renewing = null;
        });
    }
    return this.#renewing;
  }

  invalidate(token: string): void {
    // A 401 for a token we still think valid: it was revoked. Mark it expired so getToken renews.
    if (token === this.#token.value) this.#token = { ...this.#token, expiresAt: new Date(0) };
  }

  /**
   * Forgets the secret and the token, and revokes the token when this session minted it (a token
   * the user pasted as is stays theirs: it may serve their CLI too).
   */
  async signOut(): Promise<void> {
    const token = this.#token.value;
    const pasted = this.#config?.auth.type === 'token' && this.#config.auth.token === token;
    this.#config = null;
    this.#token = { ...this.#token, value: '', expiresAt: new Date(0) };
    if (!pasted) await revokeToken(this.authUrl, token, { fetch: this.#options.fetch });
  }
}
