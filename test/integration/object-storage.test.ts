// The local cloud's object storage against the real Swift (CLOUD_WITH_SWIFT=1): what the upload
// engine builds on — token object I/O, static large objects, TempURLs, S3 multipart through
// s3api with SigV4 (aws4fetch), CORS for the app's origins on both APIs, and Glance web-download
// from a TempURL. No mocks: every answer here comes from Swift, Keystone or Glance.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { GlanceClient, findEndpoint } from '../../src/core/openstack/index.ts';
import { deleteImages, makeRandomFile, readCloud, signIn, uniqueName, type CloudJson, type TestFile } from './helpers/cloud.ts';
import {
  accountPath,
  deleteContainers,
  md5Hex,
  s3Access,
  sha512Hex,
  swiftAccess,
  swiftOf,
  tempUrl,
  uniqueBucket,
  xmlValue,
  xmlValues,
  type S3Access,
  type SwiftAccess,
} from './helpers/object-storage.ts';

const T = { timeout: 120_000 };
const MiB = 1024 * 1024;
const unquote = (etag: string | null) => (etag ?? '').replace(/^"|"$/g, '');

let cloud: CloudJson;
let swift: SwiftAccess;
let s3: S3Access;
let glance: GlanceClient;
let file: TestFile; // 5 MiB + 1: two S3 parts (the 5 MiB minimum, then 1 byte)
let bytes: Uint8Array<ArrayBuffer>;
let appOrigin = '';
const containers: string[] = [];
const images: string[] = [];

before(async () => {
  cloud = readCloud();
  swiftOf(cloud);
  swift = await swiftAccess(cloud);
  s3 = s3Access(cloud);
  glance = (await signIn(cloud)).glance;
  file = await makeRandomFile(5 * MiB + 1, 'object.raw');
  bytes = new Uint8Array(await readFile(file.path));
  appOrigin = cloud.corsOrigins.find((o) => o === 'http://127.0.0.1:5173') ?? cloud.corsOrigins[0];
});

after(async () => {
  if (images.length) await deleteImages(glance, images);
  if (swift) await deleteContainers(swift, containers);
  await file?.cleanup();
});

/** A new container (and, with `segments`, its `<name>_segments` companion), deleted after the file. */
async function newContainer(prefix: string, segments = false): Promise<string> {
  const c = uniqueBucket(prefix);
  containers.push(c, `${c}_segments`);
  for (const name of segments ? [c, `${c}_segments`] : [c]) {
    const r = await swift.fetch(`/${name}`, { method: 'PUT' });
    assert.equal(r.status, 201, `container PUT ${name}: ${r.status}`);
  }
  return c;
}

async function putObject(path: string, body: BodyInit): Promise<Response> {
  const r = await swift.fetch(path, { method: 'PUT', body });
  assert.equal(r.status, 201, `PUT ${path}: ${r.status} ${await r.clone().text()}`);
  return r;
}

