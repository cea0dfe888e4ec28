// The JSON-patch (application/openstack-images-v2.1-json-patch) for an edit: one operation per
// changed field, `remove` for cleared or deleted properties. Pure: unit-testable in Node.
import type { ImagePatchOp } from '../../core/openstack/types.ts';
import type { ImageRecord } from './image-record.ts';

export type EditedValues = Record<string, string | number | boolean>;

/** Keys whose empty value means "remove" rather than "set to the empty string". */
const OPTIONAL_TEXT = new Set(['description', 'architecture', 'kernel_id', 'ramdisk_id', 'name']);

export function pointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export function buildPatch(original: ImageRecord, edited: EditedValues, removed: Iterable<string>): ImagePatchOp[] {
  const ops: ImagePatchOp[] = [];
  const gone = new Set(removed);
  for (const key of gone) {
    if (key in original && original[key] !== null && original[key] !== undefined) ops.push({ op: 'remove', path: pointer(key) });
  }
  for (const [key, value] of Object.entries(edited)) {
    if (gone.has(key)) continue;
    const before = original[key];
    const has = key in original && before !== null && before !== undefined;
    if (value === '' && OPTIONAL_TEXT.has(key) && key !== 'name') {
      if (has) ops.push({ op: 'remove', path: pointer(key) });
      continue;
    }
    if (has && before === value) continue;
    if (!has && value === '' && !(key in original)) continue;
    ops.push({ op: has ? 'replace' : 'add', path: pointer(key), value });
  }
  return ops;
}
