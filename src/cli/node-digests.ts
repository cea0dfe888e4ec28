// The CLI's DigestProvider: the whole file's sha512 and md5 from one read in two worker threads
// (normal priority, off the thread that sends the parts), and the parts' MD5s in a third, all
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

/** The shared ring of digest-thread.mjs: 8 slots of 1 MiB, 3 Int32 counters, 8 Int32 lengths. */
const RING_BYTES = 8 * 1024 * 1024 + 4 * (3 + 8);

/** sha512 and md5 of the file's `size` bytes, by two threads over one read (digest-thread.mjs). */
function hashInThreads(path: string, size: number, signal: AbortSignal, onProgress: (n: number) => void) {
  return new Promise<ImageDigests>((resolve, reject) => {
    if (signal.aborted) return reject(stopped());
    const ring = new SharedArrayBuffer(RING_BYTES);
    const threads = (['sha512', 'md5'] as const).map((role) => new Worker(THREAD, { workerData: { path, size, role, ring } }));
    let sha512: string | undefined;
    let md5: string | undefined;
    let settled = false;
    const end = (e?: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      for (const t of threads) void t.terminate();
      if (e) return reject(e);
      onProgress(size); // the threads tell every 16 MiB of both: the last bytes only here
      resolve({ sha512: sha512!, md5: md5!, size });
    };
    const onAbort = () => end(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    threads.forEach((t, i) => {
      let answered = false;
      t.on('message', (m: WholeMessage) => {
        if (m.progress !== undefined) return onProgress(m.progress);
        if (m.error) return end(new Error(`reading ${path} to hash it: ${m.error}`));
        if (m.size !== undefined && m.size !== size)
          return end(new Error(`${path} changed while it was hashed (${m.size} bytes instead of ${size})`));
        answered = true;
        if (m.sha512) sha512 = m.sha512;
        if (m.md5) md5 = m.md5;
        if (sha512 && md5) end();
      });
      t.on('error', (e) => end(e));
      t.on('exit', () => {
        if (!answered) end(new Error(`the ${i ? 'md5' : 'sha512'} thread hashing ${path} stopped without its digest`));
      });
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

/** Whole-file digests started by prefetch, with the progress so far for a later whole(). */
interface Early {
  size: number;
  done: Promise<ImageDigests>;
  hashed: number;
  listeners: Set<(n: number) => void>;
}

/** For the file at `path` (the Blob the engine gets must be that file, whole). */
export function nodeDigestProvider(path: string): NodeDigestProvider {
  const md5Range = rangeHasher(path);
  let early: Early | undefined;
  return {
    md5Range,
    prefetch(size, signal) {
      const listeners = new Set<(n: number) => void>();
      const e: Early = {
        size,
        hashed: 0,
        listeners,
        done: hashInThreads(path, size, signal, (n) => {
          e.hashed = n;
          for (const l of listeners) l(n);
        }),
      };
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
      return hashInThreads(path, blob.size, o.signal ?? new AbortController().signal, (n) => o.onProgress?.(n));
    },
    md5: md5OfBlob,
  };
}
