// FileDigests: the digests of a file computed ahead of its upload, one job per File.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { FileDigests, type HashFunction } from '../../src/core/hash/file-digests.ts';
import { hashBlob } from '../../src/core/hash/image-hasher.ts';

const bytes = randomBytes(3 * 1024 * 1024 + 17);
const file = () => new File([bytes], 'disk.raw', { lastModified: 1_700_000_000_000 });
const want = {
  sha512: createHash('sha512').update(bytes).digest('hex'),
  md5: createHash('md5').update(bytes).digest('hex'),
  size: bytes.length,
};

/** hashBlob in 256 KiB slices, counting its calls. */
function counting(): { hash: HashFunction; calls: () => number } {
  let calls = 0;
  return {
    hash: (blob, { signal, onProgress }) => {
      calls++;
      return hashBlob(blob, { chunkSize: 256 * 1024, signal, onProgress });
    },
    calls: () => calls,
  };
}

describe('FileDigests', () => {
  test('hashes a file once: a second start() for the same File returns the same job', async () => {
    const c = counting();
    const seen: number[] = [];
    const cache = new FileDigests(c.hash, (j) => seen.push(j.hashedBytes));
    const f = file();
    const job = cache.start(f);
    assert.equal(cache.start(f), job);
    assert.deepEqual(await job.digests, want);
    assert.deepEqual(job.result, want);
    assert.equal(cache.start(f), job, 'finished digests are reused');
    assert.equal(c.calls(), 1);
    assert.ok(seen.length > 2 && seen.at(-1) === bytes.length, 'progress up to the whole file');
    assert.equal(cache.peek(f), job);
  });

  test('another File object, even with the same name, size and date, is hashed on its own', async () => {
    const c = counting();
    const cache = new FileDigests(c.hash);
    const a = cache.start(file());
    const b = cache.start(file());
    assert.notEqual(a, b);
    assert.deepEqual(await b.digests, want);
    assert.equal(c.calls(), 2);
  });

  test('withdrawing the file aborts its hashing; a new start() hashes it again', async () => {
    const c = counting();
    const cache = new FileDigests(c.hash);
    const f = file();
    const job = cache.start(f);
    cache.withdraw(f);
    await assert.rejects(job.digests, (e: Error) => e.name === 'AbortError');
    assert.equal(job.failed, true);
    assert.equal(cache.peek(f), undefined);
    const again = cache.start(f);
    assert.notEqual(again, job);
    assert.deepEqual(await again.digests, want);
  });

  test('a failed hashing is not cached: the next start() retries', async () => {
    let fail = true;
    const cache = new FileDigests((blob, o) => (fail ? Promise.reject(new Error('NotReadableError')) : hashBlob(blob, o)));
    const f = file();
    const first = cache.start(f);
    await assert.rejects(first.digests, /NotReadableError/);
    fail = false;
    const second = cache.start(f);
    assert.notEqual(second, first);
    assert.deepEqual(await second.digests, want);
  });

  test('digests of the wrong length are a failure, not a result', async () => {
    const cache = new FileDigests(async () => ({ ...want, size: 5 }));
    const job = cache.start(file());
    await assert.rejects(job.digests, /hashed 5 bytes of a 3145745-byte file/);
    assert.equal(job.result, null);
  });

  test('the part MD5s hashed so far are there before the pass ends, in order, then all of them', async () => {
    const MiB = 1024 * 1024;
    let hashed = 0;
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    const cache = new FileDigests((blob, { signal, onProgress, onPart }) =>
      hashBlob(blob, {
        chunkSize: 256 * 1024,
        partSize: MiB,
        signal,
        onProgress: (n) => ((hashed = n), onProgress(n)),
        onPart,
        // stops after 2 MiB, as a pass held by an upload that began then
        gate: () => (hashed >= 2 * MiB ? held : undefined),
      }),
    );
    const job = cache.start(file());
    while (hashed < 2 * MiB) await new Promise((r) => setTimeout(r, 5));
    const part = (i: number) =>
      createHash('md5')
        .update(bytes.subarray(i * MiB, (i + 1) * MiB))
        .digest('hex');
    assert.equal(job.result, null);
    assert.deepEqual(job.parts, { partSize: MiB, md5: [part(0), part(1)] });
    release();
    const d = await job.digests;
    assert.deepEqual(d.parts?.md5, [0, 1, 2, 3].map(part));
    assert.deepEqual(job.parts, d.parts);
  });
});
