// Node worker thread that owns the wasm qemu-img (see node.ts for why a thread). It compiles the
// wasm once per thread and runs each command on a fresh instance via the shared runner core.
import { parentPort } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runModule } from './runner.ts';
import { mountHost } from './host-fs.ts';
import type { QemuImgFactory } from './emscripten.ts';
import type { ThreadRequest, ThreadMessage } from './node-protocol.ts';
import { wasmDistDir } from './node-protocol.ts';

if (!parentPort) throw new Error('node-thread.ts must run in a worker thread');
const port = parentPort;

let loaded: Promise<{ factory: QemuImgFactory; wasm: WebAssembly.Module }> | undefined;
function load() {
  loaded ??= (async () => {
    const dir = wasmDistDir();
    // emscripten 3.1.6's Node branch of an EXPORT_ES6 module still calls require() and reads
    // __dirname, which ES modules lack: give this thread both (nothing else here uses them).
    const g = globalThis as { require?: NodeJS.Require; __dirname?: string };
    g.require ??= createRequire(join(dir, 'qemu-img.mjs'));
    g.__dirname ??= dir;
    const [glue, bytes] = await Promise.all([
      import(pathToFileURL(join(dir, 'qemu-img.mjs')).href) as Promise<{ default: QemuImgFactory }>,
      readFile(join(dir, 'qemu-img.wasm')),
    ]);
    return { factory: glue.default, wasm: await WebAssembly.compile(bytes) };
  })();
  return loaded;
}

// The glue's Node branch adds process-level 'uncaughtException'/'unhandledRejection' listeners per
// instance (NODEJS_CATCH_EXIT/REJECTION): drop the ones a run added so they do not pile up.
function dropListenersAddedSince(): () => void {
  const ue = new Set(process.listeners('uncaughtException'));
  const ur = new Set(process.listeners('unhandledRejection'));
  return () => {
    for (const l of process.listeners('uncaughtException')) if (!ue.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!ur.has(l)) process.removeListener('unhandledRejection', l);
  };
}

port.on('message', async (req: ThreadRequest) => {
  const send = (m: ThreadMessage) => port.postMessage(m);
  const restoreListeners = dropListenersAddedSince();
  const { factory, wasm } = await load();
  const result = await runModule({
    factory,
    wasm,
    args: req.args,
    setup: (mod, counters) => mountHost(mod, req.cwd, counters),
    onStdout: req.forwardStdout ? (chunk) => send({ type: 'stdout', chunk }) : undefined,
    onStderr: req.forwardStderr ? (chunk) => send({ type: 'stderr', chunk }) : undefined,
    onProgress: req.progress ? (progress) => send({ type: 'progress', progress }) : undefined,
  });
  restoreListeners();
  send({ type: 'done', result });
});
