// The Node BodyTransports (streamed fetch in core, node:http in the CLI) on a loopback server: Content-Length sent up front, progress,
// a stalled request cut with kind 'timeout', an aborted one rejected as AbortError.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchBodyTransport, StallError } from '../../src/core/upload/transports.ts';
import { nodeHttpTransport } from '../../src/cli/node-http-transport.ts';
import type { BodyTransport } from '../../src/core/upload/types.ts';

let server: Server;
let base = '';
const seen: { length?: string; bytes: number }[] = [];

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      seen.push({ length: req.headers['content-length'], bytes });
      res.writeHead(201, { ETag: '"abc"' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

for (const [name, make] of [['fetchBodyTransport', fetchBodyTransport], ['nodeHttpTransport', nodeHttpTransport]] as [string, () => BodyTransport][])
describe(name, { timeout: 20_000 }, () => {
  test('sends a Blob slice with its Content-Length, reports progress, returns status and lower-case headers', async () => {
    const blob = new Blob([new Uint8Array(5 * 1024 * 1024 + 3)]).slice(3);
    const progress: number[] = [];
    const r = await make().send({ url: `${base}/put`, method: 'PUT', headers: {}, body: blob, onProgress: (n) => progress.push(n) });
    assert.equal(r.status, 201);
    assert.equal(r.headers.etag, '"abc"');
    assert.deepEqual(seen.at(-1), { length: String(5 * 1024 * 1024), bytes: 5 * 1024 * 1024 });
    assert.equal(progress.at(-1), 5 * 1024 * 1024);
  });

  test('a request that gets no answer is cut after the stall timeout with a StallError', async () => {
    const t0 = Date.now();
    await assert.rejects(
      make().send({ url: `${base}/hang`, method: 'PUT', headers: {}, body: new Blob([new Uint8Array(1024)]), stallTimeoutMs: 400 }),
      (e: unknown) => e instanceof StallError && e.kind === 'timeout',
    );
    assert.ok(Date.now() - t0 >= 400);
  });

  test('an abort rejects with AbortError', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    await assert.rejects(
      make().send({ url: `${base}/hang`, method: 'PUT', headers: {}, body: new Blob([new Uint8Array(1024)]), signal: ctl.signal }),
      (e: unknown) => (e as Error).name === 'AbortError',
    );
  });
});
