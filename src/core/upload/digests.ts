// A DigestProvider on the current thread (hash-wasm): whole-file sha512 + md5 read by the Blob's stream, and
// per-part MD5. Works in Node and in a worker; the page's upload worker may spread them over
// hash workers instead, the CLI over threads (src/cli/node-digests.ts).
import { createMD5 } from 'hash-wasm';
import { blobSlices, hashBlob } from '../hash/image-hasher.ts';
import type { DigestProvider } from './types.ts';

export async function md5OfBlob(blob: Blob, signal?: AbortSignal): Promise<string> {
  const h = await createMD5();
  h.init();
  for await (const chunk of blobSlices(blob, undefined, signal)) h.update(chunk);
  return h.digest('hex');
}

export function inlineDigestProvider(): DigestProvider {
  return {
    whole: (blob, o) => hashBlob(blob, { signal: o.signal, onProgress: o.onProgress }),
    md5: (part, signal) => md5OfBlob(part, signal),
  };
}
