// Shared between the hash worker and its page client.
import type { ImageDigests } from '../../src/core/hash/image-hasher.ts';

export type { ImageDigests };

export interface HashWorkerApi {
  /** sha512 + md5 of the Blob, read slice by slice; `id` names the job for cancel(). */
  hash(id: number, blob: Blob, chunkSize: number | undefined, onProgress?: (hashedBytes: number) => void): Promise<ImageDigests>;
  cancel(id: number): void;
}
