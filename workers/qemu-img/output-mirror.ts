// What the conversion worker remembers of an output it streams into a user-chosen file (which it
// cannot read: the writable stream has no reads). qemu-img's drivers read back some of what they
// wrote — headers, tables, bitmaps — so the exact byte ranges written are tracked, and the small
// writes (metadata) are kept, up to a budget; a read is answered from them, zeros where nothing
// was written (the file started empty), and fails where data was written but not kept.
//
// What is kept: every write inside the file's first `headBytes` (8 MiB by default: the headers and
// tables drivers write at creation and read back when they open the image — qcow2's refcount
// table is two clusters, VHDX's regions and log sit in the first MiBs), never forgotten; and
// anywhere else the writes of at most `keepMax` bytes (metadata: L2 tables, bitmaps, grain tables),
// up to `budget` bytes, the oldest forgotten first.
//
// Segments are sorted, disjoint [start, end) ranges, each with its bytes when kept.

interface Segment {
  start: number;
  end: number;
  data?: Uint8Array;
  /** Removed from the list (the FIFO of kept segments may still hold it). */
  dead?: boolean;
}

export interface MirrorOptions {
  /** Writes of at most this many bytes are kept (default 64 KiB: qcow2's default cluster). */
  keepMax?: number;
  /** Kept bytes outside the head (default 32 MiB). */
  budget?: number;
  /** Writes inside [0, headBytes) are always kept (default 8 MiB). */
  headBytes?: number;
}

export class OutputMirror {
  private segs: Segment[] = [];
  private readonly fifo: Segment[] = [];
  private fifoHead = 0;
  private readonly keepMax: number;
  private readonly budget: number;
  private readonly headBytes: number;
  /** Bytes currently kept, outside the head. */
  kept = 0;

  constructor(opts: MirrorOptions = {}) {
    this.keepMax = opts.keepMax ?? 64 * 1024;
    this.budget = opts.budget ?? 32 * 1024 * 1024;
    this.headBytes = opts.headBytes ?? 8 * 1024 * 1024;
  }

  /** Index of the first segment that ends after `pos`. */
  private firstAfter(pos: number): number {
    let lo = 0;
    let hi = this.segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.segs[mid]!.end > pos) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private keepData(seg: Segment, data: Uint8Array): Segment {
    seg.data = data;
    if (seg.end <= this.headBytes) return seg; // the head is bounded by its size: never forgotten
    this.kept += data.length;
    this.fifo.push(seg);
    return seg;
  }

  private piece(start: number, end: number, from: Segment): Segment {
    const seg: Segment = { start, end };
    return from.data ? this.keepData(seg, from.data.slice(start - from.start, end - from.start)) : seg;
  }

  private drop(seg: Segment): void {
    seg.dead = true;
    if (seg.data && seg.end > this.headBytes) this.kept -= seg.data.length;
    seg.data = undefined;
  }

  /** Cuts [start, end) out of the segment list; returns the index where it was. */
  private cut(start: number, end: number): number {
    const i = this.firstAfter(start);
    let j = i;
    const keep: Segment[] = [];
    while (j < this.segs.length && this.segs[j]!.start < end) {
      const s = this.segs[j]!;
      if (s.start < start) keep.push(this.piece(s.start, start, s));
      if (s.end > end) keep.push(this.piece(end, s.end, s));
      this.drop(s);
      j++;
    }
    this.segs.splice(i, j - i, ...keep);
    // The left piece (if any) stays before the cut; the right one after it.
    return i + (keep.length && keep[0]!.start < start ? 1 : 0);
  }

  write(pos: number, bytes: Uint8Array): void {
    const end = pos + bytes.length;
    if (bytes.length === 0) return;
    const seg: Segment = { start: pos, end };
    if (bytes.length <= this.keepMax || end <= this.headBytes) this.keepData(seg, bytes.slice());
    const last = this.segs[this.segs.length - 1];
    let at: number;
    if (!last || last.end <= pos) {
      at = this.segs.length; // qemu-img mostly writes forward: no search, no splice
      this.segs.push(seg);
    } else {
      at = this.cut(pos, end);
      this.segs.splice(at, 0, seg);
    }
    // Neighbouring unkept ranges merge, so a GiB of data is one segment, not thousands.
    const prev = this.segs[at - 1];
    if (!seg.data && prev && !prev.data && prev.end === seg.start) {
      prev.end = seg.end;
      seg.dead = true;
      this.segs.splice(at, 1);
    }
    this.evict();
  }

  private evict(): void {
    while (this.kept > this.budget && this.fifoHead < this.fifo.length) {
      const s = this.fifo[this.fifoHead++]!;
      if (s.dead || !s.data) continue;
      this.kept -= s.data.length;
      s.data = undefined;
    }
    if (this.fifoHead > 4096 && this.fifoHead * 2 > this.fifo.length) {
      this.fifo.splice(0, this.fifoHead);
      this.fifoHead = 0;
    }
  }

  truncate(size: number): void {
    this.cut(size, Infinity);
  }

  /** Fills `dest` with the bytes at `pos`. Returns undefined, or the first offset that was
   *  written but not kept (the read cannot be answered). */
  read(pos: number, dest: Uint8Array): number | undefined {
    const end = pos + dest.length;
    let c = pos;
    for (let i = this.firstAfter(pos); i < this.segs.length && c < end; i++) {
      const s = this.segs[i]!;
      if (s.start >= end) break;
      if (s.start > c) dest.fill(0, c - pos, s.start - pos);
      const from = Math.max(c, s.start);
      const to = Math.min(end, s.end);
      if (!s.data) return from;
      dest.set(s.data.subarray(from - s.start, to - s.start), from - pos);
      c = to;
    }
    if (c < end) dest.fill(0, c - pos);
    return undefined;
  }

  /** The written ranges, merged (for the verification: outside them the file is zeros). */
  ranges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const s of this.segs) {
      const last = out[out.length - 1];
      if (last && last[1] === s.start) last[1] = s.end;
      else out.push([s.start, s.end]);
    }
    return out;
  }
}
