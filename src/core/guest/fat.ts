// FAT12/16/32 read-only (the EFI system partition): boot sector geometry, cluster chains (bounded,
// loop-checked), directories with long file names. Node ids are handed out as entries are listed.
import { u16le, u32le } from '../inspect/bytes.ts';
import { corrupt, type Device } from './device.ts';
import type { DirEntry, FsNode, GuestFs, NodeKind } from './types.ts';
import { latin1 } from './text.ts';
import { fatGeometry } from '../inspect/formats/fat.ts';

const MAX_CHAIN = 65536;

interface FatNode extends FsNode {
  cluster: number;
}

export class FatFs implements GuestFs {
  readonly type = 'vfat';
  readonly uuid: string;
  readonly label: string | null;
  readonly size: number;
  private readonly bits: 12 | 16 | 32;
  private readonly clusterBytes: number;
  private readonly fatOffset: number;
  private readonly rootOffset: number;
  private readonly rootBytes: number;
  private readonly rootCluster: number;
  private readonly dataOffset: number;
  private readonly clusters: number;
  private readonly nodes = new Map<number, FatNode>();

  private constructor(
    private readonly dev: Device,
    b: Uint8Array,
  ) {
    const g = fatGeometry(b);
    if (!g || g.dataOffset >= g.totalBytes || g.totalBytes > dev.size) corrupt(`${dev.name}: FAT geometry does not fit the device`);
    this.bits = g.type;
    this.clusters = Math.floor((g.totalBytes - g.dataOffset) / g.clusterBytes);
    this.clusterBytes = g.clusterBytes;
    this.fatOffset = g.fatOffset;
    this.rootOffset = g.rootDirOffset;
    this.rootBytes = g.rootDirBytes;
    this.rootCluster = g.rootCluster;
    this.dataOffset = g.dataOffset;
    this.size = g.totalBytes;
    const idAt = this.bits === 32 ? 0x43 : 0x27;
    const id = u32le(b, idAt).toString(16).toUpperCase().padStart(8, '0');
    this.uuid = `${id.slice(0, 4)}-${id.slice(4)}`;
    this.label = latin1(b, idAt + 4, 11).trim() || null;
    this.nodes.set(1, { id: 1, kind: 'dir', size: 0, cluster: this.rootCluster });
  }

  static open(dev: Device, boot: Uint8Array): FatFs {
    return new FatFs(dev, boot);
  }

  async root(): Promise<FsNode> {
    return this.nodes.get(1)!;
  }

  async node(id: number): Promise<FsNode> {
    const n = this.nodes.get(id);
    if (!n) corrupt(`FAT node ${id} unknown`);
    return n;
  }

  private async next(c: number): Promise<number> {
    if (this.bits === 32) return u32le(await this.dev.read(this.fatOffset + c * 4, 4), 0) & 0x0fffffff;
    if (this.bits === 16) return u16le(await this.dev.read(this.fatOffset + c * 2, 2), 0);
    const v = u16le(await this.dev.read(this.fatOffset + Math.floor(c * 1.5), 2), 0);
    return c & 1 ? v >> 4 : v & 0xfff;
  }

  private async chain(first: number, maxBytes: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    const end = this.bits === 32 ? 0x0ffffff8 : this.bits === 16 ? 0xfff8 : 0xff8;
    const seen = new Set<number>();
    let total = 0;
    for (let c = first; c >= 2 && c < end && total < maxBytes; c = await this.next(c)) {
      if (c - 2 >= this.clusters || seen.has(c) || seen.size > MAX_CHAIN) corrupt(`FAT cluster chain from ${first} is broken or loops`);
      seen.add(c);
      parts.push(await this.dev.read(this.dataOffset + (c - 2) * this.clusterBytes, this.clusterBytes));
      total += this.clusterBytes;
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out.subarray(0, Math.min(total, maxBytes));
  }

  async read(file: FsNode, max: number): Promise<Uint8Array> {
    const n = file as FatNode;
    const want = Math.min(n.size, max);
    const data = await this.chain(n.cluster, want);
    return data.subarray(0, want);
  }

  async list(dir: FsNode): Promise<DirEntry[]> {
    const d = dir as FatNode;
    const raw =
      d.id === 1 && this.bits !== 32 ? await this.dev.read(this.rootOffset, this.rootBytes) : await this.chain(d.cluster, 1024 * 1024);
    const out: DirEntry[] = [];
    let lfn = '';
    for (let o = 0; o + 32 <= raw.length; o += 32) {
      const first = raw[o]!;
      if (first === 0) break;
      const attr = raw[o + 11]!;
      if (first === 0xe5) {
        lfn = '';
        continue;
      }
      if (attr === 0x0f) {
        let part = '';
        for (const at of [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]) {
          const ch = u16le(raw, o + at);
          if (ch === 0 || ch === 0xffff) break;
          part += String.fromCharCode(ch);
        }
        lfn = first & 0x40 ? part : part + lfn;
        continue;
      }
      if (attr & 0x08) {
        lfn = '';
        continue;
      }
      const base = latin1(raw, o, 8).trimEnd();
      const ext = latin1(raw, o + 8, 3).trimEnd();
      const name = lfn || (ext ? `${base}.${ext}` : base);
      lfn = '';
      if (name === '.' || name === '..') continue;
      this.dev.meter.entry();
      const cluster = (this.bits === 32 ? u16le(raw, o + 20) * 65536 : 0) + u16le(raw, o + 26);
      const kind: NodeKind = attr & 0x10 ? 'dir' : 'file';
      const id = this.nodes.size + 1;
      this.nodes.set(id, { id, kind, size: kind === 'dir' ? 0 : u32le(raw, o + 28), cluster });
      out.push({ name, id });
    }
    return out;
  }

  async readlink(): Promise<string> {
    return corrupt('FAT has no symbolic links');
  }
}
