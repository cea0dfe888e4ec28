// What the engine needs from an object store, implemented by swift-slo.ts and s3-multipart.ts:
// prepare the destination, list the parts the server already holds (trusted over local state),
// send one part as a Blob slice through the injected BodyTransport, assemble the object, abort,
// and hand out a time-limited GET URL for Glance's web-download.
import type { PartSpan } from './part-size.ts';
import type { BodyResponse, BodyTransport, ObjectCredentials, StoredObject, UploadState } from './types.ts';
import type { FetchLike } from '../openstack/types.ts';
import type { PartLimits } from './part-size.ts';

export interface ServerPart {
  etag: string;
  size: number;
}

export interface PutPartOptions {
  signal: AbortSignal;
  onProgress: (sentBytes: number) => void;
  stallTimeoutMs: number;
}

export interface PartBackend {
  readonly service: 'swift' | 's3';
  /** The store's limits on parts (Swift /info, s3api constants). */
  limits(): Promise<PartLimits>;
  /** Containers / bucket exist, the multipart upload is open: sets state.uploadId or segmentPrefix. */
  prepare(state: UploadState): Promise<void>;
  /** Parts the server holds now, by part number (ETag without quotes). */
  listStored(state: UploadState): Promise<Map<number, ServerPart>>;
  /** Sends one part; resolves with the ETag the server answered (checked by the caller). */
  putPart(state: UploadState, span: PartSpan, body: Blob, md5: string, options: PutPartOptions): Promise<string>;
  /** SLO manifest / CompleteMultipartUpload, its ETag checked. */
  finish(state: UploadState, signal?: AbortSignal): Promise<StoredObject>;
  /** Deletes what the upload stored (segments / AbortMultipartUpload); the object too once finished. */
  discard(state: UploadState): Promise<void>;
  /** A GET URL of the finished object that works without credentials for `seconds`. */
  downloadUrl(state: UploadState, seconds: number): Promise<string>;
}

export interface BackendDeps {
  fetch: FetchLike;
  transport: BodyTransport;
  credentials: ObjectCredentials;
}

/** `"abc"` → `abc` (Swift and S3 quote ETags; S3 multipart ones end in -N). */
export function unquote(etag: string | undefined): string | undefined {
  return etag?.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

export function header(res: BodyResponse | Response, name: string): string | undefined {
  if (res instanceof Response) return res.headers.get(name) ?? undefined;
  return res.headers[name.toLowerCase()];
}

/** Percent-encodes an object name but keeps its slashes (Swift and S3 paths). */
export function encodePath(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}
