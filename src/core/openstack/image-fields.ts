// Which image fields are Glance's own and which are custom properties, and the create body built
// from the Dashboard's fields: shared by the client, the JSON-patch builder and the forms.
import { OpenStackError } from './errors.ts';
import type { GlanceImage, ImageCreateFields } from './types.ts';

/** Fields Glance treats as core (not custom properties). */
export const CORE_IMAGE_FIELDS = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'owner',
  'disk_format',
  'container_format',
  'size',
  'virtual_size',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'min_disk',
  'min_ram',
  'tags',
  'created_at',
  'updated_at',
  'direct_url',
  'locations',
  'self',
  'file',
  'schema',
  'os_hidden',
  'stores',
]);

/** Custom properties of an image (everything that is not a core field), as strings. */
export function customProperties(image: GlanceImage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(image)) if (!CORE_IMAGE_FIELDS.has(k) && typeof v === 'string') out[k] = v;
  return out;
}

/** The POST /v2/images body: core fields as they are, custom properties as top-level strings. */
export function createBody(f: ImageCreateFields): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const k of ['id', 'name', 'disk_format', 'container_format', 'min_disk', 'min_ram', 'visibility', 'protected', 'tags'] as const)
    if (f[k] !== undefined && f[k] !== '') body[k] = f[k];
  // Extra properties are strings in Glance; empty ones are left out rather than stored empty.
  for (const k of ['description', 'architecture', 'kernel_id', 'ramdisk_id'] as const) if (f[k]) body[k] = f[k];
  for (const [k, v] of Object.entries(f.properties ?? {})) {
    if (CORE_IMAGE_FIELDS.has(k))
      throw new OpenStackError(`"${k}" is a core image field, not a custom property.`, {
        code: 'image.core-field',
        params: { key: k },
        kind: 'bad-config',
      });
    body[k] = v;
  }
  return body;
}
