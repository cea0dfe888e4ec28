// Uploads straight into Glance: PUT /v2/images/{id}/file, or glance-direct (PUT /stage, then
// POST /import). The whole-file digests run alongside the single PUT; only the comparison with
// Glance's record waits for them. A dropped connection puts the image back to "queued", so the PUT
// is retried whole under the same policy while the image stays queued (Glance cannot resume).
import type { ImageDigests } from '../hash/image-hasher.ts';
import { OpenStackError, isOpenStackError } from '../openstack/errors.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import { verifyStoredImage } from './verify.ts';
import type { GlanceImage } from '../openstack/types.ts';
import type { ProgressTracker } from './progress.ts';
import { retryReason, withRetry } from './retry.ts';
import type { RetryPolicy, UploadClock, UploadEnv, UploadRequest } from './types.ts';

export interface GlanceRunContext {
  request: UploadRequest;
  env: UploadEnv;
  glance: GlanceClient;
  signal: AbortSignal;
  progress: ProgressTracker;
  policy: RetryPolicy;
  clock: UploadClock;
  /** Told the image before any byte is sent (the engine records it for a rerun). */
  onImage: (id: string) => Promise<void> | void;
}

export async function uploadToGlance(ctx: GlanceRunContext): Promise<{ image: GlanceImage; digests: ImageDigests; resumed: boolean }> {
  const { request, env, glance, progress, signal } = ctx;
  const plan = request.register;
  if (!plan)
    throw new OpenStackError('An upload through Glance always creates an image: --no-register needs --via swift or s3.', {
      kind: 'bad-config',
    });
  let image: GlanceImage | undefined;
  let resumed = false;
  if (plan.imageId) {
    image = await glance.getImage(plan.imageId, signal);
    resumed = true;
  } else {
    image = await glance.createImage(plan.fields);
    plan.imageId = image.id;
  }
  await ctx.onImage(image.id);
  const digests = request.knownDigests
    ? Promise.resolve(request.knownDigests)
    : env.digests.whole(request.file, { signal, onProgress: (n) => progress.hashed(n) });
  digests.catch(() => undefined);
  const id = image.id;
  const direct = request.via === 'glance';
  progress.partsTotal = 1;
  if (image.status === 'queued') {
    progress.setPhase('uploading');
    let uploadFailure: unknown;
    await withRetry(
      async (attempt) => {
        if (attempt > 1) {
          // Glance still unreachable: the user needs to hear what failed (the upload), not the probe
          const now = await glance.getImage(id, signal).catch((e: unknown) => {
            throw isOpenStackError(e) && e.kind === 'network' && uploadFailure ? uploadFailure : e;
          });
          if (now.status !== 'queued')
            throw new OpenStackError(
              `The image is "${now.status}" after a failed upload, so it cannot take the data again: delete it and upload to a new image.`,
              { code: 'upload.image-after-failure', params: { status: now.status }, kind: 'conflict', service: 'glance', imageId: id },
            );
        }
        progress.partStarted(1);
        const opts = {
          transport: env.transport,
          signal,
          stallTimeoutMs: ctx.policy.stallTimeoutMs,
          onProgress: (n: number) => progress.partProgress(1, n),
        };
        if (direct) await glance.uploadData(id, request.file, opts);
        else await glance.stageData(id, request.file, opts);
      },
      {
        policy: { ...ctx.policy, attempts: Math.min(ctx.policy.attempts, 3) },
        clock: ctx.clock,
        random: env.random,
        signal,
        onRetry: (e) => {
          if (!uploadFailure) uploadFailure = e;
          progress.partRetry(1, retryReason(e, 'The image upload'));
        },
      },
    ).catch((e: unknown) => {
      progress.partLeft(1);
      throw e;
    });
    progress.partDone(1, request.file.size);
    if (!direct) {
      progress.setPhase('importing');
      await glance.importImage(id, { name: 'glance-direct' });
    }
  } else if (image.status !== 'active' && image.status !== 'importing' && image.status !== 'saving')
    throw new OpenStackError(`The image ${id} is "${image.status}": it cannot take an upload. Delete it and upload to a new image.`, {
      code: 'upload.image-not-queued',
      params: { id, status: image.status },
      kind: 'conflict',
      service: 'glance',
      imageId: id,
    });
  progress.setPhase(direct ? 'verifying' : 'importing');
  const done = await glance.waitForImage(id, { signal, intervalMs: 500, timeoutMs: Math.max(600_000, request.file.size / 5e3) });
  progress.setPhase('verifying');
  const d = await digests;
  await verifyStoredImage(done, d, request.file, signal);
  return { image: done, digests: d, resumed };
}

/**
 * The failure, naming the image it leaves without data. `resumable`: the image is recorded for a
 * rerun (see glance-state.ts), so the same request run again uploads into it.
 */
export function leftWithoutData(e: unknown, imageId: string | undefined, resumable = false): unknown {
  if (!imageId || !isOpenStackError(e) || e.kind === 'hash-mismatch' || e.imageId) return e;
  const left = resumable
    ? `The image ${imageId} is left queued without data: run the same command again to upload into it, or delete it.`
    : `The image ${imageId} stays in the list without data: delete it or upload to a new image.`;
  return withImage(e, imageId, `${e.message} ${left}`);
}

/** `e` carrying the image it left behind (a page offers to delete it), with the same sentence
 *  unless `message` says more. */
export function withImage(e: OpenStackError, imageId: string, message = e.message): OpenStackError {
  return new OpenStackError(message, {
    kind: e.kind,
    status: e.status,
    service: e.service,
    detail: e.detail,
    corsSettings: e.corsSettings,
    requestId: e.requestId,
    code: e.code,
    params: e.params,
    imageId,
    cause: e,
  });
}
