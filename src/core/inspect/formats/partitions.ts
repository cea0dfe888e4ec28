// Partition tables: GPT (protective MBR + "EFI PART" header) and legacy MBR. oslo.utils calls
// both "gpt" and checks the MBR entries (boot flags, a lone well-formed protective entry); we add
// the GPT header and entry CRCs, truncation, FAT boot sectors (LP 2079850), and what the
// partition types and the EFI system partition reveal (firmware, architecture).
import { crc32, guid, hasAscii, u32le, u64le } from '../bytes.ts';
import { subSource } from '../byte-source.ts';
import { finding, type Finding } from '../findings.ts';
import type { Detector, FormatMatch, PartitionFacts, PartitionTableFacts, Probe } from '../types.ts';
import { bootLoaderArchitectures, listEfiBootDir, looksLikeFatBootSector } from './fat.ts';

const ESP_GUID = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

/** GPT type GUIDs we name; root/usr types of the Discoverable Partitions Specification carry the
 *  architecture (Glance/libosinfo names). */
export const GPT_TYPES: Record<string, { kind: string; arch?: string }> = {
  [ESP_GUID]: { kind: 'esp' },
  '21686148-6449-6E6F-744E-656564454649': { kind: 'bios-boot' },
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4': { kind: 'linux' },
  '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F': { kind: 'linux-swap' },
  'E6D6D379-F507-44C2-A23C-238F2A3DF928': { kind: 'linux-lvm' },
  'A19D880F-05FC-4D3B-A006-743F0F84911E': { kind: 'linux-raid' },
  'BC13C2FF-59E6-4262-A352-B275FD6F7172': { kind: 'linux-extended-boot' },
  '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709': { kind: 'linux-root-x86-64', arch: 'x86_64' },
  '44479540-F297-41B2-9AF7-D131D5F0458A': { kind: 'linux-root-x86', arch: 'i686' },
  'B921B045-1DF0-41C3-AF44-4C6F280D3FAE': { kind: 'linux-root-arm64', arch: 'aarch64' },
  '69DAD710-2CE4-4E3C-B16C-21A1D49ABED3': { kind: 'linux-root-arm', arch: 'armv7l' },
  '72EC70A6-CF74-40E6-BD49-4BDA08E8F224': { kind: 'linux-root-riscv64', arch: 'riscv64' },
  'C31C45E6-3F39-412E-80FB-4809C4980599': { kind: 'linux-root-ppc64le', arch: 'ppc64le' },
  '912ADE1D-A839-4913-8964-A10EEE08FBD2': { kind: 'linux-root-ppc64', arch: 'ppc64' },
  '5EEAD9A9-FE09-4A1E-A1D7-520D00531306': { kind: 'linux-root-s390x', arch: 's390x' },
  '77055800-792C-4F94-B39A-98C91B762BB6': { kind: 'linux-root-loongarch64', arch: 'loongarch64' },
  '8484680C-9521-48C6-9C11-B0720656F69E': { kind: 'linux-usr-x86-64', arch: 'x86_64' },
  'B0E01050-EE5F-4390-949A-9101B17104E9': { kind: 'linux-usr-arm64', arch: 'aarch64' },
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': { kind: 'microsoft-basic-data' },
  'E3C9E316-0B5C-4DB8-817D-F92DF00215AE': { kind: 'microsoft-reserved' },
  'DE94BBA4-06D1-4D40-A16A-BFD50179D6AC': { kind: 'windows-recovery' },
};

const MBR_TYPES: Record<number, string> = {
  0x01: 'fat12', 0x04: 'fat16', 0x05: 'extended', 0x06: 'fat16', 0x07: 'ntfs', 0x0b: 'fat32', 0x0c: 'fat32',
  0x0e: 'fat16', 0x0f: 'extended', 0x82: 'linux-swap', 0x83: 'linux', 0x8e: 'linux-lvm', 0xee: 'gpt-protective',
  0xef: 'esp', 0xfd: 'linux-raid',
};

/** oslo.utils' rule for a FAT boot sector it must not take for an MBR (two FATs, fixed disk). */
export function osloSeesFat(s: Uint8Array): boolean {
  return s[0x10] === 2 && s[0x15] === 0xf8;
}

export interface MbrEntry { boot: number; chsStart: [number, number, number]; type: number; startLba: number; sizeLba: number }

