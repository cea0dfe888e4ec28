// The verification's logic without qemu-img: extent maps, SEEK_DATA/SEEK_HOLE answers, and which
// ranges compare.ts hands to `qemu-img compare` (a fake run answers map and compare). The real
// thing runs in test/parity/convert-cli.test.ts against native qemu-img.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExtentMap, ExtentRegistry } from '../../workers/qemu-img/extents.ts';
import { installSeekDataHole, seekDataHole } from '../../workers/qemu-img/seek.ts';
import { compareImages, WINDOW_GAP } from '../../workers/qemu-img/compare.ts';
import { sideOpts, type QemuRun } from '../../workers/qemu-img/compare-request.ts';
import { emptySparseExtent, holeExtents, holeImage, holeImageOpts } from '../../workers/qemu-img/compare-vmdk.ts';
import type { EmscriptenFS, FSStream } from '../../workers/qemu-img/emscripten.ts';
import type { RunResult } from '../../workers/qemu-img/types.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

class ErrnoError extends Error {
  constructor(public errno: number) {
    super(`errno ${errno}`);
  }
}
const fakeFS = { ErrnoError, isFile: (m: number) => (m & 0o170000) === 0o100000 } as unknown as EmscriptenFS;

describe('ExtentMap', { timeout: 5_000 }, () => {
  test('writes widen to 4 KiB blocks and merge in any order', () => {
    const m = new ExtentMap();
    m.add(10, 100);
    m.add(8192, 4096);
    m.add(4096, 1);
    assert.deepEqual(m.ranges, [[0, 12288]]);
    m.add(1 * MiB, 10);
    m.add(64 * KiB, 4096);
    assert.deepEqual(m.ranges, [
      [0, 12288],
      [64 * KiB, 68 * KiB],
      [MiB, MiB + 4096],
    ]);
    m.add(0, 2 * MiB);
    assert.deepEqual(m.ranges, [[0, 2 * MiB]]);
  });

  test('SEEK_DATA / SEEK_HOLE answers, truncation', () => {
    const m = new ExtentMap([
      [4096, 8192],
      [MiB, 2 * MiB],
    ]);
    const size = 3 * MiB;
    assert.equal(m.nextData(0, size), 4096);
    assert.equal(m.nextData(5000, size), 5000);
    assert.equal(m.nextData(8192, size), MiB);
    assert.equal(m.nextData(2 * MiB, size), undefined);
    assert.equal(m.nextHole(0, size), 0);
    assert.equal(m.nextHole(4096, size), 8192);
    assert.equal(m.nextHole(MiB + 1, size), 2 * MiB);
    m.truncate(MiB + 100);
    assert.deepEqual(m.ranges, [
      [4096, 8192],
      [MiB, MiB + 4096],
    ]);
    assert.equal(m.dataBytes(MiB + 100), 4096 + 100);
  });

  test('a registry trusts handed-in maps only while the file is unchanged', () => {
    const r = new ExtentRegistry(
      { '/a': { size: 10, mtimeMs: 1, ranges: [[0, 4096]] }, '/b': { size: 10, mtimeMs: 1, ranges: [] } },
      (k) => k === '/a',
    );
    assert.deepEqual(r.get('/a')?.ranges, [[0, 4096]]);
    assert.equal(r.get('/b'), undefined);
    r.startEmpty('/c');
    r.get('/c')!.add(0, 1);
    assert.deepEqual(
      r.export((k) => (k === '/c' ? { size: 1, mtimeMs: 5 } : undefined)),
      { '/c': { size: 1, mtimeMs: 5, ranges: [[0, 4096]] } },
    );
  });
});

