// Waiting for a Glance image to settle: an import reports its failure only through the image's
// status, its os_glance_failed_import property and its tasks, never as an error on a request,
// so the poll has to read all three to fail clearly instead of running into the timeout.
import { OpenStackError } from './errors.ts';
import type { GlanceImage, GlanceTask, WaitOptions } from './types.ts';
import { sleep } from '../sleep.ts';

/** What the poll reads (GlanceClient provides both). */
export interface ImageStatusSource {
  getImage(id: string, signal?: AbortSignal): Promise<GlanceImage>;
  imageTasks(id: string): Promise<GlanceTask[]>;
}

/**
 * Polls until the image reaches one of `until` (default active). Fails clearly when it is
 * killed or deleted, when an import task failed (reverted to queued, or stuck importing with a
 * failed task), or on timeout.
 */
export async function waitForImageStatus(source: ImageStatusSource, id: string, options: WaitOptions = {}): Promise<GlanceImage> {
  const until = options.until ?? ['active'];
  const interval = options.intervalMs ?? 1000;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let sawImport = false;
  for (;;) {
    if (options.signal?.aborted)
      throw new OpenStackError('Stopped waiting for the image (cancelled).', {
        code: 'glance.wait-cancelled',
        kind: 'aborted',
        service: 'glance',
      });
    const image = await source.getImage(id, options.signal);
    options.onStatus?.(image);
    if (until.includes(image.status)) return image;
    if (image.status === 'killed' || image.status === 'deleted' || image.status === 'pending_delete')
      throw new OpenStackError(`The image ended in status "${image.status}": Glance could not store its data. Delete it and try again.`, {
        code: 'glance.image-lost',
        params: { status: image.status },
        kind: 'import-failed',
        service: 'glance',
      });
    if (image.status === 'importing') sawImport = true;
    const failedStores = typeof image.os_glance_failed_import === 'string' ? image.os_glance_failed_import : '';
    if (failedStores || (sawImport && image.status === 'queued') || image.status === 'importing' || image.status === 'uploading') {
      const failed = await failedTask(source, id);
      if (failed || failedStores || (sawImport && image.status === 'queued'))
        throw new OpenStackError(
          `The import failed${failed?.message ? `: ${failed.message}` : failedStores ? ` for store(s) ${failedStores}` : ''}. ` +
            `The image is left "${image.status}"; delete it, or fix the source and import again.`,
          {
            code: 'glance.import-failed',
            params: { status: image.status, reason: failed?.message ?? '', stores: failedStores },
            kind: 'import-failed',
            service: 'glance',
            detail: failed?.message,
          },
        );
    }
    if (Date.now() >= deadline)
      throw new OpenStackError(`The image is still "${image.status}" after waiting; Glance may be busy. Check it later or delete it.`, {
        code: 'glance.wait-timeout',
        params: { status: image.status },
        kind: 'timeout',
        service: 'glance',
      });
    await sleep(interval, options.signal);
  }
}

async function failedTask(source: ImageStatusSource, id: string): Promise<GlanceTask | undefined> {
  let tasks: GlanceTask[];
  try {
    tasks = await source.imageTasks(id);
  } catch (e) {
    if (e instanceof OpenStackError && e.kind === 'not-found') return undefined; // older Glance: no tasks API
    throw e;
  }
  const latest = [...tasks].sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
  return latest && latest.status === 'failure' ? latest : undefined;
}
