// Per-part MD5s for the upload worker (compared with the ETag each part gets back), in a hash
// worker of their own so that they never wait behind the whole-file sha512, and inline where a
// worker cannot start one.
import * as Comlink from 'comlink';
import { hashBlobAlgorithms } from '../../src/core/hash/image-hasher.ts';
import type { HashWorkerApi, ImageDigests } from '../hash/types.ts';

let remote: Comlink.Remote<HashWorkerApi> | null = null;
let next = 1;

function md5Worker(): Comlink.Remote<HashWorkerApi> | null {
  if (typeof Worker === 'undefined') return null;
  remote ??= Comlink.wrap<HashWorkerApi>(new Worker(new URL('../hash/worker.ts', import.meta.url), { type: 'module', name: 'hash-parts' }));
  return remote;
}

export async function partMd5(part: Blob, signal?: AbortSignal): Promise<string> {
  const w = md5Worker();
  const id = next++;
  const onAbort = () => void w?.cancel(id);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const d = w ? await w.hashPart(id, part, ['md5'], undefined) : await hashBlobAlgorithms(part, ['md5'], { signal });
    if (signal?.aborted) throw Object.assign(new Error('The upload was stopped.'), { name: 'AbortError' });
    if (!d.md5) throw new Error('the part hash worker returned no MD5');
    return d.md5;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The MD5 of the range [offset, offset + size) of a file of `fileSize` bytes from the pick-time
 * pass, when that pass used parts of this size and the range is one of them; undefined otherwise.
 */
export function precomputed(d: ImageDigests | undefined, fileSize: number, offset: number, size: number): string | undefined {
  const p = d?.parts;
  if (!p || d.size !== fileSize || offset % p.partSize !== 0) return undefined;
  if (size !== Math.min(p.partSize, fileSize - offset)) return undefined;
  return p.md5[offset / p.partSize];
}