describe('SEEK_DATA / SEEK_HOLE', { timeout: 5_000 }, () => {
  test('without a map the whole file is data; past the end is ENXIO', () => {
    assert.equal(seekDataHole(fakeFS, 10, 3, 100), 10);
    assert.equal(seekDataHole(fakeFS, 10, 4, 100), 100);
    assert.throws(
      () => seekDataHole(fakeFS, 100, 3, 100),
      (e: ErrnoError) => e.errno === 60,
    );
    assert.equal(seekDataHole(fakeFS, 10, 0, 100), undefined);
  });

  test('installed on FS.llseek: whence 3/4 answered from the map, others passed on', () => {
    const calls: number[] = [];
    const fs = { ...fakeFS, llseek: (_s: FSStream, o: number, w: number) => (calls.push(w), o) } as unknown as EmscriptenFS & {
      llseek(s: FSStream, o: number, w: number): number;
    };
    const map = new ExtentMap([[MiB, 2 * MiB]]);
    installSeekDataHole(fs, { extentsOf: () => map, sizeOf: () => 4 * MiB });
    const stream = { node: { mode: 0o100644 }, position: 0 } as unknown as FSStream;
    assert.equal(fs.llseek(stream, 0, 3), MiB);
    assert.equal(stream.position, MiB);
    assert.equal(fs.llseek(stream, MiB, 4), 2 * MiB);
    assert.throws(
      () => fs.llseek(stream, 2 * MiB, 3),
      (e: ErrnoError) => e.errno === 60,
      'only holes follow: ENXIO',
    );
    assert.equal(fs.llseek(stream, 7, 0), 7);
    assert.deepEqual(calls, [0]);
    const dir = { node: { mode: 0o040755 }, position: 0 } as unknown as FSStream;
    assert.throws(
      () => fs.llseek(dir, 0, 3),
      (e: ErrnoError) => e.errno === 28,
    );
  });
});

function result(exitCode: number, stdout = ''): RunResult {
  return { exitCode, stdout, stderr: '', durationMs: 1, io: { bytesRead: 0 } as RunResult['io'] };
}

/** A fake qemu-img: map answers per file, compare finds a difference at `diffAt` (guest offset). */
function fakeRun(maps: Record<string, object[]>, diffAt?: number): { run: QemuRun; compares: string[][] } {
  const compares: string[][] = [];
  const run: QemuRun = async (args) => {
    if (args[0] === 'map') return result(0, JSON.stringify(maps[/filename=([^,]+)/.exec(args[3]!)![1]!]));
    compares.push(args);
    const m = /offset=(\d+),size=(\d+)/.exec(args[3]!);
    const [off, size] = m ? [Number(m[1]), Number(m[2])] : [0, Infinity];
    if (diffAt !== undefined && diffAt >= off && diffAt < off + size) return result(1, `Content mismatch at offset ${diffAt - off}!\n`);
    return result(0, 'Images are identical.\n');
  };
  return { run, compares };
}

const SIZE = 100 * GiB;
const sparseSource = [
  { start: 0, length: 2 * MiB, zero: false, data: true, offset: 512 },
  { start: 2 * MiB, length: 50 * GiB - 2 * MiB, zero: true, data: false },
  { start: 50 * GiB, length: 2 * MiB, zero: false, data: true, offset: 4 * MiB },
  { start: 50 * GiB + 2 * MiB, length: SIZE - 50 * GiB - 2 * MiB, zero: true, data: false },
];
const rawOutput = [{ start: 0, length: SIZE, zero: false, data: true, offset: 0 }];
const written = {
  size: SIZE,
  ranges: [
    [0, MiB],
    [50 * GiB, 50 * GiB + 2 * MiB],
  ] as Array<[number, number]>,
};
const sides = { source: { path: '/s.vhd', format: 'vpc' }, output: { path: '/o.raw', format: 'raw' } };

