// The holes-descriptor compare split into windows run at once (compare-split.ts, compare.ts): the
// windows cover the disk back to back with every piece of data in exactly one of them, a mismatch
// in any window is reported at its guest offset (the first in the disk's order), and a window qemu
// refuses falls back to one compare of the whole images. The real wasm: test/parity/convert-verify-
// holes.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { firstMismatch, splitByReads, splitWindows, SPLIT_MIN_DATA } from '../../workers/qemu-img/compare-split.ts';
import { compareImages } from '../../workers/qemu-img/compare.ts';
import { sideOpts, type QemuRun } from '../../workers/qemu-img/compare-request.ts';
import type { DataPiece } from '../../workers/qemu-img/compare-vmdk.ts';
import type { RunResult } from '../../workers/qemu-img/types.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The windows' pieces back in absolute guest offsets, adjacent ones merged. */
function absolute(windows: ReturnType<typeof splitWindows>): DataPiece[] {
  const out: DataPiece[] = [];
  for (const w of windows)
    for (const [g, f, n] of w.pieces) {
      const last = out.at(-1);
      if (last && last[0] + last[2] === w.start + g && last[1] + last[2] === f) last[2] += n;
      else out.push([w.start + g, f, n]);
    }
  return out;
}

describe('splitWindows', { timeout: 5_000 }, () => {
  test('two windows back to back over the whole disk, each about half of the data, no piece lost', () => {
    // 16 runs of 4 MiB spread over 127 GiB (the bench's layout), at unaligned file offsets too.
    const size = 127 * GiB;
    const pieces: DataPiece[] = Array.from({ length: 16 }, (_, i) => [Math.floor(size / 16) * i + 4096 * i, 4096 * i + 512, 4 * MiB]);
    const w = splitWindows(pieces, size, 2);
    assert.equal(w.length, 2);
    assert.deepEqual(
      w.map((x) => [x.start, x.start + x.size, x.last]),
      [
        [0, w[1]!.start, false],
        [w[1]!.start, size, true],
      ],
    );
    assert.equal(w[1]!.start % MiB, 0, 'cut on a MiB boundary');
    assert.equal(w[0]!.data + w[1]!.data, 64 * MiB);
    assert.ok(Math.abs(w[0]!.data - 32 * MiB) < MiB, `${w[0]!.data} bytes in the first window`);
    assert.deepEqual(absolute(w), pieces);
    for (const x of w) for (const [g, , n] of x.pieces) assert.ok(g >= 0 && g + n <= x.size, 'pieces inside their window');
  });

  test('a cut inside one long run of data splits it at the same file offset', () => {
    const pieces: DataPiece[] = [[8 * MiB, 4096, 64 * MiB]];
    const w = splitWindows(pieces, GiB, 2);
    assert.deepEqual(
      w.map((x) => [x.start, x.size, x.pieces]),
      [
        [0, 40 * MiB, [[8 * MiB, 4096, 32 * MiB]]],
        [40 * MiB, GiB - 40 * MiB, [[0, 4096 + 32 * MiB, 32 * MiB]]],
      ],
    );
  });

  test('data clustered at both ends: the cut balances data, not disk', () => {
    const size = 127 * GiB;
    const pieces: DataPiece[] = [
      ...Array.from({ length: 15 }, (_, i): DataPiece => [i * 6 * MiB, i * 6 * MiB, 4 * MiB]),
      [size - 8 * MiB, size - 8 * MiB, 4 * MiB],
    ];
    const w = splitWindows(pieces, size, 2);
    assert.equal(w.length, 2);
    assert.ok(w[1]!.start < 100 * MiB, `cut at ${w[1]!.start}`);
    assert.ok(Math.abs(w[0]!.data - w[1]!.data) <= 4 * MiB, `${w[0]!.data} vs ${w[1]!.data}`);
    assert.deepEqual(absolute(w), pieces);
  });

  test('one window when the data is too little to share, or one run is asked for', () => {
    const small: DataPiece[] = [[0, 0, SPLIT_MIN_DATA + MiB]];
    assert.equal(splitWindows(small, GiB, 2).length, 1);
    assert.equal(splitWindows([[0, 0, 64 * MiB]], GiB, 1).length, 1);
    assert.deepEqual(splitWindows([], GiB, 2), [{ start: 0, size: GiB, last: true, pieces: [], data: 0 }]);
  });

  test('firstMismatch: the lowest offset among the windows that differ', () => {
    assert.equal(firstMismatch([{ identical: true }, { identical: true }]), undefined);
    assert.equal(firstMismatch([{ identical: true }, { identical: false, mismatchOffset: 9 * GiB }]), 9 * GiB);
    assert.equal(
      firstMismatch([
        { identical: false, mismatchOffset: 5 },
        { identical: false, mismatchOffset: 3 * GiB },
      ]),
      5,
    );
  });
});

