// Sends an image's bytes to Glance (direct PUT or glance-direct stage + import) while computing
// sha512 and md5 locally, reports progress with bytes/s and time left, waits for "active" and
// verifies Glance's size, checksum and os_hash_value against the local hashes.
import { createImageHasher, hashBlob, type ImageDigests } from '../hash/image-hasher.ts';
import { OpenStackError } from './errors.ts';
import type { GlanceClient } from './glance.ts';
import type { UploadTransport } from './upload-transport.ts';
import type { GlanceImage } from './types.ts';

export type UploadPhase = 'uploading' | 'importing' | 'verifying';

export interface UploadProgress {
  phase: UploadPhase;
  sentBytes: number;
  hashedBytes: number;
  totalBytes: number;
  /** Smoothed over the last seconds; 0 before the first measurement. */
  bytesPerSecond: number;
  /** null until a rate is known. */
  secondsLeft: number | null;
}

export interface UploadImageOptions {
  /** 'direct' = PUT /file (default); 'glance-direct' = PUT /stage then POST /import. */
  method?: 'direct' | 'glance-direct';
  transport?: UploadTransport;
  signal?: AbortSignal;
  onProgress?: (p: UploadProgress) => void;
  chunkSize?: number;
  /** Delete the image when the upload fails or is cancelled (default: leave it for the user). */
  deleteOnFailure?: boolean;
  /** Hashes already known (e.g. computed during conversion): skip hashing. */
  knownDigests?: ImageDigests;
  waitTimeoutMs?: number;
  pollIntervalMs?: number;
}

export interface UploadImageResult {
  image: GlanceImage;
  digests: ImageDigests;
}

/** Throws 'hash-mismatch' when Glance's record differs from the local hashes. */
export function verifyImageDigests(image: GlanceImage, digests: ImageDigests): void {
  const problems: string[] = [];
  if (image.size !== digests.size) problems.push(`size ${image.size} instead of ${digests.size}`);
  if (image.checksum && image.checksum !== digests.md5) problems.push(`md5 checksum ${image.checksum} instead of ${digests.md5}`);
  if (image.os_hash_value) {
    if (image.os_hash_algo === 'sha512' && image.os_hash_value !== digests.sha512)
      problems.push(`sha512 ${image.os_hash_value.slice(0, 16)}… instead of ${digests.sha512.slice(0, 16)}…`);
  }
  if (!image.checksum && !image.os_hash_value) problems.push('no checksum recorded by Glance');
  if (problems.length)
    throw new OpenStackError(
      `The image Glance stored does not match the file (${problems.join('; ')}): the data was altered in transit or by the cloud. Delete the image and upload again.`,
      { kind: 'hash-mismatch', service: 'glance' },
    );
}

/** Moved to the upload engine's progress model; re-exported for the page. */
export { RateMeter } from '../upload/progress.ts';
import { RateMeter } from '../upload/progress.ts';

/** Failures after which the image exists without data: the message says so and names it. */
const LEFT_WITHOUT_DATA = new Set<OpenStackError['kind']>(['network', 'server', 'aborted', 'too-large', 'token-expired', 'cors', 'timeout', 'unsupported-media', 'bad-request']);

export async function uploadImageFile(
  glance: GlanceClient,
  imageId: string,
  blob: Blob,
  options: UploadImageOptions = {},
): Promise<UploadImageResult> {
  const method = options.method ?? 'direct';
  const meter = new RateMeter();
  let sent = 0;
  let hashed = 0;
  let rate = 0;
  const report = (phase: UploadPhase) =>
    options.onProgress?.({
      phase,
      sentBytes: sent,
      hashedBytes: hashed,
      totalBytes: blob.size,
      bytesPerSecond: rate,
      secondsLeft: rate > 0 ? (blob.size - sent) / rate : null,
    });
  const onProgress = (n: number) => {
    sent = n;
    rate = meter.add(n);
    report('uploading');
  };

  // The streamed transport hashes the very slices it sends; XHR cannot, so hash in parallel.
  const transport = options.transport;
  const byTransport = !options.knownDigests && transport?.computesDigests === true;
  const inline = !options.knownDigests && !byTransport && transport?.feedsChunks === true;
  const hasher = inline ? await createImageHasher() : undefined;
  const parallelHash: Promise<ImageDigests> | undefined =
    options.knownDigests || inline || byTransport
      ? undefined
      : hashBlob(blob, { chunkSize: options.chunkSize, signal: options.signal, onProgress: (h) => (hashed = h) });
  // surface a hashing failure only once the upload is settled, but never leave it unhandled
  parallelHash?.catch(() => undefined);

  try {
    const dataOpts = {
      transport,
      signal: options.signal,
      onProgress,
      onChunk: hasher
        ? (c: Uint8Array) => {
            hasher.update(c);
            hashed = hasher.bytes;
          }
        : undefined,
      onHashed: (h: number) => {
        hashed = h;
      },
      onRestart: () => {
        hasher?.reset();
        hashed = 0;
        sent = 0;
      },
    };
    report('uploading');
    let fromTransport: ImageDigests | undefined;
    if (method === 'direct') fromTransport = await glance.uploadData(imageId, blob, dataOpts);
    else {
      fromTransport = await glance.stageData(imageId, blob, dataOpts);
      report('importing');
      await glance.importImage(imageId, { name: 'glance-direct' });
    }
    if (byTransport && !fromTransport) throw new Error('the upload transport returned no hashes');
    const digests = options.knownDigests ?? fromTransport ?? (hasher ? hasher.digest() : await parallelHash!);
    hashed = digests.size;
    report(method === 'direct' ? 'verifying' : 'importing');
    const image = await glance.waitForImage(imageId, {
      signal: options.signal,
      timeoutMs: options.waitTimeoutMs,
      intervalMs: options.pollIntervalMs ?? 500,
    });
    report('verifying');
    verifyImageDigests(image, digests);
    return { image, digests };
  } catch (e) {
    let err: OpenStackError =
      e instanceof OpenStackError
        ? e
        : (e as { name?: string }).name === 'AbortError'
          ? new OpenStackError('Upload cancelled.', { kind: 'aborted', service: 'glance', cause: e })
          : new OpenStackError(`The upload failed: ${(e as Error).message}`, { kind: 'server', service: 'glance', cause: e });
    if (options.deleteOnFailure) {
      try {
        await glance.deleteImage(imageId);
      } catch (cleanup) {
        throw new OpenStackError(
          `${err.message} The image ${imageId} could not be deleted either (${(cleanup as Error).message}); delete it from the list.`,
          { kind: err.kind, status: err.status, service: 'glance', detail: err.detail, imageId, cause: err },
        );
      }
      throw new OpenStackError(`${err.message} The unfinished image was deleted.`, {
        kind: err.kind, status: err.status, service: 'glance', detail: err.detail, cause: err,
      });
    }
    if (LEFT_WITHOUT_DATA.has(err.kind))
      err = new OpenStackError(
        `${err.message} The image ${imageId} stays in the list without data (queued, or saving if Glance went down): delete it or upload to a new image.`,
        { kind: err.kind, status: err.status, service: err.service, detail: err.detail, corsSettings: err.corsSettings, requestId: err.requestId, imageId, cause: err },
      );
    else err = new OpenStackError(err.message, { kind: err.kind, status: err.status, service: err.service, detail: err.detail, imageId, cause: err });
    throw err;
  }
}
