// The qemu-img Web Worker (ffmpeg.wasm style: a thin worker owning one wasm core), reached through
// Comlink from client.ts. It alone loads the wasm, lazily on the first run, compiles it once and
// runs every command on a fresh instance (runner.ts). Inputs are Blobs/Files mounted read-only at
// /in (blob-fs.ts); outputs are OPFS files mounted at /out (opfs-fs.ts), their sync access handles
// opened before the run and closed after it.
import * as Comlink from 'comlink';
import { poolThreadsFor, runModule } from './runner.ts';
import { createBlobFs } from './blob-fs.ts';
import { createOpfsFs, type OpfsFs, type SyncHandle } from './opfs-fs.ts';
import { collectMemoryOutputs, prepareMemoryOutputs } from './memory-outputs.ts';
import { ERRNO, type QemuImgFactory, type QemuImgModule } from './emscripten.ts';
import type { ExtentMap, WrittenFiles } from './extents.ts';
import { IN_DIR, OUT_DIR, type BlobInput, type BrowserRunRequest, type RunProgress, type RunResult } from './types.ts';
import type { BrowserCompareRequest, CompareResult } from './compare-types.ts';
import { compareImages } from './compare.ts';
import { createFileHandleFs, streamedOutput, type StreamedOutput } from './file-handle-fs.ts';
import { openAndDrain, type DrainOutcome } from './write-ring.ts';

// The glue is loaded by URL, not by a static import: it is a build artifact of wasm/ (no types of
// its own), and Vite emits the files as assets from these `new URL(…, import.meta.url)` forms.
// A cross-origin isolated page (the app: coi-sw.js; any host page sending COOP/COEP) gets the
// threads flavour, whose pthreads compress qcow2 clusters side by side; any other page (Horizon
// embedding the element) the no-threads one. Only the chosen pair is ever fetched.
const ISOLATED = globalThis.crossOriginIsolated === true;
const GLUE_URL = ISOLATED
  ? new URL('../../wasm/dist/threads/qemu-img.mjs', import.meta.url)
  : new URL('../../wasm/dist/qemu-img.mjs', import.meta.url);
const WASM_URL = ISOLATED
  ? new URL('../../wasm/dist/threads/qemu-img.wasm', import.meta.url)
  : new URL('../../wasm/dist/qemu-img.wasm', import.meta.url);

/** Small inputs of a convert or compare run are read whole (blob-fs.ts), up to this in all. */
const WHOLE_FILE_BUDGET = 64 * 1024 * 1024;

interface FileReaderSyncLike {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}
declare const FileReaderSync: { new (): FileReaderSyncLike };

let loaded: Promise<{ factory: QemuImgFactory; wasm: WebAssembly.Module }> | undefined;
function load() {
  loaded ??= (async () => {
    const [glue, wasm] = await Promise.all([
      import(/* @vite-ignore */ GLUE_URL.href) as Promise<{ default: QemuImgFactory }>,
      (async () => {
        const res = await fetch(WASM_URL);
        if (!res.ok) throw new Error(`cannot load ${WASM_URL.pathname}: HTTP ${res.status}`);
        // compileStreaming needs the application/wasm type, which some static hosts do not send.
        return res.headers.get('content-type')?.startsWith('application/wasm')
          ? WebAssembly.compileStreaming(res)
          : WebAssembly.compile(await res.arrayBuffer());
      })(),
    ]);
    return { factory: glue.default, wasm };
  })();
  loaded.catch(() => {
    loaded = undefined; // let a later run retry (e.g. after a network hiccup)
  });
  return loaded;
}

async function opfsFile(path: string): Promise<FileSystemFileHandle> {
  const parts = path.split('/').filter(Boolean);
  const name = parts.pop();
  if (!name) throw new Error(`empty OPFS path: ${JSON.stringify(path)}`);
  let dir = await navigator.storage.getDirectory();
  for (const p of parts) dir = await dir.getDirectoryHandle(p, { create: true });
  return dir.getFileHandle(name, { create: true });
}