describe('Swift with a Keystone token (real Swift proxy)', () => {
  test('/info lists slo, tempurl, s3api and bulk delete with the limits the engine sizes parts by', T, async () => {
    const info = (await (await fetch(swiftOf(cloud).infoUrl)).json()) as Record<string, Record<string, unknown>>;
    assert.equal(info.slo.max_manifest_segments, 1000);
    assert.equal(info.s3api.max_upload_part_num, 1000, 's3api parts limit = SLO segments limit');
    assert.equal(info.s3api.min_segment_size, 5 * MiB);
    assert.ok(Array.isArray(info.tempurl.methods) && (info.tempurl.methods as string[]).includes('PUT'));
    assert.ok(info.bulk_delete, 'bulk delete for abandoned segments');
    assert.equal(info.swift.max_file_size, 5368709122);
  });

  test('the catalog names the object-store and s3 endpoints cloud.json gives', T, async () => {
    const catalog = swift.session.catalog;
    assert.equal(findEndpoint(catalog, 'object-store', { region: cloud.region }).replace(/\/$/, ''), swift.storageUrl);
    assert.equal(findEndpoint(catalog, 's3', { region: cloud.region }).replace(/\/$/, ''), s3.endpoint);
  });

  test('PUT then GET of an object: the ETag is the MD5 and the body comes back unchanged', T, async () => {
    const c = await newContainer('obj');
    const put = await putObject(`/${c}/hello.raw`, file.blob);
    assert.equal(unquote(put.headers.get('etag')), file.md5);
    const got = await swift.fetch(`/${c}/hello.raw`);
    assert.equal(got.status, 200);
    assert.equal(sha512Hex(new Uint8Array(await got.arrayBuffer())), file.sha512);
    const anonymous = await fetch(`${swift.storageUrl}/${c}/hello.raw`);
    assert.equal(anonymous.status, 401, 'no token, no read');
  });

  test('an SLO of 3 segments: manifest ETag = MD5 of the segment ETags, GET = concatenation', T, async () => {
    const c = await newContainer('slo', true);
    const seg = `${c}_segments`;
    const cuts = [0, 2 * MiB, 4 * MiB, bytes.length];
    const manifest: { path: string; etag: string; size_bytes: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const part = bytes.subarray(cuts[i], cuts[i + 1]);
      const name = `big.raw/slo/${String(i + 1).padStart(8, '0')}`;
      const r = await putObject(`/${seg}/${name}`, part);
      const etag = unquote(r.headers.get('etag'));
      assert.equal(etag, md5Hex(part), `segment ${i + 1} ETag is its MD5`);
      manifest.push({ path: `/${seg}/${name}`, etag, size_bytes: part.length });
    }
    const put = await swift.fetch(`/${c}/big.raw?multipart-manifest=put`, { method: 'PUT', body: JSON.stringify(manifest) });
    assert.equal(put.status, 201, await put.clone().text());
    assert.equal(unquote(put.headers.get('etag')), md5Hex(manifest.map((m) => m.etag).join('')));
    const head = await swift.fetch(`/${c}/big.raw`, { method: 'HEAD' });
    assert.equal(head.headers.get('x-static-large-object'), 'True');
    assert.equal(Number(head.headers.get('content-length')), bytes.length);
    const got = await swift.fetch(`/${c}/big.raw`);
    assert.equal(sha512Hex(new Uint8Array(await got.arrayBuffer())), file.sha512);
  });

  test('an SLO manifest PUT with heartbeat=on answers 202 at once and the status in the body', T, async () => {
    const c = await newContainer('hb', true);
    const a = bytes.subarray(0, MiB);
    const b = bytes.subarray(MiB, 2 * MiB);
    const ea = unquote((await putObject(`/${c}_segments/x/1`, a)).headers.get('etag'));
    const eb = unquote((await putObject(`/${c}_segments/x/2`, b)).headers.get('etag'));
    const manifest = [
      { path: `/${c}_segments/x/1`, etag: ea, size_bytes: a.length },
      { path: `/${c}_segments/x/2`, etag: eb, size_bytes: b.length },
    ];
    const r = await swift.fetch(`/${c}/x?multipart-manifest=put&heartbeat=on`, {
      method: 'PUT',
      body: JSON.stringify(manifest),
      headers: { Accept: 'application/json' },
    });
    assert.equal(r.status, 202);
    const body = JSON.parse((await r.text()).trim()) as Record<string, string>;
    assert.equal(body['Response Status'], '201 Created', JSON.stringify(body));
    assert.equal(unquote(body.Etag), md5Hex(ea + eb));
    // a wrong segment ETag is refused, in the body too
    const bad = await swift.fetch(`/${c}/y?multipart-manifest=put&heartbeat=on`, {
      method: 'PUT',
      body: JSON.stringify([{ ...manifest[0], etag: md5Hex('not it') }, manifest[1]]),
      headers: { Accept: 'application/json' },
    });
    assert.equal(bad.status, 202);
    const badBody = JSON.parse((await bad.text()).trim()) as Record<string, string>;
    assert.equal(badBody['Response Status'], '400 Bad Request', JSON.stringify(badBody));
    assert.match(JSON.stringify(badBody.Errors), /Etag Mismatch/);
  });

  test('TempURL GET with a container key reads without a token; a wrong signature is 401', T, async () => {
    const c = await newContainer('tmp');
    await putObject(`/${c}/t.raw`, bytes.subarray(0, MiB));
    const key = `key-${Math.random().toString(36).slice(2)}`;
    const post = await swift.fetch(`/${c}`, { method: 'POST', headers: { 'X-Container-Meta-Temp-URL-Key': key } });
    assert.equal(post.status, 204);
    const base = new URL(swift.storageUrl).origin;
    const path = `${accountPath(swift.storageUrl)}/${c}/t.raw`;
    const url = tempUrl(base, path, key);
    const got = await fetch(url);
    assert.equal(got.status, 200);
    assert.equal(md5Hex(new Uint8Array(await got.arrayBuffer())), md5Hex(bytes.subarray(0, MiB)));
    assert.equal((await fetch(tempUrl(base, path, `${key}-wrong`))).status, 401);
    assert.equal((await fetch(tempUrl(base, path, key, { method: 'PUT' }))).status, 401, 'a PUT signature does not GET');
  });
});

