// Node only: host paths under /dev and /proc for the wasm qemu-img. Those two trees stay
// emscripten's own (qemu-img needs its /dev/null, /dev/urandom and /proc/self/fd), so host files
// there were unreachable: a block device (/dev/sdb, /dev/loop0, /dev/nbd0), /dev/stdin, /proc/<pid>/…
// Here each such path the command names gets a node at its own path that passes every operation
// through to the host file, and /dev/shm (a plain tmpfs directory) is the host's, mounted whole.
// /proc/self/fd/N the command names is this process's descriptor N (what the shell handed it, as
// native qemu-img gets it): its node goes beside emscripten's own, which only readlink can use.
// NODEFS cannot do this itself: it refuses device nodes (EINVAL) and reports a block device's
// size as 0.
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync, truncateSync, writeSync, type Stats } from 'node:fs';
import { dirname, basename, resolve } from 'node:path';
import type { EmscriptenFS, FSNode, FSStream, Attr, FileSystemType, NodeOps, StreamOps } from './emscripten.ts';
import { ERRNO, SEEK_CUR, SEEK_END } from './emscripten.ts';

/** NODEFS as the glue defines it (the parts used here and by host-fs.ts). */
export interface NodeFs extends FileSystemType {
  node_ops: NodeOps;
  stream_ops: StreamOps;
  flagsForNode(flags: number): number;
  convertNodeCode(e: unknown): number;
  realPath(node: FSNode): string;
}

const SELF_FD = /^\/proc\/self\/fd\/\d+$/;
const UNDER_HOST_TREES = /^\/(dev|proc)\//;
const PATH_IN_ARG = /(?:^|[=,:"])(\/(?:dev|proc)\/[^,"'\s]+)/g;

/** Host paths under /dev or /proc that a command's arguments name (also inside -o / --image-opts
 *  strings and JSON filenames), relative ones resolved against the working directory. */
export function hostPathsIn(args: string[], cwd: string): string[] {
  const found = new Set<string>();
  for (const arg of args) {
    const unescaped = arg.replaceAll(',,', ',');
    if (UNDER_HOST_TREES.test(unescaped)) found.add(unescaped);
    for (const m of unescaped.matchAll(PATH_IN_ARG)) found.add(m[1]!);
    if (UNDER_HOST_TREES.test(`${cwd}/`) && !arg.startsWith('-') && !arg.startsWith('/')) found.add(resolve(cwd, arg));
  }
  return [...found].filter((p) => {
    if (p.startsWith('/dev/shm/')) return false; // mounted whole
    const st = statSync(p, { throwIfNoEntry: false });
    return st !== undefined && !st.isDirectory();
  });
}

/** A block device's size from sysfs (Node's fs has no BLKGETSIZE64 ioctl nor lseek). */
export function blockDeviceSize(rdev: number): number {
  const major = Math.floor(rdev / 256) & 0xfff;
  const minor = (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00);
  try {
    return Number(readFileSync(`/sys/dev/block/${major}:${minor}/size`, 'utf8').trim()) * 512;
  } catch {
    // No sysfs (a container without it): the device reads as empty, and qemu-img says so.
    return 0;
  }
}

function sizeOf(st: Stats): number {
  return st.isBlockDevice() ? blockDeviceSize(st.rdev) : st.size;
}

function attrOf(st: Stats, node: FSNode): Attr {
  const size = sizeOf(st);
  return {
    dev: st.dev,
    ino: node.id,
    mode: st.mode,
    nlink: st.nlink,
    uid: st.uid,
    gid: st.gid,
    rdev: st.rdev,
    size,
    atime: st.atime,
    mtime: st.mtime,
    ctime: st.ctime,
    blksize: st.blksize,
    blocks: st.blocks,
  };
}

type HostStream = FSStream & { nfd?: number };

function hostNode(FS: EmscriptenFS, nodefs: NodeFs, path: string): void {
  const st = statSync(path);
  const fsx = FS as EmscriptenFS & { unlink(p: string): void; mkdirTree(p: string): void };
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new FS.ErrnoError(nodefs.convertNodeCode(e) ?? ERRNO.EIO);
    }
  };
  // emscripten's own /dev/stdin is a null device; its /proc/self/fd/N cannot be unlinked nor opened,
  // and a node of that name in its directory is found before them.
  if (!SELF_FD.test(path) && FS.analyzePath(path).exists) fsx.unlink(path);
  fsx.mkdirTree(dirname(path));
  const parent = FS.lookupPath(dirname(path)).node!;
  const node = FS.createNode(parent, basename(path), st.mode, st.rdev);
  node.node_ops = {
    getattr: (n) => wrap(() => attrOf(statSync(path), n)),
    setattr: (_n, attr) => {
      if (attr.size !== undefined && statSync(path).isFile()) wrap(() => truncateSync(path, attr.size));
    },
  };
  node.stream_ops = {
    open: (s: HostStream) => {
      s.nfd = wrap(() => openSync(path, nodefs.flagsForNode(s.flags)));
    },
    close: (s: HostStream) => {
      if (s.nfd !== undefined) wrap(() => closeSync(s.nfd!));
    },
    read: (s: HostStream, buffer, offset, length, position) =>
      length === 0 ? 0 : wrap(() => readSync(s.nfd!, buffer, offset, length, position)),
    write: (s: HostStream, buffer, offset, length, position) => wrap(() => writeSync(s.nfd!, buffer, offset, length, position)),
    llseek: (s: HostStream, offset, whence) => {
      let position = offset;
      if (whence === SEEK_CUR) position += s.position;
      else if (whence === SEEK_END) position += wrap(() => sizeOf(fstatSync(s.nfd!)));
      if (position < 0) throw new FS.ErrnoError(ERRNO.EINVAL);
      return position;
    },
  };
}

/** Mounts host /dev/shm and creates pass-through nodes for the host paths the command names. */
export function mountHostDevices(FS: EmscriptenFS, nodefs: NodeFs, args: string[], cwd: string): void {
  if (statSync('/dev/shm', { throwIfNoEntry: false })?.isDirectory()) FS.mount(nodefs, { root: '/dev/shm' }, '/dev/shm');
  for (const path of hostPathsIn(args, cwd)) {
    try {
      hostNode(FS, nodefs, path);
    } catch {
      // A path emscripten keeps for itself (or one that vanished): qemu-img then reports it as
      // missing, like any other file it cannot open, instead of the whole run failing here.
    }
  }
  // A working directory elsewhere under /dev or /proc: its directories, so chdir works (the files
  // the command names in it are nodes above).
  if (UNDER_HOST_TREES.test(`${cwd}/`) && !FS.analyzePath(cwd).exists) (FS as EmscriptenFS & { mkdirTree(p: string): void }).mkdirTree(cwd);
}
