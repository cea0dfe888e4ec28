// The CLI's DigestProvider: the whole file's sha512 and md5 from one read in one worker thread
// (normal priority, off the thread that sends the parts), and the parts' MD5s in a second, both
// read from the path (a Blob cannot be handed to a thread: Node 20 aborts reading it there).
// md5(blob) stays for callers that hash a Blob that is not a range of that file. On the main
// thread, hashing 32 MiB parts from the Blob's stream took 100-680 ms each while parts were being
// sent, and parts waited. `prefetch` starts the whole-file digests before the engine asks for
// them (the CLI: while the file is inspected and the user signed in), so that they are not what
// the end of the upload waits for.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { ImageDigests } from '../core/hash/image-hasher.ts';
import type { DigestProvider } from '../core/upload/types.ts';

const THREAD = new URL('./digest-thread.mjs', import.meta.url);

function stopped(): Error {
  return Object.assign(new Error('Hashing was stopped.'), { name: 'AbortError' });
}

interface WholeMessage {
  progress?: number;
  sha512?: string;
  md5?: string;
  size?: number;
  error?: string;
}

function hashInThread(path: string, size: number, signal: AbortSignal, onProgress: (n: number) => void) {
  return new Promise<ImageDigests>((resolve, reject) => {
    if (signal.aborted) return reject(stopped());
    const w = new Worker(THREAD, { workerData: { path, size } });
    const stop = () => {
      void w.terminate();
      reject(stopped());
    };
    signal.addEventListener('abort', stop, { once: true });
    w.on('message', (m: WholeMessage) => {
      if (m.progress !== undefined) return onProgress(m.progress);
      signal.removeEventListener('abort', stop);
      void w.terminate();
      if (m.error) reject(new Error(`reading ${path} to hash it: ${m.error}`));
      else if (m.size !== size) reject(new Error(`${path} changed while it was hashed (${m.size} bytes instead of ${size})`));
      else resolve({ sha512: m.sha512!, md5: m.md5!, size });
    });
    w.on('error', (e) => {
      signal.removeEventListener('abort', stop);
      reject(e);
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

export interface NodeDigestProvider extends DigestProvider {
  /**
   * Starts the whole-file digests of the file's `size` bytes now; a later whole() of a Blob of
   * that size gets them (with the progress so far). Stopped by `signal`.
   */
  prefetch(size: number, signal: AbortSignal): void;
}

/** For the file at `path` (the Blob the engine gets must be that file, whole). */
export function nodeDigestProvider(path: string): NodeDigestProvider {
  const md5Range = rangeHasher(path);
  let early: { size: number; done: Promise<ImageDigests>; hashed: number; listeners: Set<(n: number) => void> } | undefined;
  return {
    md5Range,
    prefetch(size, signal) {
      const e = { size, hashed: 0, listeners: new Set<(n: number) => void>(), done: Promise.resolve() as unknown as Promise<ImageDigests> };
      e.done = hashInThread(path, size, signal, (n) => {
        e.hashed = n;
        for (const l of e.listeners) l(n);
      });
      e.done.catch(() => undefined); // awaited by whole(), or abandoned with the run
      early = e;
    },
    async whole(blob, o): Promise<ImageDigests> {
      const e = early;
      if (e && e.size === blob.size) {
        const tell = o.onProgress;
        if (tell) {
          tell(e.hashed);
          e.listeners.add(tell);
        }
        const gone = new Promise<never>((_, reject) => {
          if (o.signal?.aborted) reject(stopped());
          o.signal?.addEventListener('abort', () => reject(stopped()), { once: true });
        });
        try {
          return await Promise.race([e.done, gone]);
        } finally {
          if (tell) e.listeners.delete(tell);
        }
      }
      return hashInThread(path, blob.size, o.signal ?? new AbortController().signal, (n) => o.onProgress?.(n));
    },
    md5: md5OfBlob,
  };
}
