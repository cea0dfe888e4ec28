// Where a conversion writes, so that a failed, interrupted or killed run (SIGKILL, OOM) never
// leaves a partial OUT, and a pre-existing OUT survives any failure:
//   staged    single-file outputs: qemu-img writes `.OUT.partial-<pid>-XXXXXX/OUT` in OUT's own
//             directory (same file system, so the publish is one rename(2)); after verification
//             the file is renamed onto OUT. The file keeps OUT's name inside its directory because
//             a VMDK embeds its own name in its descriptor: the bytes are those native writes. A
//             killed run's directory is removed by the next run for the same OUT, its process gone.
//   in place  everything else, written at OUT as native does, removing on failure only what this
//             run created or changed (a changed file is a partial one; an untouched one is kept):
//             - multi-file VMDKs (twoGbMaxExtent*, monolithicFlat): the descriptor names its extent
//               files relative to itself, and a set of files cannot be replaced in one rename — a
//               crash between renames would pair a new descriptor with old extents;
//             - an OUT that is not a regular file (a block device is written where it is; a rename
//               would replace the device node);
//             - paths under /dev (but /dev/shm) and /proc: the wasm qemu-img reaches only the nodes
//               there that the command names (host-devices.ts), not a new directory beside them;
//             - a directory where no temp directory can be made (read-only, full): native then
//               overwrites the existing OUT in place, and so does this;
//             - an OUT that names no file ('', 'dir/', 'x/.', '..'): qemu-img refuses it as native
//               does, where staging under resolve(OUT) would write a file named as the directory
//               (or replace the file 'x' of 'x/').
import { chmodSync, lstatSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { danglingTarget } from '../../workers/qemu-img/host-open.ts';

export interface OutputPlan {
  /** The path qemu-img writes (and the verification and inspection read). */
  readonly writePath: string;
  /** Publishes the verified output at OUT. */
  commit(): void;
  /** Removes what this run left; says what became of OUT. Synchronous: an 'exit' listener calls it. */
  discard(): string;
}

/** What a path names for the checks before and after a run, or undefined when it names nothing
 *  that exists: besides ENOENT, 'file/' or 'file/x' (ENOTDIR), a link loop, an unsearchable or
 *  too long path. qemu-img then says what is wrong with it, as natively; Node's throwIfNoEntry
 *  spares only ENOENT, and an ENOTDIR thrown here ended the run with a stack trace. */
export function statIfAny(p: string, link = false): Stats | undefined {
  try {
    return link ? lstatSync(p) : statSync(p);
  } catch (e) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'ENAMETOOLONG'].includes((e as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw e;
  }
}

/** `out` as given (relative to the cwd, as qemu-img resolves it); `singleFile`: no extent files. */
export function planOutput(out: string, singleFile: boolean): OutputPlan {
  const inPlace = () => new InPlace(out);
  const abs = resolve(out);
  if (['', '.', '..'].includes(out.split('/').at(-1)!)) return inPlace();
  if (!singleFile || (/^\/(dev|proc)\//.test(abs) && !abs.startsWith('/dev/shm/'))) return inPlace();
  const link = statIfAny(out, true);
  const st = statIfAny(out);
  if (st && !st.isFile()) return inPlace();
  // Native writes through a symlink (open(O_CREAT|O_TRUNC) follows it): the rename goes onto its
  // target, also a dangling link's (native creates it). Written in place, a failed run's discard
  // would have removed the link and left the partial target.
  const dangling = link?.isSymbolicLink() && !st ? danglingTarget(abs) : undefined;
  if (link?.isSymbolicLink() && !st && !dangling) return inPlace();
  const target = dangling ?? (link?.isSymbolicLink() ? realpathSync(out) : abs);
  removeStale(dirname(target), basename(target));
  let dir: string;
  try {
    dir = mkdtempSync(join(dirname(target), `.${basename(target)}.partial-${process.pid}-`));
  } catch {
    return inPlace();
  }
  // The staged file has OUT's own name (not a symlink target's): that is the name a VMDK records.
  return new Staged(out, target, join(dir, basename(abs)), st?.mode);
}

/** Staging directories of earlier runs for the same OUT whose process is gone (a SIGKILL, an OOM). */
function removeStale(dir: string, name: string): void {
  const prefix = `.${name}.partial-`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix));
  } catch {
    return; // an unreadable directory: mkdtemp below says what it can
  }
  for (const n of names) {
    const pid = Number(/^(\d+)-/.exec(n.slice(prefix.length))?.[1]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(join(dir, n), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process: it exists
  }
}

class Staged implements OutputPlan {
  private readonly dir: string;

  constructor(
    private readonly shown: string,
    private readonly target: string,
    readonly writePath: string,
    private readonly previousMode: number | undefined,
  ) {
    this.dir = dirname(writePath);
  }

  commit(): void {
    // An OUT replaced in place keeps its permissions (open(O_TRUNC) does not touch them).
    if (this.previousMode !== undefined) chmodSync(this.writePath, this.previousMode & 0o7777);
    renameSync(this.writePath, this.target);
    rmSync(this.dir, { recursive: true, force: true });
  }

  discard(): string {
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch (e) {
      return `${this.dir} could not be removed (${e instanceof Error ? e.message : String(e)})`;
    }
    return this.previousMode === undefined ? 'no output was left behind' : `${this.shown} is as it was`;
  }
}

interface Seen {
  ino: number;
  size: number;
  mtimeMs: number;
}

const seen = (p: string): Seen | undefined => {
  const st = statIfAny(p);
  return st?.isFile() ? { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } : undefined;
};

class InPlace implements OutputPlan {
  private readonly dir: string;
  /** qemu's names for the extents of OUT (vmdk.c: `%s-%c%03d%s` and `%s-flat%s`). */
  private readonly extent: RegExp;
  private readonly before = new Map<string, Seen>();

  constructor(readonly writePath: string) {
    this.dir = dirname(writePath);
    const ext = extname(writePath);
    const stem = basename(writePath, ext);
    const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.extent = new RegExp(`^${quote(stem)}-(?:[sf]\\d{3}|flat)${quote(ext)}$`);
    for (const p of this.ours()) {
      const s = seen(p);
      if (s) this.before.set(p, s);
    }
  }

  /** OUT and the files beside it that are named as its extents. */
  private ours(): string[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir).filter((n) => this.extent.test(n));
    } catch {
      // No directory to list: only OUT itself can be there.
    }
    return [this.writePath, ...names.map((n) => join(this.dir, n))];
  }

  commit(): void {}

  discard(): string {
    for (const p of this.ours()) {
      const now = seen(p);
      const then = this.before.get(p);
      if (!now) continue;
      const changed = !then || now.ino !== then.ino || now.size !== then.size || now.mtimeMs !== then.mtimeMs;
      try {
        if (changed) rmSync(p, { force: true });
      } catch (e) {
        return `${p} could not be removed (${e instanceof Error ? e.message : String(e)})`;
      }
    }
    const left = statIfAny(this.writePath);
    if (!left) return 'no output was left behind';
    // A directory is never written (qemu-img cannot create an image there); a device may have been.
    return left.isFile() || left.isDirectory() ? `${this.writePath} is as it was` : `${this.writePath} may have been partly written`;
  }
}
