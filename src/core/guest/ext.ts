// ext2/3/4, read-only: superblock, group descriptors (32- and 64-bit), inodes, extent trees and
// classic block maps, directories (htree read as linear: its index blocks look like empty
// entries), symlinks, inline data. Every block number is checked against the device before a read;
// trees are depth-limited by the meter.
import { u16le, u32le } from '../inspect/bytes.ts';
import { corrupt, type Device } from './device.ts';
import type { DirEntry, FsNode, GuestFs, NodeKind } from './types.ts';
import { hexUuid, latin1, utf8 } from './text.ts';

const INCOMPAT_FILETYPE = 0x2;
const INCOMPAT_META_BG = 0x10;
const INCOMPAT_64BIT = 0x80;
const INCOMPAT_ENCRYPT = 0x10000;
const EXTENTS_FL = 0x80000;
const INLINE_DATA_FL = 0x10000000;
const ROOT_INO = 2;
const CHUNK = 1024 * 1024;
const MAX_DIR_BYTES = 16 * 1024 * 1024;

export interface ExtSuper {
  type: 'ext2' | 'ext3' | 'ext4';
  blockSize: number;
  blocks: number;
  freeBlocks: number;
  inodes: number;
  inodesPerGroup: number;
  blocksPerGroup: number;
  inodeSize: number;
  firstDataBlock: number;
  incompat: number;
  descSize: number;
  uuid: string;
  label: string;
}

export function parseExtSuper(sb: Uint8Array): ExtSuper | null {
  if (u16le(sb, 56) !== 0xef53) return null;
  const logBlock = u32le(sb, 24);
  if (logBlock > 6) corrupt(`ext superblock: block size 2^${10 + logBlock}`);
  const compat = u32le(sb, 92);
  const incompat = u32le(sb, 96);
  const rev = u32le(sb, 76);
  const is64 = (incompat & INCOMPAT_64BIT) !== 0;
  const blocks = u32le(sb, 4) + (is64 ? u32le(sb, 336) * 2 ** 32 : 0);
  const freeBlocks = u32le(sb, 12) + (is64 ? u32le(sb, 344) * 2 ** 32 : 0);
  const inodeSize = rev >= 1 ? u16le(sb, 88) : 128;
  const inodesPerGroup = u32le(sb, 40);
  if (inodeSize < 128 || inodeSize > 1024 || (inodeSize & (inodeSize - 1)) !== 0) corrupt(`ext superblock: inode size ${inodeSize}`);
  if (inodesPerGroup === 0) corrupt('ext superblock: zero inodes per group');
  const descSize = is64 ? u16le(sb, 254) : 32;
  if (descSize < 32 || descSize > 1024) corrupt(`ext superblock: group descriptor size ${descSize}`);
  const ext4 = (incompat & ~(INCOMPAT_FILETYPE | 0x4 /* recover */ | 0x8 /* journal dev */)) !== 0;
  return {
    type: ext4 ? 'ext4' : compat & 0x4 ? 'ext3' : 'ext2',
    blockSize: 1024 << logBlock,
    blocks,
    freeBlocks,
    inodes: u32le(sb, 0),
    inodesPerGroup,
    blocksPerGroup: u32le(sb, 32),
    inodeSize,
    firstDataBlock: u32le(sb, 20),
    incompat,
    descSize,
    uuid: hexUuid(sb.subarray(104, 120)),
    label: latin1(sb, 120, 16),
  };
}

interface Inode extends FsNode {
  flags: number;
  block: Uint8Array;
}

export class ExtFs implements GuestFs {
  readonly type: string;
  private readonly inodeTables = new Map<number, number>();

  constructor(
    private readonly dev: Device,
    readonly sb: ExtSuper,
  ) {
    this.type = sb.type;
    if (sb.incompat & INCOMPAT_META_BG) corrupt('ext meta_bg group descriptors are not read');
    if (sb.incompat & INCOMPAT_ENCRYPT) corrupt('ext encryption: contents are not readable');
  }

  static async open(dev: Device): Promise<ExtFs | null> {
    if (dev.size < 2048) return null;
    const sb = parseExtSuper(await dev.read(1024, 1024));
    return sb ? new ExtFs(dev, sb) : null;
  }

