// A bounded SharedArrayBuffer ring between qemu-img's synchronous writes (the conversion worker,
// which never returns to its event loop during a run) and an asynchronous
// FileSystemWritableFileStream owned by another worker (the writer). The producer copies each
// write into the ring and blocks (Atomics.wait) only when the ring is full and when it drains
// (fsync, the end); the consumer copies records out, coalesces contiguous writes and awaits the
// stream. Never more than the ring's capacity plus one batch is held in memory.
//
// Layout: 64 bytes of Int32 control words, then the data ring (a power of two). Records are a
// 16-byte header (kind, length, position as float64) and `length` bytes of data for writes; head
// and tail are byte counts modulo 2^32, so the ring may be any power of two below 2 GiB.

const HEAD = 0; // bytes produced (uint32, wrapping)
const TAIL = 1; // bytes consumed (uint32, wrapping), advanced only once the stream took them
const STATE = 2; // RingState
const FAILURE = 3; // RingFailure code when STATE is 'failed'
const DONE = 4; // 1 committed, 2 aborted, 3 failed: the consumer finished
const CONTROL_BYTES = 64;
const RECORD_HEADER = 16;

const RUNNING = 0;
const FAILED = 1;
const ABORTED = 2;

const KIND_WRITE = 1;
const KIND_TRUNCATE = 2;
const KIND_END = 3;

/** Why the consumer stopped taking writes: the disk or quota is full, or anything else. */
export type RingFailure = 'no-space' | 'io';

export class RingFailedError extends Error {
  constructor(readonly failure: RingFailure | 'aborted') {
    super(failure === 'aborted' ? 'the output was abandoned' : `the output file could not be written (${failure})`);
  }
}

/** A ring of `capacity` data bytes (rounded up to a power of two, at least 64 KiB). */
export function createRing(capacity: number): SharedArrayBuffer {
  let size = 64 * 1024;
  while (size < capacity) size *= 2;
  if (size > 1024 * 1024 * 1024) throw new Error(`ring too large: ${capacity}`);
  return new SharedArrayBuffer(CONTROL_BYTES + size);
}

const control = (sab: SharedArrayBuffer) => new Int32Array(sab, 0, CONTROL_BYTES / 4);
const dataOf = (sab: SharedArrayBuffer) => new Uint8Array(sab, CONTROL_BYTES);

/** Stops a ring from outside both ends (the page cancelling): the consumer aborts the stream, a
 *  blocked producer wakes with RingFailedError('aborted'). */
export function abandonRing(sab: SharedArrayBuffer): void {
  const c = control(sab);
  Atomics.compareExchange(c, STATE, RUNNING, ABORTED);
  Atomics.notify(c, HEAD);
  Atomics.notify(c, TAIL);
}

/** Marks a ring failed from the consumer's side before it ran (the stream could not be opened). */
export function failRing(sab: SharedArrayBuffer, failure: RingFailure): void {
  const c = control(sab);
  Atomics.store(c, FAILURE, failure === 'no-space' ? 1 : 2);
  Atomics.compareExchange(c, STATE, RUNNING, FAILED);
  Atomics.store(c, DONE, 3);
  Atomics.notify(c, TAIL);
}

/** Copies `src` into the ring at byte count `at` (wrapping). */
function put(ring: Uint8Array, at: number, src: Uint8Array): void {
  const i = at & (ring.length - 1);
  const first = Math.min(src.length, ring.length - i);
  ring.set(src.subarray(0, first), i);
  if (first < src.length) ring.set(src.subarray(first), 0);
}

/** Copies `dest.length` bytes out of the ring from byte count `at` (wrapping). */
function take(ring: Uint8Array, at: number, dest: Uint8Array): void {
  const i = at & (ring.length - 1);
  const first = Math.min(dest.length, ring.length - i);
  dest.set(ring.subarray(i, i + first));
  if (first < dest.length) dest.set(ring.subarray(0, dest.length - first), first);
}

/** The producer end, in the conversion worker: every call is synchronous. */
export class RingWriter {
  private readonly c: Int32Array;
  private readonly ring: Uint8Array;
  private readonly header = new DataView(new ArrayBuffer(RECORD_HEADER));
  /** Largest data part of one record: a quarter of the ring, so a record never waits for the
   *  whole ring to empty. */
  private readonly chunk: number;
  /** Time spent blocked on a full ring or a drain (ms), for the run's statistics. */
  waitedMs = 0;

