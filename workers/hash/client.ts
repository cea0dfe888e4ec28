// Page side of the hash worker:
//   createHashClient(options?) → { hash(blob, { signal?, onProgress?, chunkSize? }): Promise<ImageDigests>, hold(on), dispose() }
// Digests are { sha512, md5, size } in hex, comparable with Glance's os_hash_value / checksum.
// With `threads: 2` the sha512 and the md5 run in two workers, one read of the file each: with
// hash-wasm reading the File's stream, sha512 goes at ~300 MiB/s and md5 at ~380 MiB/s on one core
// (Chromium), so one worker doing both takes the sum of the two times and two workers the longer one. hold(true) makes the workers wait
// between slices while an upload is sending: the digests are needed only for the final comparison
// with Glance, and on a machine whose cores the upload needs, hashing beside it slowed it down
// (0.73x of the same upload with the digests ready, measured in test/bench/upload-object-browser).
import * as Comlink from 'comlink';
import type { HashAlgorithm, HashWorkerApi, ImageDigests, PartListener } from './types.ts';

export type { ImageDigests } from './types.ts';

export interface HashOptions {
  signal?: AbortSignal;
  onProgress?: (hashedBytes: number) => void;
  chunkSize?: number;
  /** Also the MD5 of each range of this size (an object-storage upload's parts). */
  partSize?: number;
  /** Told each of those part MD5s as soon as it is known. */
  onPart?: PartListener;
}

export interface HashClient {
  hash(blob: Blob, options?: HashOptions): Promise<ImageDigests>;
  /** While on, hashing waits between slices (an upload is sending); off lets it go on. */
  hold(on: boolean): void;
  dispose(): void;
}

const DISPOSED_MESSAGE = 'hash client was disposed';

export interface HashClientOptions {
  createWorker?: () => Worker;
  /** 1: sha512 and md5 in one worker (default); 2: one worker each. */
  threads?: 1 | 2;
}

export function createHashClient(options: HashClientOptions = {}): HashClient {
  const make = options.createWorker ?? (() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'hash' }));
  const workers = Array.from({ length: options.threads ?? 1 }, make);
  const apis = workers.map((w) => Comlink.wrap<HashWorkerApi>(w));
  let next = 1;
  let disposed = false;
  let holding = false;
  // releaseProxy drops Comlink's pending calls without settling them: dispose() rejects them here.
  const inFlight = new Set<(e: Error) => void>();

  /** One call to one worker, cancelled with the signal, rejected by dispose(). */
  function call<T>(api: Comlink.Remote<HashWorkerApi>, signal: AbortSignal | undefined, run: (id: number) => Promise<T>): Promise<T> {
    const id = next++;
    const onAbort = () => void api.cancel(id);
    signal?.addEventListener('abort', onAbort, { once: true });
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        inFlight.delete(rejectNow);
        signal?.removeEventListener('abort', onAbort);
      };
      const rejectNow = (e: Error) => {
        done();
        reject(e);
      };
      inFlight.add(rejectNow);
      run(id).then(
        (d) => {
          done();
          resolve(d);
        },
        (e: unknown) => rejectNow(e instanceof Error ? e : new Error(String(e))),
      );
    });
  }

  return {
    hash(blob, opts = {}) {
      if (disposed) return Promise.reject(new Error(DISPOSED_MESSAGE));
      const progress = opts.onProgress;
      const onPart = opts.partSize && opts.onPart ? Comlink.proxy(opts.onPart) : undefined;
      if (apis.length === 1)
        return call(apis[0]!, opts.signal, (id) =>
          apis[0]!.hash(id, blob, opts.chunkSize, progress ? Comlink.proxy(progress) : undefined, opts.partSize, onPart),
        );
      const algorithms: HashAlgorithm[] = ['sha512', 'md5'];
      const seen = [0, 0];
      const parts = algorithms.map((a, i) =>
        call(apis[i]!, opts.signal, (id) =>
          apis[i]!.hashPart(
            id,
            blob,
            [a],
            opts.chunkSize,
            progress ? Comlink.proxy((n: number) => ((seen[i] = n), progress(Math.min(seen[0]!, seen[1]!)))) : undefined,
            // the part MD5s ride with the whole-file md5 (the lighter of the two digests)
            a === 'md5' ? opts.partSize : undefined,
            a === 'md5' ? onPart : undefined,
          ),
        ),
      );
      return Promise.all(parts).then(([s, m]) => {
        if (!s.sha512 || !m.md5 || s.size !== m.size) throw new Error('the hash workers returned incomplete digests');
        return m.parts ? { sha512: s.sha512, md5: m.md5, size: s.size, parts: m.parts } : { sha512: s.sha512, md5: m.md5, size: s.size };
      });
    },
    hold(on) {
      if (disposed || on === holding) return;
      holding = on;
      for (const api of apis) api.hold(on).catch(() => undefined); // a terminated worker holds nothing
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const rejectNow of [...inFlight]) rejectNow(new Error(DISPOSED_MESSAGE));
      for (const w of workers) w.terminate();
      for (const api of apis) api[Comlink.releaseProxy]();
    },
  };
}
