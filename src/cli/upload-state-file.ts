// The CLI's resume state: one JSON file per upload under $XDG_CACHE_HOME/image-inspector/uploads/
// (~/.cache when unset), written atomically (temp file + rename) so that a kill mid-write leaves
// the previous state. UploadState holds no secret by construction (see src/core/upload/types.ts).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { errnoText } from './file-errors.ts';
import type { StoredUploadState, UploadStateStore } from '../core/upload/types.ts';

export function uploadStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'image-inspector', 'uploads');
}

const SAFE_ID = /^[a-z0-9-]+$/;

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException | null)?.code;

/** Why `dir` cannot be made: a recursive mkdir says ENOENT for any failure under the last existing
 *  ancestor (a read-only file system, a denied one), so the first missing one is tried alone. */
async function whyNoDir(dir: string, e: unknown): Promise<unknown> {
  if (codeOf(e) !== 'ENOENT') return e;
  let missing = dir;
  while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing);
  return mkdir(missing, { mode: 0o700 }).then(
    () => e,
    (why: unknown) => why,
  );
}

/** Node's "EROFS: read-only file system, mkdir '…'" as a sentence that says what to do. */
async function stateError(verb: 'read' | 'save', dir: string, e: unknown, making = false): Promise<unknown> {
  const cause = making ? await whyNoDir(dir, e) : e;
  const text = errnoText(cause);
  if (text === null) return e;
  return new Error(`Cannot ${verb} the resume state in ${dir}: ${text}; set XDG_CACHE_HOME to a writable directory.`, { cause: e });
}

export function fileStateStore(dir = uploadStateDir()): UploadStateStore {
  const path = (id: string) => {
    if (!SAFE_ID.test(id)) throw new Error(`invalid upload state id ${JSON.stringify(id)}`);
    return join(dir, `${id}.json`);
  };
  let seq = 0;
  return {
    async get(id) {
      try {
        return JSON.parse(await readFile(path(id), 'utf8')) as StoredUploadState;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        if (e instanceof SyntaxError) return undefined; // a damaged file: start over rather than fail every run
        throw await stateError('read', dir, e);
      }
    },
    async put(state) {
      await mkdir(dir, { recursive: true, mode: 0o700 }).catch(async (e: unknown) => {
        throw await stateError('save', dir, e, true);
      });
      const tmp = `${path(state.id)}.${process.pid}.${seq++}.tmp`;
      try {
        await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
        await rename(tmp, path(state.id));
      } catch (e) {
        await rm(tmp, { force: true });
        throw await stateError('save', dir, e);
      }
    },
    async delete(id) {
      await rm(path(id), { force: true });
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw await stateError('read', dir, e);
      }
      const out: StoredUploadState[] = [];
      for (const n of names.filter((n) => n.endsWith('.json'))) {
        const s = await this.get(n.slice(0, -5));
        if (s) out.push(s);
      }
      return out;
    },
  };
}