  constructor(sab: SharedArrayBuffer) {
    this.c = control(sab);
    this.ring = dataOf(sab);
    this.chunk = this.ring.length / 4;
  }

  write(position: number, bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length; off += this.chunk) {
      const part = bytes.subarray(off, Math.min(bytes.length, off + this.chunk));
      this.record(KIND_WRITE, position + off, part);
    }
  }

  truncate(size: number): void {
    this.record(KIND_TRUNCATE, size);
  }

  /** Waits until the consumer took everything (fsync): a failure of any earlier write throws. */
  drain(): void {
    this.check();
    this.waitUntil(() => Atomics.load(this.c, TAIL) === Atomics.load(this.c, HEAD));
  }

  /** The last record: the consumer commits the file (close) or discards it (abort). Does not wait
   *  for the commit itself, which the writer reports to the page. */
  end(commit: boolean): void {
    this.record(KIND_END, commit ? 1 : 0);
  }

  private check(): void {
    const state = Atomics.load(this.c, STATE);
    if (state === ABORTED) throw new RingFailedError('aborted');
    if (state === FAILED) throw new RingFailedError(Atomics.load(this.c, FAILURE) === 1 ? 'no-space' : 'io');
  }

  private waitUntil(ready: () => boolean): void {
    const started = performance.now();
    while (!ready()) {
      this.check();
      const tail = Atomics.load(this.c, TAIL);
      if (ready()) break;
      Atomics.wait(this.c, TAIL, tail, 1000);
    }
    this.check();
    this.waitedMs += performance.now() - started;
  }

  private record(kind: number, position: number, data?: Uint8Array): void {
    this.check();
    const need = RECORD_HEADER + (data?.length ?? 0);
    const head = Atomics.load(this.c, HEAD) >>> 0;
    const free = () => this.ring.length - ((head - (Atomics.load(this.c, TAIL) >>> 0)) >>> 0);
    if (free() < need) this.waitUntil(() => free() >= need);
    this.header.setUint32(0, kind, true);
    this.header.setUint32(4, data?.length ?? 0, true);
    this.header.setFloat64(8, position, true);
    put(this.ring, head, new Uint8Array(this.header.buffer));
    if (data) put(this.ring, (head + RECORD_HEADER) >>> 0, data);
    Atomics.store(this.c, HEAD, (head + need) | 0);
    Atomics.notify(this.c, HEAD);
  }
}

/** The part of FileSystemWritableFileStream the consumer uses. */
export interface WritableLike {
  write(chunk: { type: 'write'; position: number; data: Uint8Array<ArrayBuffer> } | { type: 'truncate'; size: number }): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}

export type DrainOutcome = { outcome: 'committed' } | { outcome: 'aborted' } | { outcome: 'failed'; failure: RingFailure; message: string };

type WaitAsync = (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string };

/** Waits (without blocking the thread) until control word `i` is no longer `value`. */
async function waitChange(c: Int32Array, i: number, value: number, timeoutMs: number): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  if (waitAsync) {
    const r = waitAsync(c, i, value, timeoutMs);
    if (r.async) await r.value;
    return;
  }
  await new Promise((r) => setTimeout(r, 1));
}

export interface DrainOptions {
  /** Contiguous writes are coalesced into one stream write of up to this many bytes. */
  batchBytes?: number;
  /** Stream writes pending at once (default 4). */
  maxInflight?: number;
}

/** The consumer end, in the writer worker: runs until the END record (or an abandon), writing
 *  every record into the stream in order, then closes or aborts the stream. */