const result = (exitCode: number, stdout: string): RunResult => ({ exitCode, stdout, stderr: '', durationMs: 1, io: bytes(1000) });
const bytes = (bytesRead: number) => ({
  readCalls: 1,
  bytesRead,
  readMs: 0,
  writeCalls: 0,
  bytesWritten: 0,
  writeMs: 0,
  flushCalls: 0,
  flushMs: 0,
  sourceReads: 0,
  sourceReadMs: 0,
});

const SIZE = 100 * GiB;
const sides = { source: { path: '/s.vhd', format: 'vpc' }, output: { path: '/o.raw', format: 'raw' } };
// 48 MiB of data: 8 MiB at the start, 40 MiB at 60 GiB (the cut falls inside the second run).
const extents = {
  size: SIZE,
  ranges: [
    [0, 8 * MiB],
    [60 * GiB, 60 * GiB + 40 * MiB],
  ] as Array<[number, number]>,
};

/** A fake qemu-img compare: a difference at guest offset `diffAt` is reported relative to the
 *  window's raw offset (as qemu-img does); `refuse` fails every windowed compare (exit 2). */
function fakeRun(diffAt?: number, refuse = false) {
  const compares: string[][] = [];
  const run: QemuRun = async (args) => {
    compares.push(args);
    const m = /^driver=raw,offset=(\d+),(?:size=(\d+),)?/.exec(args[3]!);
    const [off, size] = m ? [Number(m[1]), m[2] ? Number(m[2]) : Infinity] : [0, Infinity];
    if (m && refuse) return { ...result(2, ''), stderr: 'qemu-img: Could not open: offset too large\n' };
    if (diffAt !== undefined && diffAt >= off && diffAt < off + size) return result(1, `Content mismatch at offset ${diffAt - off}!\n`);
    return result(0, 'Images are identical.\n');
  };
  return { run, compares };
}

const stage = async () => ({ dir: '/in', dispose: async () => {} });

