// The fault-injecting proxy of the test suite (test/helpers/fault-proxy.ts) against a small local
// node:http upstream that records what it received: a test of a test tool. Real Swift/S3 use is
// in the upload engine's tests.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsClient } from 'aws4fetch';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

const T = { timeout: 30_000 };
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

interface Received {
  method: string;
  url: string;
  host: string;
  length: number;
  declared: number;
  complete: boolean;
  md5: string;
}

let upstream: Server;
let base = '';
const received: Received[] = [];

before(async () => {
  // Answers like an object store: the body's MD5 as ETag, after reading all of it.
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const done = (complete: boolean) => {
      const body = Buffer.concat(chunks);
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host ?? '',
        length: body.length,
        declared: Number(req.headers['content-length'] ?? -1),
        complete,
        md5: md5(body),
      });
      return body;
    };
    req.on('end', () => {
      const body = done(true);
      const wait = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('wait') ?? 0);
      setTimeout(() => res.writeHead(201, { ETag: md5(body), 'X-Echo-Host': req.headers.host ?? '' }).end(`got ${body.length}`), wait);
    });
    req.on('aborted', () => done(false));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/base`;
});

after(async () => {
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

const proxies: FaultProxy[] = [];
async function proxy(opts: Omit<Parameters<typeof startFaultProxy>[0], 'upstream'> = {}): Promise<FaultProxy> {
  const p = await startFaultProxy({ upstream: base, ...opts });
  proxies.push(p);
  return p;
}
after(async () => {
  for (const p of proxies) await p.close();
});

/** PUT `body` through the proxy; the error's text when the connection fails. */
async function put(url: string, body: BodyInit, timeoutMs = 10_000): Promise<{ status: number; etag: string | null } | { error: string }> {
  try {
    const r = await fetch(url, { method: 'PUT', body, signal: AbortSignal.timeout(timeoutMs) });
    await r.text();
    return { status: r.status, etag: r.headers.get('etag') };
  } catch (e) {
    return { error: String((e as Error).cause ?? e) };
  }
}

async function settle(n: number) {
  for (let i = 0; i < 100 && received.length < n; i++) await new Promise((r) => setTimeout(r, 20));
}

describe('fault proxy', () => {
  test('forwards method, path, query and body, keeps Host unless told, and records each request', T, async () => {
    const p = await proxy();
    assert.match(p.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const body = randomBytes(300_000);
    const before = received.length;
    const r = await fetch(`${p.url}/c/o?partNumber=3&uploadId=u`, { method: 'PUT', body });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('etag'), md5(body));
    assert.equal(r.headers.get('x-echo-host'), new URL(p.url).host, 'Host forwarded unchanged: a SigV4 signature for the proxy holds');
    const got = received[before];
    assert.equal(got.url, '/base/c/o?partNumber=3&uploadId=u');
    assert.equal(got.md5, md5(body));
    assert.deepEqual(
      { ...p.requests[0] },
      {
        index: 0,
        method: 'PUT',
        path: '/c/o',
        query: 'partNumber=3&uploadId=u',
        bytesIn: body.length,
        contentLength: body.length,
        bytesOut: 'got 300000'.length,
        status: 201,
        cut: false,
        stalled: false,
        flipped: false,
      },
    );
    assert.equal(p.rewrite(`${base}/c/o?x=1`), `${p.url}/c/o?x=1`);
    assert.throws(() => p.rewrite('http://127.0.0.1:1/c'), /not on the upstream/);

    const q = await proxy({ host: 'upstream' });
    const r2 = await fetch(`${q.url}/x`, { method: 'PUT', body: 'a' });
    assert.equal(r2.headers.get('x-echo-host'), new URL(base).host);
  });

  test('a SigV4 request signed for the proxy reaches the upstream with the signed Host', T, async () => {
    const p = await proxy();
    const client = new AwsClient({ accessKeyId: 'AK', secretAccessKey: 'SK', service: 's3', region: 'RegionOne', retries: 0 });
    const signed = await client.sign(`${p.url}/bucket/key?partNumber=1&uploadId=u`, { method: 'PUT', body: 'part' });
    const r = await fetch(signed);
    assert.equal(r.status, 201);
    assert.match(signed.headers.get('authorization') ?? '', /SignedHeaders=[^,]*host/);
    assert.equal(r.headers.get('x-echo-host'), new URL(p.url).host);
  });

  test('cuts exactly `count` connections inside their bodies, then forwards the rest whole', T, async () => {
    const p = await proxy({ cuts: { count: 3, match: { method: 'PUT' } }, seed: 7 });
    const body = randomBytes(1 << 20);
    const before = received.length;
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await put(`${p.url}/seg/${i}`, body));
    assert.ok(
      results.slice(0, 3).every((r) => 'error' in r),
      JSON.stringify(results),
    );
    assert.deepEqual(
      results.slice(3).map((r) => ('status' in r ? r.status : r.error)),
      [201, 201],
    );
    assert.equal(p.faults.cuts, 3);
    await settle(before + 5);
    const seen = received.slice(before);
    const partial = seen.filter((s) => !s.complete);
    assert.equal(partial.length, 3, 'the upstream saw three bodies end early');
    for (const s of partial) assert.ok(s.length > 0 && s.length < body.length, `cut inside the body: ${s.length}`);
    const recs = p.requests.filter((r) => r.cut);
    assert.equal(recs.length, 3);
    for (const r of recs) assert.ok(r.bytesIn > 0 && r.bytesIn < body.length && r.status === null);
    assert.deepEqual(new Set(recs.map((r) => r.bytesIn)).size, 3, 'random points, not one fixed offset');
  });

  test('cut points are random but replayable from the seed', T, async () => {
    const points = async (seed: number) => {
      const p = await proxy({ cuts: { count: 2 }, seed });
      for (let i = 0; i < 2; i++) await put(`${p.url}/r/${i}`, randomBytes(200_000));
      return p.requests.map((r) => r.bytesIn);
    };
    assert.deepEqual(await points(42), await points(42));
    assert.notDeepEqual(await points(42), await points(43));
  });

  test('a body stall outlasts the client timeout; the next request is untouched', T, async () => {
    const p = await proxy({ stall: { mode: 'body', ms: 1500, match: { path: /\/slow/ } } });
    const body = randomBytes(100_000);
    const t0 = Date.now();
    const r = await put(`${p.url}/slow/1`, body, 400);
    assert.ok('error' in r, 'the client timed out');
    assert.ok(Date.now() - t0 < 1400);
    assert.deepEqual(await put(`${p.url}/slow/2`, body), { status: 201, etag: md5(body) }, 'one stall only');
    assert.equal(p.requests[0].stalled, true);
    assert.equal(p.requests[1].stalled, false);
  });

  test('a response stall holds an answer the upstream already gave', T, async () => {
    const p = await proxy({ stall: { mode: 'response', ms: 1500 } });
    const before = received.length;
    const r = await put(`${p.url}/o`, randomBytes(1000), 400);
    assert.ok('error' in r);
    await settle(before + 1);
    assert.equal(received[before].complete, true, 'the upstream got the whole body');
    assert.equal(p.requests[0].stalled, true);
  });

  test('flips one byte of one matching body: the ETag differs from the client MD5', T, async () => {
    const p = await proxy({ flip: { match: { path: /part-2$/ } } });
    const body = randomBytes(500_000);
    const one = await put(`${p.url}/up/part-1`, body);
    const two = await put(`${p.url}/up/part-2`, body);
    const three = await put(`${p.url}/up/part-2`, body);
    assert.ok('etag' in one && 'etag' in two && 'etag' in three);
    assert.equal(one.etag, md5(body));
    assert.notEqual(two.etag, md5(body), 'the stored part is corrupted');
    assert.equal(three.etag, md5(body), 'count 1: only one request flipped');
    const corrupted = Buffer.from(body);
    corrupted[body.length >> 1] ^= 1;
    assert.equal(two.etag, md5(corrupted), 'exactly one byte, in the middle');
    assert.deepEqual(
      p.requests.map((r) => r.flipped),
      [false, true, false],
    );
  });

  test('only a loopback upstream is accepted', T, async () => {
    await assert.rejects(startFaultProxy({ upstream: 'http://example.com:8080' }), /loopback/);
    await assert.rejects(startFaultProxy({ upstream: 'https://127.0.0.1:1' }), /http on loopback/);
  });

  test('bounded: a request budget, and a lifetime after which it closes by itself', T, async () => {
    const p = await proxy({ maxRequests: 2 });
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${p.url}/b`, { method: 'PUT', body: 'x' })).status, 201);
    const over = await fetch(`${p.url}/b`, { method: 'PUT', body: 'x' });
    assert.equal(over.status, 503);
    assert.match(await over.text(), /budget of 2 requests/);
    assert.deepEqual(
      p.requests.map((r) => r.status),
      [201, 201, 503],
    );

    const short = await proxy({ lifetimeMs: 200 });
    assert.equal((await fetch(`${short.url}/b`, { method: 'PUT', body: 'x' })).status, 201);
    await short.closed;
    await assert.rejects(fetch(`${short.url}/b`, { method: 'PUT', body: 'x' }), /fetch failed/);
  });
});
