// The suite's fault-injecting proxy (test/helpers/fault-proxy.ts) in front of the real Swift and
// s3api: SigV4 signed for the proxy verifies, a flipped byte changes the stored part's ETag, a
// cut request stores nothing. The upload engine's fault tests rely on exactly this.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import {
  accountPath,
  md5Hex,
  MiB,
  objectStorageSuite,
  sha512Hex,
  swiftOf,
  tempUrl,
  uniqueBucket,
  unquote,
  xmlValue,
  xmlValues,
} from './helpers/object-storage.ts';

const SIZE = 5 * MiB + 1;
const T = { timeout: 120_000 };
const fx = objectStorageSuite(SIZE);

describe('the fault proxy in front of the real Swift and s3api', () => {
  test(
    'SigV4 through it holds (Host unchanged); a flipped byte gives a part ETag that differs; a cut part is never listed',
    T,
    async () => {
      const proxy = await startFaultProxy({
        upstream: swiftOf(fx.cloud).url,
        flip: { match: (r) => r.query.get('partNumber') === '1' },
        cuts: { count: 1, match: (r) => r.query.get('partNumber') === '2' },
        lifetimeMs: 60_000,
      });
      try {
        const bucket = uniqueBucket('fault');
        fx.track(bucket, `${bucket}+segments`);
        const viaProxy = (path: string, init?: RequestInit) => fx.s3.client.fetch(proxy.url + path, init);
        assert.equal((await viaProxy(`/${bucket}`, { method: 'PUT' })).status, 200, 'signed for the proxy, verified by s3api');
        const uploadId = xmlValue(await (await viaProxy(`/${bucket}/k?uploads`, { method: 'POST' })).text(), 'UploadId');
        const part = fx.bytes.subarray(0, 5 * MiB);
        const one = await viaProxy(`/${bucket}/k?partNumber=1&uploadId=${uploadId}`, { method: 'PUT', body: part });
        assert.equal(one.status, 200);
        assert.notEqual(unquote(one.headers.get('etag')), md5Hex(part), 'the stored part is not what the client sent');
        await assert.rejects(viaProxy(`/${bucket}/k?partNumber=2&uploadId=${uploadId}`, { method: 'PUT', body: part }));
        const listed = xmlValues(await (await fx.s3.fetch(`/${bucket}/k?uploadId=${uploadId}`)).text(), 'PartNumber');
        assert.deepEqual(listed, ['1'], 'the cut part was not stored');
        assert.deepEqual(
          proxy.requests.map((r) => [r.method, r.query.match(/partNumber=\d/)?.[0] ?? '', r.status, r.cut, r.flipped]),
          [
            ['PUT', '', 200, false, false],
            ['POST', '', 200, false, false],
            ['PUT', 'partNumber=1', 200, false, true],
            ['PUT', 'partNumber=2', null, true, false],
          ],
        );
        assert.equal((await fx.s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, { method: 'DELETE' })).status, 204);
      } finally {
        await proxy.close();
      }
    },
  );

  test('a Swift PUT cut mid-body stores nothing; a TempURL through the proxy reads', T, async () => {
    const c = await fx.newContainer('fault');
    const proxy = await startFaultProxy({
      upstream: swiftOf(fx.cloud).url,
      cuts: { count: 1, match: { method: 'PUT' } },
      lifetimeMs: 60_000,
    });
    try {
      const storage = proxy.rewrite(fx.swift.storageUrl);
      const token = await fx.swift.token();
      await assert.rejects(fetch(`${storage}/${c}/cut.raw`, { method: 'PUT', body: fx.file.blob, headers: { 'X-Auth-Token': token } }));
      assert.equal((await fx.swift.fetch(`/${c}/cut.raw`, { method: 'HEAD' })).status, 404, 'no partial object');
      const put = await fetch(`${storage}/${c}/cut.raw`, { method: 'PUT', body: fx.file.blob, headers: { 'X-Auth-Token': token } });
      assert.equal(put.status, 201);
      assert.equal(unquote(put.headers.get('etag')), fx.file.md5);
      const key = `key-${Math.random().toString(36).slice(2)}`;
      assert.equal((await fx.swift.fetch(`/${c}`, { method: 'POST', headers: { 'X-Container-Meta-Temp-URL-Key': key } })).status, 204);
      const got = await fetch(tempUrl(proxy.url, `${accountPath(fx.swift.storageUrl)}/${c}/cut.raw`, key));
      assert.equal(got.status, 200);
      assert.equal(sha512Hex(new Uint8Array(await got.arrayBuffer())), fx.file.sha512);
      const cut = proxy.requests[0];
      assert.ok(cut.cut && cut.bytesIn > 0 && cut.bytesIn < fx.file.size, JSON.stringify(cut));
    } finally {
      await proxy.close();
    }
  });

  test(
    'a flipped byte is refused by the server when the client sends its digest (Swift ETag: 422, S3 Content-MD5: BadDigest)',
    T,
    async () => {
      const c = await fx.newContainer('digest');
      const bucket = await fx.newBucket('digest');
      const proxy = await startFaultProxy({
        upstream: swiftOf(fx.cloud).url,
        flip: { match: { method: 'PUT' }, count: 2 },
        lifetimeMs: 60_000,
      });
      try {
        const part = fx.bytes.subarray(0, 5 * MiB);
        const md5 = md5Hex(part);
        const swiftPut = await fetch(`${proxy.rewrite(fx.swift.storageUrl)}/${c}/seg`, {
          method: 'PUT',
          body: part,
          headers: { 'X-Auth-Token': await fx.swift.token(), ETag: md5 },
        });
        assert.equal(swiftPut.status, 422, 'Swift refuses a body whose MD5 is not the ETag sent');
        assert.equal((await fx.swift.fetch(`/${c}/seg`, { method: 'HEAD' })).status, 404, 'and stores nothing');
        const uploadId = xmlValue(await (await fx.s3.fetch(`/${bucket}/k?uploads`, { method: 'POST' })).text(), 'UploadId');
        const s3Put = await fx.s3.client.fetch(`${proxy.url}/${bucket}/k?partNumber=1&uploadId=${uploadId}`, {
          method: 'PUT',
          body: part,
          headers: { 'Content-MD5': Buffer.from(md5, 'hex').toString('base64') },
        });
        assert.equal(s3Put.status, 400);
        assert.equal(xmlValue(await s3Put.text(), 'Code'), 'BadDigest');
        assert.deepEqual(
          proxy.requests.map((r) => r.flipped),
          [true, true],
        );
        const listed = xmlValues(await (await fx.s3.fetch(`/${bucket}/k?uploadId=${uploadId}`)).text(), 'PartNumber');
        assert.deepEqual(listed, [], 'no part stored');
        assert.equal((await fx.s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, { method: 'DELETE' })).status, 204);
      } finally {
        await proxy.close();
      }
    },
  );
});
