// The local cloud's Swift (CLOUD_WITH_SWIFT=1) with a Keystone token, against the real services:
// what the upload engine's Swift path builds on (object I/O, static large objects with and
// without heartbeat, TempURLs) and Glance web-download from a TempURL. No mocks.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { findEndpoint } from '../../src/core/openstack/index.ts';
import { deleteImages, signIn, uniqueName } from './helpers/cloud.ts';
import { accountPath, md5Hex, MiB, objectStorageSuite, sha512Hex, swiftOf, tempUrl, unquote } from './helpers/object-storage.ts';

const SIZE = 5 * MiB + 1;
const T = { timeout: 120_000 };
const fx = objectStorageSuite(SIZE);

describe('Swift with a Keystone token (real Swift proxy)', () => {
  test('/info lists slo, tempurl, s3api and bulk delete with the limits the engine sizes parts by', T, async () => {
    const info = (await (await fetch(swiftOf(fx.cloud).infoUrl)).json()) as Record<string, Record<string, unknown>>;
    assert.equal(info.slo.max_manifest_segments, 1000);
    assert.equal(info.s3api.max_upload_part_num, 1000, 's3api parts limit = SLO segments limit');
    assert.equal(info.s3api.min_segment_size, 5 * MiB);
    assert.ok(Array.isArray(info.tempurl.methods) && (info.tempurl.methods as string[]).includes('PUT'));
    assert.ok(info.bulk_delete, 'bulk delete for abandoned segments');
    assert.equal(info.swift.max_file_size, 5368709122);
  });

  test('the catalog names the object-store and s3 endpoints cloud.json gives', T, async () => {
    const catalog = fx.swift.session.catalog;
    assert.equal(findEndpoint(catalog, 'object-store', { region: fx.cloud.region }).replace(/\/$/, ''), fx.swift.storageUrl);
    assert.equal(findEndpoint(catalog, 's3', { region: fx.cloud.region }).replace(/\/$/, ''), fx.s3.endpoint);
  });

  test('PUT then GET of an object: the ETag is the MD5 and the body comes back unchanged', T, async () => {
    const c = await fx.newContainer('obj');
    const put = await fx.putObject(`/${c}/hello.raw`, fx.file.blob);
    assert.equal(unquote(put.headers.get('etag')), fx.file.md5);
    const got = await fx.swift.fetch(`/${c}/hello.raw`);
    assert.equal(got.status, 200);
    assert.equal(sha512Hex(new Uint8Array(await got.arrayBuffer())), fx.file.sha512);
    const anonymous = await fetch(`${fx.swift.storageUrl}/${c}/hello.raw`);
    assert.equal(anonymous.status, 401, 'no token, no read');
  });

  test('an SLO of 3 segments: manifest ETag = MD5 of the segment ETags, GET = concatenation', T, async () => {
    const c = await fx.newContainer('slo', true);
    const seg = `${c}_segments`;
    const cuts = [0, 2 * MiB, 4 * MiB, fx.bytes.length];
    const manifest: { path: string; etag: string; size_bytes: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const part = fx.bytes.subarray(cuts[i], cuts[i + 1]);
      const name = `big.raw/slo/${String(i + 1).padStart(8, '0')}`;
      const r = await fx.putObject(`/${seg}/${name}`, part);
      const etag = unquote(r.headers.get('etag'));
      assert.equal(etag, md5Hex(part), `segment ${i + 1} ETag is its MD5`);
      manifest.push({ path: `/${seg}/${name}`, etag, size_bytes: part.length });
    }
    const put = await fx.swift.fetch(`/${c}/big.raw?multipart-manifest=put`, { method: 'PUT', body: JSON.stringify(manifest) });
    assert.equal(put.status, 201, await put.clone().text());
    assert.equal(unquote(put.headers.get('etag')), md5Hex(manifest.map((m) => m.etag).join('')));
    const head = await fx.swift.fetch(`/${c}/big.raw`, { method: 'HEAD' });
    assert.equal(head.headers.get('x-static-large-object'), 'True');
    assert.equal(Number(head.headers.get('content-length')), fx.bytes.length);
    const got = await fx.swift.fetch(`/${c}/big.raw`);
    assert.equal(sha512Hex(new Uint8Array(await got.arrayBuffer())), fx.file.sha512);
  });

  test('an SLO manifest PUT with heartbeat=on answers 202 at once and the status in the body', T, async () => {
    const c = await fx.newContainer('hb', true);
    const a = fx.bytes.subarray(0, MiB);
    const b = fx.bytes.subarray(MiB, 2 * MiB);
    const ea = unquote((await fx.putObject(`/${c}_segments/x/1`, a)).headers.get('etag'));
    const eb = unquote((await fx.putObject(`/${c}_segments/x/2`, b)).headers.get('etag'));
    const manifest = [
      { path: `/${c}_segments/x/1`, etag: ea, size_bytes: a.length },
      { path: `/${c}_segments/x/2`, etag: eb, size_bytes: b.length },
    ];
    const r = await fx.swift.fetch(`/${c}/x?multipart-manifest=put&heartbeat=on`, {
      method: 'PUT',
      body: JSON.stringify(manifest),
      headers: { Accept: 'application/json' },
    });
    assert.equal(r.status, 202);
    const body = JSON.parse((await r.text()).trim()) as Record<string, string>;
    assert.equal(body['Response Status'], '201 Created', JSON.stringify(body));
    assert.equal(unquote(body.Etag), md5Hex(ea + eb));
    // a wrong segment ETag is refused, in the body too
    const bad = await fx.swift.fetch(`/${c}/y?multipart-manifest=put&heartbeat=on`, {
      method: 'PUT',
      body: JSON.stringify([{ ...manifest[0], etag: md5Hex('not it') }, manifest[1]]),
      headers: { Accept: 'application/json' },
    });
    assert.equal(bad.status, 202);
    const badBody = JSON.parse((await bad.text()).trim()) as Record<string, string>;
    assert.equal(badBody['Response Status'], '400 Bad Request', JSON.stringify(badBody));
    assert.match(JSON.stringify(badBody.Errors), /Etag Mismatch/);
  });

  test('a container quota the project sets makes Swift answer 413 (how tests get a quota error)', T, async () => {
    const c = await fx.newContainer('quota');
    assert.equal((await fx.swift.fetch(`/${c}`, { method: 'POST', headers: { 'X-Container-Meta-Quota-Bytes': '1000' } })).status, 204);
    await fx.putObject(`/${c}/small`, fx.bytes.subarray(0, 600));
    const over = await fx.swift.fetch(`/${c}/big`, { method: 'PUT', body: fx.bytes.subarray(0, 600) });
    assert.equal(over.status, 413);
    assert.match(await over.text(), /quota/i);
    assert.equal((await fx.swift.fetch(`/${c}/big`, { method: 'HEAD' })).status, 404);
  });

  test('TempURL GET with a container key reads without a token; a wrong signature is 401', T, async () => {
    const c = await fx.newContainer('tmp');
    await fx.putObject(`/${c}/t.raw`, fx.bytes.subarray(0, MiB));
    const key = `key-${Math.random().toString(36).slice(2)}`;
    const post = await fx.swift.fetch(`/${c}`, { method: 'POST', headers: { 'X-Container-Meta-Temp-URL-Key': key } });
    assert.equal(post.status, 204);
    const base = new URL(fx.swift.storageUrl).origin;
    const path = `${accountPath(fx.swift.storageUrl)}/${c}/t.raw`;
    const url = tempUrl(base, path, key);
    const got = await fetch(url);
    assert.equal(got.status, 200);
    assert.equal(md5Hex(new Uint8Array(await got.arrayBuffer())), md5Hex(fx.bytes.subarray(0, MiB)));
    assert.equal((await fetch(tempUrl(base, path, `${key}-wrong`))).status, 401);
    assert.equal((await fetch(tempUrl(base, path, key, { method: 'PUT' }))).status, 401, 'a PUT signature does not GET');
  });
});

