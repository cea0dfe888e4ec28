// Node only: makes the host file system visible to the wasm qemu-img under the SAME paths, so
// `image-inspector qemu-img info ../a.vmdk` resolves like native and error messages name the
// user's own paths. Each top-level host directory is mounted with emscripten's NODEFS at its own
// name, and the wasm's cwd is set to the host cwd. NODEFS reads and writes through positional
// fs.readSync/fs.writeSync: nothing is read whole, memory stays bounded by qemu-img's buffers.
import { readdirSync, statSync } from 'node:fs';
import type { QemuImgModule, StreamOps, FSStream } from './emscripten.ts';
import type { IoCounters } from './runner.ts';

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

export function mountHost(mod: QemuImgModule, cwd: string, counters: IoCounters): void {
  const { FS } = mod;
  const nodefs = FS.filesystems.NODEFS;
  if (!nodefs) throw new Error('this qemu-img build has no NODEFS (-lnodefs.js)');
  countIo(nodefs.stream_ops, counters);
  for (const dir of hostTopLevelDirs()) {
    if (!FS.analyzePath(dir).exists) FS.mkdir(dir);
    FS.mount(nodefs, { root: dir }, dir);
  }
  FS.chdir(cwd);
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