describe('compareImages with two runs at once', { timeout: 5_000 }, () => {
  test('two windows: the source as raw windows (the last open-ended), each against its own descriptor', async () => {
    const { run, compares } = fakeRun();
    const r = await compareImages(run, { ...sides, outputExtents: extents, parallel: 2, stage });
    assert.deepEqual(
      { identical: r.identical, method: r.method, runs: r.runs, read: r.bytesRead },
      { identical: true, method: 'holes', runs: 2, read: 2000 },
    );
    const cut = 60 * GiB + 16 * MiB;
    assert.deepEqual(
      compares.map((a) => a[3]),
      [sideOpts(sides.source, { offset: 0, size: cut }), sideOpts(sides.source, { offset: cut })],
    );
    assert.match(compares[0]![4]!, /filename=\/in\/ii-verify-0-holes\.vmdk,extents\.0\.driver=file/);
    assert.match(compares[1]![4]!, /filename=\/in\/ii-verify-1-holes\.vmdk,/);
  });

  test('a mismatch in the second window: found, at its guest offset', async () => {
    const at = 60 * GiB + 30 * MiB + 512;
    const r = await compareImages(fakeRun(at).run, { ...sides, outputExtents: extents, parallel: 2, stage });
    assert.deepEqual({ identical: r.identical, at: r.mismatchOffset, runs: r.runs }, { identical: false, at, runs: 2 });
    assert.equal(r.message, `Content mismatch at offset ${at}.`);
  });

  test('a mismatch in the first window is reported as it is', async () => {
    const r = await compareImages(fakeRun(4 * MiB).run, { ...sides, outputExtents: extents, parallel: 2, stage });
    assert.deepEqual({ identical: r.identical, at: r.mismatchOffset }, { identical: false, at: 4 * MiB });
  });

  test('a window qemu refuses: one compare of the whole source decides', async () => {
    const { run, compares } = fakeRun(undefined, true);
    const r = await compareImages(run, { ...sides, outputExtents: extents, parallel: 2, stage });
    assert.deepEqual({ identical: r.identical, runs: r.runs }, { identical: true, runs: 1 });
    assert.equal(compares.at(-1)![3], sideOpts(sides.source));
    assert.match(compares.at(-1)![4]!, /filename=\/in\/ii-verify-holes\.vmdk,/);
  });
});

describe('compareImages when the runner answers the output holes (SEEK_DATA)', { timeout: 5_000 }, () => {
  test('two plain compares over raw windows of both sides, nothing staged; a mismatch at its guest offset', async () => {
    const at = 60 * GiB + 20 * MiB;
    const { run, compares } = fakeRun(at);
    let staged = false;
    const r = await compareImages(run, {
      ...sides,
      outputExtents: extents,
      parallel: 2,
      outputHolesSeen: true,
      stage: async () => {
        staged = true;
        return { dir: '/in', dispose: async () => {} };
      },
    });
    assert.deepEqual(
      { identical: r.identical, at: r.mismatchOffset, method: r.method, runs: r.runs },
      { identical: false, at, method: 'seek', runs: 2 },
    );
    const cut = 60 * GiB + 16 * MiB;
    assert.deepEqual(
      compares.map((a) => a.slice(3)),
      [
        [sideOpts(sides.source, { offset: 0, size: cut }), sideOpts(sides.output, { offset: 0, size: cut })],
        [sideOpts(sides.source, { offset: cut }), sideOpts(sides.output, { offset: cut })],
      ],
    );
    assert.equal(staged, false);
  });
});

describe('splitByReads: a plain compare split where both sides read about the same', { timeout: 5_000 }, () => {
  test('a raw source (all data) against a qcow2 whose second half is a hole: the cut at 3/8, not at half (a small minimum per window)', () => {
    const w = splitByReads(
      [[0, GiB, true]],
      [
        [0, GiB / 2, true],
        [GiB / 2, GiB / 2, false],
      ],
      GiB,
      2,
    );
    assert.deepEqual(
      w.map((x) => [x.start, x.size, x.last, x.data]),
      [
        [0, 384 * MiB, false, 768 * MiB],
        [384 * MiB, 640 * MiB, true, 768 * MiB],
      ],
    );
  });

  test('little to read (a sparse 20 GiB disk with 16 MiB of data): one window', () => {
    const src: Array<[number, number, boolean]> = [
      [0, 8 * MiB, true],
      [8 * MiB, 20 * GiB - 8 * MiB, false],
    ];
    assert.equal(splitByReads(src, src, 20 * GiB, 2).length, 1);
  });
});

