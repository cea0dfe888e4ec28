// Read-only emscripten file system for browser Blobs/Files, mounted at /in (worker only).
//
// Why not emscripten's WORKERFS: it turns every qemu-img read — often 512 bytes to 64 KiB — into a
// Blob.slice() + FileReaderSync round trip, which costs about as much for 4 KiB as for 4 MiB; the
// feasibility build spent most of a conversion there. Here reads are served from a few cached
// windows read in large slices: a miss far from the previous window (metadata lookups: headers, L1,
// L2, refcount tables) reads a small window, while a miss that continues forward (a conversion
// streaming through the file) doubles the window up to `maxWindow`. Only `maxWindows` windows are
// kept, so memory is bounded whatever the file size; the file is never read whole. Positions are
// plain JS numbers, exact up to 2^53 (Blob.slice takes them as such).
import type { EmscriptenFS, FileSystemType, FSStream } from './emscripten.ts';
import { ERRNO } from './emscripten.ts';
import { createFlatFs } from './flat-fs.ts';
import type { IoCounters } from './runner.ts';

/** Synchronous slice reader: FileReaderSync in a worker. Injected to keep this module DOM-free. */
export type ReadBlobSync = (blob: Blob) => ArrayBuffer;

export interface BlobFsOptions {
  files: Array<{ name: string; blob: Blob }>;
  readSync: ReadBlobSync;
  counters: IoCounters;
  minWindow?: number;
  maxWindow?: number;
  maxWindows?: number;
  /** Bytes that files of at most 2 × maxWindow, read whole, may hold in all (default 0: none;
   *  runs that only look, like info or a guest reader, read what they need). */
  wholeFileBudget?: number;
}

interface CachedWindow {
  start: number;
  data: Uint8Array;
  used: number;
}

interface BlobFile {
  blob: Blob;
  size: number;
  windows: CachedWindow[];
  /** End of the last window read and its size, to detect forward streaming. */
  lastMissEnd: number;
  lastWindowSize: number;
  clock: number;
}

const MiB = 1024 * 1024;

export function createBlobFs(FS: EmscriptenFS, opts: BlobFsOptions): FileSystemType {
  const minWindow = opts.minWindow ?? 256 * 1024;
  const maxWindow = opts.maxWindow ?? 16 * MiB;
  const maxWindows = opts.maxWindows ?? 4;
  const { counters, readSync } = opts;

  // With a budget (runs that read all data: convert, compare), a small file (a sparse image of a
  // big disk: a 20 GiB qcow2 holding 16 MiB) is read whole by its first miss: qemu's metadata
  // lookups and data runs were otherwise ~17 slices, each a round trip to the browser process
  // (a compare of that qcow2 and its VHDX: 157-225 ms, then 63-82 ms).
  let wholeBudget = opts.wholeFileBudget ?? 0;
  const readWindow = (f: BlobFile, position: number): CachedWindow => {
    const whole = f.windows.length === 0 && f.size <= 2 * maxWindow && f.size <= wholeBudget;
    if (whole) wholeBudget -= f.size;
    const forward = position >= f.lastMissEnd && position < f.lastMissEnd + 2 * maxWindow;
    const size = forward ? Math.min(maxWindow, Math.max(minWindow, f.lastWindowSize * 2)) : minWindow;
    // Align to 4 KiB so neighbouring small reads land in the same window.
    const start = whole ? 0 : Math.floor(position / 4096) * 4096;
    const end = whole ? f.size : Math.min(f.size, start + size);
    const t = performance.now();
    const data = new Uint8Array(readSync(f.blob.slice(start, end)));
    counters.sourceReads++;
    counters.sourceReadMs += performance.now() - t;
    f.lastMissEnd = end;
    f.lastWindowSize = size;
    const w: CachedWindow = { start, data, used: ++f.clock };
    if (f.windows.length >= maxWindows) {
      let lru = 0;
      for (let i = 1; i < f.windows.length; i++) if (f.windows[i]!.used < f.windows[lru]!.used) lru = i;
      f.windows.splice(lru, 1);
    }
    f.windows.push(w);
    return w;
  };

  const stream_ops = {
    read(stream: FSStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      const f = stream.node.contents as BlobFile;
      if (position >= f.size || length <= 0) return 0;
      const started = performance.now();
      const total = Math.min(length, f.size - position);
      let done = 0;
      while (done < total) {
        const p = position + done;
        const want = total - done;
        let w = f.windows.find((c) => p >= c.start && p < c.start + c.data.length);
        if (!w && want >= maxWindow) {
          // A request as large as a window: read it straight into the heap, no cache copy.
          const t = performance.now();
          const direct = new Uint8Array(readSync(f.blob.slice(p, p + want)));
          counters.sourceReads++;
          counters.sourceReadMs += performance.now() - t;
          buffer.set(direct, offset + done);
          done += direct.length;
          f.lastMissEnd = p + want;
          f.lastWindowSize = maxWindow;
          if (direct.length < want) break;
          continue;
        }
        w ??= readWindow(f, p);
        w.used = ++f.clock;
        const from = p - w.start;
        const n = Math.min(want, w.data.length - from);
        if (n <= 0) break;
        buffer.set(w.data.subarray(from, from + n), offset + done);
        done += n;
      }
      counters.read(done, started);
      return done;
    },
    write(): number {
      throw new FS.ErrnoError(ERRNO.EROFS);
    },
  };

  return createFlatFs<BlobFile>(FS, {
    dev: 1,
    dirMode: 0o555,
    fileMode: 0o444,
    refuse: ERRNO.EROFS,
    refuseCreate: ERRNO.EROFS,
    role: 'input',
    files: opts.files.map(({ name, blob }) => ({
      name,
      contents: { blob, size: blob.size, windows: [], lastMissEnd: -Infinity, lastWindowSize: 0, clock: 0 },
    })),
    stream_ops,
  });
}
