// Guest block access over the wasm qemu-img: the guest disk's bytes at any offset, from any format
// qemu-img opens (qcow2, vmdk incl. multi-file and an OVA's disk in place, vhd, vhdx, vdi), without
// converting the image and without holding it in memory. Shared by the page (its runs go to the
// qemu-img worker) and the Node CLI (its runs go to the runner thread).
//
// How: qemu-img has no "read N bytes at X" command, and each run is a fresh instance, so every
// miss is one run of
//   qemu-img convert --image-opts -O raw driver=raw,offset=X,size=N,file.<the image's options> /mem/w
// The raw driver's offset/size window over the image's own format driver is a byte range of the
// guest disk (dd cannot take --image-opts, which an OVA's disk in place needs); the output is a
// small MEMFS file handed back with the result (memory-outputs.ts). Reads are aligned to
// `chunkBytes` and kept in a bounded LRU cache, so the guest readers' many small reads (superblocks,
// inodes, directory blocks) cost few runs; ranges qemu-img map reported as zeros never run at all.
import type { RunResult } from './types.ts';
import { MEM_DIR } from './types.ts';

/** Runs qemu-img (arguments without "qemu-img") with one memory output; see memory-outputs.ts. */
export type GuestRun = (args: string[], memoryOutput: string) => Promise<RunResult>;

export interface GuestReaderOptions {
  /** How qemu-img names the image, as for info: ['-f', FMT, PATH] or ['--image-opts', OPTS]. */
  image: string[];
  /** The guest disk's virtual size. */
  size: number;
  run: GuestRun;
  /** True when [offset, offset+length) reads as zeros (qemu-img map): served without a run. */
  isZero?: (offset: number, length: number) => boolean;
  /** Alignment and unit of the cache (default 256 KiB). */
  chunkBytes?: number;
  /** Chunks kept (default 64: 16 MiB with the default chunk). */
  cacheChunks?: number;
}

export interface GuestReaderStats {
  /** qemu-img runs made (cache misses, grouped). */
  runs: number;
  /** Guest bytes qemu-img returned (what the cache was filled with). */
  bytesFetched: number;
  /** Bytes qemu-img read from the image file(s) in those runs (data plus format metadata). */
  imageBytesRead: number;
  /** Wall time spent in runs. */
  runMs: number;
  reads: number;
  hits: number;
  zeroChunks: number;
}

export interface GuestReader {
  /** Up to `length` guest bytes at `offset`; shorter only at the end of the disk. */
  read(offset: number, length: number): Promise<Uint8Array>;
  stats(): GuestReaderStats;
}

export const DEFAULT_CHUNK = 256 * 1024;
/** One run never asks for more than this (a reader's single read is ≤ 4 MiB, plus alignment). */
const MAX_RUN = 8 * 1024 * 1024;

