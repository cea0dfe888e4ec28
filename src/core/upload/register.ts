// Registers a stored object in Glance: create the image with the form's fields (or reuse the one
// an earlier run created), then bring the data in by web-download from a TempURL / presigned GET
// (checked against /v2/info/import first; why not add-location: docs/decisions/0007). Done means
// "active" with os_hash_value equal to the local hash of Glance's algorithm (sha512 by default).
// Where Glance's import filters refuse the object store's address, the sentence names the
// [import_filtering_opts] setting to change.
import type { ImageDigests } from '../hash/image-hasher.ts';
import { OpenStackError, isOpenStackError } from '../openstack/errors.ts';
import type { GlanceClient } from '../openstack/glance.ts';
import { createBody, customProperties } from '../openstack/image-fields.ts';
import { verifyStoredImage } from './verify.ts';
import type { GlanceImage } from '../openstack/types.ts';
import type { RegisterPlan } from './types.ts';

export interface RegisterOptions {
  glance: GlanceClient;
  plan: RegisterPlan;
  /** A credential-free GET URL of the object, valid for `seconds`. */
  downloadUrl: (seconds: number) => Promise<string>;
  digests: Promise<ImageDigests>;
  /** The local file: hashed again only when Glance's algorithm is neither sha512 nor md5. */
  file: Blob;
  size: number;
  signal?: AbortSignal;
  /** Told the image id as soon as the image exists (persisted so that a resumed run reuses it). */
  onImage: (id: string) => Promise<void> | void;
  onPhase: (phase: 'registering' | 'importing' | 'verifying') => void;
  /** What happened to an earlier run's image that is not reused. */
  onNotice?: (text: string) => void;
}

/**
 * The fields of `plan` that `image` does not have as asked (an earlier run's image made with other
 * flags), and, while it is queued, the properties it has that are no longer asked for: reused, it
 * would keep them.
 * Glance's own os_glance_* bookkeeping (a failed import's) is no field of the caller's.
 */
export function differingFields(image: GlanceImage, fields: RegisterPlan['fields']): string[] {
  const asked = createBody(fields);
  const rec = image as unknown as Record<string, unknown>;
  const same = (k: string, v: unknown) =>
    Array.isArray(v) ? JSON.stringify([...v].sort()) === JSON.stringify([...((rec[k] as unknown[]) ?? [])].sort()) : rec[k] === v;
  // An active image may carry properties the cloud added on import (inject_image_metadata):
  // only a queued one holds nothing but what its creator asked for.
  const extra =
    image.status === 'queued' ? Object.keys(customProperties(image)).filter((k) => !(k in asked) && !k.startsWith('os_glance')) : [];
  return [...Object.keys(asked).filter((k) => k !== 'id' && !same(k, asked[k])), ...extra];
}

/** The sentence for a web-download the filters refused, naming the host/port/scheme to allow. */
export function importFilterError(url: string, cause: OpenStackError): OpenStackError {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return new OpenStackError(
    `Glance's import filters refuse the object store's address ${u.protocol}//${u.host}: in glance-api.conf, [import_filtering_opts], ` +
      `add ${u.hostname} to allowed_hosts (and ${port} to allowed_ports if that list is not empty, ${u.protocol.replace(':', '')} to allowed_schemes), ` +
      'then restart glance-api; or run with --no-register to keep the object only.',
    {
      code: 'register.import-filtered',
      params: { address: `${u.protocol}//${u.host}`, host: u.hostname, port, scheme: u.protocol.replace(':', '') },
      kind: 'bad-request',
      status: cause.status,
      service: 'glance',
      detail: cause.detail,
      cause,
    },
  );
}

/**
 * The image an earlier run created for an object that is now given up: without that object it can
 * never become the image asked for. While it holds no data (queued, or importing what is being
 * deleted) it is deleted; otherwise it is left. Returns how that ends a notice (", and …").
 */
export async function dropEarlierImage(glance: GlanceClient, id: string): Promise<string> {
  let image: GlanceImage;
  try {
    image = await glance.getImage(id);
  } catch (e) {
    if (isOpenStackError(e, 'not-found')) return '';
    return `; the image ${id} it created could not be read: delete it yourself if it is still there`;
  }
  if (!['queued', 'importing', 'uploading'].includes(image.status))
    return `; the image ${id} it registered is left as it is (${image.status})`;
  try {
    await glance.deleteImage(id);
    return `, and the image ${id} it created (${image.status}, no data yet) is deleted`;
  } catch {
    return `; the image ${id} it created (${image.status}) could not be deleted: delete it yourself`;
  }
}

async function imageFor(o: RegisterOptions): Promise<GlanceImage> {
  if (o.plan.imageId) {
    let earlier: GlanceImage | null = null;
    try {
      earlier = await o.glance.getImage(o.plan.imageId, o.signal);
    } catch (e) {
      if (!isOpenStackError(e, 'not-found')) throw e; // deleted since: create a new one
    }
    // The same object run again with other image flags (--name, --property, …) gets the image it asks for
    const differ = earlier ? differingFields(earlier, o.plan.fields) : [];
    if (earlier && !differ.length) return earlier;
    if (earlier) {
      const what = `The image ${earlier.id} an earlier run created has another ${differ.join(', ')}`;
      if (earlier.status === 'queued')
        await o.glance.deleteImage(earlier.id).then(
          () => o.onNotice?.(`${what}: it held no data and is deleted; a new one is created.`),
          () => o.onNotice?.(`${what} and could not be deleted (delete it yourself); a new one is created.`),
        );
      else o.onNotice?.(`${what}: it is left as it is (${earlier.status}) and a new one is created.`);
    }
  }
  const image = await o.glance.createImage(o.plan.fields);
  o.plan.imageId = image.id;
  await o.onImage(image.id);
  return image;
}

export async function registerObject(o: RegisterOptions): Promise<GlanceImage> {
  o.onPhase('registering');
  const { methods } = await o.glance.importInfo();
  if (!methods.includes('web-download'))
    throw new OpenStackError(
      `This Glance does not offer the web-download import (it offers ${methods.join(', ') || 'none'}): the operator must add web-download to enabled_import_methods in glance-api.conf, or run with --no-register to keep the object only.`,
      { code: 'register.no-web-download', params: { methods: methods.join(', ') || 'none' }, kind: 'bad-config', service: 'glance' },
    );
  let image = await imageFor(o);
  // long enough for Glance to read the whole object even at a slow 5 MB/s, at least an hour
  const seconds = Math.max(3600, Math.ceil(o.size / 5e6) + 600);
  if (image.status === 'queued') {
    const url = await o.downloadUrl(seconds);
    try {
      await o.glance.importImage(image.id, { name: 'web-download', uri: url });
    } catch (e) {
      if (isOpenStackError(e) && /does not pass filtering/i.test(e.detail ?? '')) throw importFilterError(url, e);
      throw e;
    }
  } else if (image.status !== 'active' && image.status !== 'importing')
    throw new OpenStackError(`The image ${image.id} is "${image.status}", so it cannot take the object's data: delete it and run again.`, {
      code: 'register.image-not-queued',
      params: { id: image.id, status: image.status },
      kind: 'conflict',
      service: 'glance',
      imageId: image.id,
    });
  o.onPhase('importing');
  image = await o.glance.waitForImage(image.id, { signal: o.signal, timeoutMs: seconds * 1000, intervalMs: 1000 });
  o.onPhase('verifying');
  const d = await o.digests;
  await verifyStoredImage(image, d, o.file, o.signal);
  return image;
}
