// The "Convert to a file…" plumbing without a browser: the SharedArrayBuffer ring between
// qemu-img's synchronous writes and an asynchronous writable stream (write-ring.ts), and what the
// conversion worker remembers to answer qemu-img's reads of its own output (output-mirror.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { OutputMirror } from '../../../workers/qemu-img/output-mirror.ts';
import {
  abandonRing,
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

  it('keeps up to maxInflight stream writes pending, completed in order', async () => {
    const sab = createRing(64 * KiB);
    const w = new RingWriter(sab);
    for (let i = 0; i < 6; i++) w.write(i * 1000, bytes(10, i)); // not contiguous: six writes
    w.end(true);
    let pending = 0;
    let most = 0;
    const order: number[] = [];
    const r = await drainRing(
      sab,
      {
        async write(chunk) {
          pending++;
          most = Math.max(most, pending);
          await new Promise((r) => setTimeout(r, 5));
          if (chunk.type === 'write') order.push(chunk.position);
          pending--;
        },
        async close() {},
        async abort() {},
      },
      { maxInflight: 3 },
    );
    assert.deepEqual(r, { outcome: 'committed' });
    assert.equal(most, 3);
    assert.deepEqual(order, [0, 1000, 2000, 3000, 4000, 5000]);
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
    // The producer in a worker thread (it blocks in Atomics.wait, as qemu-img's thread does), the
    // consumer here: 1 MiB through a 64 KiB ring, in writes larger than the ring.
    const sab = createRing(64 * KiB);
    const worker = producer(
      sab,
      `const data = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31 + 7) & 0xff);
       w.write(0, data.subarray(0, 300 * 1024));
       w.drain();
       w.write(300 * 1024, data.subarray(300 * 1024));
       w.end(true);
       return w.waitedMs;`,
    );
    const file = new Uint8Array(1 << 20);
    let writes = 0;
    const r = await drainRing(sab, {
      async write(c) {
        writes++;
        await new Promise((r) => setTimeout(r, 1));
        if (c.type === 'write') file.set(c.data, c.position);
      },
      async close() {},
      async abort() {},
    });
    const waited = await worker;
    assert.deepEqual(r, { outcome: 'committed' });
    assert.deepEqual(file, bytes(1 << 20, 7));
    assert.ok(writes >= 16, `the 64 KiB ring cannot pass 1 MiB in fewer writes: ${writes}`);
    assert.ok(Number(waited) > 0, 'the producer waited for room');
  });

  it('abandoning wakes a producer blocked on a full ring', async () => {
    // No consumer: the ring stays full until this thread abandons it, as the page does on cancel.
    const sab = createRing(64 * KiB);
    const worker = producer(
      sab,
      `w.write(0, new Uint8Array(40 * 1024));
       parentPort.postMessage({ ready: true });
       try { w.write(40 * 1024, new Uint8Array(40 * 1024)); return 'not blocked'; } catch (e) { return e.failure; }`,
    );
    await worker.ready;
    await new Promise((r) => setTimeout(r, 100)); // it is blocked in Atomics.wait by now
    abandonRing(sab);
    assert.equal(await worker, 'aborted');
    const out = fakeWritable();
    assert.deepEqual(await drainRing(sab, out), { outcome: 'aborted' });
    assert.deepEqual(out.calls, ['abort']);
  });
});

/** Runs `body` (with `w`, a RingWriter on `sab`) in a worker thread; resolves with its return
 *  value. tsx's loader does not reach eval'd workers: the body registers it first. */
