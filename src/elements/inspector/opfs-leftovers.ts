// What closed tabs left of their conversions in OPFS (the origin's, shared by every tab), found
// and deleted: at the page's load (so a tab closed mid-run costs no storage until the next
// conversion, and the user is told) and before a page's first conversion. Each page's outputs
// live in OPFS_ROOT/<id>/, <id> naming a Web Lock the page holds while it lives: a folder whose
// lock can be taken belongs to a closed tab. A conversion marks its output unfinished (in
// localStorage) until it is verified or deleted, so that the notice can say which outputs were
// partial. "Convert to a file…" leaves nothing in OPFS but the same marks, under the page's lock
// id: a closed tab's file conversion is said (the chosen file is the user's, never touched here).
// Loaded lazily: the first load's script stays small.

export const OPFS_ROOT = 'image-inspector-converted';
export const LOCK_PREFIX = 'image-inspector-converted:';
const UNFINISHED_PREFIX = 'image-inspector-converting:';
const FILE_PREFIX = 'image-inspector-converting-file:';

export interface Leftover {
  name: string;
  size: number;
}

export interface Leftovers {
  /** Outputs of conversions that never finished (the tab closed mid-run or mid-verification). */
  unfinished: Leftover[];
  /** Verified outputs the closed tab still showed (its results were never cleared). */
  finished: Leftover[];
  /** Why a folder could not be deleted (it is tried again by the next sweep). */
  kept?: string;
  /** Conversions into a file the user chose that a closed tab left unfinished, by how far they got. */
  files?: FileLeftover[];
}

export interface FileLeftover {
  name: string;
  /** 'writing': the stream never closed, so nothing reached the file; 'verifying': it was written, not verified. */
  stage: 'writing' | 'verifying';
}

type Dir = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };

/** localStorage, where the page may use it (a sandboxed frame may not: then no output is known
 *  as unfinished, and the notice calls every leftover an output). */
function store(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch (e) {
    console.warn('image-inspector: localStorage is not available, unfinished conversions are not marked:', e);
    return undefined;
  }
}

export function markUnfinished(opfsPath: string): void {
  store()?.setItem(UNFINISHED_PREFIX + opfsPath, String(Date.now()));
}

export function markFinished(opfsPath: string): void {
  store()?.removeItem(UNFINISHED_PREFIX + opfsPath);
}

/** Marks a conversion into a chosen file (`key` unique in the page) as at `stage`; null: it ended. */
export function markFileConversion(page: string, key: string, mark: FileLeftover | null): void {
  const k = `${FILE_PREFIX}${page}/${key}`;
  if (mark) store()?.setItem(k, JSON.stringify(mark));
  else store()?.removeItem(k);
}

function keysWith(prefix: string): string[] {
  const s = store();
  if (!s) return [];
  const keys: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const k = s.key(i);
    if (k?.startsWith(prefix)) keys.push(k);
  }
  return keys;
}

function parseFileMark(text: string | null | undefined): FileLeftover | undefined {
  try {
    const v = JSON.parse(text ?? '') as Partial<FileLeftover>;
    return typeof v.name === 'string' && (v.stage === 'writing' || v.stage === 'verifying') ? { name: v.name, stage: v.stage } : undefined;
  } catch (e) {
    console.warn('image-inspector: an unreadable mark of a file conversion is dropped:', e);
    return undefined;
  }
}

/** The file conversions of pages other than `own` that are gone (their lock can be taken). */
async function sweepFileMarks(own: string | undefined, waitMs: number): Promise<FileLeftover[]> {
  const pages = new Set(keysWith(FILE_PREFIX).map((k) => k.slice(FILE_PREFIX.length).split('/')[0]!));
  pages.delete(own ?? '');
  const found: FileLeftover[] = [];
  await Promise.all(
    [...pages].map((page) =>
      whenOwnerGone(page, waitMs, async () => {
        for (const k of keysWith(`${FILE_PREFIX}${page}/`)) {
          const mark = parseFileMark(store()?.getItem(k));
          if (mark) found.push(mark);
          store()?.removeItem(k);
        }
      }),
    ),
  );
  return found;
}

