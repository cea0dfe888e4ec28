// Reads the local cloud written by scripts/cloud/cloud.sh and builds what the tests need: sign-in
// configs, clients, generated files with reference hashes from node:crypto (independent of the
// hash-wasm code under test), and restarts with other settings.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openAsBlob, readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GlanceClient, KeystoneSession, OpenStackError, type AuthConfig } from '../../../src/core/openstack/index.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

export interface CloudUser {
  username: string;
  password: string;
  userId: string;
  userDomainName: string;
  projectName: string;
  projectId: string;
  projectDomainName: string;
}

export interface Ec2Credential {
  access: string;
  secret: string;
}

/** The `swift` block of .cloud/cloud.json (present when the cloud runs with CLOUD_WITH_SWIFT=1). */
export interface CloudSwift {
  /** the proxy's base URL (also the s3api endpoint) */
  url: string;
  port: number;
  /** GET answers the cluster's capabilities (slo, tempurl, s3api, bulk_delete limits) */
  infoUrl: string;
  accountUrlTemplate: string;
  /** `…/v1/AUTH_<project id>` of the demo and alt projects (what the catalog's object-store gives) */
  storageUrls: { demo: string; alt: string };
  /** s3api: path-style requests on the proxy, SigV4 region, EC2 credentials made through Keystone */
  s3: { endpoint: string; region: string; addressing: 'path'; credentials: { demo: Ec2Credential; alt: Ec2Credential } };
  tempUrlMethods: string[];
  pids: { proxy: number | null; object: number | null; container: number | null; account: number | null };
  log: string;
}

/** The schema of .cloud/cloud.json. */
export interface CloudJson {
  version: 1;
  stateDir: string;
  region: string;
  interface: 'public';
  keystone: { url: string; authUrl: string; port: number; pid: number; log: string; tokenExpirationSeconds: number };
  glance: {
    url: string;
    port: number;
    pid: number;
    log: string;
    imagesDir: string;
    imageSizeCap: number;
    userStorageQuota: string;
    importMethods: string[];
    webDownloadAllowedHosts: string[];
  };
  corsOrigins: string[];
  users: { admin: CloudUser; demo: CloudUser; alt: CloudUser };
  applicationCredential: { id: string; name: string; secret: string; user: string; projectId: string };
  swift?: CloudSwift;
}

export function readCloud(): CloudJson {
  const p = join(ROOT, '.cloud/cloud.json');
  if (!existsSync(p)) throw new Error('No .cloud/cloud.json: start the local cloud first (bash scripts/cloud/cloud.sh start)');
  return JSON.parse(readFileSync(p, 'utf8')) as CloudJson;
}

export function passwordConfig(cloud: CloudJson, who: keyof CloudJson['users'] = 'demo'): AuthConfig {
  const u = cloud.users[who];
  return {
    authUrl: cloud.keystone.authUrl,
    auth: { type: 'password', username: u.username, password: u.password, userDomainName: u.userDomainName },
    scope: { projectName: u.projectName, projectDomainName: u.projectDomainName },
    regionName: cloud.region,
    interface: 'public',
  };
}

export async function signIn(cloud: CloudJson, who: keyof CloudJson['users'] = 'demo') {
  const session = await KeystoneSession.signIn(passwordConfig(cloud, who));
  return { session, glance: GlanceClient.fromSession(session) };
}

/** Deletes the images a test file created; one already gone is fine, any other failure is not. */
export async function deleteImages(glance: GlanceClient, ids: Iterable<string>): Promise<void> {
  for (const id of ids) {
    try {
      await glance.deleteImage(id);
    } catch (e) {
      if (!(e instanceof OpenStackError && e.kind === 'not-found')) throw e;
    }
  }
}

/** Runs cloud.sh (restart keystone|glance with other settings, or start). */
export function cloudCommand(args: string[], env: Record<string, string> = {}): CloudJson {
  const r = spawnSync('bash', [join(ROOT, 'scripts/cloud/cloud.sh'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`cloud.sh ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return readCloud();
}

export interface TestFile {
  path: string;
  blob: Blob;
  size: number;
  sha512: string;
  md5: string;
  cleanup(): Promise<void>;
}

/** Writes `size` random bytes to a temp file in 4 MiB pieces, hashing them with node:crypto. */
export async function makeRandomFile(size: number, name = 'image.raw'): Promise<TestFile> {
  const dir = await mkdtemp(join(tmpdir(), 'ii-int-'));
  const path = join(dir, name);
  const fh = await open(path, 'w');
  const sha = createHash('sha512');
  const md5 = createHash('md5');
  try {
    for (let done = 0; done < size;) {
      const n = Math.min(4 << 20, size - done);
      const buf = randomBytes(n);
      sha.update(buf);
      md5.update(buf);
      await fh.write(buf);
      done += n;
    }
  } finally {
    await fh.close();
  }
  const blob = await openAsBlob(path);
  return {
    path,
    blob,
    size,
    sha512: sha.digest('hex'),
    md5: md5.digest('hex'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A unique image name per test run, so leftovers of an earlier run never match. */
export function uniqueName(prefix: string): string {
  return `ii-test-${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
