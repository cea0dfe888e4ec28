// Page side of the upload worker:
//   const uploads = createUploadClient();
//   const run = uploads.start(request, page);   // page: tokens, whole-file digests, progress
//   run.pause() / await run.cancel();  const outcome = await run.done;
//   uploads.dispose();                          // every pending call rejects ("stopped")
// Errors come back as OpenStackError (kind, imageId, corsSettings... kept), with `paused` set
// when a pause stopped the upload.
import * as Comlink from 'comlink';
import { OpenStackError } from '../../src/core/openstack/errors.ts';
import type { UploadOutcome, UploadState } from '../../src/core/upload/types.ts';
import type { PageSide, UploadWorkerApi, WorkerCredentials, WorkerError, WorkerResult, WorkerUploadRequest } from './types.ts';

export type { PageSide, WorkerCredentials, WorkerUploadRequest } from './types.ts';

/** The error of a stopped (paused or cancelled) or failed upload. */
export class UploadError extends OpenStackError {
  readonly paused: boolean;
  constructor(e: WorkerError) {
    super(e.message, {
      kind: e.kind,
      status: e.status,
      service: e.service,
      detail: e.detail,
      corsSettings: e.corsSettings,
      requestId: e.requestId,
      imageId: e.imageId,
      code: e.code,
      params: e.params,
    });
    this.paused = !!e.paused;
  }
}

export interface RunningUpload {
  readonly done: Promise<UploadOutcome>;
  pause(): void;
  cancel(): Promise<void>;
}

export interface UploadClient {
  start(request: WorkerUploadRequest, page: PageSide): RunningUpload;
  /** Deletes an unfinished upload (what it stored and its resume state). */
  discard(state: UploadState, credentials: WorkerCredentials, page: PageSide): Promise<void>;
  dispose(): void;
}

export function createUploadClient(options: { createWorker?: () => Worker } = {}): UploadClient {
  const worker = (
    options.createWorker ?? (() => new Worker(new URL('./upload-worker.ts', import.meta.url), { type: 'module', name: 'upload' }))
  )();
  const api = Comlink.wrap<UploadWorkerApi>(worker);
  let next = 1;
  let disposed = false;
  /** Rejecters of every call still waiting for the worker: dispose() must settle them all. */
  const pending = new Set<(e: Error) => void>();
  const stopped = () =>
    new OpenStackError('The upload worker was stopped (the page closed the cloud panel); run the upload again to continue.', {
      kind: 'aborted',
    });

  function track<T>(call: () => Promise<T>): Promise<T> {
    if (disposed) return Promise.reject(stopped());
    return new Promise<T>((resolve, reject) => {
      pending.add(reject);
      call()
        .then(resolve, reject)
        .finally(() => pending.delete(reject));
    });
  }

  function unwrap<T>(r: WorkerResult<T>): T {
    if (r.ok) return r.value;
    throw new UploadError(r.error);
  }

  return {
    start(request, page) {
      const job = next++;
      const done = track<WorkerResult<UploadOutcome>>(() => api.start(job, request, Comlink.proxy(page))).then((r) => unwrap(r));
      done.catch(() => undefined); // the caller awaits it; a pause before they do is not "unhandled"
      return {
        done,
        pause: () => void track(() => api.pause(job)).catch(() => undefined),
        cancel: () => track(() => api.cancel(job)),
      };
    },
    async discard(state, credentials, page) {
      unwrap(await track<WorkerResult<null>>(() => api.discard(state, credentials, Comlink.proxy(page))));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const reject of pending) reject(stopped());
      pending.clear();
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
