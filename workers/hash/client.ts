// Page side of the hash worker:
//   createHashClient(options?) → { hash(blob, { signal?, onProgress?, chunkSize? }): Promise<ImageDigests>, dispose() }
// Digests are { sha512, md5, size } in hex, comparable with Glance's os_hash_value / checksum.
import * as Comlink from 'comlink';
import type { HashWorkerApi, ImageDigests } from './types.ts';

export type { ImageDigests } from './types.ts';

export interface HashClient {
  hash(
    blob: Blob,
    options?: { signal?: AbortSignal; onProgress?: (hashedBytes: number) => void; chunkSize?: number },
  ): Promise<ImageDigests>;
  dispose(): void;
}

const DISPOSED_MESSAGE = 'hash client was disposed';

export function createHashClient(options: { createWorker?: () => Worker } = {}): HashClient {
  const worker = (options.createWorker ?? (() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'hash' })))();
  const api = Comlink.wrap<HashWorkerApi>(worker);
  let next = 1;
  let disposed = false;
  // releaseProxy drops Comlink's pending calls without settling them: dispose() rejects them here.
  const inFlight = new Set<(e: Error) => void>();
  return {
    hash(blob, opts = {}) {
      if (disposed) return Promise.reject(new Error(DISPOSED_MESSAGE));
      const id = next++;
      const onAbort = () => void api.cancel(id);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      return new Promise<ImageDigests>((resolve, reject) => {
        const done = () => {
          inFlight.delete(rejectNow);
          opts.signal?.removeEventListener('abort', onAbort);
        };
        const rejectNow = (e: Error) => {
          done();
          reject(e);
        };
        inFlight.add(rejectNow);
        api.hash(id, blob, opts.chunkSize, opts.onProgress ? Comlink.proxy(opts.onProgress) : undefined).then(
          (d) => {
            done();
            resolve(d);
          },
          (e: unknown) => rejectNow(e instanceof Error ? e : new Error(String(e))),
        );
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const rejectNow of [...inFlight]) rejectNow(new Error(DISPOSED_MESSAGE));
      worker.terminate();
      api[Comlink.releaseProxy]();
    },
  };
}
