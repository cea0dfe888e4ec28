// Node only: open(2) on host paths as Linux answers it, where emscripten's FS.open differs. Its
// path lookup drops a trailing slash and cannot create through a dangling symlink, so the wasm
// qemu-img did what native never does or failed where native succeeds:
//   - `convert … OUT/` (OUT a file, or nothing yet) wrote the file OUT: Linux refuses O_CREAT on a
//     path ending in '/' with EISDIR (native: "Could not create 'OUT/': Is a directory"), and a
//     plain open of 'file/' with ENOTDIR;
//   - `convert … file/x` said EACCES, `info file/x` ENOENT: Linux says ENOTDIR;
//   - OUT a symlink to a file not yet there: Linux creates the target, emscripten said EEXIST.
// Each case is decided from the host file system (the wasm sees it under the same paths); every
// other open goes through unchanged.
import { lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { EmscriptenFS } from './emscripten.ts';

const O_CREAT = 64;
const O_EXCL = 128;
const O_NOFOLLOW = 131072;
/** emscripten musl's errno values (bits/errno.h). */
const EISDIR = 31;
const ENOTDIR = 54;
/** Linux's MAXSYMLINKS: a longer chain is a loop, left to the runtime's own ELOOP. */
const MAX_LINKS = 40;

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** The file a chain of symlinks ends at when that file does not exist yet; undefined otherwise. */
export function danglingTarget(path: string): string | undefined {
  let p = path;
  for (let i = 0; i < MAX_LINKS; i++) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch (e) {
      // nothing there: the last link's target is the file to create (any other error is the runtime's to report)
      return codeOf(e) === 'ENOENT' && p !== path ? p : undefined;
    }
    if (!st.isSymbolicLink()) return undefined;
    p = resolve(dirname(p), readlinkSync(p));
  }
  return undefined;
}

/**
 * Wraps FS.open for absolute paths `isHost` accepts. `errnoOf` maps a Node error code to the
 * runtime's errno (NODEFS's convertNodeCode).
 */
export function installHostOpen(FS: EmscriptenFS, isHost: (path: string) => boolean, errnoOf: (code: string) => number): void {
  const open = FS.open.bind(FS);
  FS.open = (path, flags, mode) => {
    if (typeof path !== 'string' || typeof flags !== 'number' || !path.startsWith('/') || !isHost(path)) return open(path, flags, mode);
    if (/\/(\.\.?)?$/.test(path) && path !== '/') {
      if (flags & O_CREAT) throw new FS.ErrnoError(EISDIR);
      try {
        statSync(path); // Node keeps the trailing slash: 'file/' is ENOTDIR here
      } catch (e) {
        throw new FS.ErrnoError(errnoOf(codeOf(e) ?? 'EIO'));
      }
      return open(path, flags, mode);
    }
    let throughFile = false;
    try {
      throughFile = !statSync(dirname(path)).isDirectory();
    } catch (e) {
      // a missing parent (ENOENT) and the rest the runtime reports itself, as natively
      throughFile = codeOf(e) === 'ENOTDIR';
    }
    if (throughFile) throw new FS.ErrnoError(ENOTDIR);
    if (!(flags & O_CREAT)) return open(path, flags, mode);
    const target = flags & (O_EXCL | O_NOFOLLOW) ? undefined : danglingTarget(path);
    return open(target ?? path, flags, mode);
  };
}
