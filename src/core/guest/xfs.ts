// XFS v4/v5, read-only: superblock, allocation-group addressing of inodes, local/extent/B+tree
// data forks, short-form/block/leaf/node directories (every data block below the 32 GiB leaf
// offset is parsed; the leaf/node/free index blocks are not needed to list a directory),
// symlinks. Inodes are addressed directly from their numbers, so the inode B+tree is not walked.
import { u16be, u32be, u64be } from '../inspect/bytes.ts';
import { corrupt, type Device } from './device.ts';
import type { DirEntry, FsNode, GuestFs, NodeKind } from './types.ts';
import { hexUuid, latin1, utf8 } from './text.ts';
import { dataBlockEntries, shortFormEntries, type DirLayout } from './xfs-dir.ts';

const INCOMPAT_FTYPE = 0x1;
const INCOMPAT_NREXT64 = 0x20;
const FEAT2_FTYPE = 0x200;
const BMAP_MAGICS = new Set([0x424d4150, 0x424d4133]);
const LEAF_OFFSET_BYTES = 2 ** 35;
const MAX_EXTENTS = 100_000;
const MAX_DIR_BYTES = 16 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export interface XfsSuper {
  blockSize: number;
  dblocks: number;
  fdblocks: number;
  rootIno: number;
  agBlocks: number;
  agCount: number;
  sectSize: number;
  inodeSize: number;
  inoPerBlockLog: number;
  agBlockLog: number;
  dirBlockSize: number;
  v5: boolean;
  ftype: boolean;
  nrext64: boolean;
  uuid: string;
  label: string;
}

export function parseXfsSuper(b: Uint8Array): XfsSuper | null {
  if (u32be(b, 0) !== 0x58465342) return null;
  const blockSize = u32be(b, 4);
  const blockLog = b[120]!;
  if (blockSize !== 2 ** blockLog || blockLog < 9 || blockLog > 16) corrupt(`XFS superblock: block size ${blockSize}`);
  const inodeSize = u16be(b, 104);
  if (inodeSize !== 2 ** b[122]! || inodeSize < 256 || inodeSize > 2048) corrupt(`XFS superblock: inode size ${inodeSize}`);
  const agBlocks = u32be(b, 84);
  const agBlockLog = b[124]!;
  if (agBlocks === 0 || agBlockLog > 31 || agBlocks > 2 ** agBlockLog) corrupt(`XFS superblock: ${agBlocks} blocks per allocation group`);
  const v5 = (u16be(b, 100) & 0xf) === 5;
  const incompat = v5 ? u32be(b, 216) : 0;
  const dirLog = b[192]!;
  if (dirLog > 6) corrupt(`XFS superblock: directory block log ${dirLog}`);
  return {
    blockSize,
    dblocks: u64be(b, 8),
    fdblocks: u64be(b, 144),
    rootIno: u64be(b, 56),
    agBlocks,
    agCount: u32be(b, 88),
    sectSize: u16be(b, 102),
    inodeSize,
    inoPerBlockLog: b[123]!,
    agBlockLog,
    dirBlockSize: blockSize << dirLog,
    v5,
    ftype: v5 ? (incompat & INCOMPAT_FTYPE) !== 0 : (u32be(b, 200) & FEAT2_FTYPE) !== 0,
    nrext64: (incompat & INCOMPAT_NREXT64) !== 0,
    uuid: hexUuid(b.subarray(32, 48)),
    label: latin1(b, 108, 12),
  };
}

/** [logical block, fs block, count] */
type Extent = [number, number, number];

interface XfsInode extends FsNode {
  format: number;
  fork: Uint8Array;
  nextents: number;
}

export class XfsFs implements GuestFs {
  readonly type = 'xfs';
  constructor(
    private readonly dev: Device,
    readonly sb: XfsSuper,
  ) {}

  static async open(dev: Device): Promise<XfsFs | null> {
    if (dev.size < 4096) return null;
    const sb = parseXfsSuper(await dev.read(0, 512));
    return sb ? new XfsFs(dev, sb) : null;
  }

  /** Byte offset of a file system block number (AG number in the high bits). */
  private fsbOffset(fsb: number): number {
    const ag = Math.floor(fsb / 2 ** this.sb.agBlockLog);
    const agbno = fsb % 2 ** this.sb.agBlockLog;
    if (ag >= this.sb.agCount || agbno >= this.sb.agBlocks) corrupt(`XFS block ${fsb} lies outside the allocation groups`);
    return (ag * this.sb.agBlocks + agbno) * this.sb.blockSize;
  }

  private readBlocks(fsb: number, count: number): Promise<Uint8Array> {
    return this.dev.read(this.fsbOffset(fsb), count * this.sb.blockSize);
  }

