// Coalesces qemu-img's small writes to one output file before they reach the OPFS sync access
// handle. Every handle.write() is a system call in the renderer (~30-40 µs whatever its size), and
// some drivers write in small pieces: a sparse VMDK writes each 64 KiB grain and then two 4-byte
// grain-table entries (its table and the redundant one), 24 582 writes for 512 MiB of data. Here
// each write lands in one of a few pending runs — the data run, the table's run, the redundant
// table's run grow by appending — and a run goes to the handle when it is full, when something
// reads or resizes what it covers, on fsync, or at the end of the run.
//
// Nothing is ever lost silently: a run's handle write that fails (quota, EFBIG) throws from the
// operation that flushed it (qemu-img then fails that request), and the runner flushes what is left
// after qemu-img returned and fails the run if that does not succeed (worker.ts).

/** The handle's positional write: bytes written (fewer, or more, means trouble: see opfs-fs.ts). */
export type PositionalWrite = (data: Uint8Array, at: number) => void;

interface Run {
  start: number;
  buf: Uint8Array;
  len: number;
  used: number;
}

export interface CoalesceOptions {
  /** A run is written out when it reaches this size. */
  capacity?: number;
  /** Writes this large go straight to the handle (copying them would cost more than it saves). */
  direct?: number;
  /** Runs kept pending at once (the least recently used goes out first). */
  maxRuns?: number;
}

export class WriteCoalescer {
  private runs: Run[] = [];
  private clock = 0;
  private readonly capacity: number;
  private readonly direct: number;
  private readonly maxRuns: number;

  constructor(
    private readonly sink: PositionalWrite,
    opts: CoalesceOptions = {},
  ) {
    this.capacity = opts.capacity ?? 4 * 1024 * 1024;
    this.direct = Math.min(opts.direct ?? 256 * 1024, this.capacity);
    this.maxRuns = opts.maxRuns ?? 4;
  }

  /** Bytes accepted but not yet written to the handle. */
  get pending(): number {
    return this.runs.reduce((n, r) => n + r.len, 0);
  }

  write(data: Uint8Array, at: number): void {
    const end = at + data.length;
    if (data.length === 0) return;
    // Inside a run: overwrite in place.
    const inside = this.runs.find((r) => at >= r.start && end <= r.start + r.len);
    if (inside) {
      inside.buf.set(data, at - inside.start);
      inside.used = ++this.clock;
      return;
    }
    // Overlapping a run partly: the run goes out first, so the order of the bytes is kept.
    this.flushRange(at, end);
    if (data.length >= this.direct) {
      this.sink(data, at);
      return;
    }
    const append = this.runs.find((r) => r.start + r.len === at && r.len + data.length <= this.capacity);
    if (append) {
      this.grow(append, append.len + data.length);
      append.buf.set(data, append.len);
      append.len += data.length;
      append.used = ++this.clock;
      if (append.len === this.capacity) this.flushRun(append);
      return;
    }
    if (this.runs.length >= this.maxRuns) {
      this.flushRun(this.runs.reduce((a, b) => (a.used <= b.used ? a : b)));
    }
    const run: Run = { start: at, buf: new Uint8Array(Math.max(64 * 1024, data.length)), len: data.length, used: ++this.clock };
    run.buf.set(data);
    this.runs.push(run);
  }

  /** Writes out the runs that touch [start, end) (before a read or a resize of that range). */
  flushRange(start: number, end: number): void {
    for (const r of [...this.runs]) if (r.start < end && start < r.start + r.len) this.flushRun(r);
  }

  flushAll(): void {
    for (const r of [...this.runs].sort((a, b) => a.start - b.start)) this.flushRun(r);
  }

  private grow(r: Run, need: number): void {
    if (need <= r.buf.length) return;
    let size = r.buf.length;
    while (size < need) size *= 2;
    const buf = new Uint8Array(Math.min(size, this.capacity));
    buf.set(r.buf.subarray(0, r.len));
    r.buf = buf;
  }

  private flushRun(r: Run): void {
    // Out of the list first: a failing write must not be retried by a later flush.
    this.runs = this.runs.filter((x) => x !== r);
    this.sink(r.buf.subarray(0, r.len), r.start);
  }
}
