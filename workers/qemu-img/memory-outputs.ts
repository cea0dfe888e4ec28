// Small outputs kept in the wasm's own memory (emscripten MEMFS at /mem) and handed back with the
// result: what the guest reader (guest-reader.ts) asks qemu-img to write — a window of guest bytes
// per run, ≤ a few MiB — so reading the guest needs no OPFS file in the page and no temp file in
// Node. Shared by the browser worker and the Node runner.
import type { QemuImgModule } from './emscripten.ts';
import { MEM_DIR } from './types.ts';

/** The largest memory output a run may hand back: the guest reader asks for ≤ 4 MiB windows. */
export const MAX_MEMORY_OUTPUT = 16 * 1024 * 1024;

interface ReadableFS {
  readFile(path: string): Uint8Array;
  stat(path: string): { size: number };
}

function check(names: readonly string[]): void {
  for (const n of names) if (!/^[\w.-]+$/.test(n)) throw new Error(`bad memory output name ${JSON.stringify(n)}`);
}

/** Creates /mem (MEMFS, the runtime's default file system) before the run. */
export function prepareMemoryOutputs(mod: QemuImgModule, names: readonly string[] | undefined): void {
  if (!names?.length) return;
  check(names);
  if (!mod.FS.analyzePath(MEM_DIR).exists) mod.FS.mkdir(MEM_DIR);
}

/** The outputs the run wrote (a missing one is left out: qemu-img failed before creating it). */
export function collectMemoryOutputs(mod: QemuImgModule | undefined, names: readonly string[] | undefined): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  if (!mod || !names?.length) return files;
  const fs = mod.FS as unknown as ReadableFS & QemuImgModule['FS'];
  for (const n of names) {
    const path = `${MEM_DIR}/${n}`;
    if (!fs.analyzePath(path).exists) continue;
    // Too large to hand back: left out, so the caller sees no output rather than a huge copy.
    if (fs.stat(path).size > MAX_MEMORY_OUTPUT) continue;
    const data = fs.readFile(path);
    // A copy: the view into the instance's heap dies with the instance.
    files[n] = data.slice();
  }
  return files;
}
