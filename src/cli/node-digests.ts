// The CLI's DigestProvider: the whole file's sha512 and md5 in two worker threads (one core each,
// off the thread that sends the parts), read from the path; per-part MD5s with node:crypto on the
// main thread (a Blob cannot be handed to a thread: Node 20 aborts reading it there).
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { ImageDigests } from '../core/hash/image-hasher.ts';
import type { DigestProvider } from '../core/upload/types.ts';

const THREAD = new URL('./digest-thread.mjs', import.meta.url);

function hashInThread(path: string, size: number, algorithm: 'sha512' | 'md5', signal: AbortSignal | undefined, onProgress: (n: number) => void) {
  return new Promise<string>((resolve, reject) => {
    const w = new Worker(THREAD, { workerData: { path, algorithm, size } });
    const stop = () => void w.terminate();
    signal?.addEventListener('abort', stop, { once: true });
    w.on('message', (m: { progress?: number; digest?: string; size?: number; error?: string }) => {
      if (m.progress !== undefined) onProgress(m.progress);
      else {
        signal?.removeEventListener('abort', stop);
        void w.terminate();
        if (m.error) reject(new Error(`reading ${path} to hash it: ${m.error}`));
        else if (m.size !== size) reject(new Error(`${path} changed while it was hashed (${m.size} bytes instead of ${size})`));
        else resolve(m.digest!);
      }
    });
    w.on('error', reject);
    w.on('exit', () => {
      if (signal?.aborted) reject(Object.assign(new Error('Hashing was stopped.'), { name: 'AbortError' }));
    });
  });
}

async function md5OfBlob(blob: Blob, signal?: AbortSignal): Promise<string> {
  const h = createHash('md5');
  const step = 4 * 1024 * 1024;
  for (let o = 0; o < blob.size; o += step) {
    if (signal?.aborted) throw Object.assign(new Error('Hashing was stopped.'), { name: 'AbortError' });
    h.update(new Uint8Array(await blob.slice(o, Math.min(blob.size, o + step)).arrayBuffer()));
  }
  return h.digest('hex');
}

/** For the file at `path` (the Blob the engine gets must be that file, whole). */
export function nodeDigestProvider(path: string): DigestProvider {
  return {
    async whole(blob, o): Promise<ImageDigests> {
      let a = 0;
      let b = 0;
      const tell = () => o.onProgress?.(Math.min(a, b));
      const [sha512, md5] = await Promise.all([
        hashInThread(path, blob.size, 'sha512', o.signal, (n) => ((a = n), tell())),
        hashInThread(path, blob.size, 'md5', o.signal, (n) => ((b = n), tell())),
      ]);
      return { sha512, md5, size: blob.size };
    },
    md5: md5OfBlob,
  };
}
