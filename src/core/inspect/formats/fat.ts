// Just enough FAT to list \EFI\BOOT in an EFI system partition: the default boot loader names
// there (BOOTX64.EFI, BOOTAA64.EFI, …) say which architectures the image boots on. Every read is
// bounded: directories are followed for at most MAX_CLUSTERS clusters.
import { u16le, u32le } from '../bytes.ts';
import type { ByteSource } from '../byte-source.ts';

const MAX_CLUSTERS = 16;
const MAX_DIR_BYTES = 256 * 1024;

export const EFI_BOOT_LOADERS: Record<string, string> = {
  'BOOTX64.EFI': 'x86_64',
  'BOOTIA32.EFI': 'i686',
  'BOOTAA64.EFI': 'aarch64',
  'BOOTARM.EFI': 'armv7l',
  'BOOTRISCV64.EFI': 'riscv64',
  'BOOTLOONGARCH64.EFI': 'loongarch64',
};

/** A FAT volume boot record (not a partition table), by its BIOS parameter block. */
export function looksLikeFatBootSector(b: Uint8Array): boolean {
  if (b.length < 512) return false;
  const jump = (b[0] === 0xeb && b[2] === 0x90) || b[0] === 0xe9;
  const bps = u16le(b, 11);
  const spc = b[13]!;
  const fats = b[16]!;
  const sig = String.fromCharCode(...b.subarray(0x36, 0x39)) === 'FAT' || String.fromCharCode(...b.subarray(0x52, 0x55)) === 'FAT';
  return (
    jump &&
    [512, 1024, 2048, 4096].includes(bps) &&
    spc > 0 &&
    (spc & (spc - 1)) === 0 &&
    (fats === 1 || fats === 2) &&
    u16le(b, 14) > 0 &&
    sig
  );
}

export interface FatGeometry {
  type: 12 | 16 | 32;
  bytesPerSector: number;
  clusterBytes: number;
  fatOffset: number;
  rootDirOffset: number;
  rootDirBytes: number;
  rootCluster: number;
  dataOffset: number;
  /** The file system's size, from the boot sector's sector count. */
  totalBytes: number;
}

/** The layout a FAT boot sector describes; null when the sector is not one. */
export function fatGeometry(b: Uint8Array): FatGeometry | null {
  if (!looksLikeFatBootSector(b)) return null;
  const bps = u16le(b, 11);
  const spc = b[13]!;
  const reserved = u16le(b, 14);
  const fats = b[16]!;
  const rootEntries = u16le(b, 17);
  const total = u16le(b, 19) || u32le(b, 32);
  const fatSize = u16le(b, 22) || u32le(b, 36);
  const rootDirSectors = Math.ceil((rootEntries * 32) / bps);
  const dataSector = reserved + fats * fatSize + rootDirSectors;
  const clusters = Math.floor((total - dataSector) / spc);
  const type = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
  return {
    type,
    bytesPerSector: bps,
    clusterBytes: bps * spc,
    fatOffset: reserved * bps,
    rootDirOffset: (reserved + fats * fatSize) * bps,
    rootDirBytes: rootEntries * 32,
    rootCluster: type === 32 ? u32le(b, 44) : 0,
    dataOffset: dataSector * bps,
    totalBytes: total * bps,
  };
}

async function nextCluster(src: ByteSource, g: FatGeometry, c: number): Promise<number> {
  if (g.type === 32) return u32le(await src.read(g.fatOffset + c * 4, 4), 0) & 0x0fffffff;
  if (g.type === 16) return u16le(await src.read(g.fatOffset + c * 2, 2), 0);
  const v = u16le(await src.read(g.fatOffset + Math.floor(c * 1.5), 2), 0);
  return c & 1 ? v >> 4 : v & 0xfff;
}

