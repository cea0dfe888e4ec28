// Partition tables of the guest disk: GPT (reusing the inspector's type table) and MBR with
// extended/logical partitions. The EBR chain is followed for at most MAX_LOGICAL links and may
// not loop, so a hostile chain ends with a finding instead of a hang.
import { crc32, guid, hasAscii, u32le, u64le } from '../inspect/bytes.ts';
import { GPT_TYPES, mbrEntries } from '../inspect/formats/partitions.ts';
import { corrupt, type Device } from './device.ts';

export interface GuestPartition {
  /** "/dev/sda1"; logical partitions start at 5 as Linux numbers them. */
  name: string;
  offset: number;
  size: number;
  /** "linux", "linux-lvm", "esp", "linux-swap", "extended"… when the type is known. */
  kind: string | null;
}

export interface PartitionLayout {
  scheme: 'gpt' | 'mbr' | 'none';
  partitions: GuestPartition[];
}

const MAX_LOGICAL = 128;
const MAX_GPT_ENTRIES_BYTES = 1024 * 1024;
const MBR_KINDS: Record<number, string> = {
  0x05: 'extended',
  0x0f: 'extended',
  0x85: 'extended',
  0x82: 'linux-swap',
  0x83: 'linux',
  0x8e: 'linux-lvm',
  0xef: 'esp',
  0xfd: 'linux-raid',
  0x01: 'fat',
  0x04: 'fat',
  0x06: 'fat',
  0x0b: 'fat',
  0x0c: 'fat',
  0x0e: 'fat',
  0x07: 'ntfs',
};

function partName(disk: string, n: number): string {
  return /\d$/.test(disk) ? `${disk}p${n}` : `${disk}${n}`;
}

export async function readPartitions(disk: Device, sector = 512): Promise<PartitionLayout> {
  if (disk.size < 2 * sector) return { scheme: 'none', partitions: [] };
  const mbr = await disk.read(0, sector);
  if (mbr[510] !== 0x55 || mbr[511] !== 0xaa) return { scheme: 'none', partitions: [] };
  const entries = mbrEntries(mbr);
  if (entries.some((e) => e.type === 0xee)) {
    const hdr = await disk.read(sector, sector);
    if (hasAscii(hdr, 0, 'EFI PART')) return { scheme: 'gpt', partitions: await gpt(disk, hdr, sector) };
  }
  // A FAT/ext boot sector also ends in 55 AA: entries must be well formed to be a table.
  const used = entries.filter((e) => e.type !== 0);
  if (used.length === 0 || entries.some((e) => e.boot !== 0 && e.boot !== 0x80)) return { scheme: 'none', partitions: [] };
  const parts: GuestPartition[] = [];
  for (const [i, e] of entries.entries()) {
    if (e.type === 0 || e.sizeLba === 0) continue;
    const kind = MBR_KINDS[e.type] ?? null;
    const p = bounded(disk, partName(disk.name, i + 1), e.startLba * sector, e.sizeLba * sector, kind);
    if (kind === 'extended') parts.push(...(await logical(disk, p.offset, p.size, sector)));
    else parts.push(p);
  }
  return { scheme: 'mbr', partitions: parts };
}

function bounded(disk: Device, name: string, offset: number, size: number, kind: string | null): GuestPartition {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset + size > disk.size || size <= 0) {
    corrupt(`${name}: partition ${offset}+${size} lies outside the ${disk.size}-byte disk`);
  }
  return { name, offset, size, kind };
}

async function logical(disk: Device, extStart: number, extSize: number, sector: number): Promise<GuestPartition[]> {
  const out: GuestPartition[] = [];
  const seen = new Set<number>();
  let ebr = extStart;
  for (let n = 5; n < 5 + MAX_LOGICAL; n++) {
    if (seen.has(ebr)) corrupt('the chain of extended boot records loops');
    seen.add(ebr);
    const s = await disk.read(ebr, sector);
    if (s[510] !== 0x55 || s[511] !== 0xaa) corrupt(`extended boot record at ${ebr} has no 55 AA signature`);
    const [data, next] = mbrEntries(s);
    if (data && data.type !== 0 && data.sizeLba > 0) {
      out.push(bounded(disk, partName(disk.name, n), ebr + data.startLba * sector, data.sizeLba * sector, MBR_KINDS[data.type] ?? null));
    }
    if (!next || next.type === 0 || next.sizeLba === 0) return out;
    ebr = extStart + next.startLba * sector;
    if (ebr >= extStart + extSize) corrupt('an extended boot record points outside the extended partition');
  }
  corrupt(`more than ${MAX_LOGICAL} logical partitions`);
}

async function gpt(disk: Device, hdr: Uint8Array, sector: number): Promise<GuestPartition[]> {
  const entriesLba = u64le(hdr, 72);
  const count = u32le(hdr, 80);
  const entrySize = u32le(hdr, 84);
  const bytes = count * entrySize;
  if (entrySize < 128 || entrySize % 8 !== 0 || bytes > MAX_GPT_ENTRIES_BYTES || !Number.isFinite(entriesLba)) {
    corrupt(`the GPT declares an implausible partition array (${count} × ${entrySize} bytes)`);
  }
  const table = await disk.read(entriesLba * sector, bytes);
  if (crc32(table) !== u32le(hdr, 88)) corrupt('the GPT partition array checksum is wrong');
  const out: GuestPartition[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * entrySize;
    const type = guid(table, o);
    if (type === '00000000-0000-0000-0000-000000000000') continue;
    const first = u64le(table, o + 32);
    const last = u64le(table, o + 40);
    if (!(last >= first)) corrupt(`GPT entry ${i + 1} ends before it starts`);
    const kind = GPT_TYPES[type]?.kind ?? null;
    out.push(bounded(disk, partName(disk.name, i + 1), first * sector, (last - first + 1) * sector, kind));
  }
  return out;
}
