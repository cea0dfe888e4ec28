// Shared between the hash worker and its page client.
import type { HashAlgorithm, ImageDigests, PartialDigests } from '../../src/core/hash/image-hasher.ts';

export type { HashAlgorithm, ImageDigests, PartialDigests };

/** A finished part's MD5, told as soon as the pass has it (in order, index 0 first). */
export type PartListener = (md5: string, index: number, partSize: number) => void;

export interface HashWorkerApi {
  /** sha512 + md5 of the Blob, read slice by slice; `id` names the job for cancel(). */
  hash(
    id: number,
    blob: Blob,
    chunkSize: number | undefined,
    onProgress?: (hashedBytes: number) => void,
    partSize?: number,
    onPart?: PartListener,
  ): Promise<ImageDigests>;
  /** Only the given algorithms (a part's MD5; or one of the whole-file digests, one per worker). */
  hashPart(
    id: number,
    blob: Blob,
    algorithms: HashAlgorithm[],
    chunkSize: number | undefined,
    onProgress?: (hashedBytes: number) => void,
    /** With md5: also each part's MD5 (PartMd5s). */
    partSize?: number,
    /** Told each part's MD5 as soon as it is known. */
    onPart?: PartListener,
  ): Promise<PartialDigests>;
  /** MD5 hex of each Blob (at most four), hashed side by side on SIMD lanes (an upload's parts). */
  md5s(id: number, blobs: Blob[]): Promise<string[]>;
  cancel(id: number): void;
  /** While held, every job of this worker waits before its next slice (an upload is sending). */
  hold(held: boolean): void;
}
