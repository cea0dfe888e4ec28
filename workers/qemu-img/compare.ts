// Verification of a conversion: `qemu-img compare` of source and output, made cheap on sparse
// outputs. Shared by the CLI (Node runner) and the page's conversion worker: it only needs a way to
// run one qemu-img command.
//
// Why not one plain `compare`: neither Blobs nor OPFS (nor a wasm without SEEK_DATA) can tell qemu
// where a raw (or fixed VHD/VHDX, static VDI) output's holes are, so compare reads every zero of
// it — 174 s for a 127 GiB raw output that converted in seconds. What the conversion wrote into
// the output (extents.ts) is all it can hold besides zeros, so:
//   - A raw output with known extents, when the caller can place a few small files where qemu-img
//     sees them (`stage`): ONE `compare` of the whole source against the output opened through a
//     VMDK descriptor that shows its holes (compare-vmdk.ts); no `map` run at all.
//   - Otherwise the output's `map` first: when its format records its holes (qcow2, sparse VMDK,
//     dynamic VHD/VHDX/VDI) narrowing gains nothing and one plain `compare` is the whole job.
//   - Else (fixed formats) the output's map narrowed to the written ranges gives the descriptor's
//     data pieces at their file offsets: again one compare through the descriptor.
//   - Without a stage, or where no descriptor can be written: the source's map too, and one
//     `compare` per window of data (ranges closer than WINDOW_GAP merged: another run costs more
//     than reading that many zeros), or one plain compare when the windows would cover most of
//     the disk.
import type { FileExtents } from './extents.ts';
import { holeImage, holeImageOpts, type DataPiece, type HoleImage } from './compare-vmdk.ts';
import { firstMismatch, splitByReads, splitWindows, windowProgress, type CompareWindow, type MapPiece } from './compare-split.ts';
import { covered, dataOf, merge, sizeOf, writtenDataOf, type MapEntry, type Range } from './compare-ranges.ts';
import {
  CompareError,
  isPlainFile,
  sideOpts,
  type CompareOutcome,
  type CompareRequest,
  type CompareSide,
  type QemuRun,
} from './compare-request.ts';

/** Data closer than this is compared in one window: a run costs ~50 ms (a fresh instance), the
 *  wasm reads zeros at ~0.3 GB/s (measured in Node: an 8 GiB plain compare took 29 s). */
export const WINDOW_GAP = 16 * 1024 * 1024;
/** A plain compare is split only with this much to read per window: the split costs the source's
 *  map and a second fresh instance (Node: 0.44 s in one run, 0.29-0.36 s in two, for a half-zero
 *  1 GiB raw against its qcow2). */
const PLAIN_SPLIT_MIN = 128 * 1024 * 1024;
/** Windows covering more than this share of the disk: one plain compare instead. */
const FULL_SHARE = 0.5;

