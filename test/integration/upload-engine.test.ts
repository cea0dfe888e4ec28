// The upload engine against the real local cloud (Keystone, Glance, Swift with SLO, TempURL and
// s3api): every target, registration verified by Glance's own hashes, the object read back and
// compared with node:crypto's digests of the file, and a token that expires mid-upload.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GlanceClient, KeystoneSession } from '../../src/core/openstack/index.ts';
import { startUpload, type UploadEnv, type UploadHandle, type UploadProgress, type UploadRequest } from '../../src/core/upload/index.ts';
import { nodeHttpTransport } from '../../src/cli/node-http-transport.ts';
import { cloudCommand, makeRandomFile, passwordConfig, signIn, uniqueName, type CloudJson, type TestFile } from './helpers/cloud.ts';
import { nodeUploadEnv, uploadSuite, type UploadSuite } from './helpers/upload-env.ts';
import { s3Access, sha512Hex, swiftOf, uniqueBucket, type SwiftAccess } from './helpers/object-storage.ts';
import { createHash } from 'node:crypto';

const MiB = 1024 * 1024;
let cloud: CloudJson;
let file: TestFile;
let stateDir: string;
let swift: SwiftAccess;
let suite: UploadSuite;
const images: string[] = [];
const containers: string[] = [];

before(async () => {
  suite = await uploadSuite(40 * MiB + 12345, 'engine.raw');
  ({ cloud, file, stateDir, swift } = suite);
});

after(async () => {
  await suite?.cleanup(images, containers);
});

function env(session: KeystoneSession, progress: UploadProgress[] = []): UploadEnv {
  return nodeUploadEnv({ file, stateDir, glance: GlanceClient.fromSession(session), progress });
}

const tokenCreds = (session: KeystoneSession) => ({
  kind: 'keystone-token' as const,
  getToken: () => session.getToken(),
  invalidate: (t: string) => session.invalidate(t),
});

function request(over: Partial<UploadRequest>): UploadRequest {
  return {
    file: file.blob,
    fileName: 'engine.raw',
    lastModified: 1,
    via: 'glance',
    register: {
      fields: { name: uniqueName('engine'), disk_format: 'raw', container_format: 'bare' },
      deleteObjectAfter: false,
    },
    ...over,
  };
}

/** The stored object's bytes hashed as they stream back (never held whole). */
async function storedSha512(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { headers });
  assert.equal(res.status, 200, `GET ${url}`);
  const h = createHash('sha512');
  const reader = res.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) h.update(r.value);
  return h.digest('hex');
}

