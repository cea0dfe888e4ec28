// Page side of the qemu-img runner. Stable API (the app and <image-inspector> build on it):
//
//   createQemuImgClient(options?: { createWorker?: () => Worker }): QemuImgClient
//     .run(req: BrowserRunRequest, opts?: RunOptions): Promise<RunResult>
//        req.args     qemu-img arguments without "qemu-img"; always pass -f (never let it probe).
//        req.inputs   [{ name, blob }]: Blobs/Files mounted read-only at /in/<name>, read lazily by
//                     slices (multi-file VMDK: the descriptor and its extents side by side).
//        req.outputs  [{ name, opfsPath }]: OPFS files mounted at /out/<name> (created if missing,
//                     truncated by qemu-img when it creates the image). Declare every file qemu-img
//                     writes (VMDK extents too). Read the result back with
//                     navigator.storage.getDirectory() once run() resolved.
//        req.timeoutMs / opts.timeoutMs  stop a run that takes longer (hostile input).
//        opts.signal  AbortSignal: stops the run now.
//        opts.onProgress  throttled { percent?, bytesRead, bytesWritten } (percent when -p is given).
//      Resolves with { exitCode, stdout, stderr, failure?, durationMs } in every case qemu-img ends:
//      failure is 'aborted' | 'timeout' | 'crashed' (exitCode 143 / 143 / 134 or 139, reason on
//      stderr). It rejects only when the client was disposed: runs in flight or queued then reject
//      with "qemu-img client was disposed".
//     .compare(req: BrowserCompareRequest, opts?)  the runner's verification of a conversion
//        (compare.ts) in the worker: { outcome } or { error, failure? }; stopped like a run.
//     .dispose()  terminates the worker; calling it again does nothing.
//
// Runs are serialised (one wasm instance at a time per client). Stopping a run terminates the
// worker, the only way to stop synchronous wasm; the next run starts a fresh worker lazily. The
// page never loads the wasm: only the worker does, on its first run.
import * as Comlink from 'comlink';
import type { BrowserRunRequest, QemuImgClient, RunOptions, RunProgress, RunResult } from './types.ts';
import type { BrowserCompareRequest, CompareResult } from './compare-types.ts';
import { KILLED_EXIT_CODE, TRAP_EXIT_CODE } from './types.ts';
import type { QemuImgWorkerApi } from './worker.ts';
import { startQemuImgWorker } from './start-worker.ts';
import { abandonRing, createRing, type DrainOutcome } from './write-ring.ts';

export type { BrowserRunRequest, QemuImgClient, RunOptions, RunProgress, RunResult } from './types.ts';
// Guest block access (page side of it: the runs go to this client's worker).
export { createGuestReader } from './guest-reader.ts';
// What the engine can do (zstd), asked with the CLI's probe through a client's runs.
export { probeEngineFeatures } from './features.ts';

export type { CompareSide } from './compare-request.ts';
export type { FileExtents } from './extents.ts';
export type { BrowserCompareRequest, CompareResult } from './compare-types.ts';
export type { DrainOutcome } from './write-ring.ts';
export { createRing };

/** The writer of a "Convert to a file…" run: a second instance of the qemu-img worker (its wasm
 *  is never loaded) that drains `ring` into the chosen file's writable stream. Pass the same
 *  ring to run() as `streamOutputs: [{ name, ring }]`. */
export interface FileWriter {
  /** Settles when the stream was closed (the file committed), aborted or failed. */
  done: Promise<DrainOutcome>;
  /** Cancel: the stream is aborted (the browser discards what was written), a blocked run wakes. */
  abandon(): void;
  /** Terminates the writer's worker. */
  dispose(): void;
}

export function startFileWriter(handle: FileSystemFileHandle, ring: SharedArrayBuffer, options: QemuImgClientOptions = {}): FileWriter {
  const worker = (options.createWorker ?? startQemuImgWorker)();
  const api = Comlink.wrap<QemuImgWorkerApi>(worker);
  let disposed = false;
  const died = new Promise<DrainOutcome>((resolve) =>
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      abandonRing(ring);
      resolve({ outcome: 'failed', failure: 'io', message: `the writer failed: ${e.message || 'unknown error'}` });
    }),
  );
  const done = Promise.race([api.writeFile(handle, ring), died]);
  return {
    done,
    abandon: () => abandonRing(ring),
    dispose() {
      if (disposed) return;
      disposed = true;
      worker.terminate();
      api[Comlink.releaseProxy]();
    },
  };
}

/** The browser client: runs, and the runner's verification of a conversion in the worker. */
export interface QemuImgWorkerClient extends QemuImgClient {
  /** Verifies a conversion in the worker (compare.ts: only data ranges are compared); progress
   *  percent and bytes read. Queued with the runs, stopped like them. */
  compare(req: BrowserCompareRequest, opts?: RunOptions): Promise<CompareResult>;
}

