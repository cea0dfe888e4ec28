// Node only: makes the host file system visible to the wasm qemu-img under the SAME paths, so
// `image-inspector qemu-img info ../a.vmdk` resolves like native and error messages name the
// user's own paths. Each top-level host directory is mounted with emscripten's NODEFS at its own
// name, and the wasm's cwd is set to the host cwd. NODEFS reads and writes through positional
// fs.readSync/fs.writeSync: nothing is read whole, memory stays bounded by qemu-img's buffers.
// Writes go through a helper thread (write-behind.ts) unless IMAGE_INSPECTOR_WRITE_BEHIND=0.
// /dev and /proc: host-devices.ts. Holes of the files a run writes: extents.ts and seek.ts.
import { readdirSync, statSync } from 'node:fs';
import type { QemuImgModule, StreamOps, FSStream, FSNode } from './emscripten.ts';
import { ERRNO } from './emscripten.ts';
import type { IoCounters } from './runner.ts';
import type { ExtentRegistry } from './extents.ts';
import { installSeekDataHole } from './seek.ts';
import { mountHostDevices, type NodeFs } from './host-devices.ts';
import { installHostOpen } from './host-open.ts';
import { WriteBehind, writeBehindEnabled } from './write-behind.ts';

// /dev and /proc stay emscripten's own (qemu-img needs its /dev/null, /dev/urandom, /proc/self/fd);
// /sys means nothing to it.
const KEEP_VIRTUAL = new Set(['dev', 'proc', 'sys']);

function hostTopLevelDirs(): string[] {
  const dirs: string[] = [];
  for (const ent of readdirSync('/', { withFileTypes: true })) {
    if (KEEP_VIRTUAL.has(ent.name)) continue;
    if (ent.isDirectory()) dirs.push(`/${ent.name}`);
    else if (ent.isSymbolicLink()) {
      // /bin -> usr/bin style links: mount what they point to under the link's name. A dangling
      // link has nothing to mount, and no path through it can exist natively either.
      const st = statSync(`/${ent.name}`, { throwIfNoEntry: false });
      if (st?.isDirectory()) dirs.push(`/${ent.name}`);
    }
  }
  return dirs;
}

export interface HostMount {
  cwd: string;
  /** The command's arguments: host paths under /dev and /proc they name are made reachable. */
  args: string[];
  counters: IoCounters;
  /** Data ranges of the files this run creates, and those known from earlier runs (by host path). */
  extents: ExtentRegistry;
}

/** Mounts the host; returns the run's write-behind (its finish() after the run), if on. */
export function mountHost(mod: QemuImgModule, m: HostMount): WriteBehind | undefined {
  const { FS } = mod;
  const nodefs = FS.filesystems.NODEFS as NodeFs | undefined;
  if (!nodefs) throw new Error('this qemu-img build has no NODEFS (-lnodefs.js)');
  // Innermost: it replaces NODEFS's own write; counters and extents wrap it.
  const writeBehind = writeBehindEnabled()
    ? new WriteBehind(nodefs, FS.ErrnoError, (code) => nodefs.convertNodeCode({ code }) ?? ERRNO.EIO)
    : undefined;
  writeBehind?.install();
  countIo(nodefs.stream_ops, m.counters);
  trackExtents(nodefs, m.extents);
  installAllocate(nodefs);
  const isNodefs = (node: FSNode) => node.node_ops === nodefs.node_ops;
  installSeekDataHole(FS, {
    extentsOf: (s) => (isNodefs(s.node) ? m.extents.get(nodefs.realPath(s.node)) : undefined),
    sizeOf: (s) => s.node.node_ops.getattr!(s.node).size,
  });
  const hostDirs = hostTopLevelDirs();
  for (const dir of hostDirs) {
    if (!FS.analyzePath(dir).exists) FS.mkdir(dir);
    FS.mount(nodefs, { root: dir }, dir);
  }
  installHostOpen(
    FS,
    (p) => p.startsWith('/dev/shm/') || hostDirs.some((d) => p === d || p.startsWith(`${d}/`)),
    (code) => nodefs.convertNodeCode({ code }) ?? ERRNO.EIO,
  );
  mountHostDevices(FS, nodefs, m.args, m.cwd);
  FS.chdir(m.cwd);
  return writeBehind;
}

/** Files the run creates or truncates to 0 start an extent map; writes and truncations update it. */
function trackExtents(nodefs: NodeFs, extents: ExtentRegistry): void {
  const n = nodefs.node_ops;
  const s = nodefs.stream_ops;
  const { mknod, setattr } = n;
  const { write } = s;
  if (!mknod || !setattr || !write) return;
  n.mknod = (parent, name, mode, dev) => {
    const node = mknod(parent, name, mode, dev);
    extents.startEmpty(nodefs.realPath(node));
    return node;
  };
  // open(O_TRUNC) and ftruncate both arrive here.
  n.setattr = (node, attr) => {
    setattr(node, attr);
    if (attr.size === undefined) return;
    const key = nodefs.realPath(node);
    if (attr.size === 0) extents.startEmpty(key);
    else extents.get(key)?.truncate(attr.size);
  };
  s.write = (stream: FSStream, buffer, offset, length, position, canOwn) => {
    const written = write(stream, buffer, offset, length, position, canOwn);
    extents.get(nodefs.realPath(stream.node))?.add(position, written);
    return written;
  };
}

/** posix_fallocate (qemu's preallocation=falloc) on host files: emscripten's NODEFS has none (ENOTSUP,
 *  so qemu-img failed where native succeeds) and Node's fs offers no fallocate. The file is extended
 *  to the range's end, as the page's output file systems do (opfs-fs.ts, file-handle-fs.ts): it
 *  reads exactly as native's output (zeros), only its space is not reserved ahead. Through setattr,
 *  so the write-behind settles first and the extent map follows the new size. */
function installAllocate(nodefs: NodeFs): void {
  const { getattr, setattr } = nodefs.node_ops;
  if (!getattr || !setattr || nodefs.stream_ops.allocate) return;
  nodefs.stream_ops.allocate = (stream: FSStream, offset: number, length: number) => {
    const end = offset + length;
    if (getattr(stream.node).size < end) setattr(stream.node, { size: end });
  };
}

/** Wraps a file system's read/write to count bytes for progress (this instance's ops only). */
export function countIo(ops: StreamOps | undefined, counters: IoCounters): void {
  if (!ops?.read || !ops.write) return;
  const read = ops.read.bind(ops);
  const write = ops.write.bind(ops);
  ops.read = (stream: FSStream, buffer, offset, length, position) => {
    const t = performance.now();
    const n = read(stream, buffer, offset, length, position);
    counters.read(n, t);
    return n;
  };
  ops.write = (stream: FSStream, buffer, offset, length, position, canOwn) => {
    const t = performance.now();
    const n = write(stream, buffer, offset, length, position, canOwn);
    counters.write(n, t);
    return n;
  };
}
