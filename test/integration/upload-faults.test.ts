// The upload engine through the suite's fault proxy, in front of the real Swift and s3api:
// connections cut at 20 random points, one part stalled past the client's timeout, one byte
// flipped in one part, and the Swift proxy restarted mid-upload. Each time the upload completes,
// no part the server confirmed is sent again, and the stored object's sha512 equals the file's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { GlanceClient, type KeystoneSession } from '../../src/core/openstack/index.ts';
import { startUpload, type UploadEnv, type UploadProgress, type UploadRequest } from '../../src/core/upload/index.ts';
import { nodeHttpTransport } from '../../src/cli/node-http-transport.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { cloudCommand, signIn, uniqueName, type CloudJson, type TestFile } from './helpers/cloud.ts';
import { nodeUploadEnv, uploadSuite, type UploadSuite } from './helpers/upload-env.ts';
import { swiftOf, uniqueBucket, type SwiftAccess } from './helpers/object-storage.ts';

const MiB = 1024 * 1024;
let cloud: CloudJson;
let file: TestFile;
let stateDir: string;
let swift: SwiftAccess;
let session: KeystoneSession;
let suite: UploadSuite;
const images: string[] = [];
const containers: string[] = [];

before(async () => {
  suite = await uploadSuite(32 * MiB + 4321, 'faults.raw');
  ({ cloud, file, stateDir, swift } = suite);
  session = (await signIn(cloud)).session;
});

after(async () => {
  await suite?.cleanup(images, containers);
});

function env(progress: UploadProgress[], stallTimeoutMs = 60_000): UploadEnv {
  return nodeUploadEnv({
    file,
    stateDir,
    glance: GlanceClient.fromSession(session),
    retry: { attempts: 12, baseDelayMs: 50, maxDelayMs: 2000, stallTimeoutMs },
    progress,
  });
}

function swiftRequest(storageUrl: string, container: string, partSize: number, register = false): UploadRequest {
  containers.push(container, `${container}_segments`);
  return {
    file: file.blob,
    fileName: 'faults.raw',
    lastModified: 1,
    via: 'swift',
    partSize,
    parallel: 3,
    target: { kind: 'swift', storageUrl, container, object: 'faults.raw', segmentContainer: `${container}_segments` },
    credentials: { kind: 'keystone-token', getToken: () => session.getToken(), invalidate: (t) => session.invalidate(t) },
    register: register
      ? {
          fields: { name: uniqueName('faults'), disk_format: 'raw', container_format: 'bare' },
          deleteObjectAfter: false,
        }
      : null,
  };
}

async function storedSha512(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { headers });
  assert.equal(res.status, 200);
  const h = createHash('sha512');
  const reader = res.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) h.update(r.value);
  return h.digest('hex');
}

/** Each part (segment path, or S3 part number) the server confirmed was confirmed only once. */
function assertNoPartSentTwice(proxy: FaultProxy, key: (r: FaultProxy['requests'][number]) => string | null) {
  const ok = new Map<string, number>();
  for (const r of proxy.requests) {
    const k = key(r);
    if (k && r.method === 'PUT' && r.status !== null && r.status < 300) ok.set(k, (ok.get(k) ?? 0) + 1);
  }
  for (const [k, n] of ok) assert.equal(n, 1, `${k} was stored ${n} times`);
  return ok.size;
}

