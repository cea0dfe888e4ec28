// The local cloud's object-storage CORS as a real browser enforces it: a page on an app origin
// (127.0.0.1:559x) talks to Swift with a token and to s3api with SigV4 headers signed in Node
// (UNSIGNED-PAYLOAD: the body is not signed, so the page sends it), reads every ETag and the
// UploadId; the same page on a refused origin cannot. Real Chromium, real Swift, no mocks.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { md5Hex, MiB, objectStorageFixture, unquote, xmlValue, type ObjectStorageFixture } from './helpers/object-storage.ts';

const T = { timeout: 180_000 };
let fx: ObjectStorageFixture;
let server: Server;
let port = 0;
let browser: Browser;

interface PageAnswer {
  ok: boolean;
  status?: number;
  etag?: string | null;
  body?: string;
  error?: string;
}

before(async () => {
  fx = await objectStorageFixture(5 * MiB + 1);
  // the page, and /bytes?from=&to= (a range of the fixture file) for request bodies
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/bytes') {
      const part = fx.bytes.subarray(Number(u.searchParams.get('from')), Number(u.searchParams.get('to')));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(part);
    } else res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>object storage</title>');
  });
  // integration pages use 5590-5599 (allowed on 127.0.0.1, refused as localhost): take a free one
  for (let p = 5599; p >= 5590 && !server.listening; p--) {
    await new Promise<void>((resolve) => {
      server.once('error', () => resolve());
      server.listen(p, '127.0.0.1', () => resolve());
    });
  }
  assert.ok(server.listening, 'a free port in 5590-5599');
  port = (server.address() as AddressInfo).port;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await fx?.cleanup();
});

async function openPage(host: '127.0.0.1' | 'localhost'): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`http://${host}:${port}/`);
  return page;
}

/** fetch from the page; `bytes` = [from, to) of the fixture file as the body (a Blob: no content-type) */
function pageFetch(
  page: Page,
  url: string,
  init: { method: string; headers?: Record<string, string>; bytes?: [number, number]; text?: string },
): Promise<PageAnswer> {
  const range = init.bytes ? `/bytes?from=${init.bytes[0]}&to=${init.bytes[1]}` : undefined;
  return page.evaluate(
    async ([u, method, headers, data, text]) => {
      try {
        const b = data ? await (await fetch(data as string)).blob() : ((text as string | undefined) ?? undefined);
        const r = await fetch(u as string, { method: method as string, headers: headers as Record<string, string>, body: b });
        return { ok: true, status: r.status, etag: r.headers.get('etag'), body: await r.text() };
      } catch (e) {
        return { ok: false, error: String(e) };
      }
    },
    [url, init.method, init.headers ?? {}, range, init.text] as const,
  );
}

/** SigV4 headers for a request the page sends (signed in Node, payload unsigned) */
async function s3Headers(url: string, method: string): Promise<Record<string, string>> {
  const signed = await fx.s3.client.sign(url, { method });
  const out: Record<string, string> = {};
  for (const name of ['authorization', 'x-amz-date', 'x-amz-content-sha256']) out[name] = signed.headers.get(name) ?? '';
  return out;
}

