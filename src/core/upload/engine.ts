// The upload engine's entry point: startUpload(request, env) → UploadHandle. One engine for the
// page (run in the upload worker) and the CLI: the target is chosen by request.via, the transport,
// fetch, resume store, digests and clock are injected. One pause (state kept), one cancel
// (segments / multipart upload and state deleted), one result.
import { OpenStackError, isOpenStackError } from '../openstack/errors.ts';
import { openGlanceRecord, type GlanceRecord } from './glance-state.ts';
import { uploadToGlance, leftWithoutData, withImage } from './glance-target.ts';
import { uploadObject, type StoredResult } from './object-upload.ts';
import type { PartBackend } from './part-backend.ts';
import { ProgressTracker } from './progress.ts';
import { registerObject } from './register.ts';
import { retryPolicy, systemClock } from './retry.ts';
import { S3Multipart } from './s3-multipart.ts';
import { SwiftSlo } from './swift-slo.ts';
import type { UploadEnv, UploadHandle, UploadOutcome, UploadRequest, UploadState } from './types.ts';

/** What `done` rejects with after pause() or cancel(). */
export class UploadStoppedError extends OpenStackError {
  constructor(readonly paused: boolean) {
    super(
      paused
        ? 'The upload is paused; run it again to continue where it stopped.'
        : 'The upload was cancelled and what it stored was deleted.',
      {
        kind: 'aborted',
      },
    );
  }
}

export function backendFor(request: UploadRequest, env: UploadEnv): PartBackend {
  const target = request.target;
  const credentials = request.credentials;
  if (!target || !credentials)
    throw new OpenStackError(`An upload via ${request.via} needs a destination and credentials.`, { kind: 'bad-config' });
  if (target.kind !== request.via)
    throw new OpenStackError(`The destination is ${target.kind} but the upload is via ${request.via}.`, { kind: 'bad-config' });
  const deps = { fetch: env.fetch, transport: env.transport, credentials };
  return target.kind === 'swift' ? new SwiftSlo(target, deps) : new S3Multipart(target, deps);
}

export function startUpload(request: UploadRequest, env: UploadEnv): UploadHandle {
  const ctl = new AbortController();
  let stopping: 'pause' | 'cancel' | null = null;
  let state: UploadState | undefined;
  let imageId: string | undefined;
  let backend: PartBackend | undefined;
  let glanceRecord: GlanceRecord | null = null;
  const clock = env.clock ?? systemClock;
  const policy = retryPolicy(env.retry);
  const progress = new ProgressTracker(request.file.size, env.onProgress, () => clock.now());

  async function runObject(): Promise<UploadOutcome> {
    backend = backendFor(request, env);
    const b = backend;
    const stored: StoredResult = await uploadObject({
      request,
      env,
      backend: b,
      signal: ctl.signal,
      progress,
      policy,
      clock,
      onState: (s) => (state = s),
    });
    const s = stored.state;
    const save = () => env.store.put({ ...s, parts: [...s.parts], updatedAt: new Date().toISOString() });
    let image = null;
    if (request.register) {
      if (!env.glance)
        throw new OpenStackError('Registering in Glance needs a Glance client (sign in).', { kind: 'bad-config', service: 'glance' });
      s.status = 'registering';
      s.register = request.register;
      await save();
      image = await registerObject({
        glance: env.glance,
        plan: request.register,
        downloadUrl: (sec) => b.downloadUrl(s, sec),
        digests: stored.digests,
        file: request.file,
        size: request.file.size,
        signal: ctl.signal,
        onImage: async (id) => {
          imageId = id;
          await save();
        },
        onPhase: (p) => progress.setPhase(p),
        onNotice: env.onNotice,
      });
      if (request.register.deleteObjectAfter) await b.discard({ ...s, status: 'done' });
    }
    const digests = await stored.digests;
    await env.store.delete(s.id);
    return {
      image,
      object: stored.object,
      sha512: digests.sha512,
      md5: digests.md5,
      bytesSent: progress.sentBytes,
      resumed: stored.resumed,
    };
  }

  async function runGlance(): Promise<UploadOutcome> {
    if (!env.glance)
      throw new OpenStackError('An upload through Glance needs a Glance client (sign in).', { kind: 'bad-config', service: 'glance' });
    const glance = env.glance;
    glanceRecord = await openGlanceRecord(request, env, glance, ctl.signal);
    const record = glanceRecord;
    const r = await uploadToGlance({
      request,
      env,
      glance,
      signal: ctl.signal,
      progress,
      policy,
      clock,
      onImage: async (id) => {
        imageId = id;
        await record?.created(id);
      },
    }).catch(async (e: unknown) => {
      // an image holding other data, or that cannot take data any more, is nothing to come back to
      if (record && isOpenStackError(e) && (e.kind === 'hash-mismatch' || e.kind === 'conflict' || e.kind === 'import-failed')) {
        await record.clear().catch(() => undefined);
        glanceRecord = null;
      }
      throw e;
    });
    await record?.clear();
    return {
      image: r.image,
      object: null,
      sha512: r.digests.sha512,
      md5: r.digests.md5,
      bytesSent: progress.sentBytes,
      resumed: r.resumed,
    };
  }

  const run = request.via === 'swift' || request.via === 's3' ? runObject : runGlance;
  let finished = false;
  let cancelling: Promise<void> | undefined;
  const done = run().then(
    (outcome) => {
      finished = true;
      progress.setPhase('done');
      return outcome;
    },
    (e: unknown) => {
      if (stopping || ctl.signal.aborted) throw new UploadStoppedError(stopping !== 'cancel');
      if (!isOpenStackError(e))
        throw new OpenStackError(`The upload failed: ${e instanceof Error ? e.message : String(e)}`, {
          code: 'upload.failed',
          params: { reason: e instanceof Error ? e.message : String(e) },
          kind: 'server',
          cause: e,
        });
      if (request.via === 'glance' || request.via === 'glance-direct') throw leftWithoutData(e, imageId, glanceRecord !== null);
      // the object is stored and its registration failed after the image was made: say which image
      throw imageId && !e.imageId ? withImage(e, imageId) : e;
    },
  );
  done.catch(() => undefined); // the caller awaits it; a pause before they do is not "unhandled"

  return {
    get id() {
      return state?.id ?? imageId ?? '';
    },
    done,
    pause() {
      stopping ??= 'pause';
      ctl.abort();
    },
    cancel() {
      cancelling ??= (async () => {
        if (finished) return; // done and verified: nothing to take back
        stopping = 'cancel';
        ctl.abort();
        await done.catch(() => undefined);
        if (state && backend) {
          await backend.discard(state);
          await env.store.delete(state.id);
        }
        if (imageId && env.glance) {
          const image = await env.glance.getImage(imageId).catch(() => null);
          if (image && image.status !== 'active') await env.glance.deleteImage(imageId);
        }
        await glanceRecord?.clear();
      })();
      return cancelling;
    },
  };
}