describe('compareImages: a plain compare of two hole-recording formats, two runs at once', { timeout: 5_000 }, () => {
  const qcow = { source: { path: '/in/s.raw', format: 'raw' }, output: { path: '/in/o.qcow2', format: 'qcow2' } };
  const maps: Record<string, string> = {
    raw: JSON.stringify([{ start: 0, length: GiB, depth: 0, present: true, zero: false, data: true, offset: 0 }]),
    qcow2: JSON.stringify([
      { start: 0, length: GiB / 2, depth: 0, present: true, zero: false, data: true, offset: 327680 },
      { start: GiB / 2, length: GiB / 2, depth: 0, present: false, zero: true, data: false },
    ]),
  };
  function fake(diffAt?: number, refuse = false) {
    const compares: string[][] = [];
    const window = fakeRun(diffAt, refuse).run;
    const run: QemuRun = async (args, o) => {
      if (args[0] === 'map') return result(0, maps[/driver=(\w+)/.exec(args[3]!)![1]!]!);
      compares.push(args);
      return window(args, o);
    };
    return { run, compares };
  }

  test('both sides as raw windows (the last open-ended) of their formats; a mismatch in the second at its guest offset', async () => {
    const at = 700 * MiB + 512;
    const { run, compares } = fake(at);
    const r = await compareImages(run, { ...qcow, parallel: 2 });
    assert.deepEqual(
      { identical: r.identical, at: r.mismatchOffset, method: r.method, runs: r.runs },
      { identical: false, at, method: 'full', runs: 2 },
    );
    assert.deepEqual(
      compares.map((a) => a.slice(3)),
      [
        [sideOpts(qcow.source, { offset: 0, size: 384 * MiB }), sideOpts(qcow.output, { offset: 0, size: 384 * MiB })],
        [sideOpts(qcow.source, { offset: 384 * MiB }), sideOpts(qcow.output, { offset: 384 * MiB })],
      ],
    );
  });

  test('one run asked for, or a window qemu refuses: one compare of the whole images', async () => {
    const one = fake();
    assert.equal((await compareImages(one.run, qcow)).runs, 1);
    assert.deepEqual(
      one.compares.map((a) => a.slice(3)),
      [[sideOpts(qcow.source), sideOpts(qcow.output)]],
    );
    const refused = fake(undefined, true);
    const r = await compareImages(refused.run, { ...qcow, parallel: 2 });
    assert.deepEqual({ identical: r.identical, runs: r.runs, method: r.method }, { identical: true, runs: 1, method: 'full' });
    assert.deepEqual(refused.compares.at(-1)!.slice(3), [sideOpts(qcow.source), sideOpts(qcow.output)]);
  });
});

describe('compareImages: an output whose format records its holes', { timeout: 5_000 }, () => {
  const vhdx = { source: { path: '/in/s.qcow2', format: 'qcow2' }, output: { path: '/in/o.vhdx', format: 'vhdx' } };
  const calls: string[][] = [];
  const run: QemuRun = async (args) => {
    calls.push(args);
    return args[0] === 'map' ? result(0, '[]') : result(0, 'Images are identical.\n');
  };
  test('little written: one plain compare, no map first', async () => {
    calls.length = 0;
    const written = { size: 20 * GiB, ranges: [[0, 12 * MiB]] as Array<[number, number]> };
    const r = await compareImages(run, { ...vhdx, outputExtents: written, outputRecordsHoles: true, parallel: 2 });
    assert.deepEqual({ identical: r.identical, method: r.method, runs: r.runs }, { identical: true, method: 'full', runs: 1 });
    assert.deepEqual(
      calls.map((a) => a[0]),
      ['compare'],
    );
  });
  test('not known to record holes, or enough written to split: the map decides as before', async () => {
    calls.length = 0;
    const written = { size: 20 * GiB, ranges: [[0, 12 * MiB]] as Array<[number, number]> };
    await compareImages(run, { ...vhdx, outputExtents: written, parallel: 2 });
    const big = { size: 20 * GiB, ranges: [[0, 256 * MiB]] as Array<[number, number]> };
    await compareImages(run, { ...vhdx, outputExtents: big, outputRecordsHoles: true, parallel: 2 });
    assert.deepEqual(
      calls.map((a) => a[0]),
      ['map', 'compare', 'map', 'compare'],
    );
  });
});
