// Page side of the upload worker, as an UploadTransport for GlanceClient.uploadData/stageData and
// uploadImageFile (core): the worker sends with XHR and hashes the same Blob, so the page thread
// does no hashing and the returned digests feed verifyImageDigests.
//
//   const transport = createWorkerUploadTransport();
//   const digests = await glance.uploadData(id, file, { transport, signal, onProgress });
//   // or: await uploadImageFile(glance, id, file, { transport, signal, onProgress })
//   transport.dispose();
import * as Comlink from 'comlink';
import type { UploadRequest, UploadResponse, UploadTransport } from '../../src/core/openstack/upload-transport.ts';
import type { UploadWorkerApi, UploadWorkerProgress } from './types.ts';

export interface WorkerUploadTransport extends UploadTransport {
  /** Hashed bytes so far of the running upload (progress shows both). */
  onHashProgress?: (hashedBytes: number) => void;
  dispose(): void;
}

export function createWorkerUploadTransport(
  options: { createWorker?: () => Worker; chunkSize?: number; onHashProgress?: (hashedBytes: number) => void } = {},
): WorkerUploadTransport {
  const worker = (options.createWorker ?? (() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'upload' })))();
  const api = Comlink.wrap<UploadWorkerApi>(worker);
  let next = 1;
  const transport: WorkerUploadTransport = {
    feedsChunks: false,
    computesDigests: true,
    onHashProgress: options.onHashProgress,
    async send(req: UploadRequest): Promise<UploadResponse> {
      const id = next++;
      if (req.signal?.aborted) throw abortError();
      const onAbort = () => void api.cancel(id);
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const progress = (p: UploadWorkerProgress) => {
        req.onHashed?.(p.hashedBytes);
        req.onProgress?.(p.sentBytes);
        transport.onHashProgress?.(p.hashedBytes);
      };
      try {
        return await api.send(
          id,
          { url: req.url, method: req.method, headers: req.headers, body: req.body, chunkSize: options.chunkSize },
          Comlink.proxy(progress),
        );
      } catch (e) {
        // Comlink rebuilds errors from name + message: keep AbortError recognisable
        if (req.signal?.aborted) throw abortError();
        throw e;
      } finally {
        req.signal?.removeEventListener('abort', onAbort);
      }
    },
    dispose() {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
  return transport;
}

function abortError(): Error {
  const e = new Error('The upload was cancelled.');
  e.name = 'AbortError';
  return e;
}
