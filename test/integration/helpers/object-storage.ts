// Object storage helpers for tests against the local cloud's Swift (CLOUD_WITH_SWIFT=1): the demo
// user's token and storage URL, an S3 (s3api) signer from the EC2 credentials in cloud.json,
// TempURLs, and cleanup of containers/buckets with their segments. Reference values (MD5s, TempURL
// signatures) come from node:crypto, independent of the code under test.
import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before } from 'node:test';
import { AwsClient } from 'aws4fetch';
import { KeystoneSession } from '../../../src/core/openstack/index.ts';
import { makeRandomFile, passwordConfig, readCloud, type CloudJson, type CloudSwift, type TestFile } from './cloud.ts';

export type CloudWho = 'demo' | 'alt';

/** The Swift block of cloud.json, or a clear error when the cloud was started without Swift. */
export function swiftOf(cloud: CloudJson): CloudSwift {
  if (!cloud.swift)
    throw new Error('The local cloud runs without Swift: start it with CLOUD_WITH_SWIFT=1 bash scripts/cloud/cloud.sh start');
  return cloud.swift;
}

export interface SwiftAccess {
  session: KeystoneSession;
  /** `…/v1/AUTH_<project id>` of the user's project */
  storageUrl: string;
  token(): Promise<string>;
  /** fetch on the storage URL (path relative to it, e.g. `/container/object`) with the token */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export async function swiftAccess(cloud: CloudJson, who: CloudWho = 'demo'): Promise<SwiftAccess> {
  const swift = swiftOf(cloud);
  const session = await KeystoneSession.signIn(passwordConfig(cloud, who));
  const storageUrl = swift.storageUrls[who];
  const token = () => session.getToken();
  return {
    session,
    storageUrl,
    token,
    fetch: async (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('X-Auth-Token', await token());
      return fetch(storageUrl + path, { ...init, headers });
    },
  };
}

/** An S3 client for the local s3api, signing SigV4 with the user's EC2 credentials. */
export interface S3Access {
  client: AwsClient;
  endpoint: string;
  region: string;
  /** signed fetch on the endpoint (path-style: `/bucket/key?query`) */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export function s3Access(cloud: CloudJson, who: CloudWho = 'demo'): S3Access {
  const s3 = swiftOf(cloud).s3;
  const creds = s3.credentials[who];
  // retries: 0 — a test must see the server's first answer, not aws4fetch's retried one
  const client = new AwsClient({ accessKeyId: creds.access, secretAccessKey: creds.secret, service: 's3', region: s3.region, retries: 0 });
  return { client, endpoint: s3.endpoint, region: s3.region, fetch: (path, init) => client.fetch(s3.endpoint + path, init) };
}

/** The text of the first `<Tag>` element of an S3 XML answer (enough for the few fields tests read). */
export function xmlValue(xml: string, tag: string): string | undefined {
  return xmlValues(xml, tag)[0];
}

export function xmlValues(xml: string, tag: string): string[] {
  const re = new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1].replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
}

/**
 * A TempURL for `path` (`/v1/AUTH_<project>/<container>/<object>`), signed like
 * swift-temp-url: HMAC over "METHOD\nEXPIRES\nPATH" with the account's or container's key.
 */
export function tempUrl(
  base: string,
  path: string,
  key: string,
  opts: { method?: string; seconds?: number; digest?: 'sha256' | 'sha512' } = {},
): string {
  const method = opts.method ?? 'GET';
  const expires = Math.floor(Date.now() / 1000) + (opts.seconds ?? 600);
  const sig = createHmac(opts.digest ?? 'sha256', key)
    .update(`${method}\n${expires}\n${path}`)
    .digest('hex');
  return `${base}${path}?temp_url_sig=${sig}&temp_url_expires=${expires}`;
}

export const md5Hex = (data: Uint8Array | string): string => createHash('md5').update(data).digest('hex');
export const sha512Hex = (data: Uint8Array | string): string => createHash('sha512').update(data).digest('hex');

/** A container/bucket name valid for Swift and S3 (lower case, DNS-compliant), unique per run. */
export function uniqueBucket(prefix: string): string {
  return `ii-${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`.toLowerCase();
}

/** The path of the storage URL (`/v1/AUTH_…`), as TempURL signatures and manifests name objects. */
export function accountPath(storageUrl: string): string {
  return new URL(storageUrl).pathname;
}

async function expectOk(r: Response, what: string, also: number[] = []): Promise<void> {
  if (!r.ok && !also.includes(r.status)) throw new Error(`${what}: ${r.status} ${(await r.text()).slice(0, 300)}`);
  await r.body?.cancel();
}

/**
 * Deletes the containers (and every object in them) a test created; missing ones are fine. For
 * an S3 bucket pass both `bucket` and `bucket+segments` (s3api keeps parts there).
 */
export async function deleteContainers(swift: SwiftAccess, containers: Iterable<string>): Promise<void> {
  for (const c of containers) {
    const path = `/${encodeURIComponent(c)}`;
    for (;;) {
      const list = await swift.fetch(`${path}?format=json&limit=1000`);
      if (list.status === 404) break;
      if (!list.ok) throw new Error(`listing ${c}: ${list.status}`);
      const objects = (await list.json()) as { name: string }[];
      if (objects.length === 0) break;
      // bulk delete: one request for the whole page (the proxy runs the bulk middleware)
      const body = objects.map((o) => `${c}/${encodeURIComponent(o.name)}`).join('\n');
      const r = await swift.fetch('?bulk-delete', {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'text/plain', Accept: 'application/json' },
      });
      const result = (await r.json()) as { 'Response Status': string; Errors: unknown[] };
      if (!result['Response Status'].startsWith('200') || result.Errors.length)
        throw new Error(`bulk delete in ${c}: ${JSON.stringify(result)}`);
    }
    await expectOk(await swift.fetch(path, { method: 'DELETE' }), `deleting container ${c}`, [404]);
  }
}

