// Splitting one compare (a holes-descriptor one, compare-vmdk.ts, or a plain one where both
// formats record their holes) into runs over disjoint windows of the disk, run at once on as many
// runner threads (Node: compareOnHost asks for two on a 2-core machine; the page compares in one
// run). Why: a compare reads both sides — the source's data and the output's data — on one
// wasm thread, where the conversion it checks read the source once and left its writes to a
// helper thread; two runs over halves of the reads take about half the time. Nothing is checked
// less: the windows cover the whole disk, back to back, and each is one compare of the source's
// window against the output's same window (or its descriptor), so every byte of both sides is
// still compared (or, in a hole of one side, the other's bytes proven zero), in one run or another.
import type { DataPiece } from './compare-vmdk.ts';

export interface CompareWindow {
  /** Guest offset of the window and its length; the last window runs to the end of both images
   *  (`size` is then the output's rest: the source side is given no size, so a size mismatch is
   *  still compare's to find, as in a compare of the whole images). */
  start: number;
  size: number;
  last: boolean;
  /** The output's written data inside the window, guest offsets relative to `start`. */
  pieces: DataPiece[];
  /** Bytes of output data in the window (the share of progress it stands for). */
  data: number;
}

/** A window is cut only where each run still has this much of the output's data: below, a second
 *  run's start (a fresh instance, its descriptor's open: ~10-20 ms) costs more than it saves. */
export const SPLIT_MIN_DATA = 16 * 1024 * 1024;
/** Cuts fall on MiB boundaries (any sector would do for qemu; this keeps reads aligned). */
const CUT_ALIGN = 1024 * 1024;

/** The whole disk [0, size) as up to `n` windows holding about equal shares of the output's data
 *  (`pieces`, guest-sorted or not). One window when there is too little data to share. */
export function splitWindows(pieces: DataPiece[], size: number, n: number, minData = SPLIT_MIN_DATA): CompareWindow[] {
  const sorted = pieces.filter((p) => p[2] > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((t, p) => t + p[2], 0);
  const count = Math.max(1, Math.min(Math.floor(n), Math.floor(total / Math.max(1, minData))));
  const cuts: number[] = [];
  let before = 0;
  let k = 1;
  for (const [g, , len] of sorted) {
    // The guest offset where the data seen so far reaches the k-th share.
    while (k < count && before + len >= (total * k) / count) {
      const at = Math.floor((g + ((total * k) / count - before)) / CUT_ALIGN) * CUT_ALIGN;
      if (at > (cuts.at(-1) ?? 0) && at < size) cuts.push(at);
      k++;
    }
    before += len;
  }
  const bounds = [0, ...cuts, size];
  const windows: CompareWindow[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = bounds[i]!;
    const end = bounds[i + 1]!;
    const inside: DataPiece[] = [];
    for (const [g, f, len] of sorted) {
      const lo = Math.max(g, start);
      const hi = Math.min(g + len, end);
      if (lo < hi) inside.push([lo - start, f + (lo - g), hi - lo]);
    }
    const data = inside.reduce((t, p) => t + p[2], 0);
    windows.push({ start, size: end - start, last: i + 2 === bounds.length, pieces: inside, data });
  }
  return windows;
}

/** The first difference in the disk's order among the windows' outcomes (guest offsets). */
export function firstMismatch(results: Array<{ identical: boolean; mismatchOffset?: number }>): number | undefined {
  const at = results.filter((r) => !r.identical).map((r) => r.mismatchOffset!);
  return at.length ? Math.min(...at) : undefined;
}

/** Progress over the windows' runs: each run's percent weighted by its share of the data, bytes
 *  read summed. */
export function windowProgress(
  windows: CompareWindow[],
  report: (p: { percent: number; bytesRead: number }) => void,
): (window: number, percent: number, read: number) => void {
  const total = windows.reduce((t, w) => t + w.data, 0);
  const done = windows.map(() => ({ percent: 0, read: 0 }));
  return (i, percent, read) => {
    done[i] = { percent, read };
    report({
      percent: windows.reduce((p, w, j) => p + done[j]!.percent * (total ? w.data / total : 1 / windows.length), 0),
      bytesRead: done.reduce((t, d) => t + d.read, 0),
    });
  };
}

/** A piece of a `map`: [guest start, length, holds data]. */
export type MapPiece = readonly [number, number, boolean];

/**
 * The whole disk [0, size) as up to `n` windows that each read about the same: a byte costs one
 * for each side whose map calls it data (that side reads it; where only one side has data, the
 * other's zeros are known and only that side is read). For one plain compare split into runs at
 * once; one window when the reads are under `minData` a window.
 */
export function splitByReads(source: MapPiece[], output: MapPiece[], size: number, n: number, minData = SPLIT_MIN_DATA): CompareWindow[] {
  const marks = new Set<number>([0, size]);
  for (const [s, len] of [...source, ...output]) if (s < size) marks.add(s).add(Math.min(size, s + len));
  const points = [...marks].sort((a, b) => a - b);
  // Data runs of each side, sorted, found by bisection: a fragmented map has thousands of pieces,
  // and every point is asked about.
  const runsOf = (m: MapPiece[]) => m.filter(([, len, data]) => data && len > 0).sort((a, b) => a[0] - b[0]);
  const dataAt = (runs: MapPiece[], p: number) => {
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid]![0] <= p) lo = mid + 1;
      else hi = mid;
    }
    // a map's pieces are disjoint: only the last run starting at or before p can hold it
    const r = runs[lo - 1];
    return r !== undefined && p < r[0] + r[1];
  };
  const src = runsOf(source);
  const out = runsOf(output);
  const spans = points.slice(0, -1).map((p, i) => ({ start: p, end: points[i + 1]!, weight: +dataAt(src, p) + +dataAt(out, p) }));
  const total = spans.reduce((t, x) => t + (x.end - x.start) * x.weight, 0);
  const count = Math.max(1, Math.min(Math.floor(n), Math.floor(total / Math.max(1, minData))));
  const cuts: number[] = [];
  let before = 0;
  let k = 1;
  for (const x of spans) {
    const w = (x.end - x.start) * x.weight;
    while (k < count && x.weight > 0 && before + w >= (total * k) / count) {
      const at = Math.floor((x.start + ((total * k) / count - before) / x.weight) / CUT_ALIGN) * CUT_ALIGN;
      if (at > (cuts.at(-1) ?? 0) && at < size) cuts.push(at);
      k++;
    }
    before += w;
  }
  const bounds = [0, ...cuts, size];
  return bounds.slice(0, -1).map((start, i) => {
    const end = bounds[i + 1]!;
    const data = spans.reduce((t, x) => t + Math.max(0, Math.min(end, x.end) - Math.max(start, x.start)) * x.weight, 0);
    return { start, size: end - start, last: i + 2 === bounds.length, pieces: [], data };
  });
}
