// Reads tar (ustar, pax, GNU long names) headers in place: 512-byte headers are read one at a
// time and member data is skipped, so an OVA of any size costs a few KiB of reads. Each member
// comes back as a byte range for a sub-range ByteSource.
import type { ByteSource } from './byte-source.ts';
import { hasAscii } from './bytes.ts';

export interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'link' | 'other';
  /** Offset of the member's data in the archive, and its length. */
  offset: number;
  size: number;
}

export interface TarListing {
  entries: TarEntry[];
  /** Why the listing stopped early (bad checksum, truncation, limits), if it did. */
  problem?: string;
}

const BLOCK = 512;
export const TAR_MAX_ENTRIES = 10_000;
const MAX_META = 64 * 1024;

function field(b: Uint8Array, o: number, len: number): string {
  let s = '';
  for (let i = o; i < o + len && b[i] !== 0; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function numeric(b: Uint8Array, o: number, len: number): number {
  if (b[o]! & 0x80) {
    // GNU base-256 for sizes of 8 GiB and more.
    let v = b[o]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[o + i]!;
    return v;
  }
  const t = field(b, o, len).trim();
  return t === '' ? 0 : /^[0-7]+$/.test(t) ? parseInt(t, 8) : NaN;
}

/** A valid ustar/GNU header block: magic and header checksum both right. */
export function isTarHeader(b: Uint8Array): boolean {
  if (b.length < BLOCK || !hasAscii(b, 257, 'ustar')) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return numeric(b, 148, 8) === sum;
}

function utf8(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(b);
}

function paxRecords(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    const len = Number(text.slice(i, sp));
    if (!Number.isInteger(len) || len <= 0) break;
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export async function listTar(src: ByteSource, maxEntries = TAR_MAX_ENTRIES): Promise<TarListing> {
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  while (pos + BLOCK <= src.size) {
    const h = await src.read(pos, BLOCK);
    if (h.every((x) => x === 0)) return { entries };
    if (!isTarHeader(h)) return { entries, problem: `invalid tar header at byte ${pos}` };
    let size = numeric(h, 124, 12);
    const flag = String.fromCharCode(h[156]!);
    const dataOffset = pos + BLOCK;
    if (!Number.isFinite(size)) return { entries, problem: `unreadable member size at byte ${pos}` };
    if (flag === 'x' || flag === 'L' || flag === 'g') {
      if (size > MAX_META) return { entries, problem: `oversized tar metadata at byte ${pos}` };
      const data = await src.read(dataOffset, size);
      if (flag === 'x') pax = paxRecords(utf8(data));
      if (flag === 'L') longName = field(data, 0, data.length);
    } else {
      const prefix = field(h, 345, 155);
      let name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
      if (pax.path) name = pax.path;
      if (pax.size && /^\d+$/.test(pax.size)) size = Number(pax.size);
      const type =
        flag === '0' || flag === '\0' || flag === '7'
          ? 'file'
          : flag === '5'
            ? 'directory'
            : flag === '1' || flag === '2'
              ? 'link'
              : 'other';
      if (dataOffset + size > src.size) {
        entries.push({ name, type, offset: dataOffset, size });
        return { entries, problem: `member "${name}" extends past the end of the archive` };
      }
      entries.push({ name, type, offset: dataOffset, size });
      longName = undefined;
      pax = {};
      if (entries.length >= maxEntries) return { entries, problem: `more than ${maxEntries} members` };
    }
    pos = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }
  return pos >= src.size ? { entries } : { entries, problem: 'the archive ends inside a header' };
}
