// The OPFS output's write coalescing (workers/qemu-img/opfs-coalesce.ts) against a fake handle: the
// bytes that reach the file are always the bytes qemu-img wrote, in fewer, larger writes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WriteCoalescer } from '../../workers/qemu-img/opfs-coalesce.ts';

const KiB = 1024;

/** A file in memory that records each positional write. */
function fakeFile(size = 1024 * KiB) {
  const bytes = new Uint8Array(size);
  const writes: Array<[number, number]> = [];
  return {
    bytes,
    writes,
    sink: (data: Uint8Array, at: number) => {
      bytes.set(data, at);
      writes.push([at, data.length]);
    },
  };
}

const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

describe('WriteCoalescer', { timeout: 5_000 }, () => {
  test('the sparse VMDK pattern (grain, table entry, redundant entry) becomes three long writes', () => {
    const f = fakeFile(8192 * KiB);
    const wb = new WriteCoalescer(f.sink, { capacity: 1024 * KiB });
    const expected = new Uint8Array(f.bytes.length);
    for (let g = 0; g < 64; g++) {
      const grain = fill(16 * KiB, g + 1);
      const at = 2048 * KiB + g * 16 * KiB;
      wb.write(grain, at);
      expected.set(grain, at);
      const gte = new Uint8Array([g, 0, 0, 1]);
      wb.write(gte, 4 * KiB + g * 4);
      expected.set(gte, 4 * KiB + g * 4);
      wb.write(gte, 8 * KiB + g * 4);
      expected.set(gte, 8 * KiB + g * 4);
    }
    wb.flushAll();
    assert.equal(wb.pending, 0);
    assert.deepEqual(f.bytes, expected);
    assert.ok(f.writes.length <= 4, `${f.writes.length} writes for 192 small ones`);
  });

  test('a read of a pending range sees it: flushRange writes the runs it touches, only those', () => {
    const f = fakeFile();
    const wb = new WriteCoalescer(f.sink);
    wb.write(fill(100, 7), 1000);
    wb.write(fill(100, 8), 500_000);
    wb.flushRange(1050, 1051);
    assert.deepEqual(f.writes, [[1000, 100]]);
    assert.equal(f.bytes[1050], 7);
    assert.equal(wb.pending, 100);
  });

  test('overwrites keep the order of the bytes: inside a run, across runs, and a large write over a run', () => {
    const f = fakeFile();
    const wb = new WriteCoalescer(f.sink, { direct: 64 * KiB });
    wb.write(fill(200, 1), 0);
    wb.write(fill(10, 2), 50); // inside
    wb.write(fill(100, 3), 300);
    wb.write(fill(200, 4), 150); // over the end of the first and the start of the second
    wb.write(fill(128 * KiB, 5), 350); // direct, over the tail of a pending run
    wb.flushAll();
    const want = new Uint8Array(f.bytes.length);
    want.fill(1, 0, 200);
    want.fill(2, 50, 60);
    want.fill(3, 300, 400);
    want.fill(4, 150, 350);
    want.fill(5, 350, 350 + 128 * KiB);
    assert.deepEqual(f.bytes, want);
  });

  test('few runs are kept: the least recently used goes out first; full runs go out at once', () => {
    const f = fakeFile();
    const wb = new WriteCoalescer(f.sink, { maxRuns: 2, capacity: 64 * KiB });
    wb.write(fill(10, 1), 0);
    wb.write(fill(10, 2), 100_000);
    wb.write(fill(10, 3), 0 + 10); // touches run 1 again
    wb.write(fill(10, 4), 200_000); // evicts run 2 (least recently used)
    assert.deepEqual(f.writes, [[100_000, 10]]);
    for (let i = 0; i < 8; i++) wb.write(fill(8 * KiB, 9), 300_000 + i * 8 * KiB);
    assert.deepEqual(f.writes.at(-1), [300_000, 64 * KiB]);
  });

  test('a failing handle write throws from the flush, and the bytes are not retried later', () => {
    let calls = 0;
    const wb = new WriteCoalescer(() => {
      calls++;
      throw new Error('QuotaExceededError');
    });
    wb.write(fill(10, 1), 0);
    assert.throws(() => wb.flushAll(), /QuotaExceededError/);
    assert.equal(wb.pending, 0);
    wb.flushAll();
    assert.equal(calls, 1);
  });
});
