// Upload worker: a thin Comlink shell. XHR sends the Blob (upload progress, disk-backed, never
// buffered) while src/core/hash reads the same Blob by slices for sha512 + md5.
import * as Comlink from 'comlink';
import { hashBlob, hashBlobAlgorithms, type ImageDigests } from '../../src/core/hash/image-hasher.ts';
import { xhrUploadTransport } from '../../src/core/openstack/upload-transport.ts';
import type { HashWorkerApi } from '../hash/types.ts';
import type { UploadWorkerApi } from './types.ts';

const jobs = new Map<number, AbortController>();
let md5Worker: Comlink.Remote<HashWorkerApi> | undefined;

/**
 * sha512 here and md5 in a nested hash worker when there are cores for both: together on one
 * thread they hash slower than loopback uploads go.
 */
function hashBoth(id: number, blob: Blob, chunkSize: number | undefined, signal: AbortSignal, onProgress: (n: number) => void): Promise<ImageDigests> {
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1;
  if (cores < 2 || typeof Worker === 'undefined') return hashBlob(blob, { chunkSize, signal, onProgress });
  md5Worker ??= Comlink.wrap<HashWorkerApi>(new Worker(new URL('../hash/worker.ts', import.meta.url), { type: 'module', name: 'hash-md5' }));
  const remote = md5Worker;
  signal.addEventListener('abort', () => void remote.cancel(id), { once: true });
  const md5 = remote.hashPart(id, blob, ['md5'], chunkSize);
  md5.catch(() => undefined); // awaited below; never unhandled when sha512 fails first
  return hashBlobAlgorithms(blob, ['sha512'], { chunkSize, signal, onProgress }).then(async (sha) => {
    const m = await md5;
    if (!sha.sha512 || !m.md5 || m.size !== sha.size) throw new Error('hashing threads disagree on the file');
    return { sha512: sha.sha512, md5: m.md5, size: sha.size };
  });
}

const api: UploadWorkerApi = {
  async send(id, job, onProgress) {
    const ac = new AbortController();
    jobs.set(id, ac);
    let sent = 0;
    let hashed = 0;
    let last = 0;
    const tell = (force = false) => {
      const now = Date.now();
      if (onProgress && (force || now - last > 100)) {
        last = now;
        void onProgress({ sentBytes: sent, hashedBytes: hashed });
      }
    };
    const hashing = hashBoth(id, job.body, job.chunkSize, ac.signal, (n) => ((hashed = n), tell()));
    hashing.catch(() => undefined); // observed below; a failed upload must not leave it unhandled
    try {
      const res = await xhrUploadTransport().send({
        url: job.url,
        method: job.method,
        headers: job.headers,
        body: job.body,
        signal: ac.signal,
        onProgress: (n) => ((sent = n), tell()),
      });
      if (res.status < 200 || res.status >= 300) {
        ac.abort(); // no use hashing bytes Glance refused
        return res;
      }
      const digests = await hashing;
      hashed = digests.size;
      tell(true);
      return { ...res, digests };
    } finally {
      jobs.delete(id);
    }
  },
  cancel(id) {
    jobs.get(id)?.abort();
  },
};

Comlink.expose(api);
