// The CLI's resume state: one JSON file per upload under $XDG_CACHE_HOME/image-inspector/uploads/
// (~/.cache when unset), written atomically (temp file + rename) so that a kill mid-write leaves
// the previous state. UploadState holds no secret by construction (see src/core/upload/types.ts).
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StoredUploadState, UploadStateStore } from '../core/upload/types.ts';

export function uploadStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'image-inspector', 'uploads');
}

const SAFE_ID = /^[a-z0-9-]+$/;

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
        throw e;
      }
    },
    async put(state) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = `${path(state.id)}.${process.pid}.${seq++}.tmp`;
      await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
      await rename(tmp, path(state.id));
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
        throw e;
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
