// Node only: write-behind for NODEFS. The wasm runs on one thread and NODEFS writes with
// fs.writeSync, so every 2 MiB that convert writes stalls the engine while the kernel copies it into
// the page cache (~60 % of a 1 GiB raw -> qcow2 run, measured with --cpu-prof); native qemu-img
// overlaps those writes on its thread pool. Here a write is copied into a shared ring (a memcpy)
// and a helper thread does the fs.writeSync while the wasm goes on. Opt-in (see
// writeBehindEnabled): measured here, it did not pay on 2 busy cores.
//
// Ordering and visibility: one helper, slots taken in order, so writes land in the order qemu-img
// issued them. Any operation that sees a file's content or size (read, stat, truncate, seek to
// the end, mmap, fsync) or ends its descriptor (close) waits for that file's writes in flight
// first. Errors: a failed write is reported to qemu-img by the next operation on that file (its
// errno), and if the run ends before qemu-img saw it, node-host.ts turns the result into a failure
// (native would have failed at that write).
import { Worker } from 'node:worker_threads';
import type { FSNode, FSStream } from './emscripten.ts';
import type { NodeFs } from './host-devices.ts';

const SLOTS = 8;
const SLOT_BYTES = 2 * 1024 * 1024;
// Per slot: state (0 free, 1 full), fd, length, errno (set by the helper), then a float64 position.
const HEADER_INTS = 4;
const STATE = 0;
const FD = 1;
const LENGTH = 2;
const ERRNO_AT = 3;
// The helper reports an error as 1 + its index here (1: EIO for anything else).
const ERROR_CODES = ['EIO', 'ENOSPC', 'EDQUOT', 'EFBIG', 'EBADF', 'EINVAL', 'EPERM', 'EACCES', 'EROFS', 'ENXIO'];
const MESSAGES: Record<string, string> = {
  EIO: 'Input/output error',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EFBIG: 'File too large',
  EBADF: 'Bad file descriptor',
  EINVAL: 'Invalid argument',
  EPERM: 'Operation not permitted',
  EACCES: 'Permission denied',
  EROFS: 'Read-only file system',
  ENXIO: 'No such device or address',
};

