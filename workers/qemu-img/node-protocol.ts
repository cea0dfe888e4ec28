// Messages between node.ts (caller's thread) and node-thread.ts (the thread owning the wasm).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunProgress, RunResult } from './types.ts';
import type { WrittenFiles } from './extents.ts';

export interface ThreadRequest {
  args: string[];
  cwd: string;
  progress: boolean;
  forwardStdout: boolean;
  forwardStderr: boolean;
  memoryOutputs?: string[];
  knownExtents?: WrittenFiles;
}

export type ThreadMessage =
  { type: 'stdout' | 'stderr'; chunk: Uint8Array } | { type: 'progress'; progress: RunProgress } | { type: 'done'; result: RunResult };

/** wasm/dist, or IMAGE_INSPECTOR_WASM_DIR (a directory with qemu-img.mjs + qemu-img.wasm). */
export function wasmDistDir(): string {
  return process.env.IMAGE_INSPECTOR_WASM_DIR ?? fileURLToPath(new URL('../../wasm/dist/', import.meta.url));
}

/** The threads flavour: IMAGE_INSPECTOR_WASM_THREADS_DIR, else threads/ inside wasmDistDir();
 *  undefined when that directory has no build (a custom IMAGE_INSPECTOR_WASM_DIR may not). */
export function wasmThreadsDir(): string | undefined {
  const dir = process.env.IMAGE_INSPECTOR_WASM_THREADS_DIR ?? join(wasmDistDir(), 'threads');
  return existsSync(join(dir, 'qemu-img.wasm')) ? dir : undefined;
}
