// Builds the JSON-patch (application/openstack-images-v2.1-json-patch) that turns an image into
// the edited form values: replace what changed, add what is new, remove what was cleared.
import { CORE_IMAGE_FIELDS, customProperties } from './image-fields.ts';
import type { GlanceImage, ImagePatchOp } from './types.ts';

/** Core fields a user may change with PATCH (formats only while the image is queued). */
export const EDITABLE_CORE_FIELDS = [
  'name',
  'visibility',
  'protected',
  'min_disk',
  'min_ram',
  'tags',
  'disk_format',
  'container_format',
] as const;
export type EditableCoreField = (typeof EDITABLE_CORE_FIELDS)[number];

export interface ImageEdits {
  core?: Partial<Record<EditableCoreField, unknown>>;
  /** The full wanted set of string properties (description, architecture, kernel_id, hw_*...). */
  properties?: Record<string, string>;
}

function pointer(key: string): string {
  return '/' + key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The minimal patch from `image` to `edits`; properties absent from edits.properties are removed. */
export function imagePatch(image: GlanceImage, edits: ImageEdits): ImagePatchOp[] {
  const ops: ImagePatchOp[] = [];
  for (const [k, v] of Object.entries(edits.core ?? {})) {
    if (!(EDITABLE_CORE_FIELDS as readonly string[]).includes(k)) throw new Error(`${k} is not editable`);
    const cur = image[k];
    if (JSON.stringify(cur) === JSON.stringify(v)) continue;
    if ((k === 'disk_format' || k === 'container_format') && image.status !== 'queued')
      throw new Error(`${k} can only change while the image is queued (it is ${image.status})`);
    ops.push(cur === null || cur === undefined ? { op: 'add', path: pointer(k), value: v } : { op: 'replace', path: pointer(k), value: v });
  }
  if (edits.properties) {
    const before = customProperties(image);
    for (const [k, v] of Object.entries(edits.properties)) {
      if (CORE_IMAGE_FIELDS.has(k)) throw new Error(`${k} is a core field`);
      if (!(k in before)) ops.push({ op: 'add', path: pointer(k), value: v });
      else if (before[k] !== v) ops.push({ op: 'replace', path: pointer(k), value: v });
    }
    for (const k of Object.keys(before)) if (!(k in edits.properties)) ops.push({ op: 'remove', path: pointer(k) });
  }
  return ops;
}