describe('compareImages', { timeout: 5_000 }, () => {
  test('a raw output with known extents: only the data ranges are compared, one window each', async () => {
    const { run, compares } = fakeRun({ '/s.vhd': sparseSource, '/o.raw': rawOutput });
    const r = await compareImages(run, { ...sides, outputExtents: written });
    assert.deepEqual({ identical: r.identical, method: r.method, runs: r.runs }, { identical: true, method: 'ranges', runs: 2 });
    assert.deepEqual(
      compares.map((a) => /offset=(\d+),size=(\d+)/.exec(a[3]!)!.slice(1).map(Number)),
      [
        [0, 2 * MiB],
        [50 * GiB, 2 * MiB],
      ],
    );
    assert.equal(compares[0]![3], sideOpts(sides.source, { offset: 0, size: 2 * MiB }));
  });

  test('a difference names the guest offset, not the window offset', async () => {
    const { run } = fakeRun({ '/s.vhd': sparseSource, '/o.raw': rawOutput }, 50 * GiB + 4096);
    const r = await compareImages(run, { ...sides, outputExtents: written, parallel: 2 });
    assert.deepEqual({ identical: r.identical, at: r.mismatchOffset }, { identical: false, at: 50 * GiB + 4096 });
    assert.equal(r.message, `Content mismatch at offset ${50 * GiB + 4096}.`);
  });

  test('ranges closer than WINDOW_GAP share a window', async () => {
    const near = [
      { start: 0, length: MiB, zero: false, data: true, offset: 0 },
      { start: MiB, length: WINDOW_GAP / 2, zero: true, data: false },
      { start: MiB + WINDOW_GAP / 2, length: MiB, zero: false, data: true, offset: 0 },
      { start: 2 * MiB + WINDOW_GAP / 2, length: SIZE - 2 * MiB - WINDOW_GAP / 2, zero: true, data: false },
    ];
    const { run, compares } = fakeRun({ '/s.vhd': near, '/o.raw': rawOutput });
    const r = await compareImages(run, { ...sides, outputExtents: { size: SIZE, ranges: [[0, MiB]] } });
    assert.equal(r.runs, 1);
    assert.match(compares[0]![3]!, new RegExp(`offset=0,size=${2 * MiB + WINDOW_GAP / 2},`));
  });

  test('without extents (or when the output records its holes) one plain compare of the whole images', async () => {
    const { run, compares } = fakeRun({ '/s.vhd': sparseSource, '/o.raw': rawOutput });
    const r = await compareImages(run, sides);
    assert.deepEqual({ method: r.method, runs: r.runs, identical: r.identical }, { method: 'full', runs: 1, identical: true });
    assert.deepEqual(compares[0], ['compare', '-p', '--image-opts', sideOpts(sides.source), sideOpts(sides.output)]);
  });

  test('a failing map or compare is an error, never a verdict', async () => {
    const failing: QemuRun = async () => ({ ...result(1), stderr: 'qemu-img: Could not open x' });
    await assert.rejects(compareImages(failing, sides), /qemu-img map of \/o\.raw failed: qemu-img: Could not open x/);
  });

  test('--image-opts: escaped commas survive, block devices use host_device, archive members nest', () => {
    assert.equal(sideOpts({ path: '/a,b.raw', format: 'raw' }), 'driver=raw,file.driver=file,file.filename=/a,,b.raw');
    assert.equal(
      sideOpts({ path: '/dev/loop3', format: 'qcow2', protocol: 'host_device' }),
      'driver=qcow2,file.driver=host_device,file.filename=/dev/loop3',
    );
    assert.equal(
      sideOpts(
        { path: 'x.ova', format: 'vmdk', fileOpts: 'driver=raw,offset=512,size=1024,file.driver=file,file.filename=/x,,y.ova' },
        { offset: 0, size: 10 },
      ),
      'driver=raw,offset=0,size=10,file.driver=vmdk,file.file.driver=raw,file.file.offset=512,file.file.size=1024,file.file.file.driver=file,file.file.file.filename=/x,,y.ova',
    );
  });
});