describe('Glance web-download from a Swift TempURL (real Glance and Swift)', () => {
  test('the image turns active with os_hash_value = the local sha512', T, async () => {
    const c = await fx.newContainer('glance');
    await fx.putObject(`/${c}/image.raw`, fx.file.blob);
    const key = `key-${Math.random().toString(36).slice(2)}`;
    assert.equal((await fx.swift.fetch(`/${c}`, { method: 'POST', headers: { 'X-Container-Meta-Temp-URL-Key': key } })).status, 204);
    const url = tempUrl(new URL(fx.swift.storageUrl).origin, `${accountPath(fx.swift.storageUrl)}/${c}/image.raw`, key, { seconds: 3600 });
    const { glance } = await signIn(fx.cloud);
    const img = await glance.createImage({ name: uniqueName('swift-web'), disk_format: 'raw', container_format: 'bare' });
    try {
      await glance.importImage(img.id, { name: 'web-download', uri: url });
      const done = await glance.waitForImage(img.id, { timeoutMs: 100_000, intervalMs: 300 });
      assert.equal(done.status, 'active');
      assert.equal(done.size, fx.file.size);
      assert.equal(done.os_hash_value, fx.file.sha512);
      assert.equal(done.checksum, fx.file.md5);
    } finally {
      await deleteImages(glance, [img.id]);
    }
  });
});