/** Splits a QemuOpts string at its separators (",," is a literal comma inside a value). */
export function splitImageOpts(opts: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < opts.length; i++) {
    const c = opts[i]!;
    if (c === ',' && opts[i + 1] === ',') {
      cur += ',,';
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.filter(Boolean);
}

/** The image's options as the child of a raw window: every key under "file.". */
export function windowOpts(image: readonly string[], offset: number, length: number): string {
  let inner: string[];
  if (image[0] === '--image-opts' && image.length === 2) inner = splitImageOpts(image[1]!);
  else if (image[0] === '-f' && image.length === 3) {
    inner = [`driver=${image[1]!}`, 'file.driver=file', `file.filename=${image[2]!.replaceAll(',', ',,')}`];
  } else throw new Error(`guest reader: cannot name the image from ${JSON.stringify(image)}`);
  if (!inner.some((p) => p.startsWith('driver='))) throw new Error('guest reader: the image options name no driver (never probed)');
  return [`driver=raw`, `offset=${offset}`, `size=${length}`, ...inner.map((p) => `file.${p}`)].join(',');
}

export function guestReadArgs(image: readonly string[], offset: number, length: number, output: string): string[] {
  return ['convert', '--image-opts', '-O', 'raw', windowOpts(image, offset, length), `${MEM_DIR}/${output}`];
}

function tail(r: RunResult): string {
  return (r.stderr ?? '').trim().split('\n').pop() ?? '';
}

export function createGuestReader(o: GuestReaderOptions): GuestReader {
  const chunk = o.chunkBytes ?? DEFAULT_CHUNK;
  const keep = Math.max(4, o.cacheChunks ?? 64);
  const cache = new Map<number, Uint8Array>();
  const s: GuestReaderStats = { runs: 0, bytesFetched: 0, imageBytesRead: 0, runMs: 0, reads: 0, hits: 0, zeroChunks: 0 };
  const chunkLen = (i: number) => Math.min(chunk, o.size - i * chunk);
  let serial = 0;

  const remember = (i: number, data: Uint8Array) => {
    cache.delete(i);
    cache.set(i, data);
    while (cache.size > keep) cache.delete(cache.keys().next().value!);
  };

  /** Fills chunks [first, last] (none of them cached) with one qemu-img run. */
  const fetchRun = async (first: number, last: number): Promise<void> => {
    const offset = first * chunk;
    const length = Math.min(o.size, (last + 1) * chunk) - offset;
    const name = `w${serial++}.raw`;
    const started = performance.now();
    const r = await o.run(guestReadArgs(o.image, offset, length, name), name);
    s.runs++;
    s.runMs += performance.now() - started;
    s.imageBytesRead += r.io?.bytesRead ?? 0;
    const data = r.files?.[name];
    if (r.exitCode !== 0 || !data) {
      const why = r.failure ? `qemu-img ${r.failure}` : `exit ${r.exitCode}`;
      throw new Error(`qemu-img could not read guest bytes ${offset}+${length} (${why}${tail(r) ? `: ${tail(r)}` : ''})`);
    }
    // convert writes nothing for zero areas at the end: the file may be shorter than the window.
    if (data.length > length) throw new Error(`qemu-img returned ${data.length} bytes for a ${length}-byte window`);
    s.bytesFetched += length;
    for (let i = first; i <= last; i++) {
      const at = (i - first) * chunk;
      const c = new Uint8Array(chunkLen(i));
      c.set(data.subarray(Math.min(at, data.length), Math.min(at + c.length, data.length)));
      remember(i, c);
    }
  };

  const zero = (i: number) => o.isZero?.(i * chunk, chunkLen(i)) ?? false;

  return {
    async read(offset, length) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
        throw new Error(`guest reader: bad read ${offset}+${length}`);
      }
      s.reads++;
      const end = Math.min(o.size, offset + length);
      if (end <= offset) return new Uint8Array(0);
      const first = Math.floor(offset / chunk);
      const last = Math.floor((end - 1) / chunk);
      // Missing chunks, grouped into contiguous runs of at most MAX_RUN bytes.
      let runStart = -1;
      const runs: Array<[number, number]> = [];
      for (let i = first; i <= last; i++) {
        const missing = !cache.has(i) && !zero(i);
        if (missing && runStart < 0) runStart = i;
        if (missing && (i - runStart + 1) * chunk >= MAX_RUN) {
          runs.push([runStart, i]);
          runStart = -1;
        } else if (!missing && runStart >= 0) {
          runs.push([runStart, i - 1]);
          runStart = -1;
        }
      }
      if (runStart >= 0) runs.push([runStart, last]);
      if (!runs.length) s.hits++;
      for (const [a, b] of runs) await fetchRun(a, b);
      const out = new Uint8Array(end - offset);
      for (let i = first; i <= last; i++) {
        let c = cache.get(i);
        if (c) remember(i, c);
        else if (zero(i)) {
          s.zeroChunks++;
          continue; // already zeros
        } else {
          // Evicted by a later run of this same read (a read larger than the cache): refetch.
          await fetchRun(i, i);
          c = cache.get(i)!;
        }
        const base = i * chunk;
        const from = Math.max(offset, base);
        const to = Math.min(end, base + c.length);
        out.set(c.subarray(from - base, to - base), from - offset);
      }
      return out;
    },
    stats: () => ({ ...s }),
  };
}