function producer(sab: SharedArrayBuffer, body: string): Promise<unknown> & { ready: Promise<void> } {
  const mod = new URL('../../../workers/qemu-img/write-ring.ts', import.meta.url).href;
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import('tsx/esm/api')
       .then((a) => a.register())
       .then(() => import(workerData.mod))
       .then(({ RingWriter }) => {
         const w = new RingWriter(workerData.sab);
         parentPort.postMessage({ result: (() => { ${body} })() });
       });`,
    { eval: true, workerData: { sab, mod } },
  );
  let ready: () => void = () => {};
  const result = new Promise((resolve, reject) => {
    worker.on('message', (m: { ready?: true; result?: unknown }) => {
      if (m.ready) return ready();
      resolve(m.result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
  return Object.assign(result, { ready: new Promise<void>((r) => (ready = r)) });
}

describe('output mirror', { timeout: 10_000 }, () => {
  const read = (m: OutputMirror, pos: number, n: number) => {
    const dest = new Uint8Array(n).fill(0xee);
    return { missing: m.read(pos, dest), dest };
  };

  it('reads zeros where nothing was written and the small writes back', () => {
    const m = new OutputMirror({ headBytes: 0, keepMax: 16, budget: 1024 });
    m.write(10, bytes(8, 1));
    const { missing, dest } = read(m, 0, 30);
    assert.equal(missing, undefined);
    const expected = new Uint8Array(30);
    expected.set(bytes(8, 1), 10);
    assert.deepEqual(dest, expected);
  });

  it('names the first written byte it did not keep', () => {
    const m = new OutputMirror({ headBytes: 0, keepMax: 16, budget: 1024 });
    m.write(0, bytes(8, 1));
    m.write(100, bytes(64, 2)); // larger than keepMax
    assert.equal(read(m, 0, 50).missing, undefined);
    assert.equal(read(m, 50, 100).missing, 100);
    assert.equal(read(m, 170, 10).missing, undefined, 'past the write: zeros');
  });

  it('a small write over a large one is kept, and the rest of the large one is not', () => {
    const m = new OutputMirror({ headBytes: 0, keepMax: 16, budget: 1024 });
    m.write(0, bytes(100, 1));
    m.write(40, bytes(10, 2));
    const { missing, dest } = read(m, 40, 10);
    assert.equal(missing, undefined);
    assert.deepEqual(dest, bytes(10, 2));
    assert.equal(read(m, 30, 20).missing, 30);
    assert.deepEqual(m.ranges(), [[0, 100]]);
  });

  it('overwrites and truncates kept bytes', () => {
    const m = new OutputMirror({ headBytes: 0, keepMax: 16, budget: 1024 });
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
    const m = new OutputMirror({ headBytes: 0, keepMax: 16, budget: 64 });
    for (let i = 0; i < 10; i++) m.write(i * 16, bytes(16, i));
    assert.ok(m.kept <= 64, `kept ${m.kept}`);
    assert.equal(read(m, 0, 16).missing, 0, 'the oldest was dropped');
    const { missing, dest } = read(m, 144, 16);
    assert.equal(missing, undefined);
    assert.deepEqual(dest, bytes(16, 9));
  });

  it('keeps every write inside the head, whatever its size, beyond the budget', () => {
    const m = new OutputMirror({ headBytes: 4096, keepMax: 16, budget: 16 });
    m.write(0, bytes(1024, 1)); // a header larger than keepMax
    m.write(1024, bytes(2048, 2)); // a table of two "clusters"
    m.write(8192, bytes(16, 3));
    m.write(9000, bytes(16, 4)); // over the budget: the one at 8192 is forgotten
    const { missing, dest } = read(m, 0, 3072);
    assert.equal(missing, undefined);
    assert.deepEqual(dest.subarray(0, 1024), bytes(1024, 1));
    assert.deepEqual(dest.subarray(1024), bytes(2048, 2));
    assert.equal(read(m, 8192, 16).missing, 8192);
    assert.equal(read(m, 9000, 16).missing, undefined);
    assert.equal(m.kept, 16, 'the head does not count against the budget');
  });

  it('merges neighbouring large writes into one range', () => {
    const m = new OutputMirror({ headBytes: 0, keepMax: 16, budget: 64 });
    for (let i = 0; i < 100; i++) m.write(i * 1000, new Uint8Array(1000));
    assert.deepEqual(m.ranges(), [[0, 100_000]]);
  });
});