async function readChain(src: ByteSource, g: FatGeometry, first: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const end = g.type === 32 ? 0x0ffffff8 : g.type === 16 ? 0xfff8 : 0xff8;
  let c = first;
  let total = 0;
  for (let i = 0; i < MAX_CLUSTERS && c >= 2 && c < end && total < MAX_DIR_BYTES; i++) {
    const part = await src.read(g.dataOffset + (c - 2) * g.clusterBytes, Math.min(g.clusterBytes, MAX_DIR_BYTES - total));
    parts.push(part);
    total += part.length;
    c = await nextCluster(src, g, c);
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface DirEntry {
  name: string;
  dir: boolean;
  cluster: number;
  size: number;
}

function parseDir(b: Uint8Array): DirEntry[] {
  const out: DirEntry[] = [];
  let lfn: string[] = [];
  for (let o = 0; o + 32 <= b.length; o += 32) {
    const first = b[o]!;
    if (first === 0) break;
    if (first === 0xe5) {
      lfn = [];
      continue;
    }
    const attr = b[o + 11]!;
    if (attr === 0x0f) {
      let part = '';
      for (const [s, n] of [
        [1, 5],
        [14, 6],
        [28, 2],
      ] as const) {
        for (let i = 0; i < n; i++) {
          const ch = u16le(b, o + s + i * 2);
          if (ch === 0 || ch === 0xffff) break;
          part += String.fromCharCode(ch);
        }
      }
      lfn.unshift(part);
      continue;
    }
    const base = String.fromCharCode(...b.subarray(o, o + 8)).trimEnd();
    const ext = String.fromCharCode(...b.subarray(o + 8, o + 11)).trimEnd();
    const short = ext ? `${base}.${ext}` : base;
    const name = (lfn.length ? lfn.join('') : short).toUpperCase();
    lfn = [];
    if (attr & 0x08) continue; // volume label
    out.push({ name, dir: (attr & 0x10) !== 0, cluster: ((u16le(b, o + 20) << 16) | u16le(b, o + 26)) >>> 0, size: u32le(b, o + 28) });
  }
  return out;
}

/** PE/COFF machine types of UEFI images → architecture names. */
export const PE_MACHINES: Record<number, string> = {
  0x8664: 'x86_64',
  0x014c: 'i686',
  0xaa64: 'aarch64',
  0x01c2: 'armv7l',
  0x01c4: 'armv7l',
  0x5064: 'riscv64',
  0x6264: 'loongarch64',
};

/** The machine field of a PE image's COFF header, as an architecture name. */
export function peMachine(b: Uint8Array): string | undefined {
  if (b.length < 0x40 || b[0] !== 0x4d || b[1] !== 0x5a) return undefined;
  const pe = u32le(b, 0x3c);
  if (pe + 6 > b.length || b[pe] !== 0x50 || b[pe + 1] !== 0x45 || b[pe + 2] !== 0 || b[pe + 3] !== 0) return undefined;
  return PE_MACHINES[u16le(b, pe + 4)];
}

export interface EfiBootFile {
  name: string;
  /** Architecture from the file's PE header, when it is a PE image. */
  machine?: string;
}

/** Files in \EFI\BOOT of a FAT file system (the source starts at its boot sector), with the PE
 *  machine of each; [] when the volume is not FAT or has no such directory. */
export async function listEfiBootDir(src: ByteSource): Promise<EfiBootFile[]> {
  const g = fatGeometry(await src.read(0, 512));
  if (!g) return [];
  const root =
    g.type === 32 ? await readChain(src, g, g.rootCluster) : await src.read(g.rootDirOffset, Math.min(g.rootDirBytes, MAX_DIR_BYTES));
  const efi = parseDir(root).find((e) => e.dir && e.name === 'EFI');
  if (!efi) return [];
  const boot = parseDir(await readChain(src, g, efi.cluster)).find((e) => e.dir && e.name === 'BOOT');
  if (!boot) return [];
  const out: EfiBootFile[] = [];
  for (const e of parseDir(await readChain(src, g, boot.cluster)).filter((x) => !x.dir)) {
    const f: EfiBootFile = { name: e.name };
    if (e.cluster >= 2 && e.size > 0) {
      // The PE headers sit in the first cluster (or the first 4 KiB of a larger one).
      const head = await src.read(g.dataOffset + (e.cluster - 2) * g.clusterBytes, Math.min(g.clusterBytes, 4096, e.size));
      const m = peMachine(head);
      if (m) f.machine = m;
    }
    out.push(f);
  }
  return out;
}

/** Architectures the default UEFI boot loaders reveal: the PE machine when the file is a PE
 *  image, else the well-known file name. */
export function bootLoaderArchitectures(files: EfiBootFile[]): { loaders: string[]; architectures: string[] } {
  const loaders = files.filter((f) => f.name in EFI_BOOT_LOADERS || f.machine);
  const arch = loaders.map((f) => f.machine ?? EFI_BOOT_LOADERS[f.name]).filter((a): a is string => !!a);
  return { loaders: loaders.filter((f) => f.name in EFI_BOOT_LOADERS).map((f) => f.name), architectures: [...new Set(arch)] };
}
