// The upload engine's contract, shared by the core engine (src/core/upload/), the upload worker
// (workers/upload/), the page (src/elements/cloud/) and the CLI (src/cli/upload-command.ts).
// Pure data and interfaces: no DOM, no Node, no Lit. Everything here that is persisted is plain
// JSON and never holds a token, password, TempURL key or EC2 secret.
import type { ImageDigests } from '../hash/image-hasher.ts';
import type { GlanceImage, ImageCreateFields } from '../openstack/types.ts';

/** How the bytes reach the cloud (the CLI's `--via`; 'glance-direct' is the page's stage+import). */
export type UploadVia = 'glance' | 'glance-direct' | 'swift' | 's3';

// ---------------------------------------------------------------- transport

export type { BodyRequest, BodyResponse, BodyTransport } from './body-transport.ts';
import type { BodyTransport } from './body-transport.ts';

// ---------------------------------------------------------------- targets

/** Where an object-storage upload writes. No credentials in here: it is persisted for resume. */
export type ObjectTarget =
  | {
      kind: 'swift';
      /** The object-store endpoint (`…/v1/AUTH_<project>`), from the catalog or --os-storage-url. */
      storageUrl: string;
      container: string;
      object: string;
      /** Default `<container>_segments`, as python-swiftclient. */
      segmentContainer: string;
    }
  | {
      kind: 's3';
      /** e.g. http://127.0.0.1:5530 (path-style addressing). */
      endpoint: string;
      region: string;
      bucket: string;
      key: string;
    };

/** Credentials for object storage: memory only, never persisted, never logged. */
export type ObjectCredentials =
  | {
      kind: 'keystone-token';
      getToken: () => Promise<string>;
      invalidate: (token: string) => void;
      /** Swift: the TempURL key to sign Glance's download URL with (default: the account's, or a new one). */
      tempUrlKey?: string;
    }
  | { kind: 'swift-tempurl'; key: string }
  | { kind: 's3'; accessKeyId: string; secretAccessKey: string; sessionToken?: string };

// ---------------------------------------------------------------- progress

export type UploadPhase =
  | 'preparing' // reading the cluster's limits, fingerprinting, listing parts already stored
  | 'uploading' // parts (or the single Glance PUT) in flight
  | 'finishing' // SLO manifest / CompleteMultipartUpload
  | 'registering' // Glance image created, web-download under way
  | 'importing' // glance-direct / web-download import running in Glance
  | 'verifying' // waiting for active, comparing os_hash_value with the local sha512
  | 'done';

/** One progress model for every target, page and CLI alike. */
export interface UploadProgress {
  phase: UploadPhase;
  totalBytes: number;
  /** Bytes of parts the server has confirmed (including parts stored by an earlier run). */
  storedBytes: number;
  /** Payload bytes this run has sent (retried bytes count again): the CLI's `bytesSent`. */
  sentBytes: number;
  /** Whole-file sha512 + md5 progress. */
  hashedBytes: number;
  /** Smoothed over the last seconds; 0 before the first measurement. */
  bytesPerSecond: number;
  /** null until a rate is known; 0 when done. */
  secondsLeft: number | null;
  parts: { total: number; done: number; inFlight: number };
  /** Requests retried so far this run (a cut connection, a stalled or corrupted part). */
  retries: number;
  /** The last retried failure, as a sentence (shown while the engine retries). */
  lastRetryReason?: string;
}

// ---------------------------------------------------------------- resume state

/** Identifies a local file without holding it: matched before any stored part is reused. */
export interface FileIdentity {
  name: string;
  size: number;
  lastModified: number;
  /** Hex digest of sampled ranges (see fileFingerprint in the engine). */
  fingerprint: string;
}

export interface StoredPart {
  /** 1-based, as S3 part numbers; Swift segment index = number - 1. */
  number: number;
  offset: number;
  size: number;
  /** The server's ETag (quotes stripped), equal to the part's local MD5. */
  etag: string;
}

/** What Glance should become once the object is stored (the create form's fields). */
export interface RegisterPlan {
  fields: ImageCreateFields;
  /** Delete the object (and segments) once the image is active and verified. */
  deleteObjectAfter: boolean;
  /** Set once created, so a resumed run reuses the image. */
  imageId?: string;
}

/** One unfinished (or finished, not yet cleared) object-storage upload: plain JSON. */
export interface UploadState {
  version: 1;
  /** Stable key: target + file identity (see uploadStateId). */
  id: string;
  createdAt: string;
  updatedAt: string;
  file: FileIdentity;
  target: ObjectTarget;
  partSize: number;
  /** S3 multipart upload id. */
  uploadId?: string;
  /** Swift: the mtime component of segment names (`<object>/slo/<mtime>/<size>/<segsize>/…`). */
  segmentPrefix?: string;
  parts: StoredPart[];
  /** Set once the whole file was hashed (a resumed run need not hash again if the file matches). */
  digests?: ImageDigests;
  register?: RegisterPlan;
  /** Set once the object is assembled (SLO manifest written / multipart completed). */
  object?: StoredObject;
  status: 'uploading' | 'stored' | 'registering' | 'done';
}

/** A Glance endpoint as seen by one project: where a via-glance upload's image lives. */
export interface GlanceTarget {
  kind: 'glance';
  endpoint: string;
  /** The signed-in project's id (an image is reused only when this project owns it). */
  project: string;
}

