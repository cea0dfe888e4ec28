// S3 through the local cloud's s3api (Swift with Keystone's s3token), signed SigV4 by aws4fetch
// with the demo user's EC2 credentials, and CORS for the app's origins on both object APIs:
// what the upload engine's S3 path and the page build on. Real services, no mocks.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AwsClient } from 'aws4fetch';
import { md5Hex, MiB, objectStorageSuite, sha512Hex, swiftOf, unquote, xmlValue, xmlValues } from './helpers/object-storage.ts';

const SIZE = 5 * MiB + 1; // two S3 parts: the 5 MiB minimum, then 1 byte
const T = { timeout: 120_000 };
const fx = objectStorageSuite(SIZE);

describe('S3 through s3api with SigV4 (aws4fetch, EC2 credentials from Keystone)', () => {
  test('bucket, multipart upload of 5 MiB + 1 in 2 parts, ListParts, Complete, GET equals', T, async () => {
    const bucket = await fx.newBucket('s3');
    const again = await fx.s3.fetch(`/${bucket}`, { method: 'PUT' });
    assert.equal(again.status, 409, 'an existing bucket is 409 here (AWS would say 200)');
    await again.body?.cancel();

    const init = await fx.s3.fetch(`/${bucket}/disk.raw?uploads`, { method: 'POST' });
    assert.equal(init.status, 200);
    const uploadId = xmlValue(await init.text(), 'UploadId');
    assert.ok(uploadId, 'an UploadId');
    const parts = [fx.bytes.subarray(0, 5 * MiB), fx.bytes.subarray(5 * MiB)];
    assert.equal(parts[1].length, 1);
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const r = await fx.s3.fetch(`/${bucket}/disk.raw?partNumber=${i + 1}&uploadId=${uploadId}`, { method: 'PUT', body: part });
      assert.equal(r.status, 200, await r.clone().text());
      etags.push(unquote(r.headers.get('etag')));
      assert.equal(etags[i], md5Hex(part), `part ${i + 1} ETag is its MD5`);
    }
    const list = await fx.s3.fetch(`/${bucket}/disk.raw?uploadId=${uploadId}`);
    assert.equal(list.status, 200);
    const listXml = await list.text();
    assert.deepEqual(xmlValues(listXml, 'PartNumber'), ['1', '2']);
    assert.deepEqual(xmlValues(listXml, 'ETag').map(unquote), etags);
    assert.deepEqual(xmlValues(listXml, 'Size'), [String(5 * MiB), '1']);

    const completeXml = `<CompleteMultipartUpload>${etags
      .map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${e}"</ETag></Part>`)
      .join('')}</CompleteMultipartUpload>`;
    const done = await fx.s3.fetch(`/${bucket}/disk.raw?uploadId=${uploadId}`, { method: 'POST', body: completeXml });
    const doneXml = await done.text();
    assert.equal(done.status, 200, doneXml);
    const binary = Buffer.concat(etags.map((e) => Buffer.from(e, 'hex')));
    assert.equal(unquote(xmlValue(doneXml, 'ETag') ?? ''), `${md5Hex(binary)}-2`, 'S3 multipart ETag');
    const got = await fx.s3.fetch(`/${bucket}/disk.raw`);
    assert.equal(got.status, 200);
    assert.equal(sha512Hex(new Uint8Array(await got.arrayBuffer())), fx.file.sha512);
    // the same object through the Swift API: an SLO in the bucket's container
    const head = await fx.swift.fetch(`/${bucket}/disk.raw`, { method: 'HEAD' });
    assert.equal(head.headers.get('x-static-large-object'), 'True');
  });

  test('a part under 5 MiB that is not the last is refused at Complete (EntityTooSmall)', T, async () => {
    const bucket = await fx.newBucket('small');
    const uploadId = xmlValue(await (await fx.s3.fetch(`/${bucket}/k?uploads`, { method: 'POST' })).text(), 'UploadId');
    const etags: string[] = [];
    for (const n of [1, 2]) {
      const r = await fx.s3.fetch(`/${bucket}/k?partNumber=${n}&uploadId=${uploadId}`, { method: 'PUT', body: 'tiny' });
      assert.equal(r.status, 200);
      etags.push(unquote(r.headers.get('etag')));
    }
    const body = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${e}"</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const r = await fx.s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, { method: 'POST', body });
    assert.equal(r.status, 400);
    assert.equal(xmlValue(await r.text(), 'Code'), 'EntityTooSmall');
    const abort = await fx.s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, { method: 'DELETE' });
    assert.equal(abort.status, 204, 'AbortMultipartUpload');
  });

  test('a wrong secret is refused with SignatureDoesNotMatch', T, async () => {
    const creds = swiftOf(fx.cloud).s3.credentials.demo;
    const bad = new AwsClient({
      accessKeyId: creds.access,
      secretAccessKey: `${creds.secret}x`,
      service: 's3',
      region: fx.s3.region,
      retries: 0,
    });
    const r = await bad.fetch(`${fx.s3.endpoint}/`);
    assert.equal(r.status, 403);
    assert.equal(xmlValue(await r.text(), 'Code'), 'SignatureDoesNotMatch');
  });
});

describe('CORS for the app origins (browser uploads)', () => {
  const refused = 'http://localhost:5590'; // integration pages are allowed on 127.0.0.1 only

  test('Swift: a preflight from an app origin is allowed, and a PUT exposes etag', T, async () => {
    const c = await fx.newContainer('cors');
    const url = `${fx.swift.storageUrl}/${c}/seg`;
    const pre = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        Origin: fx.appOrigin,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'x-auth-token,content-type',
      },
    });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get('access-control-allow-origin'), fx.appOrigin);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PUT/);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /x-auth-token/i);
    const put = await fx.swift.fetch(`/${c}/seg`, { method: 'PUT', body: 'abc', headers: { Origin: fx.appOrigin } });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('access-control-allow-origin'), fx.appOrigin);
    const exposed = (put.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    assert.ok(exposed.includes('etag'), exposed.join(','));
    const other = await fetch(url, { method: 'OPTIONS', headers: { Origin: refused, 'Access-Control-Request-Method': 'PUT' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null, 'an origin not listed gets no CORS');
    await other.body?.cancel();
  });

  test(
    's3api: a preflight from an app origin is allowed, every multipart answer is readable with etag exposed, other origins are refused',
    T,
    async () => {
      const bucket = await fx.newBucket('s3cors');
      const url = `${fx.s3.endpoint}/${bucket}/k?partNumber=1&uploadId=x`;
      const ask = {
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'authorization,x-amz-date,x-amz-content-sha256',
      };
      const pre = await fetch(url, { method: 'OPTIONS', headers: { Origin: fx.appOrigin, ...ask } });
      assert.equal(pre.status, 200);
      assert.equal(pre.headers.get('access-control-allow-origin'), fx.appOrigin);
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
      const other = await fetch(url, { method: 'OPTIONS', headers: { Origin: refused, ...ask } });
      assert.equal(other.status, 401);
      assert.equal(other.headers.get('access-control-allow-origin'), null);

      // every step of a multipart upload must be readable by the page: the answers s3api composes
      // itself (initiate, list, complete, abort, errors) get theirs from the s3cors filter
      const O = { headers: { Origin: fx.appOrigin } };
      const readable = (r: Response, what: string) => {
        assert.equal(r.headers.get('access-control-allow-origin'), fx.appOrigin, `${what}: ${r.status} readable by the page`);
        const exposed = (r.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
        assert.ok(exposed.includes('etag'), `${what} exposes etag: ${exposed.join(',')}`);
      };
      const init = await fx.s3.fetch(`/${bucket}/k?uploads`, { method: 'POST', ...O });
      readable(init, 'InitiateMultipartUpload');
      const uploadId = xmlValue(await init.text(), 'UploadId');
      const part = await fx.s3.fetch(`/${bucket}/k?partNumber=1&uploadId=${uploadId}`, { method: 'PUT', body: 'abc', ...O });
      assert.equal(part.status, 200);
      readable(part, 'UploadPart');
      assert.equal(unquote(part.headers.get('etag')), md5Hex('abc'));
      const list = await fx.s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, O);
      readable(list, 'ListParts');
      assert.deepEqual(xmlValues(await list.text(), 'PartNumber'), ['1']);
      const done = await fx.s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, {
        method: 'POST',
        body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"${md5Hex('abc')}"</ETag></Part></CompleteMultipartUpload>`,
        ...O,
      });
      readable(done, 'CompleteMultipartUpload');
      assert.equal(done.status, 200, await done.clone().text());
      assert.match(xmlValue(await done.text(), 'ETag') ?? '', /-1"?$/);
      const missing = await fx.s3.fetch(`/${bucket}/nothing`, O);
      assert.equal(missing.status, 404);
      readable(missing, 'an S3 error');
      const abortInit = await fx.s3.fetch(`/${bucket}/k2?uploads`, { method: 'POST', ...O });
      const abort = await fx.s3.fetch(`/${bucket}/k2?uploadId=${xmlValue(await abortInit.text(), 'UploadId')}`, { method: 'DELETE', ...O });
      assert.equal(abort.status, 204);
      readable(abort, 'AbortMultipartUpload');
    },
  );
});
