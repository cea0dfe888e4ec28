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
import type { EmscriptenFS, FileSystemType, FSNode, FSStream, Attr } from './emscripten.ts';
import { ERRNO, S_IFDIR, S_IFREG, SEEK_CUR, SEEK_END } from './emscripten.ts';
import type { IoCounters } from './runner.ts';
import { seekDataHole } from './seek.ts';

/** Synchronous slice reader: FileReaderSync in a worker. Injected to keep this module DOM-free. */
export type ReadBlobSync = (blob: Blob) => ArrayBuffer;

export interface BlobFsOptions {
  files: Array<{ name: string; blob: Blob }>;
  readSync: ReadBlobSync;
  counters: IoCounters;
  minWindow?: number;
  maxWindow?: number;
  maxWindows?: number;
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

  const readWindow = (f: BlobFile, position: number): CachedWindow => {
    const forward = position >= f.lastMissEnd && position < f.lastMissEnd + 2 * maxWindow;
    const size = forward ? Math.min(maxWindow, Math.max(minWindow, f.lastWindowSize * 2)) : minWindow;
    // Align to 4 KiB so neighbouring small reads land in the same window.
    const start = Math.floor(position / 4096) * 4096;
    const end = Math.min(f.size, start + size);
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

  const node_ops = {
    getattr(node: FSNode): Attr {
      const f = node.contents as BlobFile | Record<string, FSNode>;
      const isFile = FS.isFile(node.mode);
      const size = isFile ? (f as BlobFile).size : 4096;
      const t = new Date(node.timestamp);
      return {
        dev: 1,
        ino: node.id,
        mode: node.mode,
        nlink: 1,
        uid: 0,
        gid: 0,
        rdev: 0,
        size,
        atime: t,
        mtime: t,
        ctime: t,
        blksize: 4096,
        // st_blocks counts 512-byte units: a Blob is fully allocated as far as anyone can tell.
        blocks: Math.ceil(size / 512),
      };
    },
    setattr(node: FSNode, attr: { mode?: number; timestamp?: number; size?: number }): void {
      if (attr.size !== undefined) throw new FS.ErrnoError(ERRNO.EROFS);
      if (attr.mode !== undefined) node.mode = attr.mode;
      if (attr.timestamp !== undefined) node.timestamp = attr.timestamp;
    },
    lookup(): FSNode {
      throw new FS.ErrnoError(ERRNO.ENOENT);
    },
    mknod(): FSNode {
      throw new FS.ErrnoError(ERRNO.EROFS);
    },
    rename(): void {
      throw new FS.ErrnoError(ERRNO.EROFS);
    },
    unlink(): void {
      throw new FS.ErrnoError(ERRNO.EROFS);
    },
    rmdir(): void {
      throw new FS.ErrnoError(ERRNO.EROFS);
    },
    readdir(node: FSNode): string[] {
      return ['.', '..', ...Object.keys(node.contents as Record<string, FSNode>)];
    },
    symlink(): void {
      throw new FS.ErrnoError(ERRNO.EROFS);
    },
    readlink(): string {
      throw new FS.ErrnoError(ERRNO.EINVAL);
    },
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
    llseek(stream: FSStream, offset: number, whence: number): number {
      const dataHole = FS.isFile(stream.node.mode)
        ? seekDataHole(FS, offset, whence, (stream.node.contents as BlobFile).size)
        : undefined;
      if (dataHole !== undefined) return dataHole;
      let position = offset;
      if (whence === SEEK_CUR) position += stream.position;
      else if (whence === SEEK_END && FS.isFile(stream.node.mode)) position += (stream.node.contents as BlobFile).size;
      else if (whence !== 0) throw new FS.ErrnoError(ERRNO.EINVAL);
      if (position < 0) throw new FS.ErrnoError(ERRNO.EINVAL);
      return position;
    },
  };

  const createNode = (parent: FSNode | null, name: string, mode: number, contents: unknown): FSNode => {
    const node = FS.createNode(parent, name, mode, 0);
    node.mode = mode;
    node.node_ops = node_ops;
    node.stream_ops = stream_ops;
    node.timestamp = Date.now();
    node.contents = contents;
    if (parent) (parent.contents as Record<string, FSNode>)[name] = node;
    return node;
  };

  return {
    mount(): FSNode {
      const root = createNode(null, '/', S_IFDIR | 0o555, {});
      for (const { name, blob } of opts.files) {
        if (!name || name.includes('/') || name === '.' || name === '..') {
          throw new Error(`input name must be a plain file name: ${JSON.stringify(name)}`);
        }
        const f: BlobFile = { blob, size: blob.size, windows: [], lastMissEnd: -Infinity, lastWindowSize: 0, clock: 0 };
        createNode(root, name, S_IFREG | 0o444, f);
      }
      return root;
    },
  };
}