  private async blockRead(block: number, count = 1): Promise<Uint8Array> {
    if (!Number.isSafeInteger(block) || block < 0 || block + count > this.sb.blocks) corrupt(`block ${block} lies outside the file system`);
    return this.dev.read(block * this.sb.blockSize, count * this.sb.blockSize);
  }

  private descriptor(group: number): Promise<Uint8Array> {
    const { blockSize, descSize, firstDataBlock } = this.sb;
    return this.dev.read((firstDataBlock + 1) * blockSize + group * descSize, descSize);
  }

  private async inodeTable(group: number): Promise<number> {
    const cached = this.inodeTables.get(group);
    if (cached !== undefined) return cached;
    const { descSize } = this.sb;
    const d = await this.descriptor(group);
    const table = u32le(d, 8) + (descSize >= 64 ? u32le(d, 0x28) * 2 ** 32 : 0);
    this.inodeTables.set(group, table);
    return table;
  }

  private async inode(ino: number): Promise<Inode> {
    if (!Number.isSafeInteger(ino) || ino < 1 || ino > this.sb.inodes) corrupt(`inode ${ino} is out of range`);
    const group = Math.floor((ino - 1) / this.sb.inodesPerGroup);
    const index = (ino - 1) % this.sb.inodesPerGroup;
    const table = await this.inodeTable(group);
    const off = table * this.sb.blockSize + index * this.sb.inodeSize;
    if (table === 0 || table >= this.sb.blocks) corrupt(`group ${group}: inode table at block ${table}`);
    const b = await this.dev.read(off, 128);
    const mode = u16le(b, 0);
    const fmt = mode & 0xf000;
    const kind: NodeKind = fmt === 0x4000 ? 'dir' : fmt === 0x8000 ? 'file' : fmt === 0xa000 ? 'link' : 'other';
    return {
      id: ino,
      kind,
      size: u32le(b, 4) + (kind === 'file' ? u32le(b, 108) * 2 ** 32 : 0),
      flags: u32le(b, 32),
      block: b.slice(40, 100),
    };
  }

  root(): Promise<FsNode> {
    return this.inode(ROOT_INO);
  }

  node(id: number): Promise<FsNode> {
    return this.inode(id);
  }

  /** Logical → physical block runs of a file, for the first `nblocks` blocks. */
  private async mapBlocks(ino: Inode, nblocks: number): Promise<Array<[number, number, number]>> {
    const runs: Array<[number, number, number]> = [];
    if (ino.flags & EXTENTS_FL) await this.extents(ino.block, 0, nblocks, runs);
    else await this.blockMap(ino.block, nblocks, runs);
    return runs;
  }

  private async extents(node: Uint8Array, depth: number, nblocks: number, runs: Array<[number, number, number]>): Promise<void> {
    this.dev.meter.depth(depth);
    if (u16le(node, 0) !== 0xf30a) corrupt('extent header has a bad magic number');
    const entries = u16le(node, 2);
    const level = u16le(node, 6);
    if (entries * 12 + 12 > node.length) corrupt('extent node claims more entries than fit');
    for (let i = 0; i < entries; i++) {
      const o = 12 + i * 12;
      const logical = u32le(node, o);
      if (logical >= nblocks) break;
      if (level === 0) {
        let len = u16le(node, o + 4);
        const uninit = len > 32768;
        if (uninit) len -= 32768;
        const phys = u16le(node, o + 6) * 2 ** 32 + u32le(node, o + 8);
        if (!uninit) runs.push([logical, phys, len]);
      } else {
        const child = u32le(node, o + 4) + u16le(node, o + 8) * 2 ** 32;
        await this.extents(await this.blockRead(child), depth + 1, nblocks, runs);
      }
    }
  }

  private async blockMap(iblock: Uint8Array, nblocks: number, runs: Array<[number, number, number]>): Promise<void> {
    const per = this.sb.blockSize / 4;
    let logical = 0;
    const walk = async (blk: number, level: number): Promise<void> => {
      if (logical >= nblocks) return;
      if (blk === 0) {
        logical += per ** level;
        return;
      }
      if (level === 0) {
        runs.push([logical++, blk, 1]);
        return;
      }
      const b = await this.blockRead(blk);
      for (let i = 0; i < per && logical < nblocks; i++) await walk(u32le(b, i * 4), level - 1);
    };
    for (let i = 0; i < 15 && logical < nblocks; i++) await walk(u32le(iblock, i * 4), i < 12 ? 0 : i - 11);
  }