export function mbrEntries(s: Uint8Array): MbrEntry[] {
  return [0, 1, 2, 3].map((i) => {
    const o = 446 + i * 16;
    return { boot: s[o]!, chsStart: [s[o + 1]!, s[o + 2]!, s[o + 3]!], type: s[o + 4]!, startLba: u32le(s, o + 8), sizeLba: u32le(s, o + 12) };
  });
}

/** oslo.utils' MBR checks; returns the first violation (its wording) or null. */
export function mbrViolation(s: Uint8Array): string | null {
  const used: number[] = [];
  let protective = false;
  for (const [i, e] of mbrEntries(s).entries()) {
    if (e.boot !== 0x00 && e.boot !== 0x80) return `MBR partition entry ${i} has an invalid boot flag`;
    if (e.type !== 0) used.push(i);
    if (e.type === 0xee) {
      protective = true;
      if (e.chsStart[0] !== 0 || e.chsStart[1] !== 2 || e.chsStart[2] !== 0) return 'the protective MBR has an invalid start CHS';
      if (e.startLba !== 1) return 'the protective MBR has an invalid start LBA';
    }
  }
  if (protective && (used.length !== 1 || used[0] !== 0)) return 'the protective MBR defines invalid extra partitions';
  if (used.length === 0) return 'the MBR has no partitions defined';
  return null;
}