function unfinishedUnder(folder: string): string[] {
  return keysWith(`${UNFINISHED_PREFIX}${OPFS_ROOT}/${folder}/`);
}

async function filesIn(dir: Dir, prefix: string, out: Array<Leftover & { path: string }>): Promise<void> {
  for await (const [name, h] of dir.entries()) {
    if (h.kind === 'directory') await filesIn(h as Dir, `${prefix}${name}/`, out);
    else out.push({ path: `${prefix}${name}`, name, size: (await (h as FileSystemFileHandle).getFile()).size });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Removes a folder; a dead tab's worker may keep its file's sync access handle for ~2 s after
 *  the tab closed (NoModificationAllowedError): retried for up to `retryMs`. */
async function removeFolder(root: FileSystemDirectoryHandle, name: string, retryMs: number): Promise<void> {
  for (const until = Date.now() + retryMs; ; await sleep(100)) {
    try {
      await root.removeEntry(name, { recursive: true });
      return;
    } catch (e) {
      if ((e as { name?: string }).name === 'NotFoundError') return;
      if (Date.now() >= until) throw e;
    }
  }
}

/** The folder's owner is gone once its lock can be taken; `waitMs` lets a tab that is just
 *  closing (a reload) release it. Resolves with what `swept` returned, or undefined: alive. */
async function whenOwnerGone<T>(folder: string, waitMs: number, swept: () => Promise<T>): Promise<T | undefined> {
  const name = LOCK_PREFIX + folder;
  if (waitMs <= 0) return navigator.locks.request(name, { ifAvailable: true }, (lock) => (lock ? swept() : undefined));
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), waitMs);
  try {
    return await navigator.locks.request(name, { signal: stop.signal }, () => {
      clearTimeout(timer);
      return swept();
    });
  } catch (e) {
    if ((e as { name?: string }).name === 'AbortError') return undefined;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Deletes every folder under OPFS_ROOT but `own` whose tab is gone; says what it deleted. */
export async function sweepClosedTabs(own: string | undefined, opts: { waitMs: number; retryMs: number }): Promise<Leftovers> {
  const found: Leftovers = { unfinished: [], finished: [] };
  if (!navigator.locks) return found;
  const files = await sweepFileMarks(own, opts.waitMs);
  if (files.length) found.files = files;
  if (typeof navigator.storage?.getDirectory !== 'function') return found;
  let root: Dir;
  try {
    root = (await (await navigator.storage.getDirectory()).getDirectoryHandle(OPFS_ROOT)) as Dir;
  } catch (e) {
    if ((e as { name?: string }).name === 'NotFoundError') return found;
    throw e;
  }
  // Listed before any lock is asked: a page takes its lock before it creates its folder, so every
  // folder listed here has its owner's lock held, if that owner lives.
  const names: string[] = [];
  for await (const [name] of root.entries()) if (name !== own) names.push(name);
  await Promise.all(
    names.map((folder) =>
      whenOwnerGone(folder, opts.waitMs, async () => {
        const files: Array<Leftover & { path: string }> = [];
        try {
          await filesIn((await root.getDirectoryHandle(folder)) as Dir, `${OPFS_ROOT}/${folder}/`, files);
          await removeFolder(root, folder, opts.retryMs);
        } catch (e) {
          if ((e as { name?: string }).name === 'NotFoundError') return; // another page swept it first
          found.kept = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          return;
        }
        const unfinished = new Set(unfinishedUnder(folder));
        for (const f of files) {
          (unfinished.has(UNFINISHED_PREFIX + f.path) ? found.unfinished : found.finished).push({ name: f.name, size: f.size });
        }
        for (const k of unfinished) store()?.removeItem(k);
      }),
    ),
  );
  return found;
}
