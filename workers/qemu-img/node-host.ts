// Node: loading the wasm qemu-img and running one command on the host's files, in whichever thread
// calls it (the runner's worker thread, or the CLI's main thread).
import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { poolThreadsFor, runModule } from './runner.ts';
import { mountHost } from './host-fs.ts';
import { collectMemoryOutputs, prepareMemoryOutputs } from './memory-outputs.ts';
import type { QemuImgFactory, QemuImgModule } from './emscripten.ts';
import type { RunProgress, RunResult } from './types.ts';
import { wasmDistDir, wasmThreadsDir } from './node-protocol.ts';
import type { WriteBehind, WriteFailure } from './write-behind.ts';
import { ExtentRegistry, type FileExtents, type WrittenFiles } from './extents.ts';

type Loaded = { factory: QemuImgFactory; wasm: WebAssembly.Module };
const loaded = new Map<string, Promise<Loaded>>();

/** Imports the glue and compiles the wasm of `dir`, once per thread. */
function loadFrom(dir: string): Promise<Loaded> {
  let p = loaded.get(dir);
  if (!p) {
    p = (async () => {
      const [glue, bytes] = await Promise.all([
        import(pathToFileURL(join(dir, 'qemu-img.mjs')).href) as Promise<{ default: QemuImgFactory }>,
        readFile(join(dir, 'qemu-img.wasm')),
      ]);
      return { factory: glue.default, wasm: await WebAssembly.compile(bytes) };
    })();
    loaded.set(dir, p);
  }
  return p;
}

/** The no-threads engine, the one most commands run (a thread compiles it as it starts). */
export function loadNodeQemuImg(): Promise<Loaded> {
  return loadFrom(wasmDistDir());
}

/** The engine for one command: the threads flavour for a command whose compression can use
 *  threads (poolThreadsFor), when one is there; else the no-threads build, so that every other
 *  command runs on the build the plain pages run (and is compiled alone). */
async function engineFor(args: readonly string[]): Promise<Loaded & { threads: number }> {
  const threads = poolThreadsFor(args, availableParallelism());
  const threadsDir = threads > 0 ? wasmThreadsDir() : undefined;
  if (threadsDir) return { ...(await loadFrom(threadsDir)), threads };
  return { ...(await loadNodeQemuImg()), threads: 0 };
}

export interface HostRunCallbacks {
  onStdout?(chunk: Uint8Array): void;
  onStderr?(chunk: Uint8Array): void;
  onProgress?(p: RunProgress): void;
  /** Small outputs at /mem/<name> returned in the result's `files` (see memory-outputs.ts). */
  memoryOutputs?: string[];
  /** Data ranges of files written by earlier runs (RunResult.written), trusted while unchanged. */
  knownExtents?: WrittenFiles;
}

function hostState(path: string): { size: number; mtimeMs: number } | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
}

const unchanged = (path: string, f: FileExtents) => {
  const now = hostState(path);
  return now !== undefined && now.size === f.size && now.mtimeMs === f.mtimeMs;
};

function dropListenersAddedSince(): () => void {
  const ue = new Set(process.listeners('uncaughtException'));
  const ur = new Set(process.listeners('unhandledRejection'));
  return () => {
    for (const l of process.listeners('uncaughtException')) if (!ue.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!ur.has(l)) process.removeListener('unhandledRejection', l);
  };
}

/** A write that failed after qemu-img's last look at the file (write-behind): the run fails as
 *  native's would have, at that write. */
function withLateWriteFailure(result: RunResult, failure: WriteFailure | undefined, cb: HostRunCallbacks): RunResult {
  if (!failure) return result;
  const line = `qemu-img: error while writing at byte ${failure.position}: ${failure.message}\n`;
  cb.onStderr?.(new TextEncoder().encode(line));
  return { ...result, exitCode: result.exitCode === 0 ? 1 : result.exitCode, stderr: result.stderr + line };
}

/** One command on a fresh instance with the host file system mounted at the same paths. */
export async function runOnHost(args: string[], cwd: string, cb: HostRunCallbacks = {}): Promise<RunResult> {
  const { factory, wasm, threads } = await engineFor(args);
  // The glue's Node branch adds process-level 'uncaughtException'/'unhandledRejection' listeners
  // per instance (NODEJS_CATCH_EXIT/REJECTION): drop the ones a run added so they do not pile up.
  const restoreListeners = dropListenersAddedSince();
  let instance: QemuImgModule | undefined;
  let writeBehind: WriteBehind | undefined;
  const extents = new ExtentRegistry(cb.knownExtents, unchanged);
  try {
    const ran = await runModule({
      factory,
      wasm,
      args,
      threads,
      setup: (mod, counters) => {
        instance = mod;
        writeBehind = mountHost(mod, { cwd, args, counters, extents });
        prepareMemoryOutputs(mod, cb.memoryOutputs);
      },
      onStdout: cb.onStdout,
      onStderr: cb.onStderr,
      onProgress: cb.onProgress,
    });
    const result = withLateWriteFailure(ran, writeBehind?.finish(), cb);
    const written = extents.export(hostState);
    const withWritten = Object.keys(written).length ? { ...result, written } : result;
    return cb.memoryOutputs?.length ? { ...withWritten, files: collectMemoryOutputs(instance, cb.memoryOutputs) } : withWritten;
  } finally {
    restoreListeners();
  }
}