describe('object storage from a page in Chromium (real Swift and s3api)', () => {
  test('Swift with a token: segment PUTs and the SLO manifest, each ETag readable', T, async () => {
    const c = await fx.newContainer('browser', true);
    const page = await openPage('127.0.0.1');
    const token = { 'X-Auth-Token': await fx.swift.token() };
    const base = fx.swift.storageUrl;
    const cuts: [number, number][] = [
      [0, 3 * MiB],
      [3 * MiB, fx.bytes.length],
    ];
    const manifest = [];
    for (const [i, range] of cuts.entries()) {
      const path = `/${c}_segments/img/${i + 1}`;
      const r = await pageFetch(page, base + path, { method: 'PUT', headers: token, bytes: range });
      assert.ok(r.ok && r.status === 201, JSON.stringify(r));
      assert.equal(r.etag, md5Hex(fx.bytes.subarray(...range)), 'the page reads the segment ETag');
      manifest.push({ path, etag: r.etag, size_bytes: range[1] - range[0] });
    }
    const m = await pageFetch(page, `${base}/${c}/img?multipart-manifest=put`, {
      method: 'PUT',
      headers: token,
      text: JSON.stringify(manifest),
    });
    assert.ok(m.ok && m.status === 201, JSON.stringify(m));
    assert.equal(unquote(m.etag), md5Hex(manifest.map((x) => x.etag).join('')));
    await page.close();
  });

  test("Swift's account with a token: the page sets and reads the TempURL key (the s3cors filter's account CORS)", T, async () => {
    const account = fx.swift.storageUrl;
    const before = (await fx.swift.fetch('', { method: 'HEAD' })).headers.get('x-account-meta-temp-url-key');
    const key = `page-key-${process.pid}`;
    const token = await fx.swift.token();
    const inPage = (page: Page) =>
      page.evaluate(
        async ([u, t, k]) => {
          try {
            const set = await fetch(u, { method: 'POST', headers: { 'X-Auth-Token': t, 'X-Account-Meta-Temp-URL-Key': k } });
            const head = await fetch(u, { method: 'HEAD', headers: { 'X-Auth-Token': t } });
            return { ok: true, set: set.status, head: head.status, key: head.headers.get('x-account-meta-temp-url-key') };
          } catch (e) {
            return { ok: false, error: String(e) };
          }
        },
        [account, token, key] as const,
      );
    try {
      const page = await openPage('127.0.0.1');
      assert.deepEqual(await inPage(page), { ok: true, set: 204, head: 204, key });
      await page.close();
      const refused = await openPage('localhost');
      const r = await inPage(refused);
      assert.equal(r.ok, false, 'an origin the cloud does not list gets no account CORS');
      await refused.close();
    } finally {
      const restore: Record<string, string> = before
        ? { 'X-Account-Meta-Temp-URL-Key': before }
        : { 'X-Remove-Account-Meta-Temp-URL-Key': 'x' };
      await fx.swift.fetch('', { method: 'POST', headers: restore });
    }
  });

  test('S3 multipart with SigV4: UploadId, part ETags, ListParts and Complete all readable', T, async () => {
    const bucket = await fx.newBucket('browser');
    const page = await openPage('127.0.0.1');
    const url = (q: string) => `${fx.s3.endpoint}/${bucket}/disk.raw${q}`;
    const send = async (q: string, method: string, extra: { bytes?: [number, number]; text?: string } = {}) =>
      pageFetch(page, url(q), { method, headers: await s3Headers(url(q), method), ...extra });
    const init = await send('?uploads', 'POST');
    assert.ok(init.ok && init.status === 200, JSON.stringify(init));
    const uploadId = xmlValue(init.body ?? '', 'UploadId');
    assert.ok(uploadId);
    const ranges: [number, number][] = [
      [0, 5 * MiB],
      [5 * MiB, fx.bytes.length],
    ];
    const etags: string[] = [];
    for (const [i, range] of ranges.entries()) {
      const r = await send(`?partNumber=${i + 1}&uploadId=${uploadId}`, 'PUT', { bytes: range });
      assert.ok(r.ok && r.status === 200, JSON.stringify(r));
      assert.equal(unquote(r.etag), md5Hex(fx.bytes.subarray(...range)), 'the page reads the part ETag');
      etags.push(unquote(r.etag));
    }
    const list = await send(`?uploadId=${uploadId}`, 'GET');
    assert.ok(list.ok && list.status === 200, JSON.stringify(list));
    assert.match(list.body ?? '', /<PartNumber>2<\/PartNumber>/);
    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${e}"</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const done = await send(`?uploadId=${uploadId}`, 'POST', { text: xml });
    assert.ok(done.ok && done.status === 200, JSON.stringify(done));
    assert.match(xmlValue(done.body ?? '', 'ETag') ?? '', /-2"?$/);
    await page.close();
  });

  test('from an origin the cloud does not allow, the browser refuses both APIs', T, async () => {
    const c = await fx.newContainer('refused');
    const page = await openPage('localhost');
    const swift = await pageFetch(page, `${fx.swift.storageUrl}/${c}/x`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': await fx.swift.token() },
      text: 'x',
    });
    assert.equal(swift.ok, false, JSON.stringify(swift));
    assert.match(swift.error ?? '', /Failed to fetch/);
    const u = `${fx.s3.endpoint}/${c}/x?uploads`;
    const s3 = await pageFetch(page, u, { method: 'POST', headers: await s3Headers(u, 'POST') });
    assert.equal(s3.ok, false, JSON.stringify(s3));
    assert.equal((await fx.swift.fetch(`/${c}/x`, { method: 'HEAD' })).status, 404, 'the refused preflight stopped the PUT');
    await page.close();
  });
});