export interface QemuImgClientOptions {
  /** For tests or custom bundling; default: startQemuImgWorker() (the bundled worker, or the one
   *  under the base path of setBasePath()). */
  createWorker?: () => Worker;
}

interface Live {
  worker: Worker;
  api: Comlink.Remote<QemuImgWorkerApi>;
  /** Set once the worker was terminated: Comlink's releaseProxy throws when called twice. */
  killed: boolean;
}

const DISPOSED_MESSAGE = 'qemu-img client was disposed';

export function createQemuImgClient(options: QemuImgClientOptions = {}): QemuImgWorkerClient {
  const createWorker = options.createWorker ?? startQemuImgWorker;
  let live: Live | undefined;
  let disposed = false;
  let queue: Promise<unknown> = Promise.resolve();
  // releaseProxy drops Comlink's pending calls without settling them, so dispose() must settle the
  // run in flight itself (at most one: runs are serialised).
  let rejectInFlight: ((e: Error) => void) | undefined;

  const ensure = (): Live => {
    if (!live) {
      const worker = createWorker();
      live = { worker, api: Comlink.wrap<QemuImgWorkerApi>(worker), killed: false };
    }
    return live;
  };
  const kill = (l: Live) => {
    if (live === l) live = undefined;
    if (l.killed) return;
    l.killed = true;
    l.worker.terminate();
    l.api[Comlink.releaseProxy]();
  };

  /** One call into the worker, stopped by the signal, the timeout or the worker dying: `stopped`
   *  words those ends for the call's result type. */
  const callOne = <T>(
    opts: RunOptions,
    timeoutMs: number | undefined,
    invoke: (api: Comlink.Remote<QemuImgWorkerApi>, progress: ((p: RunProgress) => void) | undefined) => Promise<T>,
    stopped: (failure: NonNullable<RunResult['failure']>, exitCode: number, why: string) => T,
  ): Promise<T> => {
    if (disposed) return Promise.reject(new Error(DISPOSED_MESSAGE));
    if (opts.signal?.aborted) return Promise.resolve(stopped('aborted', KILLED_EXIT_CODE, 'aborted by the caller'));
    const l = ensure();
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const settle = (killWorker: boolean) => {
        if (settled) return false;
        settled = true;
        rejectInFlight = undefined;
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        l.worker.removeEventListener('error', onError);
        if (killWorker) kill(l);
        return true;
      };
      const finish = (r: T, killWorker: boolean) => {
        if (settle(killWorker)) resolve(r);
      };
      rejectInFlight = (e) => {
        if (settle(true)) reject(e);
      };
      const onAbort = () => finish(stopped('aborted', KILLED_EXIT_CODE, 'aborted by the caller'), true);
      // An error event means the worker itself died (e.g. it could not load): report, restart later.
      const onError = (e: ErrorEvent) => {
        e.preventDefault();
        finish(stopped('crashed', TRAP_EXIT_CODE, `the worker failed: ${e.message || 'unknown error'}`), true);
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      l.worker.addEventListener('error', onError);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => finish(stopped('timeout', KILLED_EXIT_CODE, `no result after ${timeoutMs} ms`), true), timeoutMs);
      }
      const progress = opts.onProgress ? Comlink.proxy((p: RunProgress) => opts.onProgress?.(p)) : undefined;
      invoke(l.api, progress).then(
        (r) => finish(r, false),
        (e: unknown) =>
          finish(stopped('crashed', TRAP_EXIT_CODE, `the worker failed: ${e instanceof Error ? e.message : String(e)}`), true),
      );
    });
  };

  const runOne = (req: BrowserRunRequest, opts: RunOptions): Promise<RunResult> => {
    const started = performance.now();
    return callOne(
      opts,
      opts.timeoutMs ?? req.timeoutMs,
      (api, progress) => api.run(req, progress),
      (failure, exitCode, why) => ({
        exitCode,
        stdout: '',
        stderr: `image-inspector: qemu-img was stopped: ${why}\n`,
        failure,
        durationMs: performance.now() - started,
      }),
    );
  };

  const compareOne = (req: BrowserCompareRequest, opts: RunOptions): Promise<CompareResult> =>
    callOne(
      opts,
      opts.timeoutMs,
      (api, progress) => api.compare(req, progress),
      (failure, _exitCode, why) => ({ failure, error: `qemu-img was stopped: ${why}` }),
    );

  const enqueue = <T>(task: () => Promise<T>): Promise<T> => {
    if (disposed) return Promise.reject(new Error(DISPOSED_MESSAGE));
    const next = queue.then(task);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    run(req, opts = {}) {
      return enqueue(() => runOne(req, opts));
    },
    compare(req, opts = {}) {
      return enqueue(() => compareOne(req, opts));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      rejectInFlight?.(new Error(DISPOSED_MESSAGE));
      if (live) kill(live);
    },
  };
}
