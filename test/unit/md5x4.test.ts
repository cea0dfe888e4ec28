// md5OfBlobs (four MD5s at once on SIMD lanes) against node:crypto, for every padding case and
// for Blobs of different sizes finishing at different times; the module matches its source.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { md5OfBlobs } from '../../src/core/hash/md5x4.ts';
import { MD5X4_SOURCE_SHA256 } from '../../src/core/hash/md5x4-wasm.ts';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

describe('md5OfBlobs', () => {
  test('the module was built from wasm/md5x4/md5x4.c as it is (else: bash wasm/md5x4/build.sh)', () => {
    const src = readFileSync(new URL('../../wasm/md5x4/md5x4.c', import.meta.url));
    assert.equal(createHash('sha256').update(src).digest('hex'), MD5X4_SOURCE_SHA256);
  });

  test('every length around the padding boundaries, four at a time', async () => {
    const lengths = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 4095, 4096, 65_537];
    for (let i = 0; i < lengths.length; i += 4) {
      const bufs = lengths.slice(i, i + 4).map((n) => randomBytes(n));
      assert.deepEqual(await md5OfBlobs(bufs.map((b) => new Blob([b]))), bufs.map(md5), `lengths ${lengths.slice(i, i + 4)}`);
    }
  });

  test('parts of very different sizes (one ends long before the others), one to four at once', async () => {
    const big = randomBytes(9 * 1024 * 1024 + 77); // more than two windows
    const parts = [big, big.subarray(0, 3 * 1024 * 1024), big.subarray(5), randomBytes(100)];
    for (let n = 1; n <= 4; n++) {
      const bufs = parts.slice(0, n);
      assert.deepEqual(await md5OfBlobs(bufs.map((b) => new Blob([b]))), bufs.map(md5), `${n} blobs`);
    }
    // the instances are reused: a second round gives the same; so does the engine without SIMD
    assert.deepEqual(await md5OfBlobs(parts.map((b) => new Blob([b]))), parts.map(md5));
    assert.deepEqual(
      await md5OfBlobs(
        parts.map((b) => new Blob([b])),
        undefined,
        false,
      ),
      parts.map(md5),
    );
  });

  test('calls running at the same time do not share a window; an aborted one stops', async () => {
    const a = randomBytes(2 * 1024 * 1024);
    const b = randomBytes(3 * 1024 * 1024);
    const [x, y] = await Promise.all([md5OfBlobs([new Blob([a]), new Blob([b])]), md5OfBlobs([new Blob([b]), new Blob([a])])]);
    assert.deepEqual(x, [md5(a), md5(b)]);
    assert.deepEqual(y, [md5(b), md5(a)]);
    await assert.rejects(md5OfBlobs([new Blob([a])], AbortSignal.abort()), (e: Error) => e.name === 'AbortError');
    await assert.rejects(md5OfBlobs([1, 2, 3, 4, 5].map(() => new Blob([]))), RangeError);
  });
});

describe('partMd5 (the upload worker’s part MD5s, batched four at a time)', () => {
  test('parts asked for together come back right, in any number; a stopped one is refused', async () => {
    const { partMd5 } = await import('../../workers/upload/part-md5.ts');
    const bufs = Array.from({ length: 6 }, (_, i) => randomBytes(100_000 + i * 4099));
    assert.deepEqual(await Promise.all(bufs.map((b) => partMd5(new Blob([b])))), bufs.map(md5));
    await assert.rejects(partMd5(new Blob([bufs[0]!]), AbortSignal.abort()), (e: Error) => e.name === 'AbortError');
    assert.equal(await partMd5(new Blob([bufs[1]!])), md5(bufs[1]!), 'the next one still works');
  });
});
