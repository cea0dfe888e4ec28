// The verification that shows qemu a raw output's holes (workers/qemu-img/compare-vmdk.ts) with
// the real wasm engine: data spread over many runs is compared in ONE compare run, and it stays
// honest — one byte changed inside a run of data, or data in the source where the output has a
// hole, fails with the offset. Native qemu-img opens the same descriptor and agrees.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { compareOnHost, runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';
import { holeExtents, holeImage } from '../../workers/qemu-img/compare-vmdk.ts';
import type { FileExtents } from '../../workers/qemu-img/extents.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

const MiB = 1024 * 1024;
const SIZE = 512 * MiB;
/** 24 runs of 256 KiB spread evenly (each more than WINDOW_GAP from the next): 24 windows before. */
const RUNS = Array.from({ length: 24 }, (_, i) => i * 21 * MiB + 4096 * i);
let dir: string;
let vhd: string;
let out: string;
let written: FileExtents;

/** Writes one byte; returns the byte that was there. */
function poke(path: string, at: number, byte: number): number {
  const fd = openSync(path, 'r+');
  const old = Buffer.alloc(1);
  readSync(fd, old, 0, 1, at);
  writeSync(fd, Buffer.from([byte]), 0, 1, at);
  closeSync(fd);
  return old[0]!;
}

/** A dynamic VHD (made natively) of a sparse raw with `runBytes` of random data at each of `runs`,
 *  and its wasm conversion to raw with the extents the runner recorded writing. */
async function vhdAndRawOutput(name: string, size: number, runs: number[], runBytes: number) {
  const raw = join(dir, `${name}.raw`);
  const fd = openSync(raw, 'w');
  ftruncateSync(fd, size);
  for (const at of runs) writeSync(fd, randomFillSync(Buffer.alloc(runBytes)), 0, runBytes, at);
  closeSync(fd);
  const vhd = join(dir, `${name}.vhd`);
  execFileSync(NATIVE_QEMU_IMG, ['convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=dynamic', raw, vhd]);
  rmSync(raw);
  const out = join(dir, `${name}-out.raw`);
  const c = await runQemuImg(['convert', '-f', 'vpc', '-O', 'raw', vhd, out]);
  assert.equal(c.exitCode, 0, c.stderr);
  return { vhd, out, written: c.written![out]! };
}

