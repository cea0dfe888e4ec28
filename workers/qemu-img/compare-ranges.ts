// The arithmetic of a verification's ranges: `qemu-img map` entries, the data they hold, what of
// it the conversion wrote (extents.ts), and guest ranges merged across small gaps. Pure: the runs
// that read the maps are compare.ts's.
import type { FileExtents } from './extents.ts';
import type { DataPiece } from './compare-vmdk.ts';

export interface MapEntry {
  start: number;
  length: number;
  zero: boolean;
  data: boolean;
  offset?: number;
}

export type Range = [number, number];

export const sizeOf = (m: MapEntry[]) => m.reduce((n, e) => Math.max(n, e.start + e.length), 0);

export function merge(ranges: Range[], gap: number): Range[] {
  const sorted = ranges.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + gap) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

export const dataOf = (m: MapEntry[]): Range[] => m.filter((e) => e.data && !e.zero).map((e) => [e.start, e.start + e.length]);

/** The output's data, narrowed to what was written into its file; `pieces` say where each range
 *  is in the file (undefined when some data has no plain file offset: compressed, elsewhere). */
export function writtenDataOf(m: MapEntry[], extents: FileExtents): { ranges: Range[]; pieces?: DataPiece[] } {
  const out: Range[] = [];
  let pieces: DataPiece[] | undefined = [];
  for (const e of m) {
    if (!e.data || e.zero) continue;
    if (e.offset === undefined) {
      out.push([e.start, e.start + e.length]); // compressed or elsewhere: keep as data
      pieces = undefined;
      continue;
    }
    const lo = e.offset;
    const hi = e.offset + e.length;
    for (const [s, t] of extents.ranges) {
      const a = Math.max(s, lo);
      const b = Math.min(t, hi);
      if (a < b) {
        out.push([e.start + (a - lo), e.start + (b - lo)]);
        pieces?.push([e.start + (a - lo), a, b - a]);
      }
    }
  }
  return { ranges: out, ...(pieces ? { pieces } : {}) };
}

export const covered = (r: Range[]) => r.reduce((n, [s, e]) => n + e - s, 0);
