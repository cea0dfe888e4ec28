// Per-part MD5s for the upload worker (compared with the ETag each part gets back), in a hash
// worker of their own so that they never wait behind the whole-file sha512, and inline where a
// worker cannot start one. Parts asked for together (the engine asks PART_MD5_LANES at once) are
// hashed together, four on the SIMD lanes of md5x4 (2.5-2.7x hash-wasm's MD5 of one part).
import * as Comlink from 'comlink';
import { md5OfBlobs } from '../../src/core/hash/md5x4.ts';
import type { HashWorkerApi } from '../hash/types.ts';
import type { PartMd5s } from '../../src/core/hash/image-hasher.ts';

/** How many part MD5s the engine may ask for at once (md5x4's lanes). */
export const PART_MD5_LANES = 4;

let remote: Comlink.Remote<HashWorkerApi> | null = null;
let next = 1;

function md5Worker(): Comlink.Remote<HashWorkerApi> | null {
  if (typeof Worker === 'undefined') return null;
  remote ??= Comlink.wrap<HashWorkerApi>(new Worker(new URL('../hash/worker.ts', import.meta.url), { type: 'module', name: 'hash-parts' }));
  return remote;
}

interface Asked {
  part: Blob;
  signal?: AbortSignal;
  resolve: (md5: string) => void;
  reject: (e: unknown) => void;
}
const queue: Asked[] = [];
let flushing = false;

function stopped(): Error {
  return Object.assign(new Error('The upload was stopped.'), { name: 'AbortError' });
}

/** One batch of up to four at a time, in the order asked; a stopped part is dropped from its batch. */
async function flush(): Promise<void> {
  flushing = true;
  // let the other lanes of the same round ask first (their requests follow within the same turn)
  await new Promise((r) => setTimeout(r, 0));
  while (queue.length) {
    const taken = queue.splice(0, PART_MD5_LANES);
    for (const a of taken) if (a.signal?.aborted) a.reject(stopped());
    const batch = taken.filter((a) => !a.signal?.aborted);
    if (!batch.length) continue;
    const w = md5Worker();
    const id = next++;
    const ac = new AbortController();
    const onAbort = () => {
      ac.abort();
      void w?.cancel(id);
    };
    for (const a of batch) a.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const md5s = w
        ? await w.md5s(
            id,
            batch.map((a) => a.part),
          )
        : await md5OfBlobs(
            batch.map((a) => a.part),
            ac.signal,
          );
      batch.forEach((a, i) => (a.signal?.aborted ? a.reject(stopped()) : a.resolve(md5s[i]!)));
    } catch (e) {
      for (const a of batch) a.reject(a.signal?.aborted ? stopped() : e);
    } finally {
      for (const a of batch) a.signal?.removeEventListener('abort', onAbort);
    }
  }
  flushing = false;
}

export function partMd5(part: Blob, signal?: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    queue.push({ part, signal, resolve, reject });
    if (!flushing) void flush();
  });
}

/**
 * The MD5 of the range [offset, offset + size) of a file of `fileSize` bytes from the pick-time
 * pass's parts of that file (all of them, or those it had when the upload began), when that pass
 * used parts of this size and the range is one of them; undefined otherwise.
 */
export function precomputed(p: PartMd5s | null | undefined, fileSize: number, offset: number, size: number): string | undefined {
  if (!p || offset % p.partSize !== 0) return undefined;
  if (size !== Math.min(p.partSize, fileSize - offset)) return undefined;
  return p.md5[offset / p.partSize];
}