/** The holes descriptor of `file` with data at `ranges`, written beside it, and how native `qemu-img map` reads it. */
function nativeMapOfHoles(file: string, size: number, ranges: Array<[number, number]>, prefix: string) {
  const img = holeImage(
    file,
    size,
    ranges.map(([s, e]) => [s, s, e - s]),
    prefix,
  );
  if ('unusable' in img) throw new Error(img.unusable);
  for (const f of img.files) writeFileSync(join(dir, f.name), f.data);
  const map = JSON.parse(
    execFileSync(NATIVE_QEMU_IMG, ['map', '--output=json', '-f', 'vmdk', join(dir, img.descriptor)], { encoding: 'utf8' }),
  ) as Array<{ start: number; length: number; data: boolean }>;
  return { map, descriptor: join(dir, img.descriptor) };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ii-verify-holes-'));
  ({ vhd, out, written } = await vhdAndRawOutput('src', SIZE, RUNS, 256 * 1024));
});
after(async () => {
  await shutdownQemuImg();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The extents as of the file's current mtime: a change after the conversion goes unnoticed by them
// (what an unnoticed corruption would look like); compare must still see it.
const verify = () =>
  compareOnHost({
    source: { path: vhd, format: 'vpc' },
    output: { path: out, format: 'raw' },
    outputExtents: { ...written, mtimeMs: statSync(out).mtimeMs },
    outputHolesSeen: false,
  });

describe('verification through the holes descriptor (real wasm)', { timeout: 120_000 }, () => {
  test('data in 24 separate runs: one compare run, identical, and only the data read', async () => {
    const r = await verify();
    assert.deepEqual({ identical: r.identical, method: r.method, runs: r.runs }, { identical: true, method: 'holes', runs: 1 });
    assert.ok(r.bytesRead < 64 * MiB, `read ${r.bytesRead} bytes of a ${SIZE}-byte disk holding 6 MiB`);
  });

  test('one byte changed inside a spread run of the output: a mismatch at its offset', async () => {
    const at = RUNS[17]! + 100_000;
    const old = poke(out, at, 0);
    poke(out, at, old ^ 0xff);
    try {
      const r = await verify();
      assert.equal(r.identical, false);
      assert.equal(r.method, 'holes');
      // qemu-img compare names the sector holding the first difference (native does the same).
      const sector = Math.floor(at / 512) * 512;
      assert.equal(r.mismatchOffset, sector);
      assert.equal(r.message, `Content mismatch at offset ${sector}.`);
      const n = spawnSync(NATIVE_QEMU_IMG, ['compare', '-f', 'vpc', '-F', 'raw', vhd, out], { encoding: 'utf8' });
      assert.equal(n.stdout.trim(), `Content mismatch at offset ${sector}!`);
    } finally {
      poke(out, at, old);
    }
  });

  test('the output claims a hole where the source has data: a mismatch, never identical', async () => {
    // Extents that leave out the last run: the output then shows zeros there, the source data.
    const fresh = join(dir, 'out2.raw');
    const c = await runQemuImg(['convert', '-f', 'vpc', '-O', 'raw', vhd, fresh]);
    assert.equal(c.exitCode, 0, c.stderr);
    const x = c.written![fresh]!;
    const last = RUNS.at(-1)!;
    const lying = { ...x, ranges: x.ranges.filter(([s]) => s < last) };
    const r = await compareOnHost({
      source: { path: vhd, format: 'vpc' },
      output: { path: fresh, format: 'raw' },
      outputExtents: lying,
      outputHolesSeen: false,
    });
    assert.equal(r.identical, false);
    assert.ok(r.mismatchOffset! >= last && r.mismatchOffset! < last + 256 * 1024, `mismatch at ${r.mismatchOffset}`);
  });

  test('holes of odd sizes (1 and 3 sectors, 1 GiB + 5, 2 GiB + 2): the data after each is still read', async () => {
    // Each hole is whole grains of its own size (compare-vmdk.ts): were one smaller than its grain,
    // block status would run past its end over the next FLAT extent and skip that data unread.
    const pieces: Array<[number, number]> = [];
    let at = 0;
    // 2 GiB + 2 sectors: one extent of 3 grains of 1398102 sectors (not a power of two).
    assert.deepEqual(holeExtents(4194306), [[4194306, 1398102]]);
    for (const hole of [512, 3 * 512, 1024 * MiB + 5 * 512, 2048 * MiB + 2 * 512, 7 * 512]) {
      pieces.push([at, at + 4096]);
      at += 4096 + hole;
    }
    pieces.push([at, at + 4096]);
    const size = at + 4096 + 512 * 9;
    const srcRaw = join(dir, 'odd-src.raw');
    const dst = join(dir, 'odd-out.raw');
    for (const path of [srcRaw, dst]) {
      const fd = openSync(path, 'w');
      ftruncateSync(fd, size);
      for (const [s, e] of pieces) writeSync(fd, Buffer.alloc(e - s, 0x5a), 0, e - s, s);
      closeSync(fd);
    }
    // A source that records its holes (natively, from the sparse raw), so only data is read.
    const src = join(dir, 'odd-src.qcow2');
    execFileSync(NATIVE_QEMU_IMG, ['convert', '-f', 'raw', '-O', 'qcow2', srcRaw, src]);
    rmSync(srcRaw);
    const { map } = nativeMapOfHoles(dst, size, pieces, 'odd-');
    assert.deepEqual(
      map.filter((e) => e.data).map((e) => [e.start, e.start + e.length]),
      pieces,
    );
    const verifyOdd = () =>
      compareOnHost({
        source: { path: src, format: 'qcow2' },
        output: { path: dst, format: 'raw' },
        outputExtents: { size, mtimeMs: statSync(dst).mtimeMs, ranges: pieces },
        outputHolesSeen: false,
      });
    const same = await verifyOdd();
    assert.deepEqual({ identical: same.identical, method: same.method }, { identical: true, method: 'holes' });
    assert.ok(same.bytesRead <= 2 * 6 * 4096 + MiB, `read ${same.bytesRead} bytes`);
    // A changed byte in the data right after each of the small holes and after the 1 GiB one.
    for (const i of [1, 2, 3, 4]) {
      const poked = pieces[i]![0] + 700;
      poke(dst, poked, 0x00);
      const r = await verifyOdd();
      poke(dst, poked, 0x5a);
      assert.equal(r.identical, false, `a change after hole ${i} went unseen`);
      assert.equal(r.mismatchOffset, poked - (poked % 512));
    }
  });

  test('native qemu-img reads the same descriptor as the same disk', () => {
    const { map, descriptor } = nativeMapOfHoles(out, written.size, written.ranges, 'n-');
    const data = map.filter((e) => e.data).map((e) => [e.start, e.start + e.length]);
    assert.deepEqual(data, written.ranges);
    const r = spawnSync(NATIVE_QEMU_IMG, ['compare', '-f', 'raw', '-F', 'vmdk', out, descriptor], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

// In Node a raw output's holes are answered by SEEK_DATA (method 'seek': plain compares); the page
// shows them through the descriptor ('holes'). Both split the same way; both must find the same.
for (const method of ['seek', 'holes'] as const)
  describe(`two runs at once over halves of the disk, ${method} (real wasm)`, { timeout: 120_000 }, () => {
    // 12 runs of 4 MiB over 1 GiB: 48 MiB of data, enough for compareOnHost to split (compare-split.ts).
    const BIG_RUNS = Array.from({ length: 12 }, (_, i) => i * 85 * MiB + 4096 * i);
    let big: string;
    let bigOut: string;
    let bigWritten: FileExtents;
    before(async () => {
      ({ vhd: big, out: bigOut, written: bigWritten } = await vhdAndRawOutput('big', 1024 * MiB, BIG_RUNS, 4 * MiB));
    });
    const verifyBig = () =>
      compareOnHost({
        source: { path: big, format: 'vpc' },
        output: { path: bigOut, format: 'raw' },
        outputExtents: { ...bigWritten, mtimeMs: statSync(bigOut).mtimeMs },
        outputHolesSeen: method === 'seek',
      });

    test('identical in two runs, reading only the data', async () => {
      const r = await verifyBig();
      assert.deepEqual({ identical: r.identical, method: r.method, runs: r.runs }, { identical: true, method, runs: 2 });
      // The source's 2 MiB VHD blocks under the data (72 MiB) and the output's data (48 MiB), of a
      // 1 GiB disk; with SEEK_DATA the output is read wherever the source has a block (72 MiB).
      assert.ok(r.bytesRead <= (method === 'holes' ? 120 : 144) * MiB, `read ${r.bytesRead} bytes`);
    });

    test('a byte changed in the second half, then one in the first too: each found at its sector', async () => {
      const late = BIG_RUNS[10]! + 3 * MiB + 777;
      const early = BIG_RUNS[1]! + 12345;
      const oldLate = poke(bigOut, late, 0);
      poke(bigOut, late, oldLate ^ 0x01);
      try {
        const r = await verifyBig();
        assert.deepEqual(
          { identical: r.identical, at: r.mismatchOffset, runs: r.runs },
          { identical: false, at: late - (late % 512), runs: 2 },
        );
        const oldEarly = poke(bigOut, early, 0);
        poke(bigOut, early, oldEarly ^ 0x80);
        try {
          const both = await verifyBig();
          assert.deepEqual({ identical: both.identical, at: both.mismatchOffset }, { identical: false, at: early - (early % 512) });
        } finally {
          poke(bigOut, early, oldEarly);
        }
      } finally {
        poke(bigOut, late, oldLate);
      }
      const n = spawnSync(NATIVE_QEMU_IMG, ['compare', '-f', 'vpc', '-F', 'raw', big, bigOut], { encoding: 'utf8' });
      assert.equal(n.status, 0, 'restored: native says identical');
    });

    test('extents that leave out the last run (in the second half): its source data is still read', async () => {
      const last = BIG_RUNS.at(-1)!;
      const ranges = bigWritten.ranges.filter(([s]) => s < last);
      // As of the file's mtime at each check (a poke changes it: stale extents would not be used).
      const check = () =>
        compareOnHost({
          source: { path: big, format: 'vpc' },
          output: { path: bigOut, format: 'raw' },
          outputExtents: { ...bigWritten, mtimeMs: statSync(bigOut).mtimeMs, ranges },
          outputHolesSeen: method === 'seek',
        });
      const r = await check();
      assert.equal(r.runs, 2);
      // Both methods show zeros there (the descriptor's empty extent; SEEK_HOLE, whose zeros
      // qemu-0008-compare-known-zeros does not read again): the source's data differs.
      assert.equal(r.identical, false);
      assert.ok(r.mismatchOffset! >= last && r.mismatchOffset! < last + 4 * MiB, `mismatch at ${r.mismatchOffset}`);
    });
  });
