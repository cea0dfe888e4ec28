// Which byte ranges of a file hold data, as far as the runner knows: a file created (or truncated
// to 0) by a run starts empty, every write adds its range, and everything else reads as zeros.
// That lets the runner answer lseek(SEEK_DATA / SEEK_HOLE) for its own outputs, which neither
// Node's fs nor OPFS can (see seek.ts): qemu then sees the holes of a sparse raw output, and a
// later `compare` skips them instead of reading every zero (a 127 GiB raw output: minutes).
// Ranges are widened to 4 KiB blocks, as a file system allocates them.

/** A file's known data ranges, serialisable between runs and threads. `size` and `mtimeMs` say
 *  which state of the file the ranges describe: a file changed since then is not trusted. */
export interface FileExtents {
  size: number;
  mtimeMs?: number;
  /** Sorted, disjoint, merged [start, end) pairs. */
  ranges: Array<[number, number]>;
}

/** Files by their key (a host path in Node, an output name in the browser). */
export type WrittenFiles = Record<string, FileExtents>;

const BLOCK = 4096;

export class ExtentMap {
  constructor(public ranges: Array<[number, number]> = []) {}

  add(offset: number, length: number): void {
    if (length <= 0) return;
    const start = Math.floor(offset / BLOCK) * BLOCK;
    const end = Math.ceil((offset + length) / BLOCK) * BLOCK;
    const r = this.ranges;
    // Fast path: qemu-img writes mostly in ascending order.
    const last = r[r.length - 1];
    if (!last || start > last[1]) {
      r.push([start, end]);
      return;
    }
    if (start >= last[0]) {
      last[1] = Math.max(last[1], end);
      return;
    }
    // First range that ends at or after start, last range that starts at or before end.
    let lo = 0;
    while (lo < r.length && r[lo]![1] < start) lo++;
    let hi = lo;
    let s = start;
    let e = end;
    while (hi < r.length && r[hi]![0] <= end) {
      s = Math.min(s, r[hi]![0]);
      e = Math.max(e, r[hi]![1]);
      hi++;
    }
    r.splice(lo, hi - lo, [s, e]);
  }

  truncate(size: number): void {
    this.ranges = this.ranges.filter(([s]) => s < size).map(([s, e]) => [s, Math.min(e, Math.ceil(size / BLOCK) * BLOCK)]);
  }

  /** SEEK_DATA: the first data offset at or after `offset`, or undefined when only holes follow. */
  nextData(offset: number, size: number): number | undefined {
    for (const [s, e] of this.ranges) {
      if (s >= size) break;
      if (e > offset) {
        const d = Math.max(s, offset);
        return d < size ? d : undefined;
      }
    }
    return undefined;
  }

  /** SEEK_HOLE: the first hole offset at or after `offset` (the end of the file at the latest). */
  nextHole(offset: number, size: number): number {
    for (const [s, e] of this.ranges) {
      if (s > offset) break;
      if (e > offset) return Math.min(e, size);
    }
    return offset;
  }

  /** Bytes of data (for reports and tests). */
  dataBytes(size: number): number {
    return this.ranges.reduce((n, [s, e]) => n + Math.max(0, Math.min(e, size) - s), 0);
  }
}

/** The maps of one run: those it starts itself, and those handed in from an earlier run. */
export class ExtentRegistry {
  private readonly maps = new Map<string, ExtentMap>();

  constructor(known: WrittenFiles = {}, stillValid: (key: string, f: FileExtents) => boolean = () => true) {
    for (const [key, f] of Object.entries(known)) {
      if (stillValid(key, f)) this.maps.set(key, new ExtentMap(f.ranges.map(([s, e]) => [s, e])));
    }
  }

  /** The file was created or truncated to 0 by this run: from now on its data is known. */
  startEmpty(key: string): void {
    this.maps.set(key, new ExtentMap());
  }

  get(key: string): ExtentMap | undefined {
    return this.maps.get(key);
  }

  forget(key: string): void {
    this.maps.delete(key);
  }

  /** The known maps with the files' current state (sizes from `describe`; files it cannot
   *  describe any more are left out). */
  export(describe: (key: string) => { size: number; mtimeMs?: number } | undefined): WrittenFiles {
    const out: WrittenFiles = {};
    for (const [key, map] of this.maps) {
      const st = describe(key);
      if (!st) continue;
      map.truncate(st.size);
      out[key] = { ...st, ranges: map.ranges };
    }
    return out;
  }
}
