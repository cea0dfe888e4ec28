// The shape of a Glance v2 image as the views read it. Custom properties are free-form strings.
export interface ImageRecord {
  id: string;
  name?: string | null;
  status: string;
  disk_format?: string | null;
  container_format?: string | null;
  size?: number | null;
  virtual_size?: number | null;
  visibility?: string;
  protected?: boolean;
  owner?: string | null;
  checksum?: string | null;
  os_hash_algo?: string | null;
  os_hash_value?: string | null;
  min_disk?: number;
  min_ram?: number;
  created_at?: string;
  updated_at?: string;
  tags?: string[];
  direct_url?: string;
  locations?: { url: string; metadata?: Record<string, unknown> }[];
  [key: string]: unknown;
}

/** Glance's own attributes: everything else on an image is a custom property. */
export const CORE_KEYS = new Set([
  'id', 'name', 'status', 'disk_format', 'container_format', 'size', 'virtual_size', 'visibility',
  'protected', 'owner', 'checksum', 'os_hash_algo', 'os_hash_value', 'min_disk', 'min_ram',
  'created_at', 'updated_at', 'tags', 'direct_url', 'locations', 'file', 'schema', 'self',
  'os_hidden', 'stores',
]);

/** Keys the user may not set through a patch (read-only in /v2/schemas/image). */
export const READ_ONLY_KEYS = new Set([
  'id', 'status', 'size', 'virtual_size', 'owner', 'checksum', 'os_hash_algo', 'os_hash_value',
  'created_at', 'updated_at', 'direct_url', 'locations', 'file', 'schema', 'self', 'stores',
]);

/** Renders any property value as plain text (the views never interpret it as HTML). */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