async function mapOf(run: QemuRun, side: CompareSide): Promise<MapEntry[]> {
  const r = await run(['map', '--output=json', '--image-opts', sideOpts(side)], {});
  if (r.exitCode !== 0) throw new CompareError(`qemu-img map of ${side.path} failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as MapEntry[];
}

const MISMATCH = /Content mismatch at offset (\d+)!/;

async function compareRun(run: QemuRun, args: string[], base: number, onPercent: (p: number, read: number) => void) {
  const r = await run(args, { onProgress: (p) => onPercent(p.percent ?? 0, p.bytesRead) });
  const m = MISMATCH.exec(r.stdout);
  if (r.exitCode === 1 && m) return { identical: false, mismatchOffset: base + Number(m[1]), read: r.io?.bytesRead ?? 0 };
  if (r.exitCode === 0) return { identical: true, read: r.io?.bytesRead ?? 0 };
  throw new CompareError(`qemu-img compare failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
}

/** The windows' compares at once; undefined when `outputOf` cannot name a window's output. */
async function windowRuns(
  run: QemuRun,
  req: CompareRequest,
  windows: CompareWindow[],
  outputOf: (w: CompareWindow, i: number) => string,
  method: CompareOutcome['method'],
): Promise<CompareOutcome> {
  const one = windows.length === 1;
  const progress = windowProgress(windows, (p) => req.onProgress?.(p));
  // All settled before the caller disposes of staged files: a failed run must not take them away.
  const settled = await Promise.allSettled(
    windows.map((w, i) => {
      // One window: the source whole, as a plain compare names it; else a raw window of it (the
      // last one open-ended, so that compare still sees any size mismatch).
      const source = one ? sideOpts(req.source) : sideOpts(req.source, w.last ? { offset: w.start } : { offset: w.start, size: w.size });
      return compareRun(run, ['compare', '-p', '--image-opts', source, outputOf(w, i)], w.start, (p, read) => progress(i, p, read));
    }),
  );
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const results = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const mismatchOffset = firstMismatch(results);
  const result = outcome(mismatchOffset === undefined ? { identical: true } : { identical: false, mismatchOffset });
  return { ...result, method, bytesRead: results.reduce((t, r) => t + r.read, 0), runs: windows.length };
}

/** Split into `parallel` windows when there is data enough, else one; a window qemu refuses (e.g.
 *  a source smaller than a cut) makes one compare of the whole images decide. */
async function splitOrWhole(
  req: CompareRequest,
  pieces: DataPiece[],
  size: number,
  attempt: (windows: CompareWindow[]) => Promise<CompareOutcome | undefined>,
): Promise<CompareOutcome | undefined> {
  const windows = splitWindows(pieces, size, req.parallel ?? 1);
  if (windows.length > 1) {
    try {
      const split = await attempt(windows);
      if (split) return split;
    } catch (e) {
      if (!(e instanceof CompareError)) throw e;
    }
  }
  return attempt(splitWindows(pieces, size, 1));
}

/** The source against the output seen through its holes descriptor (one per window). Undefined
 *  when the descriptor cannot be written (compare-vmdk.ts says why; the caller then falls back). */
async function viaHoles(run: QemuRun, req: CompareRequest, outSize: number, pieces: DataPiece[]): Promise<CompareOutcome | undefined> {
  if (!req.stage || !isPlainFile(req.output)) return undefined;
  return splitOrWhole(req, pieces, outSize, async (windows) => {
    const one = windows.length === 1;
    const imgs: HoleImage[] = [];
    for (const [i, w] of windows.entries()) {
      const img = holeImage(req.output.path, w.size, w.pieces, one ? 'ii-verify-' : `ii-verify-${i}-`);
      if ('unusable' in img) return undefined;
      imgs.push(img);
    }
    const staged = await req.stage!(imgs.flatMap((img) => img.files));
    try {
      return await windowRuns(run, req, windows, (_, i) => holeImageOpts(`${staged.dir}/${imgs[i]!.descriptor}`, imgs[i]!), 'holes');
    } finally {
      await staged.dispose();
    }
  });
}

/** A raw output whose holes the runner answers (SEEK_DATA from its extents): plain compares, one
 *  per window, with no descriptor to stage or open. */
function viaSeek(run: QemuRun, req: CompareRequest, x: FileExtents): Promise<CompareOutcome | undefined> {
  const pieces = x.ranges.map(([s, e]): DataPiece => [s, s, e - s]);
  return splitOrWhole(req, pieces, x.size, (windows) =>
    windowRuns(
      run,
      req,
      windows,
      (w) =>
        windows.length === 1
          ? sideOpts(req.output)
          : sideOpts(req.output, w.last ? { offset: w.start } : { offset: w.start, size: w.size }),
      'seek',
    ),
  );
}

export async function compareImages(run: QemuRun, req: CompareRequest): Promise<CompareOutcome> {
  // A raw output is its own map: guest offsets are file offsets, its data is what was written.
  // No `map` run is needed, and the source's data is compare's own business (its block status).
  const x = req.outputExtents;
  if (x && req.output.format === 'raw' && req.outputHolesSeen && isPlainFile(req.output)) {
    const done = await viaSeek(run, req, x);
    if (done) return done;
  }
  if (x && req.output.format === 'raw') {
    const done = await viaHoles(
      run,
      req,
      x.size,
      x.ranges.map(([s, e]): DataPiece => [s, s, e - s]),
    );
    if (done) return done;
  }
  const full = async (output: string): Promise<CompareOutcome> => {
    const args = ['compare', '-p', '--image-opts', sideOpts(req.source), output];
    const r = await compareRun(run, args, 0, (p, read) => req.onProgress?.({ percent: p, bytesRead: read }));
    return { ...outcome(r), method: 'full', bytesRead: r.read, runs: 1 };
  };
  // Written bytes bound the output's data: too few to split, and a format that records its holes,
  // leave nothing for a map to decide (a run saved: ~40-80 ms of a fresh instance in the page).
  if (req.outputRecordsHoles && x && ((req.parallel ?? 1) <= 1 || covered(x.ranges) < PLAIN_SPLIT_MIN)) return full(sideOpts(req.output));
  // The output's map first: when its format records its holes (qcow2, sparse VMDK, dynamic
  // VHD/VHDX/VDI) nothing is gained by narrowing: one plain compare is the whole job, split into
  // windows at once when there is enough to read (then the source's map weighs the windows).
  const outMap = await mapOf(run, req.output);
  const outSize = sizeOf(outMap);
  /** The plain compare, split into `parallel` windows at once when there is enough to read: a
   *  window qemu refuses, or sides of different sizes (compare's own business), leave it whole. */
  const whole = async (known?: MapEntry[]): Promise<CompareOutcome> => {
    const n = req.parallel ?? 1;
    if (n > 1 && covered(dataOf(outMap)) >= PLAIN_SPLIT_MIN) {
      const src = known ?? (await mapOf(run, req.source));
      const pieces = (m: MapEntry[]) => m.map((e): MapPiece => [e.start, e.length, e.data && !e.zero]);
      const windows = sizeOf(src) === outSize ? splitByReads(pieces(src), pieces(outMap), outSize, n, PLAIN_SPLIT_MIN) : [];
      const window = (w: CompareWindow) => sideOpts(req.output, w.last ? { offset: w.start } : { offset: w.start, size: w.size });
      if (windows.length > 1) {
        try {
          return await windowRuns(run, req, windows, window, 'full');
        } catch (e) {
          if (!(e instanceof CompareError)) throw e;
        }
      }
    }
    return full(sideOpts(req.output));
  };
  const written = req.outputExtents ? writtenDataOf(outMap, req.outputExtents) : undefined;
  const outData = written ? written.ranges : dataOf(outMap);
  const gained = covered(merge(dataOf(outMap), 0)) - covered(merge(outData, 0));
  if (gained <= 0) return whole();
  const srcMap = await mapOf(run, req.source);
  const srcSize = sizeOf(srcMap);
  const windows = merge([...dataOf(srcMap), ...outData], WINDOW_GAP).map(([s, e]): Range => [s, Math.min(e, srcSize, outSize)]);
  const beyondSource = outData.some(([, e]) => e > srcSize) || outSize < srcSize;
  const total = covered(windows);
  const report = (done: number, read: number) =>
    req.onProgress?.({ percent: total ? Math.min(100, (done / total) * 100) : 100, bytesRead: read });

  if (beyondSource) return full(sideOpts(req.output));
  if (written?.pieces) {
    const done = await viaHoles(run, req, outSize, written.pieces);
    if (done) return done;
  }
  if (total > FULL_SHARE * Math.max(srcSize, 1)) return whole(srcMap);
  const todo = windows.filter(([st, e]) => e > st);
  const percents = new Map<number, number>();
  let done = 0;
  let read = 0;
  let mismatch: number | undefined;
  let next = 0;
  const worker = async () => {
    while (next < todo.length && mismatch === undefined) {
      const [st, e] = todo[next++]!;
      const w = { offset: st, size: e - st };
      const args = ['compare', '-p', '--image-opts', sideOpts(req.source, w), sideOpts(req.output, w)];
      const r = await compareRun(run, args, st, (p) => {
        percents.set(st, (p / 100) * w.size);
        report(done + [...percents.values()].reduce((a, b) => a + b, 0), read);
      });
      percents.delete(st);
      read += r.read;
      done += w.size;
      report(done, read);
      // The first difference in the disk's order is the one to report.
      if (!r.identical) mismatch = Math.min(mismatch ?? Infinity, r.mismatchOffset!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, req.parallel ?? 1) }, worker));
  const result = outcome(mismatch === undefined ? { identical: true } : { identical: false, mismatchOffset: mismatch });
  return { ...result, method: 'ranges', bytesRead: read, runs: next };
}

function outcome(r: { identical: boolean; mismatchOffset?: number }): Pick<CompareOutcome, 'identical' | 'mismatchOffset' | 'message'> {
  if (r.identical) return { identical: true, message: 'Images are identical.' };
  return { identical: false, mismatchOffset: r.mismatchOffset, message: `Content mismatch at offset ${r.mismatchOffset}.` };
}
