// The CLI's DigestProvider: the whole file's sha512 and md5 in two worker threads (normal priority,
// off the thread that sends the parts), and the parts' MD5s in a third, all read from the path (a
// Blob cannot be handed to a thread: Node 20 aborts reading it there). md5(blob) stays for callers
// that hash a Blob that is not a range of that file. On the main thread, hashing 32 MiB parts
// from the Blob's stream took 100-680 ms each while parts were being sent, and parts waited.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { ImageDigests } from '../core/hash/image-hasher.ts';
import type { DigestProvider } from '../core/upload/types.ts';

const THREAD = new URL('./digest-thread.mjs', import.meta.url);

function hashInThread(
  path: string,
  size: number,
  algorithm: 'sha512' | 'md5',
  signal: AbortSignal | undefined,
  onProgress: (n: number) => void,
) {
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
  // the Blob's own stream (64 KiB pieces): large arrayBuffer() slices pile up as garbage
  const reader = blob.stream().getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    if (signal?.aborted) {
      await reader.cancel();
      throw Object.assign(new Error('Hashing was stopped.'), { name: 'AbortError' });
    }
    h.update(r.value);
  }
  return h.digest('hex');
}

/** One thread that hashes byte ranges of the file on request (started on first use, unref'd). */
function rangeHasher(path: string) {
  let w: Worker | undefined;
  let seq = 0;
  const waiting = new Map<number, { resolve: (d: string) => void; reject: (e: Error) => void }>();
  const thread = () => {
    if (w) return w;
    w = new Worker(THREAD, { workerData: { path, parts: true } });
    w.unref();
    w.on('message', (m: { id: number; digest?: string; error?: string }) => {
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if (waiting.size === 0) w?.unref();
      if (m.error) p?.reject(new Error(`reading ${path} to hash a part: ${m.error}`));
      else p?.resolve(m.digest!);
    });
    w.on('error', (e) => {
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
      w = undefined;
    });
    return w;
  };
  return (offset: number, size: number, signal?: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      if (signal?.aborted) return reject(Object.assign(new Error('Hashing was stopped.'), { name: 'AbortError' }));
      const id = seq++;
      waiting.set(id, { resolve, reject });
      const t = thread();
      t.ref(); // a part waits for it: keep the process alive until it answers
      t.postMessage({ id, start: offset, end: offset + size });
    });
}

/** For the file at `path` (the Blob the engine gets must be that file, whole). */
export function nodeDigestProvider(path: string): DigestProvider {
  const md5Range = rangeHasher(path);
  return {
    md5Range,
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
