// Native qemu-img of the engine's own QEMU version, the reference the page's results are compared with.
import { execFileSync } from 'node:child_process';
import { NATIVE_QEMU_IMG } from '../../helpers/engine.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function nativeInfo(path: string, format: string): Record<string, Json> {
  return JSON.parse(execFileSync(NATIVE_QEMU_IMG, ['info', '--output=json', '-f', format, path], { encoding: 'utf8' }));
}

/** Drops what legitimately differs between a host path and the page's /in/<name> mount:
 *  file names and paths (kept as base names) and actual-size (the host's block count). */
export function comparableInfo(info: unknown): Json {
  const walk = (v: unknown, key = ''): Json => {
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') {
      const out: Record<string, Json> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'actual-size' || k === 'full-backing-filename') continue;
        out[k] = walk(x, k);
      }
      return out;
    }
    if (typeof v === 'string' && (key === 'filename' || key === 'backing-filename')) return v.replace(/^.*\//, '');
    return v as Json;
  };
  return walk(info);
}
