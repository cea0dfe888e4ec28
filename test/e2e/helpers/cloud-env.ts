// The local cloud as the cloud UI e2e tests and the upload benchmark see it: .cloud/cloud.json
// written by scripts/cloud/cloud.sh, a Node-side Glance client (the core client, signed in with
// the same users) to assert what the UI did, and cloud.sh for the fault tests.
// IMAGE_INSPECTOR_CLOUD_ROOT points at another checkout's cloud (a private one for fault tests).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeystoneSession } from '../../../src/core/openstack/keystone.ts';
import { GlanceClient } from '../../../src/core/openstack/glance.ts';
import type { GlanceImage } from '../../../src/core/openstack/types.ts';
import { REPO_ROOT as ROOT } from './serve-dist.ts';

export interface CloudUser {
  username: string;
  password: string;
  userDomainName: string;
  projectName: string;
  projectId: string;
  projectDomainName: string;
}

export interface CloudJson {
  stateDir: string;
  region: string;
  keystone: { url: string; authUrl: string; tokenExpirationSeconds: number };
  glance: { url: string; pid: number; imageSizeCap: number; importMethods: string[] };
  users: Record<'admin' | 'demo' | 'alt', CloudUser>;
  applicationCredential: { id: string; secret: string };
}

export const CLOUD_ROOT = process.env.IMAGE_INSPECTOR_CLOUD_ROOT ?? ROOT;

export function loadCloud(): CloudJson {
  const file = join(CLOUD_ROOT, '.cloud/cloud.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CloudJson;
  } catch (e) {
    throw new Error(`${file} is missing: start the local cloud with \`npm run cloud -- start\` (${(e as Error).message})`, { cause: e });
  }
}

/** Runs scripts/cloud/cloud.sh with extra env (e.g. KEYSTONE_TOKEN_EXPIRATION for `restart keystone`). */
export function cloudSh(args: string[], env: Record<string, string> = {}): string {
  return execFileSync('bash', [join(CLOUD_ROOT, 'scripts/cloud/cloud.sh'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export async function nodeGlance(user: 'demo' | 'admin' | 'alt' = 'demo'): Promise<{ glance: GlanceClient; session: KeystoneSession }> {
  const c = loadCloud();
  const u = c.users[user];
  const session = await KeystoneSession.signIn({
    authUrl: c.keystone.authUrl,
    auth: { type: 'password', username: u.username, password: u.password, userDomainName: u.userDomainName },
    scope: { projectName: u.projectName, projectDomainName: u.projectDomainName },
    regionName: c.region,
    interface: 'public',
  });
  return { glance: GlanceClient.fromSession(session), session };
}

/** Images of the project with this exact name (the UI tests give each image a unique name). */
export async function imagesNamed(glance: GlanceClient, name: string): Promise<GlanceImage[]> {
  return glance.listAllImages({ name });
}

/** Deletes (unprotecting first) every image whose name starts with the test prefix. */
export async function cleanupImages(glance: GlanceClient, prefix: string): Promise<void> {
  for (const i of await glance.listAllImages()) {
    if (!i.name?.startsWith(prefix)) continue;
    if (i.protected) await glance.updateImage(i.id, [{ op: 'replace', path: '/protected', value: false }]);
    await glance.deleteImage(i.id);
  }
}