  private async inode(ino: number): Promise<XfsInode> {
    const { inoPerBlockLog, agBlockLog, inodeSize, blockSize } = this.sb;
    if (!Number.isSafeInteger(ino) || ino <= 0) corrupt(`XFS inode ${ino} is out of range`);
    const index = ino % 2 ** inoPerBlockLog;
    const fsb = Math.floor(ino / 2 ** inoPerBlockLog);
    const off = this.fsbOffset(fsb) + index * inodeSize;
    if (index * inodeSize >= blockSize || agBlockLog + inoPerBlockLog > 52) corrupt(`XFS inode ${ino} is out of range`);
    const b = await this.dev.read(off, inodeSize);
    if (u16be(b, 0) !== 0x494e) corrupt(`XFS inode ${ino} has a bad magic number`);
    const mode = u16be(b, 2);
    const version = b[4]!;
    const core = version === 3 ? 176 : 100;
    const forkOff = b[82]!;
    const forkSize = forkOff ? forkOff * 8 : inodeSize - core;
    if (core + forkSize > inodeSize) corrupt(`XFS inode ${ino}: fork offset ${forkOff} beyond the inode`);
    const fmt = mode & 0xf000;
    const kind: NodeKind = fmt === 0x4000 ? 'dir' : fmt === 0x8000 ? 'file' : fmt === 0xa000 ? 'link' : 'other';
    const nextents = this.sb.nrext64 ? u64be(b, 24) : u32be(b, 76);
    const size = u64be(b, 56);
    if (!Number.isSafeInteger(size)) corrupt(`XFS inode ${ino}: size out of range`);
    return { id: ino, kind, size, format: b[5]!, fork: b.slice(core, core + forkSize), nextents };
  }

  root(): Promise<FsNode> {
    return this.inode(this.sb.rootIno);
  }

  node(id: number): Promise<FsNode> {
    return this.inode(id);
  }

  private async extents(ino: XfsInode): Promise<Extent[]> {
    if (ino.format === 2) {
      if (ino.nextents * 16 > ino.fork.length) corrupt(`XFS inode ${ino.id}: ${ino.nextents} extents do not fit its fork`);
      return decodeRecs(ino.fork, 0, ino.nextents);
    }
    if (ino.format !== 3) corrupt(`XFS inode ${ino.id}: data fork format ${ino.format} has no extents`);
    const out: Extent[] = [];
    const level = u16be(ino.fork, 0);
    const numrecs = u16be(ino.fork, 2);
    const maxrecs = Math.floor((ino.fork.length - 4) / 16);
    if (level === 0 || numrecs > maxrecs) corrupt(`XFS inode ${ino.id}: bad B+tree root`);
    for (let i = 0; i < numrecs; i++) await this.btree(u64be(ino.fork, 4 + maxrecs * 8 + i * 8), level - 1, out, 1);
    return out;
  }

  private async btree(fsb: number, level: number, out: Extent[], depth: number): Promise<void> {
    this.dev.meter.depth(depth);
    const b = await this.readBlocks(fsb, 1);
    if (!BMAP_MAGICS.has(u32be(b, 0))) corrupt(`XFS B+tree block ${fsb} has a bad magic number`);
    if (u16be(b, 4) !== level) corrupt(`XFS B+tree block ${fsb} is at the wrong level`);
    const hdr = this.sb.v5 ? 72 : 24;
    const numrecs = u16be(b, 6);
    const maxrecs = Math.floor((b.length - hdr) / 16);
    if (numrecs > maxrecs) corrupt(`XFS B+tree block ${fsb} claims ${numrecs} records`);
    if (level === 0) {
      out.push(...decodeRecs(b, hdr, numrecs));
      if (out.length > MAX_EXTENTS) corrupt('XFS file with too many extents');
      return;
    }
    for (let i = 0; i < numrecs; i++) await this.btree(u64be(b, hdr + maxrecs * 8 + i * 8), level - 1, out, depth + 1);
  }

  /** Bytes [0, length) of a file's logical block space (holes as zeros). */
  private async readLogical(extents: Extent[], firstBlock: number, length: number): Promise<Uint8Array> {
    const bs = this.sb.blockSize;
    const nblocks = Math.ceil(length / bs);
    const out = new Uint8Array(nblocks * bs);
    const chunk = Math.max(1, Math.floor(CHUNK / bs));
    for (const [start, fsb, count] of extents) {
      const from = Math.max(start, firstBlock);
      const to = Math.min(start + count, firstBlock + nblocks);
      for (let l = from; l < to; l += chunk) {
        const n = Math.min(chunk, to - l);
        out.set(await this.readBlocks(fsb + (l - start), n), (l - firstBlock) * bs);
      }
    }
    return out.subarray(0, length);
  }

  async read(file: FsNode, max: number): Promise<Uint8Array> {
    const ino = file as XfsInode;
    const size = Math.min(file.size, max);
    if (ino.format === 1) return ino.fork.slice(0, size);
    return this.readLogical(await this.extents(ino), 0, size);
  }

