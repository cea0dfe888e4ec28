// Upload worker: a thin Comlink shell. XHR sends the Blob (upload progress, disk-backed, never
// buffered) while src/core/hash reads the same Blob by slices for sha512 + md5.
import * as Comlink from 'comlink';
import { hashBlob } from '../../src/core/hash/image-hasher.ts';
import { xhrUploadTransport } from '../../src/core/openstack/upload-transport.ts';
import type { UploadWorkerApi } from './types.ts';

const jobs = new Map<number, AbortController>();

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
    const hashing = hashBlob(job.body, { chunkSize: job.chunkSize, signal: ac.signal, onProgress: (n) => ((hashed = n), tell()) });
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
