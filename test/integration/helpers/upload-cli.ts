// Running `image-inspector upload` as a script would (a child process through bin/), with its own
// cache directory for the resume state and none of the caller's OS_* / AWS_* variables.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredUploadState, UploadState } from '../../../src/core/upload/types.ts';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin/image-inspector.mjs');

/** The environment of a run: clouds.yaml of the local cloud (unless `extra` says otherwise). */
export function cliEnv(cache: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OS_') && !k.startsWith('AWS_')) env[k] = v;
  return { ...env, OS_CLIENT_CONFIG_FILE: join(ROOT, '.cloud/clouds.yaml'), XDG_CACHE_HOME: cache, ...extra };
}

export function runUpload(args: string[], env: NodeJS.ProcessEnv, timeout = 120_000) {
  const r = spawnSync(process.execPath, [BIN, 'upload', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function spawnUpload(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'upload', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, exited: new Promise((res) => child.on('exit', (code) => res(code))) };
}

export function statesIn(dir: string): StoredUploadState[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as StoredUploadState);
}

/** The object uploads' resume state (swift, s3) under a cache directory. */
export function objectStates(cache: string): UploadState[] {
  return statesIn(join(cache, 'image-inspector/uploads')).filter((s): s is UploadState => s.target.kind !== 'glance');
}

/** Kills the run (SIGKILL) once its state records at least half of `size` bytes; the bytes stored then. */
export async function killAtHalf(
  run: { child: ChildProcess; exited: Promise<number | null> },
  cache: string,
  size: number,
): Promise<number> {
  let kept = 0;
  for (let i = 0; i < 6000; i++) {
    const bytes = objectStates(cache)[0]?.parts.reduce((n, p) => n + p.size, 0) ?? 0;
    if (bytes >= size / 2) {
      run.child.kill('SIGKILL');
      kept = bytes;
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await run.exited;
  return kept;
}