  async read(file: FsNode, max: number): Promise<Uint8Array> {
    const ino = file as Inode;
    const size = Math.min(file.size, max);
    if (ino.flags & INLINE_DATA_FL) return ino.block.slice(0, Math.min(size, 60));
    const bs = this.sb.blockSize;
    const nblocks = Math.ceil(size / bs);
    const out = new Uint8Array(nblocks * bs);
    const chunk = Math.max(1, Math.floor(CHUNK / bs));
    for (const [logical, phys, len] of await this.mapBlocks(ino, nblocks)) {
      const n = Math.min(len, nblocks - logical);
      for (let i = 0; i < n; i += chunk) out.set(await this.blockRead(phys + i, Math.min(chunk, n - i)), (logical + i) * bs);
    }
    return out.subarray(0, size);
  }

  async list(dir: FsNode): Promise<DirEntry[]> {
    if (dir.kind !== 'dir') corrupt(`inode ${dir.id} is not a directory`);
    const ino = dir as Inode;
    if (dir.size > MAX_DIR_BYTES) corrupt(`directory ${dir.id} claims ${dir.size} bytes`);
    const data = ino.flags & INLINE_DATA_FL ? ino.block.slice(4) : await this.read(dir, dir.size);
    const out: DirEntry[] = [];
    const fileType = (this.sb.incompat & INCOMPAT_FILETYPE) !== 0;
    const bs = ino.flags & INLINE_DATA_FL ? data.length : this.sb.blockSize;
    for (let base = 0; base < data.length; base += bs) {
      for (let o = base; o + 8 <= base + bs && o + 8 <= data.length;) {
        const child = u32le(data, o);
        const rec = u16le(data, o + 4);
        const nameLen = fileType ? data[o + 6]! : u16le(data, o + 6);
        if (rec < 8 || rec % 4 !== 0 || o + rec > base + bs) corrupt(`directory ${dir.id}: bad entry length ${rec}`);
        if (child !== 0 && nameLen > 0 && 8 + nameLen <= rec) {
          this.dev.meter.entry();
          const name = utf8(data.subarray(o + 8, o + 8 + nameLen));
          if (name !== '.' && name !== '..') out.push({ name, id: child });
        }
        o += rec;
      }
    }
    return out;
  }

  async readlink(link: FsNode): Promise<string> {
    const ino = link as Inode;
    if (link.size < 60 && !(ino.flags & (EXTENTS_FL | INLINE_DATA_FL))) return utf8(ino.block.subarray(0, link.size));
    return utf8(await this.read(link, 4096));
  }

  /** Free blocks from the block bitmaps. Groups whose bitmap was never initialised
   *  (BLOCK_UNINIT) are left out: nothing was ever written there, and counting them would
   *  include their metadata. */
  async freeRanges(): Promise<Array<[number, number]>> {
    const { blocks, blocksPerGroup: bpg, firstDataBlock, blockSize: bs, descSize } = this.sb;
    if (bpg === 0 || bpg > bs * 8) corrupt(`ext superblock: ${bpg} blocks per group`);
    const groups = Math.ceil((blocks - firstDataBlock) / bpg);
    const out: Array<[number, number]> = [];
    for (let g = 0; g < groups; g++) {
      const d = await this.descriptor(g);
      if (u16le(d, 0x12) & 0x2) continue;
      const bitmap = await this.blockRead(u32le(d, 0) + (descSize >= 64 ? u32le(d, 0x20) * 2 ** 32 : 0));
      const first = firstDataBlock + g * bpg;
      const n = Math.min(bpg, blocks - first);
      let run = -1;
      for (let i = 0; i <= n; i++) {
        const free = i < n && (bitmap[i >> 3]! & (1 << (i & 7))) === 0;
        if (free && run < 0) run = i;
        else if (!free && run >= 0) {
          out.push([(first + run) * bs, (i - run) * bs]);
          this.dev.meter.entry();
          run = -1;
        }
      }
    }
    return out;
  }

  facts(): { uuid: string; label: string; size: number; used: number } {
    const { blocks, freeBlocks, blockSize, uuid, label } = this.sb;
    return { uuid, label, size: blocks * blockSize, used: Math.max(0, blocks - freeBlocks) * blockSize };
  }
}
