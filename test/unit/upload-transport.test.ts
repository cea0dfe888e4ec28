// The Node BodyTransports (streamed fetch in core, node:http in the CLI) on a loopback server: Content-Length sent up front, progress,
// a stalled request cut with kind 'timeout', an aborted one rejected as AbortError; the CLI's reading
// of a part's range from the file by path (fileOffset).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fetchBodyTransport, StallError } from '../../src/core/upload/transports.ts';
import { nodeHttpTransport } from '../../src/cli/node-http-transport.ts';
import type { BodyTransport } from '../../src/core/upload/types.ts';

let server: Server;
let base = '';
const seen: { length?: string; bytes: number; md5?: string }[] = [];

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    let bytes = 0;
    const h = createHash('md5');
    req.on('data', (c: Buffer) => ((bytes += c.length), h.update(c)));
    req.on('end', () => {
      seen.push({ length: req.headers['content-length'], bytes, md5: h.digest('hex') });
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

for (const [name, make] of [
  ['fetchBodyTransport', fetchBodyTransport],
  ['nodeHttpTransport', nodeHttpTransport],
] as [string, () => BodyTransport][])
  describe(name, { timeout: 20_000 }, () => {
    test('sends a Blob slice with its Content-Length, reports progress, returns status and lower-case headers', async () => {
      const blob = new Blob([new Uint8Array(5 * 1024 * 1024 + 3)]).slice(3);
      const progress: number[] = [];
      const r = await make().send({ url: `${base}/put`, method: 'PUT', headers: {}, body: blob, onProgress: (n) => progress.push(n) });
      assert.equal(r.status, 201);
      assert.equal(r.headers.etag, '"abc"');
      assert.deepEqual({ ...seen.at(-1), md5: undefined }, { length: String(5 * 1024 * 1024), bytes: 5 * 1024 * 1024, md5: undefined });
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

describe('nodeHttpTransport({ filePath }) with fileOffset', { timeout: 20_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ii-transport-'));
  const path = join(dir, 'f.bin');
  const data = randomBytes(9 * 1024 * 1024 + 17);
  writeFileSync(path, data);
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('sends the range of the file the Blob slice stands for, read by path', async () => {
    const [from, to] = [1024 * 1024 + 5, 2 * 1024 * 1024 + 700_001];
    // the Blob holds zeros: the bytes that arrive can only have come from the file
    const body = new Blob([new Uint8Array(data.length)]).slice(from, to);
    const progress: number[] = [];
    const r = await nodeHttpTransport({ filePath: path }).send({
      url: `${base}/put`,
      method: 'PUT',
      headers: {},
      body,
      fileOffset: from,
      onProgress: (n) => progress.push(n),
    });
    assert.equal(r.status, 201);
    const want = createHash('md5').update(data.subarray(from, to)).digest('hex');
    assert.deepEqual(seen.at(-1), { length: String(to - from), bytes: to - from, md5: want });
    assert.equal(progress.at(-1), to - from);
  });

  test('a range of several 4 MiB pieces arrives intact through the one reused buffer', async () => {
    const from = 5;
    const body = new Blob([new Uint8Array(data.length)]).slice(from);
    const r = await nodeHttpTransport({ filePath: path }).send({ url: `${base}/put`, method: 'PUT', headers: {}, body, fileOffset: from });
    assert.equal(r.status, 201);
    const want = createHash('md5').update(data.subarray(from)).digest('hex');
    assert.deepEqual(seen.at(-1), { length: String(data.length - from), bytes: data.length - from, md5: want });
  });

  test('a file shorter than the part (changed since it was picked) fails with a sentence, not a stall', async () => {
    const body = new Blob([new Uint8Array(2 * 1024 * 1024)]);
    await assert.rejects(
      nodeHttpTransport({ filePath: path }).send({
        url: `${base}/put`,
        method: 'PUT',
        headers: {},
        body,
        fileOffset: data.length - 1000,
        stallTimeoutMs: 10_000,
      }),
      /The file changed while it was sent: 1000 bytes of this part instead of 2097152/,
    );
  });
});
