// Shared between the upload worker (upload-worker.ts) and its page client (client.ts): what
// crosses the worker boundary. Credentials cross in memory only and are never logged or stored;
// a Keystone token is asked from the page each time (the page's session renews it).
import type { ImageDigests, PartMd5s } from '../../src/core/hash/image-hasher.ts';
import type { ObjectTarget, RegisterPlan, UploadOutcome, UploadProgress, UploadState, UploadVia } from '../../src/core/upload/types.ts';
import type { OpenStackErrorInit } from '../../src/core/openstack/errors.ts';

/** ObjectCredentials without functions: a token credential asks the page's TokenSource. */
export type WorkerCredentials =
  | {
      kind: 'keystone-token';
      /**
       * Swift: the account's TempURL key, given by the user (memory only). Swift answers account
       * requests without CORS headers, so a page can neither read nor set it itself.
       */
      tempUrlKey?: string;
    }
  | { kind: 'swift-tempurl'; key: string }
  | { kind: 's3'; accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** The engine's UploadRequest as it crosses to the worker (the File is cloned, not copied). */
export interface WorkerUploadRequest {
  file: File;
  fileName: string;
  lastModified: number;
  via: UploadVia;
  target?: ObjectTarget;
  credentials?: WorkerCredentials;
  partSize?: number;
  parallel?: number;
  register: RegisterPlan | null;
  knownDigests?: ImageDigests;
  /** Glance's endpoint (for glance/glance-direct and registration); null without Glance. */
  glanceEndpoint: string | null;
}

/** What the page answers for one running upload (a Comlink proxy). */
export interface PageSide {
  /** A valid Keystone token (renewed by the page's session when needed). */
  getToken(): Promise<string>;
  /** A 401 came back for this token: the next getToken() must renew. */
  invalidate(token: string): void;
  /** Whether the page's session can renew its token (false for an existing-token sign-in). */
  canRenew(): boolean;
  /** The whole file's sha512 + md5: the page's hash job, running since the file was offered. */
  whole(): Promise<ImageDigests>;
  /** The part MD5s that job has so far (asked once, when the upload starts hashing parts). */
  partsSoFar(): PartMd5s | null;
  progress(p: UploadProgress): void;
  notice(sentence: string): void;
}

/** An OpenStackError as plain data (Comlink keeps only an Error's name and message). */
export interface WorkerError extends Omit<OpenStackErrorInit, 'cause'> {
  message: string;
  /** The upload was paused (its state kept), not cancelled. */
  paused?: boolean;
}

export type WorkerResult<T> = { ok: true; value: T } | { ok: false; error: WorkerError };

export interface UploadWorkerApi {
  /** Runs the engine; settles when the upload is done, failed, paused or cancelled. */
  start(job: number, request: WorkerUploadRequest, page: PageSide): Promise<WorkerResult<UploadOutcome>>;
  /** Stop sending, keep the resume state. */
  pause(job: number): void;
  /** Stop and delete what was stored and the resume state. */
  cancel(job: number): Promise<void>;
  /** Deletes an unfinished upload found in IndexedDB (segments / multipart upload, then its state). */
  discard(state: UploadState, credentials: WorkerCredentials, page: PageSide): Promise<WorkerResult<null>>;
}