export const MiB = 1024 * 1024;
/** An ETag header without its quotes (Swift quotes SLO and S3 ETags, not plain objects'). */
export const unquote = (etag: string | null | undefined): string => (etag ?? '').replace(/^"|"$/g, '');

/** What the object storage test files share: clients, a random file, containers to clean up. */
export interface ObjectStorageFixture {
  cloud: CloudJson;
  swift: SwiftAccess;
  s3: S3Access;
  file: TestFile;
  bytes: Uint8Array<ArrayBuffer>;
  /** an origin the cloud's CORS allows (the app's dev server) */
  appOrigin: string;
  /** a new container (and with `segments` its `<name>_segments`), deleted by cleanup() */
  newContainer(prefix: string, segments?: boolean): Promise<string>;
  /** an S3 bucket (and its `+segments` container) deleted by cleanup() */
  newBucket(prefix: string): Promise<string>;
  /** containers made another way (through a proxy), deleted by cleanup() */
  track(...containers: string[]): void;
  /** PUT with the token, asserting 201 */
  putObject(path: string, body: BodyInit): Promise<Response>;
  cleanup(): Promise<void>;
}

export async function objectStorageFixture(fileSize: number): Promise<ObjectStorageFixture> {
  const cloud = readCloud();
  const swift = await swiftAccess(cloud);
  const s3 = s3Access(cloud);
  const file = await makeRandomFile(fileSize, 'object.raw');
  const bytes = new Uint8Array(await readFile(file.path));
  const containers: string[] = [];
  const expect = async (r: Response, status: number, what: string) => {
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${(await r.text()).slice(0, 300)}`);
    return r;
  };
  return {
    cloud,
    swift,
    s3,
    file,
    bytes,
    appOrigin: cloud.corsOrigins.find((o) => o === 'http://127.0.0.1:5173') ?? cloud.corsOrigins[0],
    async newContainer(prefix, segments = false) {
      const c = uniqueBucket(prefix);
      containers.push(c, `${c}_segments`);
      for (const name of segments ? [c, `${c}_segments`] : [c])
        await expect(await swift.fetch(`/${name}`, { method: 'PUT' }), 201, `container PUT ${name}`);
      return c;
    },
    async newBucket(prefix) {
      const b = uniqueBucket(prefix);
      containers.push(b, `${b}+segments`);
      await expect(await s3.fetch(`/${b}`, { method: 'PUT' }), 200, `bucket PUT ${b}`);
      return b;
    },
    track: (...names) => void containers.push(...names),
    putObject: async (path, body) => expect(await swift.fetch(path, { method: 'PUT', body }), 201, `PUT ${path}`),
    async cleanup() {
      await deleteContainers(swift, containers);
      await file.cleanup();
    },
  };
}

/**
 * The fixture of a whole test file: made in `before`, cleaned up in `after`. The object returned
 * is filled in by `before`, so tests use it directly (`fx.swift`, `fx.newContainer(…)`).
 */
export function objectStorageSuite(fileSize: number): ObjectStorageFixture {
  const fx = {} as ObjectStorageFixture;
  before(async () => {
    Object.assign(fx, await objectStorageFixture(fileSize));
  });
  after(async () => {
    await fx.cleanup?.();
  });
  return fx;
}