  async list(dir: FsNode): Promise<DirEntry[]> {
    const ino = dir as XfsInode;
    if (dir.kind !== 'dir') corrupt(`XFS inode ${dir.id} is not a directory`);
    if (ino.format === 1) return shortFormEntries(ino.fork, ino.id, ino.size, this.#dirLayout());
    const out: DirEntry[] = [];
    const bs = this.sb.blockSize;
    const leafBlock = LEAF_OFFSET_BYTES / bs;
    const dbs = this.sb.dirBlockSize;
    const extents = (await this.extents(ino)).filter((e) => e[0] < leafBlock);
    let total = 0;
    for (const [start, , count] of extents) {
      const n = Math.min(count, leafBlock - start);
      total += n * bs;
      if (total > MAX_DIR_BYTES) corrupt(`XFS directory ${dir.id} is larger than ${MAX_DIR_BYTES} bytes`);
      const data = await this.readLogical(extents, start, n * bs);
      for (let o = 0; o + dbs <= data.length; o += dbs) dataBlockEntries(data.subarray(o, o + dbs), dir.id, this.#dirLayout(), out);
    }
    return out;
  }

  #dirLayout(): DirLayout {
    return { v5: this.sb.v5, ftype: this.sb.ftype, entry: () => this.dev.meter.entry() };
  }

  async readlink(link: FsNode): Promise<string> {
    const ino = link as XfsInode;
    if (link.size > 1024) corrupt(`XFS symlink ${link.id} is ${link.size} bytes long`);
    if (ino.format === 1) return utf8(ino.fork.subarray(0, link.size));
    const hdr = this.sb.v5 ? 56 : 0;
    const bytes = await this.readLogical(await this.extents(ino), 0, this.sb.blockSize);
    return utf8(bytes.subarray(hdr, hdr + link.size));
  }

  /** Free extents from each AG's by-block-number free space B+tree (AGF root). */
  async freeRanges(): Promise<Array<[number, number]>> {
    const { agCount, agBlocks, blockSize: bs, sectSize } = this.sb;
    if (agCount > 100_000 || sectSize < 512 || sectSize > bs) corrupt(`XFS superblock: ${agCount} AGs of sector size ${sectSize}`);
    const out: Array<[number, number]> = [];
    for (let ag = 0; ag < agCount; ag++) {
      const agStart = ag * agBlocks * bs;
      const agf = await this.dev.read(agStart + sectSize, 64);
      if (u32be(agf, 0) !== 0x58414746) corrupt(`XFS AG ${ag}: bad AGF magic number`);
      await this.freeTree(agStart, u32be(agf, 16), u32be(agf, 28) - 1, out, 1);
    }
    return out;
  }

  private async freeTree(agStart: number, agbno: number, level: number, out: Array<[number, number]>, depth: number): Promise<void> {
    this.dev.meter.depth(depth);
    const { blockSize: bs, agBlocks, v5 } = this.sb;
    if (agbno >= agBlocks || level < 0) corrupt(`XFS free space B+tree block ${agbno} out of range`);
    const b = await this.dev.read(agStart + agbno * bs, bs);
    const magic = u32be(b, 0);
    if (magic !== 0x41425442 && magic !== 0x41423342) corrupt(`XFS free space B+tree block ${agbno} has a bad magic number`);
    if (u16be(b, 4) !== level) corrupt(`XFS free space B+tree block ${agbno} is at the wrong level`);
    const hdr = v5 ? 56 : 16;
    const n = u16be(b, 6);
    if (level === 0) {
      if (hdr + n * 8 > bs) corrupt(`XFS free space B+tree block ${agbno} claims ${n} records`);
      for (let i = 0; i < n; i++) {
        const start = u32be(b, hdr + i * 8);
        const len = u32be(b, hdr + i * 8 + 4);
        if (start + len > agBlocks) corrupt(`XFS free extent ${start}+${len} lies outside its AG`);
        out.push([agStart + start * bs, len * bs]);
        this.dev.meter.entry();
      }
      return;
    }
    const maxrecs = Math.floor((bs - hdr) / 12);
    if (n > maxrecs) corrupt(`XFS free space B+tree block ${agbno} claims ${n} records`);
    for (let i = 0; i < n; i++) await this.freeTree(agStart, u32be(b, hdr + maxrecs * 8 + i * 4), level - 1, out, depth + 1);
  }

  facts(): { uuid: string; label: string; size: number; used: number } {
    const { dblocks, fdblocks, blockSize, uuid, label } = this.sb;
    return { uuid, label, size: dblocks * blockSize, used: Math.max(0, dblocks - fdblocks) * blockSize };
  }
}

function decodeRecs(b: Uint8Array, at: number, n: number): Extent[] {
  const out: Extent[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < n; i++) {
    const o = at + i * 16;
    if (o + 16 > b.length) corrupt('XFS extent list overruns its block');
    const l0 = dv.getBigUint64(o, false);
    const l1 = dv.getBigUint64(o + 8, false);
    const unwritten = l0 >> 63n === 1n;
    const startoff = Number((l0 >> 9n) & ((1n << 54n) - 1n));
    const startblock = Number(((l0 & 0x1ffn) << 43n) | (l1 >> 21n));
    const count = Number(l1 & 0x1fffffn);
    if (!unwritten) out.push([startoff, startblock, count]);
  }
  return out;
}