const segmentKey = (r: FaultProxy['requests'][number]) => (/_segments\//.test(r.path) ? r.path : null);

describe('upload engine through the fault proxy (real Swift and s3api)', { timeout: 300_000 }, () => {
  test('20 connections cut at random points: the upload completes, no confirmed segment is sent again, sha512 equal', async () => {
    const proxy = await startFaultProxy({
      upstream: swiftOf(cloud).url,
      cuts: { count: 20, probability: 0.5, match: { method: 'PUT', path: /_segments\// } },
      seed: 7,
      lifetimeMs: 240_000,
    });
    try {
      const progress: UploadProgress[] = [];
      const c = uniqueBucket('cuts');
      const out = await startUpload(swiftRequest(proxy.rewrite(swiftOf(cloud).storageUrls.demo), c, 1 * MiB), env(progress)).done;
      assert.equal(proxy.faults.cuts, 20);
      assert.equal(assertNoPartSentTwice(proxy, segmentKey), 33);
      assert.ok(progress.at(-1)!.retries >= 20);
      assert.ok(out.bytesSent > file.size, 'the cut bytes were sent again');
      assert.equal(
        await storedSha512(`${swiftOf(cloud).storageUrls.demo}/${c}/faults.raw`, { 'X-Auth-Token': await swift.token() }),
        file.sha512,
      );
    } finally {
      await proxy.close();
    }
  });

  test('one segment stalled past the timeout is cut and sent again; one flipped byte is refused by Swift and re-sent; registered and verified', async () => {
    const stalled = /_segments\/.*\/00000002$/;
    const flipped = /_segments\/.*\/00000005$/;
    const proxy = await startFaultProxy({
      upstream: swiftOf(cloud).url,
      stall: { mode: 'body', ms: 15_000, match: { method: 'PUT', path: stalled } },
      flip: { match: { method: 'PUT', path: flipped } },
      lifetimeMs: 240_000,
    });
    try {
      const progress: UploadProgress[] = [];
      const c = uniqueBucket('stall');
      const out = await startUpload(swiftRequest(proxy.rewrite(swiftOf(cloud).storageUrls.demo), c, 4 * MiB, true), env(progress, 3000))
        .done;
      images.push(out.image!.id);
      assert.deepEqual([proxy.faults.stalls, proxy.faults.flips], [1, 1]);
      const reasons = new Set(progress.map((p) => p.lastRetryReason).filter(Boolean));
      assert.ok(
        [...reasons].some((r) => /Segment 3 stalled/.test(r!)),
        [...reasons].join(' | '),
      );
      assert.ok(
        [...reasons].some((r) => /Segment 6 arrived damaged/.test(r!)),
        [...reasons].join(' | '),
      );
      const flips = proxy.requests.filter((r) => flipped.test(r.path));
      assert.deepEqual(
        flips.map((r) => r.status),
        [422, 201],
        'Swift refused the damaged body (ETag header) and took the re-sent one',
      );
      assertNoPartSentTwice(proxy, segmentKey);
      assert.equal(out.image!.status, 'active');
      assert.equal(out.image!.os_hash_value, file.sha512);
    } finally {
      await proxy.close();
    }
  });

  test('S3: a flipped byte in one part is refused (BadDigest) and the part re-sent; the object verifies', async () => {
    const s3 = swiftOf(cloud).s3;
    const proxy = await startFaultProxy({
      upstream: s3.endpoint,
      flip: { match: (r) => r.query.get('partNumber') === '2' },
      lifetimeMs: 240_000,
    });
    try {
      const bucket = uniqueBucket('flip');
      containers.push(bucket, `${bucket}+segments`);
      const progress: UploadProgress[] = [];
      const out = await startUpload(
        {
          file: file.blob,
          fileName: 'faults.raw',
          lastModified: 1,
          via: 's3',
          partSize: 5 * MiB,
          parallel: 3,
          target: { kind: 's3', endpoint: proxy.url, region: s3.region, bucket, key: 'faults.raw' },
          credentials: { kind: 's3', accessKeyId: s3.credentials.demo.access, secretAccessKey: s3.credentials.demo.secret },
          register: {
            fields: { name: uniqueName('s3flip'), disk_format: 'raw', container_format: 'bare' },
            deleteObjectAfter: true,
          },
        },
        env(progress),
      ).done;
      images.push(out.image!.id);
      const part2 = proxy.requests.filter((r) => r.method === 'PUT' && /partNumber=2&/.test(`${r.query}&`));
      assert.deepEqual(
        part2.map((r) => [r.flipped, r.status]),
        [
          [true, 400],
          [false, 200],
        ],
      );
      assertNoPartSentTwice(proxy, (r) => new URLSearchParams(r.query).get('partNumber'));
      assert.equal(out.image!.os_hash_value, file.sha512);
      // deleteObjectAfter: the object is gone once the image is verified
      const gone = await swift.fetch(`/${bucket}/faults.raw`, { method: 'HEAD' });
      assert.equal(gone.status, 404);
    } finally {
      await proxy.close();
    }
  });

  test('the Swift proxy restarted mid-upload: the engine waits it out and completes', async () => {
    const progress: UploadProgress[] = [];
    const c = uniqueBucket('restart');
    let restarted = false;
    const e = env(progress);
    const h = startUpload(swiftRequest(swiftOf(cloud).storageUrls.demo, c, 1 * MiB), {
      ...e,
      retry: { attempts: 12, baseDelayMs: 500, maxDelayMs: 4000, stallTimeoutMs: 20_000 },
      // slow enough that the restart lands in the middle
      transport: {
        send: async (r) => {
          await new Promise((res) => setTimeout(res, 150));
          return nodeHttpTransport().send(r);
        },
      },
      onProgress: (p) => {
        progress.push(p);
        if (!restarted && p.storedBytes > file.size / 3) {
          restarted = true;
          cloud = cloudCommand(['restart', 'swift']);
        }
      },
    });
    const out = await h.done;
    assert.ok(restarted);
    assert.equal(out.object!.parts, 33);
    assert.equal(
      await storedSha512(`${swiftOf(cloud).storageUrls.demo}/${c}/faults.raw`, { 'X-Auth-Token': await swift.token() }),
      file.sha512,
    );
  });
});
