// Hashing worker: a thin Comlink shell around src/core/hash (hash-wasm over Blob slices).
import * as Comlink from 'comlink';
import { hashBlob, hashBlobAlgorithms } from '../../src/core/hash/image-hasher.ts';
import type { HashWorkerApi } from './types.ts';

const jobs = new Map<number, AbortController>();

const api: HashWorkerApi = {
  async hash(id, blob, chunkSize, onProgress) {
    const ac = new AbortController();
    jobs.set(id, ac);
    let last = 0;
    try {
      return await hashBlob(blob, {
        chunkSize,
        signal: ac.signal,
        onProgress: (n, total) => {
          const now = Date.now();
          if (onProgress && (now - last > 100 || n === total)) {
            last = now;
            void onProgress(n);
          }
        },
      });
    } finally {
      jobs.delete(id);
    }
  },
  async hashPart(id, blob, algorithms, chunkSize) {
    const ac = new AbortController();
    jobs.set(id, ac);
    try {
      return await hashBlobAlgorithms(blob, algorithms, { chunkSize, signal: ac.signal });
    } finally {
      jobs.delete(id);
    }
  },
  cancel(id) {
    jobs.get(id)?.abort();
  },
};

Comlink.expose(api);