// The helper is plain JavaScript (eval'd): it needs no loader, in a test run or the built CLI.
const HELPER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { control, positions, data, slots, slotBytes, headerInts } = workerData;
const ints = new Int32Array(control);
const pos = new Float64Array(positions);
const codes = ${JSON.stringify(ERROR_CODES)};
for (let i = 0; ; i = (i + 1) % slots) {
  const at = i * headerInts;
  while (Atomics.load(ints, at) !== 1) Atomics.wait(ints, at, 0);
  const fd = ints[at + 1], length = ints[at + 2];
  let done = 0, errno = 0;
  try {
    while (done < length) done += fs.writeSync(fd, new Uint8Array(data, i * slotBytes + done, length - done), 0, length - done, pos[i] + done);
  } catch (e) {
    errno = codes.indexOf(e.code) + 1 || 1;
  }
  ints[at + 3] = errno;
  Atomics.store(ints, at, 0);
  Atomics.notify(ints, at);
}
`;

interface Ring {
  ints: Int32Array;
  positions: Float64Array;
  data: Uint8Array;
  /** Which file (real path) each slot's write is for, while it is full. */
  keys: (string | undefined)[];
  next: number;
}

let ring: Ring | undefined;

/** One helper thread and one ring per thread that runs qemu-img; kept for later runs, unref'd. */
function sharedRing(): Ring {
  if (ring) return ring;
  const control = new SharedArrayBuffer(SLOTS * HEADER_INTS * 4);
  const positions = new SharedArrayBuffer(SLOTS * 8);
  const data = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
  const worker = new Worker(HELPER, {
    eval: true,
    execArgv: [],
    workerData: { control, positions, data, slots: SLOTS, slotBytes: SLOT_BYTES, headerInts: HEADER_INTS },
  });
  worker.unref();
  ring = {
    ints: new Int32Array(control),
    positions: new Float64Array(positions),
    data: new Uint8Array(data),
    keys: new Array(SLOTS),
    next: 0,
  };
  return ring;
}

/** Whether write-behind is on: by default; IMAGE_INSPECTOR_WRITE_BEHIND=0 turns it off. It pays
 *  when a core is idle for the helper (quiet 2-core machine, 1 GiB raw <-> qcow2, best of 3, two
 *  runs: 7-16 % faster in every case) and was within +-10 % of synchronous writes when both
 *  cores were busy with other work (decision 0004). */
export function writeBehindEnabled(): boolean {
  return process.env.IMAGE_INSPECTOR_WRITE_BEHIND !== '0';
}

export interface WriteFailure {
  path: string;
  position: number;
  /** Node's error code (ENOSPC, EIO, …) and its strerror text, as native would print it. */
  code: string;
  message: string;
}

/** The write-behind of one run's NODEFS (one module instance). */
export class WriteBehind {
  private failure: (WriteFailure & { reported: boolean }) | undefined;
  /** The ring, from the run's first write on (a run that writes nothing starts no helper). */
  private ring: Ring | undefined;
  private get r(): Ring {
    this.ring ??= sharedRing();
    return this.ring;
  }

  constructor(
    private readonly nodefs: NodeFs,
    private readonly ErrnoError: new (errno: number) => Error,
    /** The module's errno for a Node error code (its ERRNO_CODES). */
    private readonly errnoOf: (code: string) => number,
  ) {}

  /** Replaces NODEFS's write and makes its other operations wait for writes in flight. Call
   *  before anything else wraps NODEFS's operations. */
  install(): void {
    const s = this.nodefs.stream_ops;
    const n = this.nodefs.node_ops;
    const keyOfStream = (stream: FSStream) => this.nodefs.realPath(stream.node);
    const keyOfNode = (node: FSNode) => this.nodefs.realPath(node);
    s.write = (stream, buffer, offset, length, position) => this.write(stream, keyOfStream(stream), buffer, offset, length, position);
    const ops = s as unknown as Record<string, ((stream: FSStream, ...rest: unknown[]) => unknown) | undefined>;
    for (const name of ['read', 'llseek', 'close', 'mmap', 'msync']) {
      const op = ops[name];
      if (op) ops[name] = (stream: FSStream, ...rest: unknown[]) => (this.settle(keyOfStream(stream)), op(stream, ...rest));
    }
    // NODEFS has no fsync (fd_sync does nothing for it): fsync waits for the writes in flight.
    (s as { fsync?: (stream: FSStream) => number }).fsync = (stream) => {
      this.settle(keyOfStream(stream));
      return 0;
    };
    const nodeOps = n as unknown as Record<string, ((node: FSNode, ...rest: unknown[]) => unknown) | undefined>;
    for (const name of ['getattr', 'setattr']) {
      const op = nodeOps[name];
      if (op) nodeOps[name] = (node: FSNode, ...rest: unknown[]) => (this.settle(keyOfNode(node)), op(node, ...rest));
    }
  }

  private write(stream: FSStream, key: string, buffer: Uint8Array | Int8Array, offset: number, length: number, position: number): number {
    this.throwIfFailed(key);
    const nfd = (stream as FSStream & { nfd?: number }).nfd;
    if (nfd === undefined) throw new this.ErrnoError(this.errnoOf('EBADF'));
    const heap = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    for (let done = 0; done < length;) {
      const n = Math.min(SLOT_BYTES, length - done);
      const i = this.takeSlot();
      const at = i * HEADER_INTS;
      this.r.data.set(heap.subarray(offset + done, offset + done + n), i * SLOT_BYTES);
      this.r.ints[at + FD] = nfd;
      this.r.ints[at + LENGTH] = n;
      this.r.positions[i] = position + done;
      this.r.keys[i] = key;
      Atomics.store(this.r.ints, at + STATE, 1);
      Atomics.notify(this.r.ints, at + STATE);
      done += n;
    }
    return length;
  }

  /** The next slot in order, once the helper has finished with it. */
  private takeSlot(): number {
    const i = this.r.next;
    this.r.next = (i + 1) % SLOTS;
    this.waitFree(i);
    return i;
  }

  private waitFree(i: number): void {
    const at = i * HEADER_INTS;
    while (Atomics.load(this.r.ints, at + STATE) !== 0) Atomics.wait(this.r.ints, at + STATE, 1);
    const key = this.r.keys[i];
    if (key === undefined) return;
    this.r.keys[i] = undefined;
    const failed = this.r.ints[at + ERRNO_AT]!;
    if (failed === 0 || this.failure) return;
    const code = ERROR_CODES[failed - 1] ?? 'EIO';
    this.failure = { path: key, position: this.r.positions[i]!, code, message: MESSAGES[code] ?? code, reported: false };
  }

  /** Waits for the writes in flight to one file; throws its write error, if one failed. */
  private settle(key: string): void {
    if (this.ring?.keys.includes(key)) this.drainAll();
    this.throwIfFailed(key);
  }

  drainAll(): void {
    if (this.ring) for (let i = 0; i < SLOTS; i++) this.waitFree(i);
  }

  private throwIfFailed(key: string): void {
    if (this.failure?.path !== key) return;
    this.failure.reported = true;
    throw new this.ErrnoError(this.errnoOf(this.failure.code));
  }

  /** After the run: every write done; a failure qemu-img never saw (it ended first). */
  finish(): WriteFailure | undefined {
    this.drainAll();
    if (!this.failure || this.failure.reported) return undefined;
    const { path, position, code, message } = this.failure;
    return { path, position, code, message };
  }
}