/** Opens a sync access handle; retries for up to 10 s because the lock of a handle held by a worker
 *  that was just terminated (abort, timeout) is released asynchronously (~1-2 s in Chromium 156). */
async function openSyncHandle(path: string, readOnly = false): Promise<SyncHandle> {
  const file = await opfsFile(path);
  const open = (file as unknown as { createSyncAccessHandle(o?: { mode: string }): Promise<SyncHandle> }).createSyncAccessHandle.bind(file);
  for (let attempt = 0; ; attempt++) {
    try {
      return await (readOnly ? open({ mode: 'read-only' }) : open());
    } catch (e) {
      if ((e as { name?: string }).name !== 'NoModificationAllowedError' || attempt >= 200) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const api = {
  async run(req: BrowserRunRequest, onProgress?: (p: RunProgress) => void): Promise<RunResult> {
    const started = performance.now();
    const { factory, wasm } = await load();
    const handles: Array<{ name: string; handle: SyncHandle; readOnly: boolean }> = [];
    try {
      for (const o of req.outputs ?? []) {
        try {
          handles.push({ name: o.name, handle: await openSyncHandle(o.opfsPath, o.readOnly), readOnly: o.readOnly === true });
        } catch (e) {
          const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          return {
            exitCode: 1,
            stdout: '',
            stderr: `image-inspector: cannot open the output ${o.opfsPath} in OPFS: ${why}\n`,
            durationMs: performance.now() - started,
          };
        }
      }
      const reader = new FileReaderSync();
      const written = new Map<string, ExtentMap>();
      const streamed = (req.streamOutputs ?? []).map((o) => streamedOutput(o.name, o.ring));
      let instance: QemuImgModule | undefined;
      let opfs: OpfsFs | undefined;
      const ran = await runModule({
        factory,
        wasm,
        args: req.args,
        threads: poolThreadsFor(req.args, navigator.hardwareConcurrency),
        onProgress,
        setup: (mod, counters) => {
          const { FS } = mod;
          instance = mod;
          prepareMemoryOutputs(mod, req.memoryOutputs);
          FS.mkdir(IN_DIR);
          const readsAll = req.args[0] === 'convert' || req.args[0] === 'compare';
          const blobFs = createBlobFs(FS, {
            files: req.inputs ?? [],
            readSync: (b) => reader.readAsArrayBuffer(b),
            counters,
            ...(readsAll ? { wholeFileBudget: WHOLE_FILE_BUDGET } : {}),
          });
          FS.mount(blobFs, null, IN_DIR);
          FS.mkdir(OUT_DIR);
          if (streamed.length && handles.length) throw new Error('a run writes OPFS outputs or streamed outputs, not both');
          if (!streamed.length) opfs = createOpfsFs(FS, { files: handles, counters, written });
          FS.mount(opfs ?? createFileHandleFs(FS, streamed, counters), null, OUT_DIR);
          FS.chdir(IN_DIR);
        },
      });
      const result = finishWrites(ran, opfs);
      // What each fresh output holds data in: the page passes it to the verification (compare.ts).
      const extents: WrittenFiles = {};
      for (const { name, handle } of handles) {
        const map = written.get(name);
        if (!map) continue;
        const size = handle.getSize();
        map.truncate(size);
        extents[name] = { size, ranges: map.ranges };
      }
      const ended = streamed.length ? endStreamed(result, streamed) : result;
      for (const o of streamed) extents[o.name] = { size: o.size, ranges: o.mirror.ranges() };
      const base = {
        ...ended,
        durationMs: performance.now() - started,
        ...(handles.length || streamed.length ? { written: extents } : {}),
      };
      if (!req.memoryOutputs?.length) return base;
      const files = collectMemoryOutputs(instance, req.memoryOutputs);
      return Comlink.transfer(
        { ...base, files },
        Object.values(files).map((f) => f.buffer as ArrayBuffer),
      );
    } finally {
      for (const { handle, readOnly } of handles) {
        if (!readOnly) handle.flush();
        handle.close();
      }
    }
  },
};

const WRITE_ERRORS: Record<number, string> = { [ERRNO.ENOSPC]: 'No space left on device', [ERRNO.EFBIG]: 'File too large' };

/** The writes still pending when qemu-img returned (opfs-coalesce.ts) go out now; if they cannot,
 *  the run fails as qemu-img would have failed that write. */
function finishWrites(result: RunResult, opfs: OpfsFs | undefined): RunResult {
  try {
    opfs?.flushPending();
    return result;
  } catch (e) {
    const errno = (e as { errno?: number }).errno;
    const why = errno !== undefined ? (WRITE_ERRORS[errno] ?? 'Input/output error') : e instanceof Error ? e.message : String(e);
    return {
      ...result,
      exitCode: result.exitCode || 1,
      stderr: `${result.stderr}image-inspector: could not finish writing the output: ${why}\n`,
    };
  }
}

/** Ends each streamed output: committed (the writer closes its stream) when qemu-img succeeded,
 *  discarded otherwise. A failure of the last writes fails the run. */
function endStreamed(result: RunResult, streamed: StreamedOutput[]): RunResult {
  const readBack = streamed.find((o) => o.readBack);
  const ok = result.exitCode === 0 && !result.failure && !readBack;
  let out: RunResult = readBack?.readBack ? { ...result, readBack: { name: readBack.name, ...readBack.readBack } } : result;
  for (const o of streamed) {
    try {
      o.ring.end(ok);
      o.ring.drain();
    } catch (e) {
      if (ok) out = { ...out, exitCode: 1, stderr: `${out.stderr}image-inspector: writing ${o.name} failed: ${(e as Error).message}\n` };
    }
  }
  return out;
}

/** The writer's side of "Convert to a file…" (a second instance of this worker, wasm never
 *  loaded): drains a run's ring into the chosen file's writable stream. */
function writeFile(handle: FileSystemFileHandle, ring: SharedArrayBuffer): Promise<DrainOutcome> {
  return openAndDrain(() => handle.createWritable(), ring);
}

/** The runner's verification, each of its qemu-img commands on a fresh instance like any run, one
 *  at a time: a compare split into two windows in two workers was slower here (3.4 s against
 *  3.0 s for a half-zero 1 GiB raw → qcow2: a helper worker's start and the maps cost more than
 *  the second Blob reader gained; two warm workers 2.4 s), see docs/benchmarks.md. */
async function compare(req: BrowserCompareRequest, onProgress?: (p: RunProgress) => void): Promise<CompareResult> {
  let failure: RunResult['failure'];
  // The holes descriptor and its empty extents (compare-vmdk.ts): small Blobs beside the inputs.
  let staged: BlobInput[] = [];
  try {
    const outcome = await compareImages(
      async (args, o) => {
        const r = await api.run(
          { args, inputs: [...req.inputs, ...staged], ...(req.outputs ? { outputs: req.outputs } : {}) },
          o.onProgress,
        );
        failure ??= r.failure;
        return r;
      },
      {
        source: req.source,
        output: req.output,
        stage: async (files) => {
          staged = files.map(({ name, data }) => ({ name, blob: new Blob([data as Uint8Array<ArrayBuffer>]) }));
          return { dir: IN_DIR, dispose: async () => void (staged = []) };
        },
        ...(req.outputExtents ? { outputExtents: req.outputExtents } : {}),
        ...(req.outputRecordsHoles ? { outputRecordsHoles: true } : {}),
        ...(onProgress ? { onProgress: (p) => onProgress({ percent: p.percent, bytesRead: p.bytesRead, bytesWritten: 0 }) } : {}),
      },
    );
    return { outcome };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e), ...(failure ? { failure } : {}) };
  }
}

const exposed = { run: api.run, compare, writeFile };
export type QemuImgWorkerApi = typeof exposed;
Comlink.expose(exposed);
