// The resume record of a via-glance upload. Glance's PUT /file cannot continue where it stopped,
// but an interrupted or failed run leaves its image queued without data: recorded (before any
// byte is sent) in the store object uploads use, under the same kind of key, the same request run
// again uploads into that image instead of leaving it behind and creating a duplicate.
import { sha256 } from 'hash-wasm';
import { isOpenStackError } from '../openstack/errors.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import type { GlanceImage, ImageCreateFields } from '../openstack/types.ts';
import { fileIdentity, uploadStateId } from './fingerprint.ts';
import type { GlanceTarget, GlanceUploadState, StoredUploadState, UploadEnv, UploadRequest } from './types.ts';

export function isGlanceState(s: StoredUploadState): s is GlanceUploadState {
  return s.target.kind === 'glance';
}

/** JSON with object keys sorted, so that equal fields give equal text whatever their order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function fieldsDigest(fields: ImageCreateFields): Promise<string> {
  return sha256(canonical(fields));
}

export interface GlanceRecord {
  /** Records the image (just created, or reused) before any byte is sent. */
  created(imageId: string): Promise<void>;
  /** Done and verified, or cancelled: nothing is left to reuse. */
  clear(): Promise<void>;
}

/** The earlier run's image, settled: a PUT cut short shows "saving" until Glance puts it back to "queued". */
async function earlierImage(glance: GlanceClient, id: string, signal: AbortSignal): Promise<GlanceImage | null> {
  try {
    const image = await glance.getImage(id, signal);
    if (image.status !== 'saving') return image;
    return await glance.waitForImage(id, { until: ['queued', 'active'], timeoutMs: 30_000, intervalMs: 500, signal });
  } catch (e) {
    if (isOpenStackError(e) && (e.kind === 'not-found' || e.kind === 'timeout' || e.kind === 'import-failed')) return null;
    throw e;
  }
}

/**
 * Opens the record for a via-glance request that names its project (null otherwise, or when the
 * request names its image itself). When an earlier identical request left its image queued (or
 * active, not yet verified) and this project owns it, sets `request.register.imageId` to it. An
 * earlier image of this project made with other fields and still empty is deleted: it was this
 * tool's, it holds nothing, and the new run replaces it.
 */
export async function openGlanceRecord(
  request: UploadRequest,
  env: UploadEnv,
  glance: GlanceClient,
  signal: AbortSignal,
): Promise<GlanceRecord | null> {
  const plan = request.register;
  const project = request.project;
  if (!project || !plan || plan.imageId) return null;
  const file = await fileIdentity(request.file, request.fileName, request.lastModified);
  const target: GlanceTarget = { kind: 'glance', endpoint: glance.endpoint, project };
  const id = await uploadStateId(target, file);
  const digest = await fieldsDigest(plan.fields);
  const found = await env.store.get(id);
  const old = found && isGlanceState(found) ? found : undefined;
  if (old) {
    const image = await earlierImage(glance, old.imageId, signal);
    const ours = image !== null && image.owner === project;
    if (ours && old.fieldsDigest === digest && (image.status === 'queued' || image.status === 'active')) {
      plan.imageId = image.id;
      env.onNotice?.(
        image.status === 'queued'
          ? `Uploading into the image ${image.id} that an earlier run created and left queued.`
          : `The image ${image.id} that an earlier run uploaded is active: checking it against the file.`,
      );
    } else {
      if (ours && image.status === 'queued')
        await glance.deleteImage(image.id).then(
          () => env.onNotice?.(`The image ${image.id} an earlier run left queued had other fields: it is deleted and a new one created.`),
          () =>
            env.onNotice?.(
              `The image ${image.id} an earlier run left queued had other fields and could not be deleted: delete it yourself.`,
            ),
        );
      await env.store.delete(id);
    }
  }
  const createdAt = old && plan.imageId === old.imageId ? old.createdAt : new Date().toISOString();
  return {
    async created(imageId) {
      const state: GlanceUploadState = {
        version: 1,
        id,
        createdAt,
        updatedAt: new Date().toISOString(),
        file,
        target,
        imageId,
        fieldsDigest: digest,
      };
      await env.store.put(state);
    },
    clear: () => env.store.delete(id),
  };
}