function utf16Name(b: Uint8Array, o: number, len: number): string {
  let s = '';
  for (let i = 0; i + 1 < len; i += 2) {
    const c = b[o + i]! | (b[o + i + 1]! << 8);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

const MAX_GPT_ENTRIES_BYTES = 1024 * 1024;
const TRUNCATED_FIX = 'Get the complete file again (compare its checksum) and inspect it anew.';
const FIX_PARTITION = 'Convert it to qcow2: Glance then checks the qcow2 container, not the partition table inside (or ask the operator about [image_format] gpt_safety_checks_nonfatal).';

async function readGpt(p: Probe, sectorSize: number, t: PartitionTableFacts, findings: Finding[]): Promise<void> {
  const hdr = await p.read(sectorSize, sectorSize);
  const headerSize = u32le(hdr, 12);
  if (headerSize >= 92 && headerSize <= sectorSize) {
    const copy = hdr.slice(0, headerSize);
    copy.fill(0, 16, 20);
    t.headerCrcOk = crc32(copy) === u32le(hdr, 16);
  } else t.headerCrcOk = false;
  t.diskGuid = guid(hdr, 56);
  const entriesLba = u64le(hdr, 72);
  const count = u32le(hdr, 80);
  const entrySize = u32le(hdr, 84);
  const alternate = u64le(hdr, 32);
  if (!t.headerCrcOk) {
    findings.push(finding('gpt.header-crc', 'warning',
      'The GPT header checksum is wrong; firmware will ignore this table and look for the backup copy at the end of the disk.',
      'Repair the partition table (e.g. gdisk, "w" to rewrite) or convert the image after checking it boots.'));
  }
  const bytes = count * entrySize;
  if (entrySize < 128 || entrySize % 8 !== 0 || bytes > MAX_GPT_ENTRIES_BYTES || !Number.isFinite(entriesLba)) {
    findings.push(finding('gpt.invalid', 'warning',
      `The GPT header declares an implausible partition array (${count} entries of ${entrySize} bytes).`,
      FIX_PARTITION, { count, entrySize }));
    return;
  }
  const entries = await p.read(entriesLba * sectorSize, bytes);
  if (entries.length < bytes) {
    findings.push(finding('image.truncated', 'error',
      'The file ends inside its own GPT partition array: it was cut short.', TRUNCATED_FIX,
      { fileSize: p.size, needed: entriesLba * sectorSize + bytes }));
    return;
  }
  t.entriesCrcOk = crc32(entries) === u32le(hdr, 88);
  if (!t.entriesCrcOk) {
    findings.push(finding('gpt.entries-crc', 'warning',
      'The GPT partition array checksum is wrong; firmware will ignore it and use the backup copy.',
      'Repair the partition table (e.g. gdisk) before uploading.'));
  }
  for (let i = 0; i < count; i++) {
    const o = i * entrySize;
    const type = guid(entries, o);
    if (type === '00000000-0000-0000-0000-000000000000') continue;
    const known = GPT_TYPES[type];
    const part: PartitionFacts = { index: i + 1, type, firstLba: u64le(entries, o + 32), lastLba: u64le(entries, o + 40) };
    if (known) part.kind = known.kind;
    const name = utf16Name(entries, o + 56, Math.min(72, entrySize - 56));
    if (name) part.name = name;
    t.partitions.push(part);
    if (known?.arch) t.architectures.push(known.arch);
  }
  if (Number.isFinite(alternate) && (alternate + 1) * sectorSize > p.size) {
    findings.push(finding('image.truncated', 'error',
      `The file is ${p.size} bytes but its GPT places the backup header at byte ${alternate * sectorSize}: it was cut short (or the table was written for a larger disk).`,
      TRUNCATED_FIX, { fileSize: p.size, needed: (alternate + 1) * sectorSize }));
  }
}

async function scanEsp(p: Probe, t: PartitionTableFacts): Promise<void> {
  const esp = t.partitions.find((x) => x.kind === 'esp');
  if (!esp) return;
  t.hasEsp = true;
  const start = esp.firstLba * t.sectorSize;
  const end = Math.min(p.size, (esp.lastLba + 1) * t.sectorSize);
  if (!Number.isFinite(start) || start >= end) return;
  const { loaders, architectures } = bootLoaderArchitectures(await listEfiBootDir(subSource(p.src, start, end - start, `${p.src.name}#esp`)));
  if (loaders.length) t.espBootLoaders = loaders;
  t.architectures.push(...architectures);
}

export const partitionDetector: Detector = {
  format: 'gpt',
  async detect(p): Promise<FormatMatch | null> {
    const s = p.head.subarray(0, 512);
    if (s.length < 512 || s[510] !== 0x55 || s[511] !== 0xaa) return null;
    const fat = looksLikeFatBootSector(s);
    if (fat && osloSeesFat(s)) return null; // a file system, not a partition table (raw)
    const findings: Finding[] = [];
    const entries = mbrEntries(s);
    const protective = entries.some((e) => e.type === 0xee);
    let sectorSize = 512;
    let gptHeader = false;
    if (protective) {
      if (hasAscii(p.head, 512, 'EFI PART')) gptHeader = true;
      else if (hasAscii(p.head, 4096, 'EFI PART')) { gptHeader = true; sectorSize = 4096; }
    }
    const t: PartitionTableFacts = { scheme: gptHeader ? 'gpt' : 'mbr', sectorSize, partitions: [], architectures: [], hasEsp: false };
    if (fat) {
      findings.push(finding('mbr.fat-boot-sector', 'error',
        'The file starts with a FAT file system boot sector, which Glance mistakes for a partition table and then rejects (LP 2079850).',
        'Convert it to qcow2 (Glance then checks the qcow2 container), or put the file system inside a partitioned disk image.'));
    } else {
      const why = mbrViolation(s);
      if (why) {
        findings.push(finding(gptHeader ? 'gpt.protective-mbr' : 'mbr.invalid', 'error',
          `Glance rejects this disk's partition table: ${why}. Many tools write such tables and the disk may boot fine (LP 2091114), but Glance's check refuses it.`,
          FIX_PARTITION, { why }));
      }
    }
    if (gptHeader) await readGpt(p, sectorSize, t, findings);
    else {
      for (const [i, e] of entries.entries()) {
        if (e.type === 0) continue;
        const part: PartitionFacts = { index: i + 1, type: `0x${e.type.toString(16).padStart(2, '0')}`, firstLba: e.startLba, lastLba: e.startLba + e.sizeLba - 1, bootable: e.boot === 0x80 };
        const kind = MBR_TYPES[e.type];
        if (kind) part.kind = kind;
        t.partitions.push(part);
      }
      if (protective) {
        findings.push(finding('gpt.header-missing', 'warning',
          'The MBR announces a GPT disk, but no GPT header follows it.', FIX_PARTITION));
      }
    }
    if (!fat) await scanEsp(p, t);
    t.architectures = [...new Set(t.architectures)];
    return {
      format: gptHeader ? 'gpt' : 'mbr',
      glanceView: 'gpt',
      virtualSize: p.size,
      details: { partitionTable: t, ...(fat ? { fatBootSector: true } : {}) },
      findings,
    };
  },
};
