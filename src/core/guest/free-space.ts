// What virt-sparsify would reclaim: image data lying in blocks the guest's file systems mark
// free. The file systems give their free runs (bitmaps, free space B+trees); `allocated` (the
// block layer's block status — SEEK_DATA for a raw file, allocated clusters for qcow2) says
// which parts of those runs the image really stores.
import type { Device } from './device.ts';
import type { GuestFs } from './types.ts';

/** The sub-ranges [disk offset, length] of [offset, offset+length) the image stores data for. */
export type AllocatedAt = (offset: number, length: number) => Promise<Array<[number, number]>>;

export const RECLAIM_THRESHOLD = 1024 * 1024;

/** Bytes of allocated image data inside the file system's free runs. */
export async function reclaimableBytes(dev: Device, fs: GuestFs, allocated: AllocatedAt): Promise<number> {
  if (!fs.freeRanges) return 0;
  let total = 0;
  for (const [start, len] of await fs.freeRanges()) {
    for (let off = start; off < start + len;) {
      const [disk, run] = dev.locate(off);
      const n = Math.min(run, start + len - off);
      if (n <= 0) break;
      dev.meter.checkTime();
      for (const [, l] of await allocated(disk, n)) total += l;
      off += n;
    }
  }
  return total;
}

export function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