/**
 * One via-glance upload whose image exists but is not verified yet: Glance's PUT cannot resume,
 * but the same request run again uploads into this image instead of leaving it and creating a
 * duplicate. Keyed as object uploads are (uploadStateId of the target and the file).
 */
export interface GlanceUploadState {
  version: 1;
  id: string;
  createdAt: string;
  updatedAt: string;
  file: FileIdentity;
  target: GlanceTarget;
  imageId: string;
  /** SHA-256 of the image fields it was created with: other fields make another upload. */
  fieldsDigest: string;
}

/** What the resume store holds: object-upload state, or the image a via-glance upload made. */
export type StoredUploadState = UploadState | GlanceUploadState;

/** Where resume state lives: IndexedDB in the page (idb), a JSON file under the cache dir in Node. */
export interface UploadStateStore {
  get(id: string): Promise<StoredUploadState | undefined>;
  put(state: StoredUploadState): Promise<void>;
  delete(id: string): Promise<void>;
  list(): Promise<StoredUploadState[]>;
}

// ---------------------------------------------------------------- result

/** The object stored, as the CLI's `--json` prints it. */
export interface StoredObject {
  container: string;
  name: string;
  etag: string;
  size: number;
  parts: number;
}

/** The CLI's `--json` output shape exactly; the page shows the same facts. */
export interface UploadOutcome {
  image: GlanceImage | null;
  object: StoredObject | null;
  sha512: string;
  md5: string;
  /** Payload bytes this run sent. */
  bytesSent: number;
  /** True when this run continued an earlier one (reused stored parts or the image). */
  resumed: boolean;
}

// ---------------------------------------------------------------- the engine's entry point

/** Whole-file and per-part digests; the page runs them in hash workers, Node inline or in threads. */
export interface DigestProvider {
  /** sha512 + md5 of the whole blob (Glance's os_hash_value and checksum). */
  whole(blob: Blob, options: { signal?: AbortSignal; onProgress?: (hashedBytes: number) => void }): Promise<ImageDigests>;
  /** MD5 hex of one part (compared with the ETag the server returns). */
  md5(part: Blob, signal?: AbortSignal): Promise<string>;
  /**
   * Optional: MD5 hex of the byte range [offset, offset + size) of the file being uploaded. When
   * present the engine uses it instead of md5(slice): a provider that knows the file (the CLI's
   * reads it by path in a thread) can hash a range off the sending thread.
   */
  md5Range?(offset: number, size: number, signal?: AbortSignal): Promise<string>;
  /** How many part MD5s may be asked for at once (default 1): the provider hashes that many together. */
  readonly md5Lanes?: number;
}

/** What to upload and where; the CLI builds it from its flags, the page from the create form. */
export interface UploadRequest {
  /** A File in the page, `fs.openAsBlob` in Node: read by slices, never whole. */
  file: Blob;
  fileName: string;
  lastModified: number;
  via: UploadVia;
  /** Object storage (via swift|s3): where to write, and with what credentials. */
  target?: ObjectTarget;
  credentials?: ObjectCredentials;
  /** Bytes per part/segment; default chosen from the file size and the cluster's limits. */
  partSize?: number;
  /** Parts in flight at once. */
  parallel?: number;
  /**
   * Glance: for via glance|glance-direct the image to create (or reuse when imageId is set); for
   * object storage the registration after the object is stored; null = `--no-register`.
   */
  register: RegisterPlan | null;
  /** Digests already computed (e.g. since the file was offered): not hashed again. */
  knownDigests?: ImageDigests;
  /**
   * The signed-in project's id. Given (the CLI gives it), a via-glance upload records the image
   * it creates in the store before sending, and the same request run again uploads into that
   * image while it is still this project's and queued (or verifies it when it became active).
   */
  project?: string;
}

/** A running upload: one cancel, one pause, one result. */
export interface UploadHandle {
  /** The resume-state id (object storage) or the Glance image id once known. */
  readonly id: string;
  /** Resolves when everything asked for is done and verified; rejects with an OpenStackError. */
  readonly done: Promise<UploadOutcome>;
  /** Stop sending and keep the resume state; `done` rejects with kind 'aborted' and paused=true. */
  pause(): void;
  /** Stop and delete what was stored (segments / AbortMultipartUpload) and the resume state. */
  cancel(): Promise<void>;
}

// ---------------------------------------------------------------- the engine's environment

/** Time, injected so that unit tests can run backoffs and stall timeouts without waiting. */
export interface UploadClock {
  now(): number;
  /** Resolves after ms, or early (without rejecting) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** One retry policy for every part and request (see retry.ts for the defaults). */
export interface RetryPolicy {
  /** Attempts per part (or request) before giving up, the first one included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A part whose bytes stopped moving for this long is cut and retried. */
  stallTimeoutMs: number;
}

/** What the engine runs on: injected by the page's upload worker and by the CLI. */
export interface UploadEnv {
  transport: BodyTransport;
  /** For the small requests (HEAD, listings, ListParts, Glance): fetch, or a test double. */
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  store: UploadStateStore;
  digests: DigestProvider;
  /** Glance, for via glance|glance-direct and for registration (null = `--no-register`). */
  glance?: import('../openstack/glance.ts').GlanceClient;
  clock?: UploadClock;
  retry?: Partial<RetryPolicy>;
  /** Jitter source (0 ≤ x < 1), for tests. */
  random?: () => number;
  onProgress?: (progress: UploadProgress) => void;
  /** Plain sentences worth telling the user that are not progress ("resuming 12 of 20 parts"). */
  onNotice?: (sentence: string) => void;
}
