// Streaming sha512 (Glance's os_hash_value) and md5 (Glance's checksum) with hash-wasm, fed
// slice by slice: a 100 GiB image never sits in memory.
import { createMD5, createSHA512 } from 'hash-wasm';

export interface ImageDigests {
  /** Hex, as Glance reports os_hash_value with os_hash_algo "sha512". */
  sha512: string;
  /** Hex, as Glance reports checksum. */
  md5: string;
  size: number;
  /** MD5s of the upload's parts, from the same read (see PartMd5s). */
  parts?: PartMd5s;
}

/**
 * MD5 hex of each `partSize` range of the file, in order (the last may be shorter): computed in
 * the pass that reads the file for its whole-file digests when the file is picked, so that an
 * upload in parts of that size sends without hashing (measured: the part MD5s cost the transfer
 * 3.3-3.6 s of CPU per GiB and 40 % of its speed on two cores; docs/benchmarks.md, 2026-12-01 night).
 */
export interface PartMd5s {
  partSize: number;
  md5: string[];
}

export interface ImageHasher {
  update(chunk: Uint8Array): void;
  /** Starts over (the bytes are being sent again). */
  reset(): void;
  readonly bytes: number;
  digest(): ImageDigests;
}

export async function createImageHasher(): Promise<ImageHasher> {
  const [sha, md5] = await Promise.all([createSHA512(), createMD5()]);
  sha.init();
  md5.init();
  let bytes = 0;
  let done = false;
  return {
    update(chunk) {
      if (done) throw new Error('hasher already finished');
      sha.update(chunk);
      md5.update(chunk);
      bytes += chunk.byteLength;
    },
    reset() {
      sha.init();
      md5.init();
      bytes = 0;
      done = false;
    },
    get bytes() {
      return bytes;
    },
    digest() {
      done = true;
      return { sha512: sha.digest('hex'), md5: md5.digest('hex'), size: bytes };
    },
  };
}

/** The largest piece handed out: hash-wasm copies each into its memory, and pieces that stay in
 *  the CPU's cache hash fastest (8 MiB ones went 25 % slower in Chromium). */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;

function abortError(): Error {
  const e = new Error('The operation was aborted.');
  e.name = 'AbortError';
  return e;
}

/**
 * Reads a Blob (a File, an OPFS file, Node's openAsBlob) through its own stream, in pieces of at
 * most `chunkSize` bytes. The stream reads ahead in the browser process while the caller hashes:
 * measured in a Chromium worker on a 1 GiB File, md5 went 383 MiB/s by the stream against 290-340
 * by `slice().arrayBuffer()` with one slice read ahead, the two-worker sha512 + md5 pass 243-281
 * against 180-228 (docs/benchmarks.md, sixth session). Backpressure keeps what is held small.
 */
export async function* blobSlices(blob: Blob, chunkSize = DEFAULT_CHUNK_SIZE, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (blob.size === 0) return;
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      if (signal?.aborted) throw abortError();
      const { done, value } = await reader.read();
      if (done) return;
      for (let at = 0; at < value.byteLength; at += chunkSize) {
        yield at === 0 && value.byteLength <= chunkSize ? value : value.subarray(at, Math.min(value.byteLength, at + chunkSize));
        if (signal?.aborted) throw abortError();
      }
    }
  } finally {
    // the consumer stopped early or failed: let the browser stop reading the file
    reader.cancel().catch(() => undefined);
  }
}

export type HashAlgorithm = 'sha512' | 'md5';

/** Hex digests of the algorithms asked for. */
export interface PartialDigests {
  sha512?: string;
  md5?: string;
  size: number;
  parts?: PartMd5s;
}

/** Feeds the MD5 of each `partSize` range, cutting a slice where a part ends inside it; each
 *  finished one goes to `onPart` at once (an upload clicked before the pass ends reuses them). */
