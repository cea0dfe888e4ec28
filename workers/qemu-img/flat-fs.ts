// The directory plumbing shared by the runner's browser file systems. /in (Blobs) and /out (OPFS
// handles) are each one flat directory whose files are all known before qemu-img starts: nothing
// can be created, renamed or removed there, so only the per-file I/O differs between them.
import type { EmscriptenFS, FileSystemType, FSNode, FSStream, Attr, StreamOps } from './emscripten.ts';
import { ERRNO, S_IFDIR, S_IFREG, SEEK_CUR, SEEK_END } from './emscripten.ts';
import { seekDataHole } from './seek.ts';

/** Per-file state kept in node.contents; `size` is the file's current length. */
export interface FlatFile {
  size: number;
}

export interface FlatFsSpec<F extends FlatFile> {
  /** st_dev of this file system, to tell /in from /out. */
  dev: number;
  dirMode: number;
  fileMode: number;
  /** errno for any change to the directory (EROFS for read-only inputs, EPERM for outputs). */
  refuse: number;
  /** errno when qemu-img tries to create a file that was not declared. */
  refuseCreate: number;
  /** 'input' or 'output', for the message when a name is not a plain file name. */
  role: string;
  files: Array<{ name: string; contents: F }>;
  /** Changes a file's length (ftruncate); absent for read-only files. */
  resize?(file: F, size: number): void;
  /** read/write/fsync/allocate of the files; llseek is common and provided here. */
  stream_ops: Omit<StreamOps, 'llseek'>;
}

export function createFlatFs<F extends FlatFile>(FS: EmscriptenFS, spec: FlatFsSpec<F>): FileSystemType {
  const fileSize = (node: FSNode) => (FS.isFile(node.mode) ? (node.contents as F).size : 4096);
  const refuse = (): never => {
    throw new FS.ErrnoError(spec.refuse);
  };

  const node_ops = {
    getattr(node: FSNode): Attr {
      const size = fileSize(node);
      const t = new Date(node.timestamp);
      return {
        dev: spec.dev,
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
        // st_blocks counts 512-byte units: neither Blobs nor OPFS tell holes, so all is allocated.
        blocks: Math.ceil(size / 512),
      };
    },
    setattr(node: FSNode, attr: { mode?: number; timestamp?: number; size?: number }): void {
      if (attr.size !== undefined) {
        if (!spec.resize) throw new FS.ErrnoError(ERRNO.EROFS);
        spec.resize(node.contents as F, attr.size);
      }
      if (attr.mode !== undefined) node.mode = attr.mode;
      if (attr.timestamp !== undefined) node.timestamp = attr.timestamp;
    },
    lookup(): FSNode {
      throw new FS.ErrnoError(ERRNO.ENOENT);
    },
    mknod(): FSNode {
      throw new FS.ErrnoError(spec.refuseCreate);
    },
    rename: refuse,
    unlink: refuse,
    rmdir: refuse,
    symlink: refuse,
    readdir(node: FSNode): string[] {
      return ['.', '..', ...Object.keys(node.contents as Record<string, FSNode>)];
    },
    readlink(): string {
      throw new FS.ErrnoError(ERRNO.EINVAL);
    },
  };

  const stream_ops: StreamOps = {
    ...spec.stream_ops,
    llseek(stream: FSStream, offset: number, whence: number): number {
      const isFile = FS.isFile(stream.node.mode);
      const dataHole = isFile ? seekDataHole(FS, offset, whence, fileSize(stream.node)) : undefined;
      if (dataHole !== undefined) return dataHole;
      let position = offset;
      if (whence === SEEK_CUR) position += stream.position;
      else if (whence === SEEK_END && isFile) position += fileSize(stream.node);
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
      const root = createNode(null, '/', S_IFDIR | spec.dirMode, {});
      for (const { name, contents } of spec.files) {
        if (!name || name.includes('/') || name === '.' || name === '..') {
          throw new Error(`${spec.role} name must be a plain file name: ${JSON.stringify(name)}`);
        }
        createNode(root, name, S_IFREG | spec.fileMode, contents);
      }
      return root;
    },
  };
}