describe('the holes descriptor', { timeout: 5_000 }, () => {
  test('FLAT extents over the written pieces, at most two empty sparse extents per hole, each whole grains', () => {
    const GiB = 1024 * MiB;
    const size = 5 * GiB + 64 * MiB;
    const img = holeImage(
      '/out/o.raw',
      size,
      [
        [MiB, MiB, 4096],
        [MiB + 4096, MiB + 4096, 4096],
        [40 * MiB, 40 * MiB, MiB],
        [3 * GiB + 41 * MiB + 512, 7 * MiB, 512],
      ],
      'x-',
    );
    if ('unusable' in img) throw new Error(img.unusable);
    const text = new TextDecoder().decode(img.files.find((f) => f.name === img.descriptor)!.data);
    const lines = text.split('\n').filter((l) => l.startsWith('RW '));
    // Adjacent pieces merge; a hole up to 1 GiB is one extent of one grain; a longer one is one
    // extent of equal grains when a few divide it (4241406 sectors: 3 of 1413802), else whole 1 GiB
    // grains and one grain for the rest (3 GiB + 1 sector: 6291457 has no divisor in reach).
    assert.deepEqual(lines, [
      'RW 2048 SPARSE "x-hole-2048.vmdk"',
      'RW 16 FLAT "/out/o.raw" 2048',
      'RW 79856 SPARSE "x-hole-79856.vmdk"',
      'RW 2048 FLAT "/out/o.raw" 81920',
      'RW 6291456 SPARSE "x-hole-6291456.vmdk"',
      'RW 1 SPARSE "x-hole-1.vmdk"',
      'RW 1 FLAT "/out/o.raw" 14336',
      'RW 4241406 SPARSE "x-hole-4241406.vmdk"',
    ]);
    assert.equal(img.extents, lines.length);
    const sectors = lines.reduce((n, l) => n + Number(l.split(' ')[1]), 0);
    assert.equal(sectors * 512, size);
    assert.match(text, /createType="monolithicFlat"/);
    // A comment between the blank line and the first extent (see holeImage).
    assert.match(text, /\n\n# Extent description\nRW /);
    assert.deepEqual(img.files.map((f) => f.name).sort(), [
      'x-hole-1.vmdk',
      'x-hole-2048.vmdk',
      'x-hole-4241406.vmdk',
      'x-hole-6291456.vmdk',
      'x-hole-79856.vmdk',
      'x-holes.vmdk',
    ]);
    // Each empty extent: "KDMV", capacity = its sectors, whole grains of at most 1 GiB.
    for (const [name, capacity, grain] of [
      ['x-hole-2048.vmdk', 2048n, 2048n],
      ['x-hole-1.vmdk', 1n, 1n],
      ['x-hole-4241406.vmdk', 4241406n, 1413802n],
      ['x-hole-6291456.vmdk', 6291456n, 2097152n],
    ] as const) {
      const hole: Uint8Array = img.files.find((f) => f.name === name)!.data;
      const v = new DataView(hole.buffer, hole.byteOffset);
      assert.equal(new TextDecoder().decode(hole.subarray(0, 4)), 'KDMV');
      assert.deepEqual([v.getBigUint64(12, true), v.getBigUint64(20, true)], [capacity, grain], name);
    }
    assert.equal(emptySparseExtent(2 ** 30, 2 ** 21).length, 1024, 'a 512 GiB hole: header and a one-entry grain directory');
    assert.deepEqual(holeExtents(2 ** 21), [[2 ** 21, 2 ** 21]]);
    assert.deepEqual(holeExtents(0), [], 'data right after data: no hole');
    assert.deepEqual(holeExtents(2 ** 21 + 2), [[2 ** 21 + 2, 2 ** 20 + 1]]);
    // A prime count of sectors over 1 GiB: no grain count divides it.
    assert.deepEqual(holeExtents(2097169), [
      [2 ** 21, 2 ** 21],
      [17, 17],
    ]);
    assert.equal(
      holeImageOpts('/t/a,b/h.vmdk', { extents: 2 }),
      'driver=vmdk,file.driver=file,file.filename=/t/a,,b/h.vmdk,extents.0.driver=file,extents.1.driver=file',
    );
  });

  test('refused (so the window compare runs) when qemu could not read it as meant', () => {
    assert.match((holeImage('/o"x.raw', MiB, [], 'p') as { unusable: string }).unusable, /cannot be named/);
    assert.match((holeImage('/o.raw', MiB + 1, [], 'p') as { unusable: string }).unusable, /whole number of sectors/);
    assert.match((holeImage('/o.raw', MiB, [[100, 100, 512]], 'p') as { unusable: string }).unusable, /sector-aligned/);
    assert.match((holeImage('/o.raw', MiB, [[0, 0, 2 * MiB]], 'p') as { unusable: string }).unusable, /past the end/);
  });

  test('with a stage: one compare of the whole source against the descriptor', async () => {
    const { run, compares } = fakeRun({ '/s.vhd': sparseSource, '/o.raw': rawOutput });
    const staged: string[] = [];
    let disposed = false;
    const r = await compareImages(run, {
      ...sides,
      outputExtents: written,
      stage: async (files) => {
        staged.push(...files.map((f) => f.name));
        return { dir: '/in', dispose: async () => void (disposed = true) };
      },
    });
    assert.deepEqual({ identical: r.identical, method: r.method, runs: r.runs }, { identical: true, method: 'holes', runs: 1 });
    assert.deepEqual(compares, [
      [
        'compare',
        '-p',
        '--image-opts',
        sideOpts(sides.source),
        `driver=vmdk,file.driver=file,file.filename=/in/ii-verify-holes.vmdk${Array.from({ length: 4 }, (_, i) => `,extents.${i}.driver=file`).join('')}`,
      ],
    ]);
    assert.ok(staged.includes('ii-verify-holes.vmdk'));
    assert.ok(disposed, 'the staged files are removed after the compare');
  });
});
