// The slice of emscripten 3.1.69's runtime that the runner uses: the module factory of
// wasm/dist/qemu-img.mjs (MODULARIZE + EXPORT_ES6), its FS object and the hooks it reads from the
// options object. Written from emscripten's src/library_fs.js, shell.js and preamble.js; only what
// we call is typed. No DOM or Node imports: both worlds use it.

/** An emscripten FS node (library_fs.js FSNode), with the fields our file systems set. */
export interface FSNode {
  id: number;
  name: string;
  mode: number;
  parent: FSNode;
  mount: unknown;
  node_ops: NodeOps;
  stream_ops: StreamOps;
  timestamp: number;
  // Our file systems keep their per-file state here (emscripten calls it "contents").
  contents: unknown;
  size?: number;
}

export interface FSStream {
  node: FSNode;
  position: number;
  flags: number;
  fd: number;
  stream_ops: StreamOps;
  seekable?: boolean;
}

export interface Attr {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  atime: Date;
  mtime: Date;
  ctime: Date;
  blksize: number;
  blocks: number;
}

export interface NodeOps {
  getattr?(node: FSNode): Attr;
  setattr?(node: FSNode, attr: { mode?: number; timestamp?: number; size?: number }): void;
  lookup?(parent: FSNode, name: string): FSNode;
  mknod?(parent: FSNode, name: string, mode: number, dev: number): FSNode;
  rename?(oldNode: FSNode, newDir: FSNode, newName: string): void;
  unlink?(parent: FSNode, name: string): void;
  rmdir?(parent: FSNode, name: string): void;
  readdir?(node: FSNode): string[];
  symlink?(parent: FSNode, newName: string, oldPath: string): void;
  readlink?(node: FSNode): string;
}

export interface StreamOps {
  open?(stream: FSStream): void;
  close?(stream: FSStream): void;
  read?(stream: FSStream, buffer: Uint8Array, offset: number, length: number, position: number): number;
  write?(stream: FSStream, buffer: Uint8Array, offset: number, length: number, position: number, canOwn?: boolean): number;
  llseek?(stream: FSStream, offset: number, whence: number): number;
  fsync?(stream: FSStream): number | void;
  allocate?(stream: FSStream, offset: number, length: number): void;
}

/** A file system type as FS.mount() takes it. */
export interface FileSystemType {
  mount(mount: { opts: unknown }): FSNode;
}

export interface EmscriptenFS {
  open(path: string | FSNode, flags: number | string, mode?: number): FSStream;
  mkdir(path: string, mode?: number): FSNode;
  mount(type: FileSystemType, opts: unknown, mountpoint: string): FSNode;
  chdir(path: string): void;
  createNode(parent: FSNode | null, name: string, mode: number, dev: number): FSNode;
  lookupPath(path: string, opts?: { follow?: boolean }): { path: string; node: FSNode | null };
  analyzePath(path: string): { exists: boolean };
  isFile(mode: number): boolean;
  isDir(mode: number): boolean;
  ErrnoError: new (errno: number) => Error;
  filesystems: Record<string, FileSystemType & { stream_ops?: StreamOps; node_ops?: NodeOps }>;
}

export interface QemuImgModule {
  FS: EmscriptenFS;
  callMain(args: string[]): number | undefined;
}

/** Options the generated glue reads from the object passed to its factory. */
export interface ModuleOptions {
  noInitialRun?: boolean;
  thisProgram?: string;
  print?(text: string): void;
  printErr?(text: string): void;
  /** Byte-at-a-time stdio devices (library_fs.js createStandardStreams). null = EOF. */
  stdin?(): number | null;
  stdout?(byte: number): void;
  stderr?(byte: number): void;
  /** Replaces the runtime's quit (which calls process.exit in Node). */
  quit?(status: number, toThrow: unknown): void;
  /** Threads flavour: pthread workers started with the module for qemu's pool (wasm/js/pre.js). */
  qemuThreads?: number;
  onAbort?(what: unknown): void;
  locateFile?(path: string, prefix: string): string;
  /** We instantiate from a cached WebAssembly.Module: no fetch, no file read, per run. */
  instantiateWasm?(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void): object;
  preRun?: Array<(mod: QemuImgModule) => void>;
}

export type QemuImgFactory = (options: ModuleOptions) => Promise<QemuImgModule>;

// errno values of emscripten's musl (system/lib/libc/musl/arch/emscripten/bits/errno.h).
export const ERRNO = {
  EPERM: 63,
  ENOENT: 44,
  EIO: 29,
  EACCES: 2,
  EINVAL: 28,
  ENXIO: 60,
  ENOSPC: 51,
  EROFS: 69,
  ENOTSUP: 138,
  EFBIG: 22,
} as const;

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
/** @public (whence values as a set, though the seeks here never pass SEEK_SET) */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
