// Upload worker: runs the core upload engine (src/core/upload) off the page thread. Bytes go by
// the core XHR BodyTransport (disk-backed Blob slices, upload progress, stall timeout); resume
// state goes to IndexedDB; digests are spread over threads: the whole file's sha512 + md5 come
// from the page's hash worker (started when the file was offered), the per-part MD5s from a hash
// worker nested here. Progress is throttled before it crosses to the page.
import * as Comlink from 'comlink';
import { startUpload, backendFor } from '../../src/core/upload/engine.ts';
import { xhrBodyTransport } from '../../src/core/upload/transports.ts';
import { GlanceClient } from '../../src/core/openstack/glance.ts';
import { OpenStackError, isOpenStackError } from '../../src/core/openstack/errors.ts';
import type {
  DigestProvider,
  ObjectCredentials,
  UploadEnv,
  UploadHandle,
  UploadProgress,
  UploadRequest,
} from '../../src/core/upload/types.ts';
import type { TokenProvider } from '../../src/core/openstack/types.ts';
import { IdbUploadStateStore } from './idb-state-store.ts';
import { PART_MD5_LANES, partMd5, precomputed } from './part-md5.ts';
import type { ImageDigests, PartMd5s } from '../../src/core/hash/image-hasher.ts';
import type { PageSide, UploadWorkerApi, WorkerCredentials, WorkerError, WorkerResult } from './types.ts';
import { progressRelay, type ProgressRelay } from './progress-relay.ts';

const running = new Map<number, UploadHandle>();
const store = new IdbUploadStateStore();

function tokens(page: PageSide): TokenProvider {
  // canRenew is read once: the page's session does not change kind during an upload
  let renew = true;
  void Promise.resolve(page.canRenew()).then(
    (v) => (renew = v),
    () => undefined,
  );
  return {
    getToken: () => page.getToken(),
    invalidate: (t) => void page.invalidate(t),
    get canRenew() {
      return renew;
    },
  };
}

function credentialsFor(c: WorkerCredentials | undefined, t: TokenProvider): ObjectCredentials | undefined {
  if (!c) return undefined;
  if (c.kind === 'keystone-token')
    return { kind: 'keystone-token', getToken: () => t.getToken(), invalidate: (x) => t.invalidate(x), tempUrlKey: c.tempUrlKey };
  return c;
}

/**
 * Part MD5s: from the page's pick-time pass when it used this part size — all of them once it
 * has finished (the upload then sends without hashing), or those it had when the upload began
 * (the pass is held while the upload sends) — otherwise computed here, ahead of the senders.
 */
function partDigests(page: PageSide, file: Blob | undefined): DigestProvider {
  let ready: ImageDigests | undefined;
  let whole: Promise<ImageDigests> | undefined;
  // asked once, at the first part: every lane awaits the same answer, so they still batch
  let sofar: Promise<PartMd5s | null> | undefined;
  let toldSoFar = false;
  const wholeOnce = () => {
    whole ??= page.whole().then((d) => (ready = d));
    return whole;
  };
  if (file) wholeOnce().catch(() => undefined); // the engine awaits it too and reports its failure
  const md5: DigestProvider['md5'] = (part, signal) => partMd5(part, signal);
  return {
    whole: () => wholeOnce(),
    md5,
    md5Lanes: PART_MD5_LANES,
    md5Range: file
      ? async (offset, size, signal) => {
          const done = precomputed(ready?.size === file.size ? ready.parts : undefined, file.size, offset, size);
          if (done) return done;
          sofar ??= Promise.resolve(page.partsSoFar()).catch(() => null);
          const p = await sofar;
          const known = precomputed(p, file.size, offset, size);
          if (known && !toldSoFar && p) {
            toldSoFar = true;
            void page.notice(
              `${p.md5.length} of the ${Math.ceil(file.size / p.partSize)} parts were hashed when the file was picked: they are sent without hashing them again.`,
            );
          }
          return known ?? md5(file.slice(offset, offset + size), signal);
        }
      : undefined,
  };
}

function envFor(page: PageSide, glanceEndpoint: string | null, t: TokenProvider, relay: ProgressRelay, file?: Blob): UploadEnv {
  const digests = partDigests(page, file);
  return {
    transport: xhrBodyTransport(),
    fetch: (input, init) => fetch(browserSafe(input), init),
    store,
    digests,
    glance: glanceEndpoint ? new GlanceClient({ endpoint: glanceEndpoint, tokens: t }) : undefined,
    onProgress: (p: UploadProgress) => relay.report(p),
    onNotice: (s) => void page.notice(s),
  };
}

/**
 * Swift's SLO answers `heartbeat=on` with a 202 it starts itself, without the proxy's CORS
 * headers (checked on Swift 2.30): a page cannot read it. Without the heartbeat the manifest PUT
 * answers 201 with the ETag (exposed by Swift's CORS) once the manifest is written.
 */
function browserSafe(url: string): string {
  return url.includes('multipart-manifest=put') ? url.replace(/&heartbeat=on\b/, '').replace(/\?heartbeat=on&/, '?') : url;
}

function asWorkerError(e: unknown): WorkerError {
  if (isOpenStackError(e)) {
    // the page says itself that the image it created is kept for a retry: the engine's own
    // "stays in the list" sentence would say it twice
    const cause = (e as { cause?: unknown }).cause;
    const inner = e.imageId && isOpenStackError(cause) && e.message.startsWith(cause.message) ? cause : e;
    return {
      message: inner.message,
      code: inner.code,
      params: inner.params,
      kind: e.kind,
      status: e.status,
      service: e.service,
      detail: e.detail,
      corsSettings: e.corsSettings,
      requestId: e.requestId,
      imageId: e.imageId,
      paused: (e as { paused?: boolean }).paused,
    };
  }
  return { message: e instanceof Error ? e.message : String(e), kind: 'server' };
}

const api: UploadWorkerApi = {
  async start(job, request, page) {
    // the outcome crosses on another port than the progress: the last report must be in first
    const relay = progressRelay((p) => page.progress(p));
    try {
      const t = tokens(page);
      const req: UploadRequest = { ...request, credentials: credentialsFor(request.credentials, t) };
      const handle = startUpload(req, envFor(page, request.glanceEndpoint, t, relay, request.file));
      running.set(job, handle);
      const value = await handle.done;
      await relay.flush();
      return { ok: true, value };
    } catch (e) {
      await relay.flush();
      return { ok: false, error: asWorkerError(e) };
    } finally {
      running.delete(job);
    }
  },
  pause(job) {
    running.get(job)?.pause();
  },
  async cancel(job) {
    await running.get(job)?.cancel();
  },
  async discard(state, credentials, page): Promise<WorkerResult<null>> {
    try {
      const t = tokens(page);
      const env = envFor(
        page,
        null,
        t,
        progressRelay(() => undefined),
      );
      // backendFor reads only via, target and credentials of a request
      const request = { via: state.target.kind, target: state.target, credentials: credentialsFor(credentials, t) } as UploadRequest;
      await backendFor(request, env).discard(state);
      await store.delete(state.id);
      return { ok: true, value: null };
    } catch (e) {
      return {
        ok: false,
        error: asWorkerError(
          isOpenStackError(e)
            ? e
            : new OpenStackError(`Deleting the unfinished upload failed: ${(e as Error).message}`, { kind: 'server', cause: e }),
        ),
      };
    }
  },
};

Comlink.expose(api);
