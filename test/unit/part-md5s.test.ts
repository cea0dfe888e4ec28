// The pick-time hash pass also yields each part's MD5 (the upload then sends without hashing):
// the MD5s must equal OpenSSL's of the same ranges whatever the slices and parts' alignment, and
// the upload worker takes one only for exactly the range of that part.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { hashBlob, hashBlobAlgorithms } from '../../src/core/hash/image-hasher.ts';
import { pickTimePartSize, choosePartSize, SWIFT_DEFAULT_LIMITS, S3_LIMITS } from '../../src/core/upload/part-size.ts';
import { precomputed } from '../../workers/upload/part-md5.ts';

const MiB = 1024 * 1024;
const data = randomBytes(5 * MiB + 123);
const blob = new Blob([data]);
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const ranges = (partSize: number) => {
  const out: string[] = [];
  for (let o = 0; o < data.length; o += partSize) out.push(md5(data.subarray(o, o + partSize)));
  return out;
};

describe('part MD5s from the whole-file pass', { timeout: 20_000 }, () => {
  test('parts that end inside a slice, on a slice edge, and a short last part', async () => {
    for (const [chunkSize, partSize] of [
      [MiB, 2 * MiB],
      [MiB, 1.5 * MiB],
      [3 * MiB, MiB],
    ] as const) {
      const d = await hashBlob(blob, { chunkSize, partSize });
      assert.deepEqual(d.parts, { partSize, md5: ranges(partSize) }, `chunk ${chunkSize}, part ${partSize}`);
      assert.equal(d.md5, md5(data));
    }
  });

  test('the md5 worker of the two-worker split computes them; sha512 alone does not', async () => {
    const m = await hashBlobAlgorithms(blob, ['md5'], { chunkSize: MiB, partSize: 2 * MiB });
    assert.deepEqual(m.parts?.md5, ranges(2 * MiB));
    const s = await hashBlobAlgorithms(blob, ['sha512'], { chunkSize: MiB, partSize: 2 * MiB });
    assert.equal(s.parts, undefined);
    assert.equal((await hashBlob(blob, { chunkSize: MiB })).parts, undefined);
  });

  test('a pass told mid-way that the parts are not wanted drops them and still gives the whole-file digests', async () => {
    let slices = 0;
    const d = await hashBlob(blob, { chunkSize: MiB, partSize: 2 * MiB, partsWanted: () => ++slices < 3 });
    assert.equal(d.parts, undefined);
    assert.equal(d.md5, md5(data));
    assert.equal(d.sha512, createHash('sha512').update(data).digest('hex'));
    const m = await hashBlobAlgorithms(blob, ['md5'], { chunkSize: MiB, partSize: 2 * MiB, partsWanted: () => false });
    assert.equal(m.parts, undefined);
    assert.equal(m.md5, md5(data));
  });

  test('the upload worker uses a precomputed MD5 only for exactly that part of that file', async () => {
    const d = await hashBlob(blob, { chunkSize: MiB, partSize: 2 * MiB });
    const want = ranges(2 * MiB);
    assert.equal(precomputed(d.parts, data.length, 0, 2 * MiB), want[0]);
    assert.equal(precomputed(d.parts, data.length, 4 * MiB, data.length - 4 * MiB), want[2]);
    assert.equal(precomputed(d.parts, data.length, MiB, 2 * MiB), undefined, 'not on a part boundary');
    assert.equal(precomputed(d.parts, data.length, 0, 4 * MiB), undefined, 'another part size');
    assert.equal(precomputed(d.parts, data.length + 1, 4 * MiB, data.length - 4 * MiB), undefined, 'another file size');
    assert.equal(precomputed(undefined, data.length, 0, 2 * MiB), undefined, 'digests not ready');
    const sofar = { partSize: 2 * MiB, md5: want.slice(0, 1) };
    assert.equal(precomputed(sofar, data.length, 0, 2 * MiB), want[0], 'a part the pass had when the upload began');
    assert.equal(precomputed(sofar, data.length, 2 * MiB, 2 * MiB), undefined, 'a part it had not reached');
  });

  test('the pick-time part size is the one the engine chooses with Swift’s and s3api’s limits', () => {
    for (const size of [10 * MiB, 1024 * MiB, 40 * 1024 * MiB, 200 * 1024 * MiB]) {
      assert.equal(pickTimePartSize(size), choosePartSize(size, SWIFT_DEFAULT_LIMITS));
      assert.equal(pickTimePartSize(size), choosePartSize(size, S3_LIMITS));
    }
    assert.equal(pickTimePartSize(1024 * MiB), 64 * MiB);
    assert.equal(pickTimePartSize(1e16), undefined);
  });
});
