// hashBlob / hashBlobAlgorithms wait on their gate before each slice (the hash workers hold
// hashing while an upload sends), and a job cancelled while it waits stops with AbortError.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { hashBlob, hashBlobAlgorithms } from '../../src/core/hash/image-hasher.ts';

const data = randomBytes(3 * 1024 * 1024 + 11);
const blob = new Blob([data]);

describe('hashing gate', { timeout: 10_000 }, () => {
  test('nothing is hashed while the gate is closed; the digests are right once it opens', async () => {
    let open!: () => void;
    const closed = new Promise<void>((r) => (open = r));
    let isOpen = false;
    const seen: number[] = [];
    const job = hashBlob(blob, { chunkSize: 1024 * 1024, gate: () => (isOpen ? undefined : closed), onProgress: (n) => seen.push(n) });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen, []);
    isOpen = true;
    open();
    const d = await job;
    assert.equal(d.sha512, createHash('sha512').update(data).digest('hex'));
    assert.equal(d.md5, createHash('md5').update(data).digest('hex'));
    assert.equal(seen.at(-1), data.length);
  });

  test('a job aborted while it waits at the gate rejects with AbortError and hashes nothing more', async () => {
    const ac = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const job = hashBlobAlgorithms(blob, ['md5'], {
      chunkSize: 1024 * 1024,
      signal: ac.signal,
      gate: () => gate,
      onProgress: (n) => seen.push(n),
    });
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    release(); // the worker's gate resolves on abort; here the test opens it
    await assert.rejects(job, (e: unknown) => (e as Error).name === 'AbortError');
    assert.deepEqual(seen, []);
  });
});
