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
import type { EmscriptenFS, FileSystemType, FSNode, FSStream, Attr } from './emscripten.ts';
import { ERRNO, S_IFDIR, S_IFREG, SEEK_CUR, SEEK_END } from './emscripten.ts';
import type { IoCounters } from './runner.ts';
import { seekDataHole } from './seek.ts';

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
}

interface OutFile {
  handle: SyncHandle;
  size: number;
}

export function createOpfsFs(FS: EmscriptenFS, opts: OpfsFsOptions): FileSystemType {
  const { counters } = opts;

  const node_ops = {
    getattr(node: FSNode): Attr {
      const isFile = FS.isFile(node.mode);
      const size = isFile ? (node.contents as OutFile).size : 4096;
      const t = new Date(node.timestamp);
      return {
        dev: 2,
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
        blocks: Math.ceil(size / 512),
      };
    },
    setattr(node: FSNode, attr: { mode?: number; timestamp?: number; size?: number }): void {
      if (attr.mode !== undefined) node.mode = attr.mode;
      if (attr.timestamp !== undefined) node.timestamp = attr.timestamp;
      if (attr.size !== undefined) resize(node.contents as OutFile, attr.size);
    },
    lookup(): FSNode {
      throw new FS.ErrnoError(ERRNO.ENOENT);
    },
    mknod(): FSNode {
      // Not a declared output: OPFS files cannot be opened synchronously, so it cannot exist.
      throw new FS.ErrnoError(ERRNO.EACCES);
    },
    rename(): void {
      throw new FS.ErrnoError(ERRNO.EPERM);
    },
    unlink(): void {
      throw new FS.ErrnoError(ERRNO.EPERM);
    },
    rmdir(): void {
      throw new FS.ErrnoError(ERRNO.EPERM);
    },
    readdir(node: FSNode): string[] {
      return ['.', '..', ...Object.keys(node.contents as Record<string, FSNode>)];
    },
    symlink(): void {
      throw new FS.ErrnoError(ERRNO.EPERM);
    },
    readlink(): string {
      throw new FS.ErrnoError(ERRNO.EINVAL);
    },
  };

  const stream_ops = {
    read(stream: FSStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      const f = stream.node.contents as OutFile;
      if (position >= f.size || length <= 0) return 0;
      const t = performance.now();
      const n = f.handle.read(buffer.subarray(offset, offset + Math.min(length, f.size - position)), { at: position });
      counters.read(n, t);
      return n;
    },
    write(stream: FSStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      const f = stream.node.contents as OutFile;
      if (length <= 0) return 0;
      const t = performance.now();
      let n: number;
      try {
        n = f.handle.write(buffer.subarray(offset, offset + length), { at: position });
      } catch (e) {
        // QuotaExceededError is how OPFS says the disk (or the origin's quota) is full.
        throw new FS.ErrnoError((e as { name?: string }).name === 'QuotaExceededError' ? ERRNO.ENOSPC : ERRNO.EIO);
      }
      if (n > length) throw new FS.ErrnoError(ERRNO.EFBIG); // see the top of this file
      if (position + n > f.size) f.size = position + n;
      counters.write(n, t);
      return n;
    },
    llseek(stream: FSStream, offset: number, whence: number): number {
      const dataHole = FS.isFile(stream.node.mode)
        ? seekDataHole(FS, offset, whence, (stream.node.contents as OutFile).size)
        : undefined;
      if (dataHole !== undefined) return dataHole;
      let position = offset;
      if (whence === SEEK_CUR) position += stream.position;
      else if (whence === SEEK_END && FS.isFile(stream.node.mode)) position += (stream.node.contents as OutFile).size;
      else if (whence !== 0) throw new FS.ErrnoError(ERRNO.EINVAL);
      if (position < 0) throw new FS.ErrnoError(ERRNO.EINVAL);
      return position;
    },
    allocate(stream: FSStream, offset: number, length: number): void {
      const f = stream.node.contents as OutFile;
      if (offset + length > f.size) resize(f, offset + length);
    },
    fsync(stream: FSStream): number {
      const t = performance.now();
      (stream.node.contents as OutFile).handle.flush();
      counters.flush(t);
      return 0;
    },
  };

  const resize = (f: OutFile, size: number) => {
    try {
      f.handle.truncate(size);
    } catch (e) {
      throw new FS.ErrnoError((e as { name?: string }).name === 'QuotaExceededError' ? ERRNO.ENOSPC : ERRNO.EIO);
    }
    if (f.handle.getSize() !== size) throw new FS.ErrnoError(ERRNO.EFBIG);
    f.size = size;
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
      const root = createNode(null, '/', S_IFDIR | 0o777, {});
      for (const { name, handle } of opts.files) {
        if (!name || name.includes('/') || name === '.' || name === '..') {
          throw new Error(`output name must be a plain file name: ${JSON.stringify(name)}`);
        }
        createNode(root, name, S_IFREG | 0o666, { handle, size: handle.getSize() } satisfies OutFile);
      }
      return root;
    },
  };
}
