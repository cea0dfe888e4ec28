// The md5 side of the pick-time pass: the whole file's MD5 by its stream (hash-wasm), then the
// MD5 of each part four parts at a time on md5x4's SIMD lanes. Computing the part MD5s inline,
// a second hash-wasm MD5 over the same slices, made that worker do twice the work of the sha512
// worker beside it (Chromium: MD5 ~380 MiB/s per stream; md5x4 2.5-2.7x that over four parts), so
// the pass ended with it. The parts are read a second time, slice by slice.
import { hashBlobAlgorithms, type HashAlgorithm, type HashBlobOptions, type PartialDigests } from './image-hasher.ts';
import { LANES, SIMD, md5OfBlobs } from './md5x4.ts';

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
}

/**
 * `hashBlobAlgorithms`, with the part MD5s (md5 and `partSize` given) computed after the stream on
 * md5x4's lanes where wasm SIMD runs. The gate holds it between batches as between slices;
 * `partsWanted` false skips the rest of them (the digests come without parts). Progress counts
 * both reads: half the bytes streamed plus half those of the parts hashed.
 */
export async function hashWithPartMd5s(blob: Blob, algorithms: HashAlgorithm[], options: HashBlobOptions = {}): Promise<PartialDigests> {
  const partSize = options.partSize;
  if (!SIMD || !partSize || !algorithms.includes('md5')) return hashBlobAlgorithms(blob, algorithms, options);
  const report = options.onProgress;
  const size = blob.size;
  const whole = await hashBlobAlgorithms(blob, algorithms, {
    ...options,
    partSize: undefined,
    onProgress: report && ((n) => report(Math.floor(n / 2), size)),
  });
  if (whole.size !== size) throw new Error(`the file changed while it was hashed (${size} bytes, ${whole.size} read)`);
  const md5: string[] = [];
  for (let at = 0; at < size;) {
    await options.gate?.();
    if (options.signal?.aborted) throw abortError();
    if (options.partsWanted?.() === false) return whole;
    const batch: Blob[] = [];
    for (; batch.length < LANES && at < size; at += partSize) batch.push(blob.slice(at, Math.min(size, at + partSize)));
    md5.push(...(await md5OfBlobs(batch, options.signal)));
    report?.(Math.floor((size + Math.min(at, size)) / 2), size);
  }
  return { ...whole, parts: { partSize, md5 } };
}
