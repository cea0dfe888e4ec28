// XFS directory entries: the data blocks of block/leaf/node directories and the short-form
// directory kept inside the inode. Every length is checked against its block before it is read.
import { u16be, u32be, u64be } from '../inspect/bytes.ts';
import { corrupt } from './device.ts';
import type { DirEntry } from './types.ts';
import { utf8 } from './text.ts';

const DIR_DATA_MAGICS = new Set([0x58443242, 0x58443244, 0x58444233, 0x58444433]);
const BLOCK_MAGICS = new Set([0x58443242, 0x58444233]);

/** What entry decoding needs from the superblock, and the walk's entry counter. */
export interface DirLayout {
  v5: boolean;
  /** Entries carry a file-type byte. */
  ftype: boolean;
  entry(): void;
}

/** Appends the entries of one directory data block (skipping free space, `.` and `..`). */
export function dataBlockEntries(b: Uint8Array, dirId: number, layout: DirLayout, out: DirEntry[]): void {
  const magic = u32be(b, 0);
  if (!DIR_DATA_MAGICS.has(magic)) return; // a hole filled with zeros, or not a data block
  let end = b.length;
  if (BLOCK_MAGICS.has(magic)) {
    const count = u32be(b, b.length - 8);
    end = b.length - 8 - count * 8;
    if (end < 0) corrupt(`XFS directory ${dirId}: block tail claims ${count} leaf entries`);
  }
  for (let o = layout.v5 ? 64 : 16; o + 8 <= end;) {
    if (u16be(b, o) === 0xffff) {
      const len = u16be(b, o + 2);
      if (len < 8 || len % 8 !== 0) corrupt(`XFS directory ${dirId}: bad free entry length ${len}`);
      o += len;
      continue;
    }
    const ino = u64be(b, o);
    const nameLen = b[o + 8]!;
    const size = Math.ceil((11 + nameLen + (layout.ftype ? 1 : 0)) / 8) * 8;
    if (nameLen === 0 || o + size > end) corrupt(`XFS directory ${dirId}: entry overruns its block`);
    layout.entry();
    const name = utf8(b.subarray(o + 9, o + 9 + nameLen));
    if (name !== '.' && name !== '..') out.push({ name, id: ino });
    o += size;
  }
}

/** The entries of a short-form directory: `fork` is the inode's data fork, `size` its di_size. */
export function shortFormEntries(fork: Uint8Array, dirId: number, size: number, layout: DirLayout): DirEntry[] {
  const count = fork[0]!;
  const i8 = fork[1]! > 0;
  const inoSize = i8 ? 8 : 4;
  const out: DirEntry[] = [];
  let o = 2 + inoSize;
  for (let i = 0; i < count; i++) {
    const nameLen = fork[o]!;
    const entry = 3 + nameLen + (layout.ftype ? 1 : 0) + inoSize;
    if (nameLen === 0 || o + entry > fork.length || o + entry > size) corrupt(`XFS directory ${dirId}: short-form entry overruns`);
    const name = utf8(fork.subarray(o + 3, o + 3 + nameLen));
    const at = o + 3 + nameLen + (layout.ftype ? 1 : 0);
    const child = i8 ? u64be(fork, at) : u32be(fork, at);
    layout.entry();
    out.push({ name, id: child });
    o += entry;
  }
  return out;
}