export async function drainRing(sab: SharedArrayBuffer, writable: WritableLike, opts: DrainOptions = {}): Promise<DrainOutcome> {
  const c = control(sab);
  const ring = dataOf(sab);
  const batchBytes = opts.batchBytes ?? 4 * 1024 * 1024;
  const header = new Uint8Array(RECORD_HEADER);
  const view = new DataView(header.buffer);
  const finish = (done: number) => {
    Atomics.store(c, DONE, done);
    Atomics.notify(c, TAIL);
  };
  const abort = async (): Promise<DrainOutcome> => {
    await writable.abort().catch(() => undefined); // already errored: nothing left to discard
    finish(2);
    return { outcome: 'aborted' };
  };
  // Up to maxInflight stream writes are pending at once (the stream queues them in order): the
  // next batch is copied out while the browser writes the previous one. The tail advances as each
  // one completes, so the producer never overwrites bytes a failed write would still need.
  const maxInflight = opts.maxInflight ?? 4;
  const inflight: Array<{ done: Promise<void>; end: number; buffer: Uint8Array<ArrayBuffer> }> = [];
  // Batch buffers are reused once their write completed: a new 4 MiB buffer per batch would leave
  // hundreds of MiB of garbage in the writer's heap before a collection (seen as +150 MiB RSS).
  const pool: Array<Uint8Array<ArrayBuffer>> = [];
  const settleOldest = async () => {
    const f = inflight.shift()!;
    await f.done;
    pool.push(f.buffer);
    Atomics.store(c, TAIL, f.end | 0);
    Atomics.notify(c, TAIL);
  };
  const settleAll = async () => {
    while (inflight.length) await settleOldest();
  };
  let cursor = Atomics.load(c, TAIL) >>> 0;
  try {
    for (;;) {
      if (Atomics.load(c, STATE) === ABORTED) return await abort();
      const head = Atomics.load(c, HEAD) >>> 0;
      if (head === cursor) {
        if (inflight.length) await settleOldest();
        else await waitChange(c, HEAD, head | 0, 1000);
        continue;
      }
      take(ring, cursor, header);
      const kind = view.getUint32(0, true);
      const position = view.getFloat64(8, true);
      if (kind === KIND_END) {
        await settleAll();
        cursor = (cursor + RECORD_HEADER) >>> 0;
        Atomics.store(c, TAIL, cursor | 0);
        if (position !== 1) return await abort();
        await writable.close();
        finish(1);
        return { outcome: 'committed' };
      }
      if (kind === KIND_TRUNCATE) {
        await settleAll();
        await writable.write({ type: 'truncate', size: position });
        cursor = (cursor + RECORD_HEADER) >>> 0;
        Atomics.store(c, TAIL, cursor | 0);
        Atomics.notify(c, TAIL);
        continue;
      }
      // Coalesce the write records that follow contiguously and are already in the ring.
      const parts: Array<{ at: number; length: number }> = [];
      let total = 0;
      let next = position;
      for (;;) {
        parts.push({ at: (cursor + RECORD_HEADER) >>> 0, length: view.getUint32(4, true) });
        total += view.getUint32(4, true);
        next += view.getUint32(4, true);
        cursor = (cursor + RECORD_HEADER + view.getUint32(4, true)) >>> 0;
        if (cursor === head) break;
        take(ring, cursor, header);
        if (view.getUint32(0, true) !== KIND_WRITE || view.getFloat64(8, true) !== next) break;
        if (total + view.getUint32(4, true) > batchBytes) break;
      }
      // A stream write must not be given shared memory: copy out into a plain buffer.
      let buffer = pool.pop();
      if (!buffer || buffer.length < total) buffer = new Uint8Array(Math.max(total, batchBytes));
      const data = buffer.subarray(0, total);
      let at = 0;
      for (const p of parts) {
        take(ring, p.at, data.subarray(at, at + p.length));
        at += p.length;
      }
      const done = writable.write({ type: 'write', position, data });
      done.catch(() => undefined); // awaited in order by settleOldest; not unhandled meanwhile
      inflight.push({ done, end: cursor, buffer });
      if (inflight.length >= maxInflight) await settleOldest();
    }
  } catch (e) {
    const outcome = failedOutcome(e);
    failRing(sab, outcome.failure);
    await writable.abort().catch(() => undefined);
    return outcome;
  }
}

function failedOutcome(e: unknown): DrainOutcome & { outcome: 'failed' } {
  const failure: RingFailure = (e as { name?: string }).name === 'QuotaExceededError' ? 'no-space' : 'io';
  return { outcome: 'failed', failure, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

/** The writer worker's whole job: open the stream (a fresh one, without the file's old data),
 *  then drain the ring into it. */
export async function openAndDrain(open: () => Promise<WritableLike>, sab: SharedArrayBuffer, opts?: DrainOptions): Promise<DrainOutcome> {
  let writable: WritableLike;
  try {
    writable = await open();
  } catch (e) {
    const outcome = failedOutcome(e);
    failRing(sab, outcome.failure);
    return outcome;
  }
  return drainRing(sab, writable, opts);
}
