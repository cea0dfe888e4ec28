// The create form's data: its fields in the Dashboard's shape, what it emits and how that is made
// from what the user chose, the inspection it is prefilled from, and that prefill (format, min
// disk, suggested properties; all stay editable).
import { minDiskGiB } from '../../core/inspect/properties.ts';
import { CORE_IMAGE_FIELDS } from '../../core/openstack/image-fields.ts';
import type { ObjectDestination, UploadMethod } from './create-form-upload.ts';

export interface CreateFields {
  name: string;
  description: string;
  disk_format: string;
  container_format: string;
  architecture: string;
  min_disk: number;
  min_ram: number;
  visibility: string;
  protected: boolean;
  kernel_id: string;
  ramdisk_id: string;
  /** Custom properties (inspection suggestions included), all strings as Glance stores them. */
  properties: Record<string, string>;
}

export interface CreateRequest {
  fields: CreateFields;
  source: { kind: 'file'; file: File } | { kind: 'url'; url: string };
  method: UploadMethod;
  /** Swift container or S3 bucket and credentials (method swift / s3). */
  destination?: ObjectDestination;
}

export interface CheckLine {
  ok: boolean;
  text: string;
}

/** The local checksums of the chosen file, computed from the moment it was chosen. */
export interface HashingState {
  hashed: number;
  total: number;
  done: boolean;
  failed: boolean;
}

/** What an <image-inspector> reports (only the fields this form reads). */
export interface InspectionLike {
  file?: { name?: string; size?: number } | string;
  /** qemu-img's format name (iso and partitioned disks are "raw" to it). */
  format?: string | null;
  /** The format detected from the content (qemu driver names). */
  detected?: string | null;
  virtualSize?: number | null;
  safety?: { safe: boolean; findings?: unknown[] };
  suggested?: Record<string, unknown>;
}

export function blankFields(): CreateFields {
  return {
    name: '',
    description: '',
    disk_format: '',
    container_format: 'bare',
    architecture: '',
    min_disk: 0,
    min_ram: 0,
    visibility: 'private',
    protected: false,
    kernel_id: '',
    ramdisk_id: '',
    properties: {},
  };
}

/** The fields with an inspection's suggestions applied. */
export function fieldsFromInspection(fields: CreateFields, r: InspectionLike): CreateFields {
  const f = { ...fields, properties: { ...fields.properties } };
  const s = r.suggested ?? {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined || v === null || v === '') continue;
    const text = typeof v === 'string' ? v : String(v);
    if (k === 'disk_format' || k === 'container_format' || k === 'architecture' || k === 'name' || k === 'description') f[k] = text;
    else if (k === 'min_disk' || k === 'min_ram') f[k] = Number(v) || 0;
    // other core fields (visibility, protected, size…) are the user's call or Glance's, not a property
    else if (CORE_IMAGE_FIELDS.has(k)) continue;
    else f.properties[k] = text;
  }
  if (!f.disk_format && r.format) f.disk_format = r.format;
  if (!s.min_disk && r.virtualSize) f.min_disk = minDiskGiB(r.virtualSize);
  return f;
}

/** What the form holds when "Create and upload" is pressed. */
export interface FormChoice {
  fields: CreateFields;
  sourceKind: 'file' | 'url';
  url: string;
  file: File | null;
  method: UploadMethod;
  destination: ObjectDestination | null;
}

/** The request to emit, or null with neither a file nor a URL. A URL can only go by web-download,
 *  a file never; an object store the user typed nothing for gets the default container or bucket. */
export function requestOf(c: FormChoice): CreateRequest | null {
  const source =
    c.sourceKind === 'url' ? { kind: 'url' as const, url: c.url.trim() } : c.file ? { kind: 'file' as const, file: c.file } : null;
  if (!source) return null;
  const method: UploadMethod = source.kind === 'url' ? 'web-download' : c.method === 'web-download' ? 'direct' : c.method;
  const d = c.destination;
  const destination: ObjectDestination | undefined =
    method === 'swift'
      ? d?.kind === 'swift'
        ? d
        : { kind: 'swift', container: 'images' }
      : method === 's3'
        ? d?.kind === 's3'
          ? d
          : { kind: 's3', bucket: 'images', accessKeyId: '', secretAccessKey: '' }
        : undefined;
  return { fields: { ...c.fields, properties: { ...c.fields.properties } }, source, method, destination };
}
