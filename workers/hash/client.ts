// Page side of the hash worker:
//   createHashClient(options?) → { hash(blob, { signal?, onProgress?, chunkSize? }): Promise<ImageDigests>, dispose() }
// Digests are { sha512, md5, size } in hex, comparable with Glance's os_hash_value / checksum.
import * as Comlink from 'comlink';
import type { HashWorkerApi, ImageDigests } from './types.ts';

export type { ImageDigests } from './types.ts';

export interface HashClient {
  hash(blob: Blob, options?: { signal?: AbortSignal; onProgress?: (hashedBytes: number) => void; chunkSize?: number }): Promise<ImageDigests>;
  dispose(): void;
}

export function createHashClient(options: { createWorker?: () => Worker } = {}): HashClient {
  const worker = (options.createWorker ?? (() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'hash' })))();
  const api = Comlink.wrap<HashWorkerApi>(worker);
  let next = 1;
  return {
    async hash(blob, opts = {}) {
      const id = next++;
      const onAbort = () => void api.cancel(id);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await api.hash(id, blob, opts.chunkSize, opts.onProgress ? Comlink.proxy(opts.onProgress) : undefined);
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
      }
    },
    dispose() {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
