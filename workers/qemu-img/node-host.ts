// Node: loading the wasm qemu-img and running one command on the host's files, in whichever thread
// calls it (the runner's worker thread, or the CLI's main thread).
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { runModule } from './runner.ts';
import { mountHost } from './host-fs.ts';
import type { QemuImgFactory } from './emscripten.ts';
import type { RunProgress, RunResult } from './types.ts';
import { wasmDistDir } from './node-protocol.ts';

let loaded: Promise<{ factory: QemuImgFactory; wasm: WebAssembly.Module }> | undefined;

/** Imports the glue and compiles the wasm, once per thread. */
export function loadNodeQemuImg() {
  loaded ??= (async () => {
    const dir = wasmDistDir();
    const [glue, bytes] = await Promise.all([
      import(pathToFileURL(join(dir, 'qemu-img.mjs')).href) as Promise<{ default: QemuImgFactory }>,
      readFile(join(dir, 'qemu-img.wasm')),
    ]);
    return { factory: glue.default, wasm: await WebAssembly.compile(bytes) };
  })();
  return loaded;
}

export interface HostRunCallbacks {
  onStdout?(chunk: Uint8Array): void;
  onStderr?(chunk: Uint8Array): void;
  onProgress?(p: RunProgress): void;
}

function dropListenersAddedSince(): () => void {
  const ue = new Set(process.listeners('uncaughtException'));
  const ur = new Set(process.listeners('unhandledRejection'));
  return () => {
    for (const l of process.listeners('uncaughtException')) if (!ue.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!ur.has(l)) process.removeListener('unhandledRejection', l);
  };
}

/** One command on a fresh instance with the host file system mounted at the same paths. */
export async function runOnHost(args: string[], cwd: string, cb: HostRunCallbacks = {}): Promise<RunResult> {
  const { factory, wasm } = await loadNodeQemuImg();
  // The glue's Node branch adds process-level 'uncaughtException'/'unhandledRejection' listeners
  // per instance (NODEJS_CATCH_EXIT/REJECTION): drop the ones a run added so they do not pile up.
  const restoreListeners = dropListenersAddedSince();
  try {
    return await runModule({
      factory,
      wasm,
      args,
      setup: (mod, counters) => mountHost(mod, cwd, counters),
      onStdout: cb.onStdout,
      onStderr: cb.onStderr,
      onProgress: cb.onProgress,
    });
  } finally {
    restoreListeners();
  }
}
