// The "Convert to a file…" plumbing without a browser: the SharedArrayBuffer ring between
// qemu-img's synchronous writes and an asynchronous writable stream (write-ring.ts), and what the
// conversion worker remembers to answer qemu-img's reads of its own output (output-mirror.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { OutputMirror } from '../../../workers/qemu-img/output-mirror.ts';
import {
  createRing,
  drainRing,
  openAndDrain,
  RingFailedError,
  RingWriter,
  type WritableLike,
} from '../../../workers/qemu-img/write-ring.ts';

const KiB = 1024;

/** A writable stream over a growable in-memory file, recording every call. */
function fakeWritable(failAt?: number): WritableLike & { file: () => Uint8Array; calls: string[] } {
  let file = new Uint8Array(0);
  const calls: string[] = [];
  return {
    calls,
    file: () => file,
    async write(chunk) {
      if (chunk.type === 'truncate') {
        calls.push(`truncate ${chunk.size}`);
        const next = new Uint8Array(chunk.size);
        next.set(file.subarray(0, chunk.size));
        file = next;
        return;
      }
      calls.push(`write ${chunk.position}+${chunk.data.length}`);
      if (failAt !== undefined && chunk.position + chunk.data.length > failAt) {
        throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
      }
      assert.ok(!(chunk.data.buffer instanceof SharedArrayBuffer), 'a stream is never handed shared memory');
      const end = chunk.position + chunk.data.length;
      if (end > file.length) {
        const next = new Uint8Array(end);
        next.set(file);
        file = next;
      }
      file.set(chunk.data, chunk.position);
    },
    async close() {
      calls.push('close');
    },
    async abort() {
      calls.push('abort');
    },
  };
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('write ring', { timeout: 30_000 }, () => {
  it('carries writes and truncates in order, coalescing contiguous writes, and commits at the end', async () => {
    const sab = createRing(64 * KiB);
    const w = new RingWriter(sab);
    w.write(0, bytes(4 * KiB, 1));
    w.write(4 * KiB, bytes(4 * KiB, 2));
    w.write(100, bytes(10, 3)); // not contiguous: its own stream write
    w.truncate(6 * KiB);
    w.end(true);
    const out = fakeWritable();
    assert.deepEqual(await drainRing(sab, out), { outcome: 'committed' });
    assert.deepEqual(out.calls, ['write 0+8192', 'write 100+10', 'truncate 6144', 'close']);
    const expected = new Uint8Array(6 * KiB);
    expected.set(bytes(4 * KiB, 1));
    expected.set(bytes(2 * KiB, 2), 4 * KiB);
    expected.set(bytes(10, 3), 100);
    assert.deepEqual(out.file(), expected);
  });

  it('an uncommitted end aborts the stream', async () => {
    const sab = createRing(64 * KiB);
    const w = new RingWriter(sab);
    w.write(0, bytes(100, 1));
    w.end(false);
    const out = fakeWritable();
    assert.deepEqual(await drainRing(sab, out), { outcome: 'aborted' });
    assert.deepEqual(out.calls, ['write 0+100', 'abort']);
  });

  it('a full stream (quota) fails the producer with no-space, and the stream is aborted', async () => {
    const sab = createRing(64 * KiB);
    const w = new RingWriter(sab);
    w.write(0, bytes(8 * KiB, 1));
    const out = fakeWritable(1000);
    const r = await drainRing(sab, out);
    assert.equal(r.outcome, 'failed');
    assert.equal(r.outcome === 'failed' && r.failure, 'no-space');
    assert.equal(out.calls.at(-1), 'abort');
    assert.throws(
      () => w.write(8 * KiB, bytes(1, 1)),
      (e: unknown) => e instanceof RingFailedError && e.failure === 'no-space',
    );
    assert.throws(() => w.drain(), RingFailedError);
  });

  it('a stream that cannot be opened fails the ring', async () => {
    const sab = createRing(64 * KiB);
    const r = await openAndDrain(() => Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' })), sab);
    assert.deepEqual(r, { outcome: 'failed', failure: 'io', message: 'NotAllowedError: denied' });
    assert.throws(
      () => new RingWriter(sab).write(0, bytes(1, 1)),
      (e: unknown) => e instanceof RingFailedError && e.failure === 'io',
    );
  });

  it('blocks the producer while the ring is full, and a drain waits for the consumer', async () => {
    // The consumer in a worker thread, the producer here (Atomics.wait is allowed in Node's main
    // thread): 1 MiB through a 64 KiB ring, in writes larger than the ring.
    const sab = createRing(64 * KiB);
    const mod = new URL('../../../workers/qemu-img/write-ring.ts', import.meta.url).href;
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       // tsx's loader does not reach eval'd workers: register it here.
       import('tsx/esm/api').then((a) => a.register()).then(() => import(workerData.mod)).then(async ({ drainRing }) => {
         const file = new Uint8Array(1 << 20);
         let writes = 0;
         const r = await drainRing(workerData.sab, {
           async write(c) { writes++; await new Promise((r) => setTimeout(r, 1)); file.set(c.data, c.position); },
           async close() {}, async abort() {},
         });
         parentPort.postMessage({ r, file, writes });
       }).catch((e) => {
         // Wake the blocked producer (state "failed"), or the test would hang.
         const c = new Int32Array(workerData.sab, 0, 16); Atomics.store(c, 2, 1); Atomics.notify(c, 1);
         parentPort.postMessage({ r: String(e) });
       });`,
      { eval: true, workerData: { sab, mod } },
    );
    const got = new Promise<{ r: unknown; file: Uint8Array; writes: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const w = new RingWriter(sab);
    const data = bytes(1 << 20, 7);
    w.write(0, data.subarray(0, 300 * KiB));
    w.drain();
    w.write(300 * KiB, data.subarray(300 * KiB));
    w.end(true);
    const { r, file, writes } = await got;
    await worker.terminate();
    assert.deepEqual(r, { outcome: 'committed' });
    assert.deepEqual(file, data);
    assert.ok(writes >= 16, `the 64 KiB ring cannot pass 1 MiB in fewer writes: ${writes}`);
    assert.ok(w.waitedMs > 0, 'the producer waited for room');
  });

  it('abandoning wakes a producer blocked on a full ring', async () => {
    const sab = createRing(64 * KiB);
    const w = new RingWriter(sab);
    w.write(0, bytes(40 * KiB, 1));
    // No consumer: the ring stays full until a thread other than this (blocked) one abandons it,
    // as the page does when the user cancels.
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       import('tsx/esm/api').then((a) => a.register()).then(() => import(workerData.mod)).then(({ abandonRing }) => {
         setTimeout(() => abandonRing(workerData.sab), 50);
       });`,
      { eval: true, workerData: { sab, mod: new URL('../../../workers/qemu-img/write-ring.ts', import.meta.url).href } },
    );
    assert.throws(
      () => w.write(40 * KiB, bytes(40 * KiB, 2)),
      (e: unknown) => e instanceof RingFailedError && e.failure === 'aborted',
    );
    await worker.terminate();
    const out = fakeWritable();
    assert.deepEqual(await drainRing(sab, out), { outcome: 'aborted' });
    assert.deepEqual(out.calls, ['abort']);
  });
});

describe('output mirror', { timeout: 10_000 }, () => {
  const read = (m: OutputMirror, pos: number, n: number) => {
    const dest = new Uint8Array(n).fill(0xee);
    return { missing: m.read(pos, dest), dest };
  };

  it('reads zeros where nothing was written and the small writes back', () => {
    const m = new OutputMirror({ keepMax: 16, budget: 1024 });
    m.write(10, bytes(8, 1));
    const { missing, dest } = read(m, 0, 30);
    assert.equal(missing, undefined);
    const expected = new Uint8Array(30);
    expected.set(bytes(8, 1), 10);
    assert.deepEqual(dest, expected);
  });

  it('names the first written byte it did not keep', () => {
    const m = new OutputMirror({ keepMax: 16, budget: 1024 });
    m.write(0, bytes(8, 1));
    m.write(100, bytes(64, 2)); // larger than keepMax
    assert.equal(read(m, 0, 50).missing, undefined);
    assert.equal(read(m, 50, 100).missing, 100);
    assert.equal(read(m, 170, 10).missing, undefined, 'past the write: zeros');
  });

  it('a small write over a large one is kept, and the rest of the large one is not', () => {
    const m = new OutputMirror({ keepMax: 16, budget: 1024 });
    m.write(0, bytes(100, 1));
    m.write(40, bytes(10, 2));
    const { missing, dest } = read(m, 40, 10);
    assert.equal(missing, undefined);
    assert.deepEqual(dest, bytes(10, 2));
    assert.equal(read(m, 30, 20).missing, 30);
    assert.deepEqual(m.ranges(), [[0, 100]]);
  });

  it('overwrites and truncates kept bytes', () => {
    const m = new OutputMirror({ keepMax: 16, budget: 1024 });
    m.write(0, bytes(16, 1));
    m.write(4, bytes(4, 9));
    m.truncate(10);
    const { missing, dest } = read(m, 0, 16);
    assert.equal(missing, undefined);
    const expected = new Uint8Array(16);
    expected.set(bytes(16, 1).subarray(0, 10));
    expected.set(bytes(4, 9), 4);
    assert.deepEqual(dest, expected);
    assert.deepEqual(m.ranges(), [[0, 10]]);
    assert.equal(m.kept, 10);
  });

  it('stays within its budget, forgetting the oldest kept bytes first', () => {
    const m = new OutputMirror({ keepMax: 16, budget: 64 });
    for (let i = 0; i < 10; i++) m.write(i * 16, bytes(16, i));
    assert.ok(m.kept <= 64, `kept ${m.kept}`);
    assert.equal(read(m, 0, 16).missing, 0, 'the oldest was dropped');
    const { missing, dest } = read(m, 144, 16);
    assert.equal(missing, undefined);
    assert.deepEqual(dest, bytes(16, 9));
  });

  it('merges neighbouring large writes into one range', () => {
    const m = new OutputMirror({ keepMax: 16, budget: 64 });
    for (let i = 0; i < 100; i++) m.write(i * 1000, new Uint8Array(1000));
    assert.deepEqual(m.ranges(), [[0, 100_000]]);
  });
});
