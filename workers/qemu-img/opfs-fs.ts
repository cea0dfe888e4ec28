// Writable emscripten file system backed by OPFS FileSystemSyncAccessHandles, mounted at /out
// (worker only). emscripten 3.1.6 has no OPFS backend, and MEMFS would hold the whole output in
// memory. The handles are opened asynchronously by the worker BEFORE callMain (opening is async in
// the spec); every operation qemu-img then issues — positional read/write, truncate, flush, size —
// is synchronous on the handle, which is what a synchronous C program needs.
//
// Chromium's in-memory OPFS (incognito / non-persistent profiles) cannot grow a file past 2 GiB and
// says so badly: write() returns (uint32)-8 instead of throwing, truncate() silently does nothing.
// Both are checked here and become EFBIG ("File too large") for qemu-img, never silent corruption.
//
// Only declared outputs exist: qemu-img cannot create other files here (a multi-file VMDK output
// must declare its extents, e.g. out.vmdk and out-s001.vmdk).
import type { EmscriptenFS, FileSystemType, FSStream } from './emscripten.ts';
import { ERRNO } from './emscripten.ts';
import { createFlatFs } from './flat-fs.ts';
import type { IoCounters } from './runner.ts';
import { ExtentMap } from './extents.ts';
import { WriteCoalescer } from './opfs-coalesce.ts';

/** The part of FileSystemSyncAccessHandle used here (lib.dom's type needs the WebWorker lib). */
export interface SyncHandle {
  read(buffer: Uint8Array, options?: { at?: number }): number;
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

export interface OpfsFsOptions {
  files: Array<{ name: string; handle: SyncHandle }>;
  counters: IoCounters;
  /** Filled with each output's written ranges (by name), for a cheap verification later
   *  (compare.ts): an output that starts empty has data only where this run wrote. */
  written?: Map<string, ExtentMap>;
}

interface OutFile {
  handle: SyncHandle;
  /** Logical size: what qemu-img wrote, pending writes included. */
  size: number;
  /** Small writes not yet on the handle (opfs-coalesce.ts). */
  pending: WriteCoalescer;
  /** Where this run wrote; undefined when the file held data before the run (then unknown). */
  extents?: ExtentMap;
}

// QuotaExceededError is how OPFS says the disk (or the origin's quota) is full.
const opfsErrno = (e: unknown): number => ((e as { name?: string }).name === 'QuotaExceededError' ? ERRNO.ENOSPC : ERRNO.EIO);

/** The file system, and the end of a run: `flushPending()` writes what is still pending (throws
 *  the handle's error when it cannot: the caller must then fail the run). */
export type OpfsFs = FileSystemType & { flushPending(): void };

export function createOpfsFs(FS: EmscriptenFS, opts: OpfsFsOptions): OpfsFs {
  const { counters } = opts;
  const errno = (e: unknown) => (e instanceof FS.ErrnoError ? e : new FS.ErrnoError(opfsErrno(e)));
  /** The handle's write, counted; EFBIG for in-memory OPFS's silent failure (see the top). */
  const handleWrite = (handle: SyncHandle, data: Uint8Array, at: number) => {
    for (let done = 0; done < data.length;) {
      const t = performance.now();
      const rest = data.subarray(done);
      let n: number;
      try {
        n = handle.write(rest, { at: at + done });
      } catch (e) {
        throw errno(e);
      }
      if (n > rest.length) throw new FS.ErrnoError(ERRNO.EFBIG);
      if (n <= 0) throw new FS.ErrnoError(ERRNO.EIO);
      counters.write(n, t);
      done += n;
    }
  };

  const stream_ops = {
    read(stream: FSStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      const f = stream.node.contents as OutFile;
      if (position >= f.size || length <= 0) return 0;
      f.pending.flushRange(position, position + length);
      const t = performance.now();
      const n = f.handle.read(buffer.subarray(offset, offset + Math.min(length, f.size - position)), { at: position });
      counters.read(n, t);
      return n;
    },
    write(stream: FSStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      const f = stream.node.contents as OutFile;
      if (length <= 0) return 0;
      f.pending.write(buffer.subarray(offset, offset + length), position);
      if (position + length > f.size) f.size = position + length;
      f.extents?.add(position, length);
      return length;
    },
    allocate(stream: FSStream, offset: number, length: number): void {
      const f = stream.node.contents as OutFile;
      if (offset + length > f.size) resize(f, offset + length);
    },
    fsync(stream: FSStream): number {
      const f = stream.node.contents as OutFile;
      f.pending.flushAll();
      const t = performance.now();
      f.handle.flush();
      counters.flush(t);
      return 0;
    },
  };

  const resize = (f: OutFile, size: number) => {
    f.pending.flushAll();
    try {
      f.handle.truncate(size);
    } catch (e) {
      throw new FS.ErrnoError(opfsErrno(e));
    }
    if (f.handle.getSize() !== size) throw new FS.ErrnoError(ERRNO.EFBIG);
    f.size = size;
    f.extents?.truncate(size);
  };

  const files: OutFile[] = [];
  const fs = createFlatFs<OutFile>(FS, {
    dev: 2,
    dirMode: 0o777,
    fileMode: 0o666,
    refuse: ERRNO.EPERM,
    // Not a declared output: OPFS files cannot be opened synchronously, so it cannot exist.
    refuseCreate: ERRNO.EACCES,
    role: 'output',
    files: opts.files.map(({ name, handle }) => {
      const size = handle.getSize();
      // A fresh output (size 0) is all holes until written; one with data stays unknown.
      const extents = size === 0 ? new ExtentMap() : undefined;
      if (extents) opts.written?.set(name, extents);
      const contents: OutFile = { handle, size, extents, pending: new WriteCoalescer((data, at) => handleWrite(handle, data, at)) };
      files.push(contents);
      return { name, contents };
    }),
    resize,
    stream_ops,
  });
  return {
    ...fs,
    flushPending() {
      for (const f of files) f.pending.flushAll();
    },
  };
}
