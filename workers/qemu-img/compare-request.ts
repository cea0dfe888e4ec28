// What a verification is asked and what it answers, and how a side is named to qemu-img: the
// contract its callers (the CLI, the Node runner, the page's worker and its client) share, kept
// apart from compare.ts's choice of runs so that naming it does not mean reading the strategy.
import type { FileExtents } from './extents.ts';
import type { RunProgress, RunResult } from './types.ts';

export interface CompareSide {
  /** Path qemu-img opens (host path in Node, /in/… or /out/… in the browser). */
  path: string;
  /** qemu-img driver (never probed). */
  format: string;
  /** qemu's protocol driver for the host file: 'host_device' for a block device. */
  protocol?: 'file' | 'host_device';
  /** A disk inside an archive: the `--image-opts` of its file layer (e.g. raw offset/size over
   *  the archive), instead of the plain path. */
  fileOpts?: string;
}

export interface CompareRequest {
  source: CompareSide;
  output: CompareSide;
  /** What the conversion wrote into the output file (single-file outputs only: map offsets must
   *  be offsets in that one file). */
  outputExtents?: FileExtents;
  onProgress?: (p: CompareProgress) => void;
  /** Runs at once (default 1): windows of data compared side by side, and with a stage the holes
   *  descriptor's compare split into that many windows when there is data enough (compare-split.ts). */
  parallel?: number;
  /** The runner answers SEEK_DATA/SEEK_HOLE for the output from `outputExtents` (Node, with an
   *  engine whose file-posix asks): a raw output's holes are then seen by plain compares. */
  outputHolesSeen?: boolean;
  /** The output's format records its holes (core/convert/options.ts recordsHoles): with the
   *  conversion's extents under the split threshold, one plain compare without a `map` first. */
  outputRecordsHoles?: boolean;
  /** Places small files (the holes descriptor and its empty extents) in one directory qemu-img
   *  can read, and says which; without it, windows are compared one run each. */
  stage?: StageFiles;
}

export type StageFiles = (files: Array<{ name: string; data: Uint8Array }>) => Promise<{ dir: string; dispose(): Promise<void> }>;

export interface CompareProgress {
  percent: number;
  bytesRead: number;
}

export interface CompareOutcome {
  identical: boolean;
  /** Guest offset of the first difference. */
  mismatchOffset?: number;
  /** qemu-img's words (or ours) for the outcome. */
  message: string;
  /** full: one plain compare (or its windows at once); holes: compare against the output with its
   *  holes shown (one run, or one per window of the disk at once); seek: plain compares (one per
   *  window) of a raw output whose holes the runner answers; ranges: one compare per window of data. */
  method: 'full' | 'holes' | 'seek' | 'ranges';
  /** Bytes the comparing runs read, and how many runs. */
  bytesRead: number;
  runs: number;
}

export type QemuRun = (args: string[], opts: { onProgress?: (p: RunProgress) => void }) => Promise<RunResult>;

export class CompareError extends Error {}

function fileLayer(side: CompareSide, prefix: string): string {
  // Split at single commas only: ",," is an escaped comma inside a value.
  if (side.fileOpts !== undefined)
    return side.fileOpts
      .split(/(?<!,),(?!,)/)
      .map((kv) => `${prefix}${kv}`)
      .join(',');
  return `${prefix}driver=${side.protocol ?? 'file'},${prefix}filename=${side.path.replaceAll(',', ',,')}`;
}

/** `--image-opts` for a side, or for a window [offset, offset+size) of it (raw over the format;
 *  without a size, from offset to the end). */
export function sideOpts(side: CompareSide, window?: { offset: number; size?: number }): string {
  if (!window) return `driver=${side.format},${fileLayer(side, 'file.')}`;
  const size = window.size === undefined ? '' : `size=${window.size},`;
  return `driver=raw,offset=${window.offset},${size}file.driver=${side.format},${fileLayer(side, 'file.file.')}`;
}

/** A regular host file named by its path (not a block device, not a member of an archive). */
export const isPlainFile = (side: CompareSide) => side.fileOpts === undefined && (side.protocol ?? 'file') === 'file';