describe('upload engine against the real cloud', { timeout: 240_000 }, () => {
  test('via glance: one PUT, the image active with os_hash_value = the local sha512', async () => {
    const { session } = await signIn(cloud);
    const progress: UploadProgress[] = [];
    const h = startUpload(request({ via: 'glance' }), env(session, progress));
    const out = await h.done;
    images.push(out.image!.id);
    assert.equal(out.image!.status, 'active');
    assert.equal(out.image!.os_hash_value, file.sha512);
    assert.equal(out.sha512, file.sha512);
    assert.equal(out.md5, file.md5);
    assert.equal(out.bytesSent, file.size);
    assert.equal(out.object, null);
    assert.equal(progress.at(-1)!.phase, 'done');
  });

  test('via glance-direct: stage + import, verified', async () => {
    const { session } = await signIn(cloud);
    const out = await startUpload(request({ via: 'glance-direct' }), env(session)).done;
    images.push(out.image!.id);
    assert.equal(out.image!.status, 'active');
    assert.equal(out.image!.os_hash_value, file.sha512);
  });

  test('via swift: SLO in 8 MiB segments, registered by web-download from a TempURL, object sha512 = local', async () => {
    const { session } = await signIn(cloud);
    const container = uniqueBucket('eng-swift');
    containers.push(container, `${container}_segments`);
    const storageUrl = swiftOf(cloud).storageUrls.demo;
    const out = await startUpload(
      request({
        via: 'swift',
        partSize: 8 * MiB,
        parallel: 3,
        credentials: tokenCreds(session),
        target: { kind: 'swift', storageUrl, container, object: 'disk/engine.raw', segmentContainer: `${container}_segments` },
      }),
      env(session),
    ).done;
    images.push(out.image!.id);
    assert.equal(out.image!.status, 'active');
    assert.equal(out.image!.os_hash_value, file.sha512);
    assert.deepEqual(
      { ...out.object!, etag: undefined },
      { container, name: 'disk/engine.raw', etag: undefined, size: file.size, parts: 6 },
    );
    const head = await swift.fetch(`/${container}/disk/engine.raw`, { method: 'HEAD' });
    assert.equal(head.headers.get('etag')?.replace(/"/g, ''), out.object!.etag);
    assert.equal(await storedSha512(`${storageUrl}/${container}/disk/engine.raw`, { 'X-Auth-Token': await swift.token() }), file.sha512);
    const segs = (await (await swift.fetch(`/${container}_segments?format=json`)).json()) as { bytes: number }[];
    assert.equal(segs.length, 6);
  });

  test("Swift's container quota (413) is one sentence, no retry; the parts stored are kept and the next run resumes", async () => {
    const { session } = await signIn(cloud);
    const container = uniqueBucket('eng-quota');
    const segments = `${container}_segments`;
    containers.push(container, segments);
    // container_quotas in the local proxy: a cap of 12 MiB holds one 8 MiB segment, not two
    const put = await swift.fetch(`/${segments}`, { method: 'PUT', headers: { 'X-Container-Meta-Quota-Bytes': String(12 * MiB) } });
    assert.ok(put.status === 201 || put.status === 202, `PUT ${segments}: ${put.status}`);
    const storageUrl = swiftOf(cloud).storageUrls.demo;
    const req = () =>
      request({
        via: 'swift',
        partSize: 8 * MiB,
        parallel: 1,
        register: null,
        credentials: tokenCreds(session),
        target: { kind: 'swift', storageUrl, container, object: 'quota.raw', segmentContainer: segments },
      });
    const progress: UploadProgress[] = [];
    await assert.rejects(startUpload(req(), env(session, progress)).done, (e: unknown) => {
      const err = e as { kind?: string; status?: number; message: string };
      assert.equal(err.kind, 'too-large');
      assert.equal(err.status, 413);
      assert.match(err.message, /^Swift refused the data while sending segment 2: the object store's quota or size limit is reached/);
      assert.match(err.message, /the parts already stored are kept\.$/);
      return true;
    });
    assert.equal(progress.at(-1)?.retries ?? 0, 0, 'a quota refusal is not retried');
    const listed = (await (await swift.fetch(`/${segments}?format=json`)).json()) as { bytes: number }[];
    assert.deepEqual(
      listed.map((x) => x.bytes),
      [8 * MiB],
    );
    // the operator lifts the quota: the same request continues after the stored segment
    const lift = await swift.fetch(`/${segments}`, { method: 'POST', headers: { 'X-Remove-Container-Meta-Quota-Bytes': 'x' } });
    assert.equal(lift.status, 204);
    const out = await startUpload(req(), env(session)).done;
    assert.equal(out.resumed, true);
    assert.equal(out.bytesSent, file.size - 8 * MiB);
    assert.equal(out.object!.parts, 6);
    assert.equal(await storedSha512(`${storageUrl}/${container}/quota.raw`, { 'X-Auth-Token': await swift.token() }), file.sha512);
  });

  test('another file to the same object gives up the unfinished upload there: its segments, its state and its queued image go', async () => {
    const { session } = await signIn(cloud);
    const glance = GlanceClient.fromSession(session);
    const container = uniqueBucket('eng-supersede');
    const segments = `${container}_segments`;
    containers.push(container, segments);
    const storageUrl = swiftOf(cloud).storageUrls.demo;
    const target = { kind: 'swift' as const, storageUrl, container, object: 'disk.raw', segmentContainer: segments };
    // the first file: its image created, paused after its first segment (as a closed tab leaves it)
    const earlier = await glance.createImage({ name: uniqueName('supersede-old'), disk_format: 'raw', container_format: 'bare' });
    images.push(earlier.id);
    const envA = env(session);
    let a: UploadHandle | undefined = undefined;
    a = startUpload(
      request({
        via: 'swift',
        partSize: 8 * MiB,
        parallel: 1,
        credentials: tokenCreds(session),
        target,
        register: { fields: { name: earlier.name! }, deleteObjectAfter: false, imageId: earlier.id },
      }),
      { ...envA, onProgress: (p) => void (p.parts.done >= 1 && a?.pause()) },
    );
    await assert.rejects(a.done, (e: unknown) => (e as { paused?: boolean }).paused === true);
    assert.equal((await envA.store.list()).length, 1);
    const stale = (await (await swift.fetch(`/${segments}?format=json`)).json()) as { name: string }[];
    assert.ok(stale.length >= 1);

    // another file (same name, other bytes) to the same object
    const other = await makeRandomFile(20 * MiB + 7, 'engine.raw');
    try {
      const notices: string[] = [];
      const envB = { ...nodeUploadEnv({ file: other, stateDir, glance }), onNotice: (n: string) => notices.push(n) };
      const out = await startUpload(
        request({ file: other.blob, via: 'swift', partSize: 8 * MiB, credentials: tokenCreds(session), target }),
        envB,
      ).done;
      images.push(out.image!.id);
      assert.equal(out.image!.os_hash_value, other.sha512);
      assert.equal(out.resumed, false);
      assert.ok(
        notices.some((n) =>
          new RegExp(
            `^An unfinished upload of another file \\(engine\\.raw, ${file.size} bytes\\) to the same object is given up, as this upload replaces that object: its parts are deleted, and the image ${earlier.id} it created \\(queued, no data yet\\) is deleted\\.$`,
          ).test(n),
        ),
        JSON.stringify(notices),
      );
      await assert.rejects(glance.getImage(earlier.id), (e: unknown) => (e as { kind?: string }).kind === 'not-found');
      assert.deepEqual(await envB.store.list(), [], 'no resume state is left: the earlier one was given up, this one finished');
      const left = (await (await swift.fetch(`/${segments}?format=json`)).json()) as { name: string }[];
      assert.ok(!left.some((x) => stale.some((y) => y.name === x.name)), `the earlier segments are deleted: ${JSON.stringify(left)}`);
      assert.equal(left.length, 3);
      assert.equal(await storedSha512(`${storageUrl}/${container}/disk.raw`, { 'X-Auth-Token': await swift.token() }), other.sha512);
    } finally {
      await other.cleanup();
    }
  });

  test('via s3: multipart in 6 MiB parts, registered from a presigned GET, --no-register keeps only the object', async () => {
    const { session } = await signIn(cloud);
    const s3 = swiftOf(cloud).s3;
    const bucket = uniqueBucket('eng-s3');
    containers.push(bucket, `${bucket}+segments`);
    const base = {
      via: 's3' as const,
      partSize: 6 * MiB,
      parallel: 4,
      credentials: { kind: 's3' as const, accessKeyId: s3.credentials.demo.access, secretAccessKey: s3.credentials.demo.secret },
      target: { kind: 's3' as const, endpoint: s3.endpoint, region: s3.region, bucket, key: 'engine.raw' },
    };
    const out = await startUpload(request(base), env(session)).done;
    images.push(out.image!.id);
    assert.equal(out.image!.os_hash_value, file.sha512);
    assert.match(out.object!.etag, /^[0-9a-f]{32}-7$/);
    const get = await s3Access(cloud).client.sign(`${s3.endpoint}/${bucket}/engine.raw`);
    assert.equal(await storedSha512(get.url, Object.fromEntries(get.headers)), file.sha512);

    const bare = await startUpload(request({ ...base, register: null, target: { ...base.target, key: 'bare.raw' } }), env(session)).done;
    assert.equal(bare.image, null);
    assert.equal(bare.object!.size, file.size);
    assert.equal(bare.sha512, file.sha512);
  });

  test('pause keeps the segments and the state; cancel deletes both', async () => {
    const { session } = await signIn(cloud);
    const container = uniqueBucket('eng-cancel');
    containers.push(container, `${container}_segments`);
    const target = {
      kind: 'swift' as const,
      storageUrl: swiftOf(cloud).storageUrls.demo,
      container,
      object: 'cancel.raw',
      segmentContainer: `${container}_segments`,
    };
    const segments = async () => ((await (await swift.fetch(`/${container}_segments?format=json`)).json()) as unknown[]).length;
    const req = () => request({ via: 'swift', partSize: 2 * MiB, parallel: 2, register: null, credentials: tokenCreds(session), target });
    const e = env(session);
    const store = e.store;
    let h = startUpload(req(), {
      ...e,
      onProgress: (p) => {
        if (p.storedBytes >= 8 * MiB) h.pause();
      },
    });
    await assert.rejects(h.done, (err: unknown) => (err as { paused?: boolean }).paused === true);
    const kept = await segments();
    assert.ok(kept >= 4, `${kept} segments kept`);
    assert.equal((await store.list()).filter((s) => s.target.kind === 'swift' && s.target.container === container).length, 1);
    h = startUpload(req(), {
      ...e,
      onProgress: (p) => {
        if (p.storedBytes >= 12 * MiB) void h.cancel();
      },
    });
    await assert.rejects(h.done, (err: unknown) => (err as { paused?: boolean }).paused === false);
    await h.cancel();
    assert.equal(await segments(), 0);
    assert.equal((await store.list()).filter((s) => s.target.kind === 'swift' && s.target.container === container).length, 0);
  });

  test('a token that expires mid-upload is renewed and the part retried', { timeout: 180_000 }, async () => {
    cloud = cloudCommand(['restart', 'keystone'], { KEYSTONE_TOKEN_EXPIRATION: '5' });
    let stored = '';
    try {
      const session = await KeystoneSession.signIn(passwordConfig(cloud), { renewMarginMs: 0 });
      const container = uniqueBucket('eng-token');
      containers.push(container, `${container}_segments`);
      const started = Date.now();
      let renewed = 0;
      // The token is kept until Swift refuses it (as a client whose clock is behind would): the
      // session's own early renewal must not make the 401 path a matter of timing.
      let current: string | undefined;
      const creds = {
        kind: 'keystone-token' as const,
        getToken: async () => (current ??= await session.getToken()),
        invalidate: (t: string) => {
          renewed++;
          if (current === t) current = undefined;
          session.invalidate(t);
        },
      };
      const e = env(session);
      const out = await startUpload(
        request({
          via: 'swift',
          partSize: 1 * MiB,
          parallel: 1,
          register: null,
          credentials: creds,
          target: {
            kind: 'swift',
            storageUrl: swiftOf(cloud).storageUrls.demo,
            container,
            object: 'token.raw',
            segmentContainer: `${container}_segments`,
          },
          file: file.blob.slice(0, 12 * MiB),
        }),
        {
          ...e,
          digests: {
            ...e.digests,
            whole: async (b) => ({ sha512: sha512Hex(new Uint8Array(await b.arrayBuffer())), md5: '', size: b.size }),
          },
          // slow each segment down so that the 5 s token expires between them
          transport: {
            send: async (r) => {
              await new Promise((res) => setTimeout(res, 700));
              return nodeHttpTransport().send(r);
            },
          },
        },
      ).done;
      assert.ok(Date.now() - started > 6000, 'the upload outlived the token');
      assert.ok(renewed >= 1, 'a 401 made the engine invalidate the token and renew it');
      assert.equal(out.object!.parts, 12);
      stored = `${swiftOf(cloud).storageUrls.demo}/${container}/token.raw`;
    } finally {
      cloud = cloudCommand(['restart', 'keystone'], { KEYSTONE_TOKEN_EXPIRATION: '' });
    }
    // Read back with a token of the usual lifetime: a 5 s one could lapse between issue and GET.
    const reader = await KeystoneSession.signIn(passwordConfig(cloud));
    assert.equal(
      await storedSha512(stored, { 'X-Auth-Token': await reader.getToken() }),
      sha512Hex(new Uint8Array(await file.blob.slice(0, 12 * MiB).arrayBuffer())),
    );
  });
});
