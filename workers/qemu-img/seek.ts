// lseek(SEEK_DATA / SEEK_HOLE) for file systems that know no holes (Blobs, OPFS, Node's fs): the
// whole file is data and the only hole is the implicit one at its end, as POSIX allows. qemu then
// treats every byte as allocated, which is what it does when a host has no hole support.
// (emscripten 3.1.6's FS.llseek rejects whence 3/4 with EINVAL before any file system sees them,
// with the same outcome; this keeps our file systems right if the build lets them through.)
import type { EmscriptenFS } from './emscripten.ts';
import { ERRNO, SEEK_DATA, SEEK_HOLE } from './emscripten.ts';

/** The new position for SEEK_DATA/SEEK_HOLE, or undefined for any other whence. */
export function seekDataHole(FS: EmscriptenFS, offset: number, whence: number, size: number): number | undefined {
  if (whence !== SEEK_DATA && whence !== SEEK_HOLE) return undefined;
  if (offset < 0) throw new FS.ErrnoError(ERRNO.EINVAL);
  if (offset >= size) throw new FS.ErrnoError(ERRNO.ENXIO);
  return whence === SEEK_DATA ? offset : size;
}
