// The image's block status from `qemu-img map --output=json` (which the pipeline already ran), for
// the guest step: ranges that read as zeros need no qemu-img run, and the allocated data ranges
// feed the free-space check (what virt-sparsify would reclaim).
import type { MapExtent } from '../inspect/qemu-check.ts';
import type { AllocatedAt } from './free-space.ts';

export interface BlockStatus {
  /** True when the whole range reads as zeros without data stored for it. */
  isZero(offset: number, length: number): boolean;
  allocated: AllocatedAt;
}

/** Sorted data extents [start, end) and the end of what the map covers; null when unparsable. */
export function blockStatus(mapStdout: string): BlockStatus | null {
  let list: unknown;
  try {
    list = JSON.parse(mapStdout);
  } catch {
    return null; // not a block status: the guest step then reads everything through qemu-img
  }
  if (!Array.isArray(list)) return null;
  const data: Array<[number, number]> = [];
  let covered = 0;
  for (const e of list as MapExtent[]) {
    if (typeof e?.start !== 'number' || typeof e.length !== 'number') return null;
    if (e.start !== covered) return null; // map lists contiguous extents; anything else is not trusted
    covered = e.start + e.length;
    if (e.data) {
      const last = data[data.length - 1];
      if (last && last[1] === e.start) last[1] = covered;
      else data.push([e.start, covered]);
    }
  }
  /** Index of the first data extent ending after `offset`. */
  const firstAfter = (offset: number) => {
    let lo = 0;
    let hi = data.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (data[mid]![1] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    isZero(offset, length) {
      if (offset + length > covered) return false;
      const d = data[firstAfter(offset)];
      return !d || d[0] >= offset + length;
    },
    async allocated(offset, length) {
      const out: Array<[number, number]> = [];
      for (let i = firstAfter(offset); i < data.length && data[i]![0] < offset + length; i++) {
        const from = Math.max(offset, data[i]![0]);
        const to = Math.min(offset + length, data[i]![1]);
        out.push([from, to - from]);
      }
      return out;
    },
  };
}
