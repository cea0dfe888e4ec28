// blobSlices: the one read loop of every hash pass (the Blob's own stream, pieces capped in size).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobSlices } from '../../src/core/hash/image-hasher.ts';

const MiB = 1024 * 1024;
const data = randomBytes(5 * MiB + 333);

async function collect(blob: Blob, chunkSize?: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of blobSlices(blob, chunkSize)) out.push(c);
  return out;
}

describe('blobSlices', () => {
  test('a file-backed Blob comes out whole, in order, in pieces no larger than asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ii-slices-'));
    try {
      writeFileSync(join(dir, 'f'), data);
      const blob = await openAsBlob(join(dir, 'f'));
      for (const size of [4096, 100_000, MiB, undefined]) {
        const pieces = await collect(blob, size);
        assert.ok(
          pieces.every((p) => p.byteLength > 0 && p.byteLength <= (size ?? MiB)),
          `pieces of at most ${size ?? MiB}`,
        );
        assert.ok(Buffer.concat(pieces).equals(data), `the bytes, in order (pieces of ${size})`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an empty Blob gives nothing; an aborted read stops with AbortError', async () => {
    assert.deepEqual(await collect(new Blob([])), []);
    const ac = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const c of blobSlices(new Blob([data]), 64 * 1024, ac.signal)) {
          seen.push(c.byteLength);
          if (seen.length === 2) ac.abort();
        }
      })(),
      (e: unknown) => (e as Error).name === 'AbortError',
    );
    assert.equal(seen.length, 2, 'nothing after the abort');
  });

  test('a consumer that stops early cancels the stream (the file is not read on)', async () => {
    let pulled = 0;
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(MiB));
      },
      cancel() {
        cancelled = true;
      },
    });
    const blob = { size: 64 * MiB, stream: () => source } as unknown as Blob;
    for await (const c of blobSlices(blob)) {
      assert.equal(c.byteLength, MiB);
      break;
    }
    assert.ok(cancelled, 'the stream was cancelled');
    assert.ok(pulled <= 3, `pulled ${pulled} pieces for one consumed`);
  });
});
