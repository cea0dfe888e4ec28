// Shared between the upload worker and its page-side transport.
import type { ImageDigests } from '../../src/core/hash/image-hasher.ts';
import type { UploadResponse } from '../../src/core/openstack/upload-transport.ts';

export interface UploadJob {
  url: string;
  method: 'PUT';
  /** Includes X-Auth-Token: it crosses to the worker in memory only and is never logged. */
  headers: Record<string, string>;
  body: Blob;
  chunkSize?: number;
}

export interface UploadWorkerProgress {
  sentBytes: number;
  hashedBytes: number;
}

export interface UploadWorkerApi {
  /** XHR PUT of the Blob while hashing the same Blob; digests on 2xx. Rejects with no answer. */
  send(id: number, job: UploadJob, onProgress?: (p: UploadWorkerProgress) => void): Promise<UploadResponse & { digests?: ImageDigests }>;
  cancel(id: number): void;
}