async function partMd5Feeder(partSize: number, onPart: HashBlobOptions['onPart']) {
  const h = await createMD5();
  h.init();
  const md5: string[] = [];
  let inPart = 0;
  return {
    update(chunk: Uint8Array) {
      for (let at = 0; at < chunk.byteLength;) {
        const n = Math.min(partSize - inPart, chunk.byteLength - at);
        h.update(at === 0 && n === chunk.byteLength ? chunk : chunk.subarray(at, at + n));
        at += n;
        inPart += n;
        if (inPart === partSize) {
          md5.push(h.digest('hex'));
          onPart?.(md5.at(-1)!, md5.length - 1, partSize);
          h.init();
          inPart = 0;
        }
      }
    },
    finish(): PartMd5s {
      if (inPart > 0) {
        md5.push(h.digest('hex'));
        onPart?.(md5.at(-1)!, md5.length - 1, partSize);
      }
      return { partSize, md5 };
    },
  };
}

/** The one read loop of both: each slice (after the gate) to `update`, and to the part MD5s while
 *  they are wanted. */
async function feedSlices(
  blob: Blob,
  options: HashBlobOptions,
  withParts: boolean,
  update: (chunk: Uint8Array) => void,
): Promise<{ bytes: number; parts?: PartMd5s }> {
  let parts = withParts && options.partSize ? await partMd5Feeder(options.partSize, options.onPart) : undefined;
  let bytes = 0;
  for await (const chunk of blobSlices(blob, options.chunkSize, options.signal)) {
    await options.gate?.();
    if (options.signal?.aborted) throw abortError();
    update(chunk);
    if (parts && options.partsWanted?.() === false) parts = undefined;
    parts?.update(chunk);
    bytes += chunk.byteLength;
    options.onProgress?.(bytes, blob.size);
  }
  return { bytes, parts: parts?.finish() };
}

/**
 * Only some of the algorithms: a part's MD5 alone (checked against the ETag the object store
 * answers), apart from the whole-file sha512 + md5 that another worker computes.
 */
export async function hashBlobAlgorithms(blob: Blob, algorithms: HashAlgorithm[], options: HashBlobOptions = {}): Promise<PartialDigests> {
  const hashers = await Promise.all(
    algorithms.map(async (a) => {
      const h = a === 'sha512' ? await createSHA512() : await createMD5();
      h.init();
      return [a, h] as const;
    }),
  );
  const { bytes, parts } = await feedSlices(blob, options, algorithms.includes('md5'), (chunk) => {
    for (const [, h] of hashers) h.update(chunk);
  });
  const out: PartialDigests = { size: bytes };
  for (const [a, h] of hashers) out[a] = h.digest('hex');
  if (parts) out.parts = parts;
  return out;
}

export interface HashBlobOptions {
  chunkSize?: number;
  signal?: AbortSignal;
  onProgress?: (hashedBytes: number, totalBytes: number) => void;
  /** Awaited before each slice: hashing waits while it resolves later (held while an upload sends). */
  gate?: () => Promise<void> | undefined;
  /** Also the MD5 of each range of this size (PartMd5s; with md5 only). */
  partSize?: number;
  /** Asked before each slice: false drops the part MD5s for good (an upload computes its own). */
  partsWanted?: () => boolean;
  /** Told each part's MD5 as soon as it is known, in order (index 0 first). */
  onPart?: (md5: string, index: number, partSize: number) => void;
}

export async function hashBlob(blob: Blob, options: HashBlobOptions = {}): Promise<ImageDigests> {
  const hasher = await createImageHasher();
  const { parts } = await feedSlices(blob, options, true, (chunk) => hasher.update(chunk));
  const d = hasher.digest();
  return parts ? { ...d, parts } : d;
}

/**
 * A ReadableStream of the Blob's slices that hands each slice to `onChunk` (e.g. a hasher) before
 * it goes out: one read of the file feeds both the upload and the hashes.
 */
export function sliceStream(
  blob: Blob,
  options: { chunkSize?: number; signal?: AbortSignal; onChunk?: (chunk: Uint8Array) => void } = {},
): ReadableStream<Uint8Array> {
  const it = blobSlices(blob, options.chunkSize, options.signal);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) {
        controller.close();
        return;
      }
      options.onChunk?.(value);
      controller.enqueue(value);
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}
