// Two findings about what a file is rather than how it is encoded: content that is two formats
// at once (a polyglot, which Glance refuses), and a file Glance would take as raw that holds
// nothing a VM could boot (no partition table, boot sector or file system; smaller than a sector).
import { finding, type Finding } from './findings.ts';
import type { Probe } from './types.ts';

const SECTOR = 512;

/** File-system signatures a bootable raw volume may start with: [offset, ASCII bytes]. */
const FS_MAGICS: ReadonlyArray<readonly [number, string]> = [
  [3, 'NTFS    '],
  [0, 'XFSB'],
  [0, 'hsqs'],
  [54, 'FAT'],
  [82, 'FAT32'],
  [512, 'LABELONE'],
  [65600, '_BHRfS_M'],
  [4086, 'SWAPSPACE2'],
];
/** ext2/3/4: the superblock at 1024 has the magic 0xEF53 (little-endian) at offset 56. */
const EXT_MAGIC_OFFSET = 1024 + 56;

function hasAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (offset + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

async function hasStructure(p: Probe): Promise<boolean> {
  const h = p.head;
  if (h.length >= SECTOR && h[510] === 0x55 && h[511] === 0xaa) return true;
  if (h.length > EXT_MAGIC_OFFSET + 1 && h[EXT_MAGIC_OFFSET] === 0x53 && h[EXT_MAGIC_OFFSET + 1] === 0xef) return true;
  for (const [offset, text] of FS_MAGICS) {
    if (offset + text.length > p.size) continue;
    const bytes = offset + text.length <= h.length ? h : await p.read(offset, text.length);
    if (hasAscii(bytes, bytes === h ? offset : 0, text)) return true;
  }
  return false;
}

/** A warning for a raw file that does not look like a bootable disk (the verdict stays: Glance
 *  would take it). Empty files have their own finding (image.empty). */
export async function notADiskFinding(p: Probe): Promise<Finding | null> {
  if (p.size === 0) return null;
  const small = p.size < SECTOR;
  if (!small && (await hasStructure(p))) return null;
  const why = small
    ? `it is ${p.size} bytes, smaller than one 512-byte sector`
    : 'no partition table, boot sector or file system was found in it';
  return finding(
    'image.not-a-disk',
    'warning',
    `This file does not look like a bootable disk: ${why}. Glance would store it as raw data, but no VM could boot from it.`,
    'Check that you chose the disk image itself (not a descriptor, checksum list, text file or download page).',
    { reason: small ? 'smaller-than-sector' : 'no-structure', fileSize: p.size },
  );
}

/** The one-format rule broken: which formats, and why Glance refuses such a file. An ISO's system
 *  area (its first 32 KiB) is free for anything, which is where another format's header hides. */
export function multipleFormatsFinding(views: readonly string[]): Finding {
  const formats = [...views].sort();
  const others = formats.filter((f) => f !== 'iso');
  const isoPolyglot = formats.includes('iso') && others.length > 0;
  const message = isoPolyglot
    ? `This file is two formats at once: an ISO 9660 image whose system area (its first 32 KiB, which ISO leaves free) carries a ${others.join(', ')} header. Glance refuses such files: a hypervisor reading it as ${others[0]} would see other data than the ISO shows, which is how one format hides another. It is not an incomplete download.`
    : `The content matches several formats at once (${formats.join(', ')}); Glance refuses such files because one format can hide another's header.`;
  return finding(
    'format.multiple',
    'error',
    message,
    isoPolyglot
      ? 'Do not upload this file. If you expected an ISO, get it again from a source you trust: a genuine ISO carries no other format’s header.'
      : 'Do not upload this file; get it again from a source you trust.',
    { formats: formats.join(','), ...(isoPolyglot ? { hidden: others.join(',') } : {}) },
  );
}
