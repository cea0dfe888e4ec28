// Hashing worker: a thin Comlink shell around src/core/hash (hash-wasm over Blob slices).
import * as Comlink from 'comlink';
import { hashBlob, hashBlobAlgorithms, type HashBlobOptions } from '../../src/core/hash/image-hasher.ts';
import { md5OfBlobs } from '../../src/core/hash/md5x4.ts';
import type { HashWorkerApi } from './types.ts';

const jobs = new Map<number, AbortController>();
/** Set while held: jobs wait on it between slices, so that the CPU goes to the upload's parts. */
let held: { promise: Promise<void>; release: () => void } | null = null;
/**
 * Jobs running when an upload began holding them: their part MD5s come too late for it (it
 * computes its own while sending), so they drop them instead of spending ~2 s of CPU per GiB.
 */
const partsDropped = new Set<number>();
/** The wait of one job: until released, or at once when that job is cancelled. */
const gateOf = (signal: AbortSignal) => () => {
  const h = held;
  if (!h || signal.aborted) return undefined;
  return new Promise<void>((resolve) => {
    void h.promise.then(resolve);
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
};

function throttled(onProgress: ((n: number) => void) | undefined) {
  let last = 0;
  return (n: number, total: number) => {
    const now = Date.now();
    if (onProgress && (now - last > 100 || n === total)) {
      last = now;
      void onProgress(n);
    }
  };
}

/** One job: registered for cancel and hold, with the options every pass takes. */
async function job<T>(
  id: number,
  chunkSize: number | undefined,
  onProgress: ((n: number) => void) | undefined,
  partSize: number | undefined,
  run: (opts: HashBlobOptions) => Promise<T>,
  onPart?: HashBlobOptions['onPart'],
): Promise<T> {
  const ac = new AbortController();
  jobs.set(id, ac);
  try {
    return await run({
      chunkSize,
      partSize,
      partsWanted: () => !partsDropped.has(id),
      onPart: onPart && ((md5, index, size) => void onPart(md5, index, size)),
      signal: ac.signal,
      gate: gateOf(ac.signal),
      onProgress: throttled(onProgress),
    });
  } finally {
    jobs.delete(id);
    partsDropped.delete(id);
  }
}

const api: HashWorkerApi = {
  hash: (id, blob, chunkSize, onProgress, partSize, onPart) => job(id, chunkSize, onProgress, partSize, (o) => hashBlob(blob, o), onPart),
  hashPart: (id, blob, algorithms, chunkSize, onProgress, partSize, onPart) =>
    job(id, chunkSize, onProgress, partSize, (o) => hashBlobAlgorithms(blob, algorithms, o), onPart),
  md5s: (id, blobs) => job(id, undefined, undefined, undefined, (o) => md5OfBlobs(blobs, o.signal)),
  cancel(id) {
    jobs.get(id)?.abort();
  },
  hold(on) {
    if (on) for (const id of jobs.keys()) partsDropped.add(id);
    if (on && !held) {
      let release = () => undefined as void;
      const promise = new Promise<void>((r) => (release = r));
      held = { promise, release };
    } else if (!on && held) {
      held.release();
      held = null;
    }
  },
};

Comlink.expose(api);
