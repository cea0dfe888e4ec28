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

/** Glance refuses a property key longer than this ("Custom property should not be greater than 255 characters"). */
export const MAX_PROPERTY_KEY = 255;

/**
 * Why Glance would refuse `key` as a custom property, or undefined: a core field, its reserved
 * `os_glance` namespace (403 "Attribute … is reserved"), or a key over 255 characters (400). Asked
 * before an object-storage upload sends anything: the image is created only once the object is
 * stored, so Glance's own refusal would come after the whole file went.
 */
export function propertyKeyProblem(key: string): 'image.core-field' | 'image.reserved-property' | 'image.property-too-long' | undefined {
  if (CORE_IMAGE_FIELDS.has(key)) return 'image.core-field';
  if (key.startsWith('os_glance')) return 'image.reserved-property';
  if (key.length > MAX_PROPERTY_KEY) return 'image.property-too-long';
  return undefined;
}

const PROPERTY_PROBLEM_TEXT: Record<NonNullable<ReturnType<typeof propertyKeyProblem>>, (key: string) => string> = {
  'image.core-field': (k) => `"${k}" is a core image field, not a custom property.`,
  'image.reserved-property': (k) => `"${k}" is in Glance's reserved os_glance namespace: choose another property name.`,
  'image.property-too-long': (k) =>
    `The property name "${k.slice(0, 40)}…" is ${k.length} characters long; Glance takes at most ${MAX_PROPERTY_KEY}.`,
};

/** Why `key` is refused, as the forms and the CLI say it (the code and params let the page word it
 *  in its own language); undefined when Glance takes it. */
export function propertyKeyRefusal(
  key: string,
): { message: string; code: NonNullable<ReturnType<typeof propertyKeyProblem>>; params: Record<string, string> } | undefined {
  const code = propertyKeyProblem(key);
  if (!code) return undefined;
  return { message: PROPERTY_PROBLEM_TEXT[code](key), code, params: { key, length: String(key.length), max: String(MAX_PROPERTY_KEY) } };
}

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
    const refusal = propertyKeyRefusal(k);
    if (refusal) throw new OpenStackError(refusal.message, { code: refusal.code, params: refusal.params, kind: 'bad-config' });
    body[k] = v;
  }
  return body;
}
