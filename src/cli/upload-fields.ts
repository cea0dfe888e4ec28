// The Glance image the `upload` command creates: its fields from the flags and the inspection,
// and the check of its formats against the cloud's own lists, made before any byte is sent (for
// --via swift|s3 the image is created only after the last part: a refusal then would cost the
// whole upload).
import { basename } from 'node:path';
import type { InspectionResult } from '../core/inspection.ts';
import type { ImageCreateFields, ImageSchemaInfo } from '../core/openstack/types.ts';
import type { UploadArgs } from './upload-args.ts';

export function fieldsFrom(a: UploadArgs, r: InspectionResult): ImageCreateFields {
  const s = r.suggested;
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(s))
    if (!['disk_format', 'container_format', 'min_disk', 'min_ram'].includes(k)) properties[k] = String(v);
  Object.assign(properties, a.properties);
  const f: ImageCreateFields = {
    name: a.name ?? basename(a.file),
    disk_format: a.diskFormat ?? (s.disk_format !== undefined ? String(s.disk_format) : undefined),
    container_format: a.containerFormat ?? (s.container_format !== undefined ? String(s.container_format) : 'bare'),
    properties,
  };
  const minDisk = a.minDisk ?? (typeof s.min_disk === 'number' ? s.min_disk : undefined);
  if (minDisk !== undefined) f.min_disk = minDisk;
  if (a.minRam !== undefined) f.min_ram = a.minRam;
  if (a.isPublic) f.visibility = 'public';
  if (a.isProtected) f.protected = true;
  return f;
}

/**
 * The sentence refusing formats this cloud would refuse (its /v2/schemas/image enums), or null.
 * A schema without enums accepts anything: Glance then has no list to check against.
 */
export function formatProblem(fields: ImageCreateFields, schema: Pick<ImageSchemaInfo, 'diskFormats' | 'containerFormats'>): string | null {
  const disks = schema.diskFormats;
  const containers = schema.containerFormats;
  const oneOf = (l: string[]) => (l.length ? `, one of ${l.join(', ')}` : '');
  if (!fields.disk_format) return `The inspection found no disk format Glance knows for this file: give --disk-format${oneOf(disks)}.`;
  if (disks.length && !disks.includes(fields.disk_format))
    return `This cloud does not accept the disk format "${fields.disk_format}": it accepts ${disks.join(', ')} (convert the image, or give --disk-format if the inspected one is wrong).`;
  const container = fields.container_format ?? 'bare';
  if (containers.length && !containers.includes(container))
    return `This cloud does not accept the container format "${container}": give --container-format, one of ${containers.join(', ')}.`;
  return null;
}
