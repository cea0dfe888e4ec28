// lseek(SEEK_DATA / SEEK_HOLE). emscripten 3.1.6's FS.llseek rejects whence 3/4 with EINVAL
// before any file system sees them, so qemu treated every file as all data: a sparse raw output
// read back in full. installSeekDataHole() replaces FS.llseek at run time (the wasm recipe stays as
// it is) and answers them: from the run's extent maps for files whose data is known (extents.ts),
// otherwise as POSIX allows for a file system without holes: all data up to the end of the file.
// No build asks yet: emscripten's musl defines SEEK_DATA/SEEK_HOLE only outside __EMSCRIPTEN__,
// so QEMU's file-posix compiles find_allocation out unless its CFLAGS define them (a recipe matter).
import type { EmscriptenFS, FSStream } from './emscripten.ts';
import { ERRNO, SEEK_DATA, SEEK_HOLE } from './emscripten.ts';
import type { ExtentMap } from './extents.ts';

const S_IFMT = 0o170000;
const S_IFBLK = 0o060000;

/** The new position for SEEK_DATA/SEEK_HOLE, or undefined for any other whence. */
export function seekDataHole(FS: EmscriptenFS, offset: number, whence: number, size: number, map?: ExtentMap): number | undefined {
  if (whence !== SEEK_DATA && whence !== SEEK_HOLE) return undefined;
  if (offset < 0) throw new FS.ErrnoError(ERRNO.EINVAL);
  if (offset >= size) throw new FS.ErrnoError(ERRNO.ENXIO);
  if (!map) return whence === SEEK_DATA ? offset : size;
  if (whence === SEEK_HOLE) return map.nextHole(offset, size);
  const data = map.nextData(offset, size);
  if (data === undefined) throw new FS.ErrnoError(ERRNO.ENXIO);
  return data;
}

export interface SeekHooks {
  /** The extent map of the stream's file, when the run knows it. */
  extentsOf(stream: FSStream): ExtentMap | undefined;
  /** The file's size (regular files and block devices). */
  sizeOf(stream: FSStream): number;
}

type LlSeek = (stream: FSStream, offset: number, whence: number) => number;

export function installSeekDataHole(FS: EmscriptenFS, hooks: SeekHooks): void {
  const fs = FS as EmscriptenFS & { llseek: LlSeek };
  const original = fs.llseek.bind(FS);
  fs.llseek = (stream, offset, whence) => {
    if (whence !== SEEK_DATA && whence !== SEEK_HOLE) return original(stream, offset, whence);
    const mode = stream.node.mode;
    if (!FS.isFile(mode) && (mode & S_IFMT) !== S_IFBLK) throw new FS.ErrnoError(ERRNO.EINVAL);
    const position = seekDataHole(FS, offset, whence, hooks.sizeOf(stream), hooks.extentsOf(stream))!;
    stream.position = position;
    return position;
  };
}