describe('S3 through s3api with SigV4 (aws4fetch, EC2 credentials from Keystone)', () => {
  test('bucket, multipart upload of 5 MiB + 1 in 2 parts, ListParts, Complete, GET equals', T, async () => {
    const bucket = uniqueBucket('s3');
    containers.push(bucket, `${bucket}+segments`);
    assert.equal((await s3.fetch(`/${bucket}`, { method: 'PUT' })).status, 200);
    const again = await s3.fetch(`/${bucket}`, { method: 'PUT' });
    assert.equal(again.status, 409, 'an existing bucket is 409 here (AWS would say 200)');
    await again.body?.cancel();

    const init = await s3.fetch(`/${bucket}/disk.raw?uploads`, { method: 'POST' });
    assert.equal(init.status, 200);
    const uploadId = xmlValue(await init.text(), 'UploadId');
    assert.ok(uploadId, 'an UploadId');
    const parts = [bytes.subarray(0, 5 * MiB), bytes.subarray(5 * MiB)];
    assert.equal(parts[1].length, 1);
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const r = await s3.fetch(`/${bucket}/disk.raw?partNumber=${i + 1}&uploadId=${uploadId}`, { method: 'PUT', body: part });
      assert.equal(r.status, 200, await r.clone().text());
      etags.push(unquote(r.headers.get('etag')));
      assert.equal(etags[i], md5Hex(part), `part ${i + 1} ETag is its MD5`);
    }
    const list = await s3.fetch(`/${bucket}/disk.raw?uploadId=${uploadId}`);
    assert.equal(list.status, 200);
    const listXml = await list.text();
    assert.deepEqual(xmlValues(listXml, 'PartNumber'), ['1', '2']);
    assert.deepEqual(xmlValues(listXml, 'ETag').map(unquote), etags);
    assert.deepEqual(xmlValues(listXml, 'Size'), [String(5 * MiB), '1']);

    const completeXml = `<CompleteMultipartUpload>${etags
      .map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${e}"</ETag></Part>`)
      .join('')}</CompleteMultipartUpload>`;
    const done = await s3.fetch(`/${bucket}/disk.raw?uploadId=${uploadId}`, { method: 'POST', body: completeXml });
    const doneXml = await done.text();
    assert.equal(done.status, 200, doneXml);
    const binary = Buffer.concat(etags.map((e) => Buffer.from(e, 'hex')));
    assert.equal(unquote(xmlValue(doneXml, 'ETag') ?? ''), `${md5Hex(binary)}-2`, 'S3 multipart ETag');
    const got = await s3.fetch(`/${bucket}/disk.raw`);
    assert.equal(got.status, 200);
    assert.equal(sha512Hex(new Uint8Array(await got.arrayBuffer())), file.sha512);
    // the same object through the Swift API: an SLO in the bucket's container
    const head = await swift.fetch(`/${bucket}/disk.raw`, { method: 'HEAD' });
    assert.equal(head.headers.get('x-static-large-object'), 'True');
  });

  test('a part under 5 MiB that is not the last is refused at Complete (EntityTooSmall)', T, async () => {
    const bucket = uniqueBucket('small');
    containers.push(bucket, `${bucket}+segments`);
    assert.equal((await s3.fetch(`/${bucket}`, { method: 'PUT' })).status, 200);
    const uploadId = xmlValue(await (await s3.fetch(`/${bucket}/k?uploads`, { method: 'POST' })).text(), 'UploadId');
    const etags: string[] = [];
    for (const n of [1, 2]) {
      const r = await s3.fetch(`/${bucket}/k?partNumber=${n}&uploadId=${uploadId}`, { method: 'PUT', body: 'tiny' });
      assert.equal(r.status, 200);
      etags.push(unquote(r.headers.get('etag')));
    }
    const body = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${e}"</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const r = await s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, { method: 'POST', body });
    assert.equal(r.status, 400);
    assert.equal(xmlValue(await r.text(), 'Code'), 'EntityTooSmall');
    const abort = await s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, { method: 'DELETE' });
    assert.equal(abort.status, 204, 'AbortMultipartUpload');
  });

  test('a wrong secret is refused with SignatureDoesNotMatch', T, async () => {
    const creds = swiftOf(cloud).s3.credentials.demo;
    const { AwsClient } = await import('aws4fetch');
    const bad = new AwsClient({ accessKeyId: creds.access, secretAccessKey: `${creds.secret}x`, service: 's3', region: s3.region, retries: 0 });
    const r = await bad.fetch(`${s3.endpoint}/`);
    assert.equal(r.status, 403);
    assert.equal(xmlValue(await r.text(), 'Code'), 'SignatureDoesNotMatch');
  });
});

describe('CORS for the app origins (browser uploads)', () => {
  const refused = 'http://localhost:5590'; // integration pages are allowed on 127.0.0.1 only

  test('Swift: a preflight from an app origin is allowed, and a PUT exposes etag', T, async () => {
    const c = await newContainer('cors');
    const url = `${swift.storageUrl}/${c}/seg`;
    const pre = await fetch(url, {
      method: 'OPTIONS',
      headers: { Origin: appOrigin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-auth-token,content-type' },
    });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get('access-control-allow-origin'), appOrigin);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PUT/);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /x-auth-token/i);
    const put = await swift.fetch(`/${c}/seg`, { method: 'PUT', body: 'abc', headers: { Origin: appOrigin } });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('access-control-allow-origin'), appOrigin);
    const exposed = (put.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    assert.ok(exposed.includes('etag'), exposed.join(','));
    const other = await fetch(url, { method: 'OPTIONS', headers: { Origin: refused, 'Access-Control-Request-Method': 'PUT' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null, 'an origin not listed gets no CORS');
    await other.body?.cancel();
  });

  test('s3api: a preflight from an app origin is allowed, every multipart answer is readable with etag exposed, other origins are refused', T, async () => {
    const bucket = uniqueBucket('s3cors');
    containers.push(bucket, `${bucket}+segments`);
    assert.equal((await s3.fetch(`/${bucket}`, { method: 'PUT' })).status, 200);
    const url = `${s3.endpoint}/${bucket}/k?partNumber=1&uploadId=x`;
    const ask = { 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization,x-amz-date,x-amz-content-sha256' };
    const pre = await fetch(url, { method: 'OPTIONS', headers: { Origin: appOrigin, ...ask } });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get('access-control-allow-origin'), appOrigin);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const other = await fetch(url, { method: 'OPTIONS', headers: { Origin: refused, ...ask } });
    assert.equal(other.status, 401);
    assert.equal(other.headers.get('access-control-allow-origin'), null);

    // every step of a multipart upload must be readable by the page: the answers s3api composes
    // itself (initiate, list, complete, abort, errors) get theirs from the s3cors filter
    const O = { headers: { Origin: appOrigin } };
    const readable = (r: Response, what: string) => {
      assert.equal(r.headers.get('access-control-allow-origin'), appOrigin, `${what}: ${r.status} readable by the page`);
      const exposed = (r.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      assert.ok(exposed.includes('etag'), `${what} exposes etag: ${exposed.join(',')}`);
    };
    const init = await s3.fetch(`/${bucket}/k?uploads`, { method: 'POST', ...O });
    readable(init, 'InitiateMultipartUpload');
    const uploadId = xmlValue(await init.text(), 'UploadId');
    const part = await s3.fetch(`/${bucket}/k?partNumber=1&uploadId=${uploadId}`, { method: 'PUT', body: 'abc', ...O });
    assert.equal(part.status, 200);
    readable(part, 'UploadPart');
    assert.equal(unquote(part.headers.get('etag')), md5Hex('abc'));
    const list = await s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, O);
    readable(list, 'ListParts');
    assert.deepEqual(xmlValues(await list.text(), 'PartNumber'), ['1']);
    const done = await s3.fetch(`/${bucket}/k?uploadId=${uploadId}`, {
      method: 'POST',
      body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"${md5Hex('abc')}"</ETag></Part></CompleteMultipartUpload>`,
      ...O,
    });
    readable(done, 'CompleteMultipartUpload');
    assert.equal(done.status, 200, await done.clone().text());
    assert.match(xmlValue(await done.text(), 'ETag') ?? '', /-1"?$/);
    const missing = await s3.fetch(`/${bucket}/nothing`, O);
    assert.equal(missing.status, 404);
    readable(missing, 'an S3 error');
    const abortInit = await s3.fetch(`/${bucket}/k2?uploads`, { method: 'POST', ...O });
    const abort = await s3.fetch(`/${bucket}/k2?uploadId=${xmlValue(await abortInit.text(), 'UploadId')}`, { method: 'DELETE', ...O });
    assert.equal(abort.status, 204);
    readable(abort, 'AbortMultipartUpload');
  });
});

describe('Glance web-download from a Swift TempURL (real Glance and Swift)', () => {
  test('the image turns active with os_hash_value = the local sha512', T, async () => {
    const c = await newContainer('glance');
    await putObject(`/${c}/image.raw`, file.blob);
    const key = `key-${Math.random().toString(36).slice(2)}`;
    assert.equal((await swift.fetch(`/${c}`, { method: 'POST', headers: { 'X-Container-Meta-Temp-URL-Key': key } })).status, 204);
    const url = tempUrl(new URL(swift.storageUrl).origin, `${accountPath(swift.storageUrl)}/${c}/image.raw`, key, { seconds: 3600 });
    const img = await glance.createImage({ name: uniqueName('swift-web'), disk_format: 'raw', container_format: 'bare' });
    images.push(img.id);
    await glance.importImage(img.id, { name: 'web-download', uri: url });
    const done = await glance.waitForImage(img.id, { timeoutMs: 100_000, intervalMs: 300 });
    assert.equal(done.status, 'active');
    assert.equal(done.size, file.size);
    assert.equal(done.os_hash_value, file.sha512);
    assert.equal(done.checksum, file.md5);
  });
});
