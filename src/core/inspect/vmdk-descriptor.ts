// Strict VMDK descriptor parsing, the way oslo.utils reads it: comments, blank lines, `ddb.*`
// lines, `key=value` header lines and extent lines only; anything else makes the descriptor
// unsafe. The parsed extent list also tells the page which files a multi-file VMDK needs.

/** qemu and oslo.utils cap an embedded descriptor at 1 MiB - 1. */
export const VMDK_DESCRIPTOR_MAX = (1 << 20) - 1;
export const VMDK_SAFE_CREATE_TYPES = ['monolithicsparse', 'streamoptimized'] as const;

export interface VmdkExtent {
  access: 'rw' | 'rdonly' | 'noaccess';
  sectors: number;
  /** SPARSE, FLAT, ZERO, VMFS, VMFSSPARSE, SESPARSE, VMFSRDM, VMFSRAW… (upper-cased). */
  type: string;
  fileName?: string;
  offset?: number;
  /** The raw line, for messages. */
  line: string;
}

export interface VmdkDescriptor {
  /** As written (original case); undefined when the descriptor has none. */
  createType?: string;
  header: Record<string, string>;
  ddb: Record<string, string>;
  extents: VmdkExtent[];
  /** Lines none of the allowed kinds, which make the descriptor unsafe. */
  unknownLines: string[];
  /** Extent lines containing '/' (a path outside the image's directory). */
  unsafeExtentLines: string[];
  /** Non-ASCII bytes found (oslo.utils refuses such a descriptor). */
  nonAscii: boolean;
}

const ACCESS = new Set(['rw', 'rdonly', 'noaccess']);

/** Decodes descriptor bytes: text up to the first NUL (embedded descriptors are NUL padded). */
export function decodeDescriptor(bytes: Uint8Array): { text: string; nonAscii: boolean } {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  let nonAscii = false;
  let text = '';
  for (let i = 0; i < end; i++) {
    const c = bytes[i]!;
    if (c > 0x7f) nonAscii = true;
    text += String.fromCharCode(c);
  }
  return { text, nonAscii };
}

function unquote(v: string): string {
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

function parseExtent(line: string): VmdkExtent {
  // RW 2048 SPARSE "file name.vmdk" [offset]; the name is quoted and may hold spaces.
  const m = /^(\S+)\s+(\d+)\s+(\S+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?/.exec(line);
  const access = (m?.[1] ?? line.split(' ')[0] ?? '').toLowerCase() as VmdkExtent['access'];
  const ext: VmdkExtent = {
    access,
    sectors: m ? Number(m[2]) : NaN,
    type: (m?.[3] ?? '').toUpperCase(),
    line,
  };
  if (m?.[4] !== undefined) ext.fileName = m[4];
  if (m?.[5] !== undefined) ext.offset = Number(m[5]);
  return ext;
}

export function parseVmdkDescriptor(text: string, nonAscii = false): VmdkDescriptor {
  const d: VmdkDescriptor = { header: {}, ddb: {}, extents: [], unknownLines: [], unsafeExtentLines: [], nonAscii };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const lower = line.toLowerCase();
    if (!line || line.startsWith('#')) continue;
    if (lower.startsWith('ddb')) {
      const eq = line.indexOf('=');
      if (eq > 0) d.ddb[line.slice(0, eq).trim()] = unquote(line.slice(eq + 1));
    } else if (line.includes('=') && !line.split('=')[0]!.includes(' ')) {
      const eq = line.indexOf('=');
      d.header[line.slice(0, eq)] = unquote(line.slice(eq + 1));
    } else if (ACCESS.has(lower.split(' ')[0]!)) {
      const ext = parseExtent(line);
      d.extents.push(ext);
      if (line.includes('/')) d.unsafeExtentLines.push(line);
    } else {
      d.unknownLines.push(line.length > 120 ? `${line.slice(0, 120)}…` : line);
    }
  }
  // oslo.utils finds createType case-insensitively as createtype="…" and caps it at 64 chars.
  const m = /createtype="([^"]{0,63})"/i.exec(text);
  if (m) d.createType = m[1];
  return d;
}

/** Is the createType one Glance accepts (`vmdk_allowed_types`)? */
export function isAllowedCreateType(createType: string | undefined): boolean {
  return !!createType && (VMDK_SAFE_CREATE_TYPES as readonly string[]).includes(createType.toLowerCase());
}

/** The descriptor's adapter type as written (ddb.adapterType). */
export function adapterTypeOf(d: VmdkDescriptor): string | undefined {
  for (const [k, v] of Object.entries(d.ddb)) if (k.toLowerCase() === 'ddb.adaptertype') return v;
  return undefined;
}

export function hwVersionOf(d: VmdkDescriptor): string | undefined {
  for (const [k, v] of Object.entries(d.ddb)) if (k.toLowerCase() === 'ddb.virtualhwversion') return v;
  return undefined;
}

/** Extent files a text descriptor refers to (what the user must provide next to it). */
export function extentFileNames(d: VmdkDescriptor): string[] {
  const names = d.extents.map((e) => e.fileName).filter((n): n is string => !!n);
  return [...new Set(names)];
}

/** Which of the descriptor's extent files are not among the names given (folder/multi-select). */
export function missingExtents(d: VmdkDescriptor, available: Iterable<string>): string[] {
  const have = new Set(available);
  return extentFileNames(d).filter((n) => !have.has(n));
}
