// Builds the parity corpus with the NATIVE qemu-img / qemu-io from Debian's qemu-utils, into a cache
// directory outside the repository (os.tmpdir()/image-inspector-corpus/<hash>), keyed by the hash of
// this file and the native version, so it is regenerated whenever the generator changes.
//
// What it covers and why: every format and subformat qemu-img can write; images from 0 bytes to a
// sparse 8 GiB one with data straddling the 2 GiB and 4 GiB offsets (emscripten 3.1.6 truncates
// 64-bit offsets to 32 bits: the exact bug class this corpus must catch); data regions that span
// several 2 MiB convert buffers at unaligned offsets (multi-iovec preadv/pwritev); and hostile files
// (truncated, oversized tables, VMDK descriptors without or with escaping extents, random bytes).
//
// Usage: `node --import tsx test/corpus/generate.ts` prints the directory; tests call ensureCorpus().
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOnce } from '../helpers/build-once.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const WRITABLE_FORMATS = ['raw', 'qcow2', 'qcow', 'vmdk', 'vdi', 'vpc', 'vhdx', 'qed', 'parallels'] as const;
export type WritableFormat = (typeof WRITABLE_FORMATS)[number];

export interface CorpusImage {
  /** Unique, readable case name, e.g. "small.vmdk-streamOptimized". */
  id: string;
  /** Absolute path of the image (the descriptor for multi-file VMDKs). */
  path: string;
  /** Format to pass with -f (never probe). */
  format: string;
  /** Which base content it carries: its raw twin for content checks. */
  base: 'small' | 'big' | 'empty' | 'odd' | 'overlay';
  /** Whether the format's allocation info for this image comes from the host file's holes
   *  (lseek SEEK_DATA), which Node cannot answer for the wasm (see parity tests). */
  hostHoles: boolean;
}

export interface HostileImage {
  id: string;
  path: string;
  format: string;
  /** What the case is about, for the test name and messages. */
  about: string;
}

export interface Corpus {
  dir: string;
  images: CorpusImage[];
  hostile: HostileImage[];
  /** One image per writable format from the small base: sources of the conversion matrix. */
  matrixSources: Record<WritableFormat, CorpusImage>;
}

const here = fileURLToPath(import.meta.url);

function sh(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Deterministic pseudo-random bytes (xorshift32): a reproducible corpus without storing it. */
function prng(seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out;
}

function fill(byte: number, length: number): Buffer {
  return Buffer.alloc(length, byte);
}

interface Region {
  offset: number;
  data: Buffer;
}

function writeRaw(path: string, size: number, regions: Region[]): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (const r of regions) writeSync(fd, r.data, 0, r.data.length, r.offset);
  } finally {
    closeSync(fd);
  }
}

function corpusKey(): string {
  const h = createHash('sha256');
  h.update(readFileSync(here));
  h.update(sh('qemu-img', ['--version']));
  return h.digest('hex').slice(0, 16);
}

export function corpusRoot(): string {
  return process.env.IMAGE_INSPECTOR_CORPUS ?? join(tmpdir(), 'image-inspector-corpus');
}

function build(dir: string): void {
  const q = (...args: string[]) => sh('qemu-img', args, dir);

  // --- Base contents -------------------------------------------------------------------------
  // small: 24 MiB. Random head; a 5 MiB pattern at an unaligned offset (spans 3+ convert buffers);
  // explicit zeros (allocated zeros, not a hole); a random region crossing a 64 KiB cluster edge;
  // a non-zero last sector.
  writeRaw(join(dir, 'small.raw'), 24 * MiB, [
    { offset: 0, data: prng(1, MiB) },
    { offset: 3 * MiB + 512, data: fill(0x5a, 5 * MiB) },
    { offset: 10 * MiB, data: fill(0, MiB) },
    { offset: 20 * MiB - 4096, data: prng(2, 68 * 1024) },
    { offset: 24 * MiB - 512, data: fill(0xee, 512) },
  ]);
  // big: sparse 8 GiB with data across 2 GiB and 4 GiB and at the very end.
  writeRaw(join(dir, 'big.raw'), 8 * GiB, [
    { offset: 0, data: prng(3, MiB) },
    { offset: 2 * GiB - MiB - 512, data: prng(4, 2 * MiB) },
    { offset: 4 * GiB - MiB + 512, data: prng(5, 2 * MiB) },
    { offset: 6 * GiB + 12345 * 512, data: fill(0xc3, 64 * 1024) },
    { offset: 8 * GiB - MiB, data: prng(6, MiB) },
  ]);
  writeRaw(join(dir, 'empty.raw'), 0, []);
  // odd: a size that is no multiple of any cluster size.
  writeRaw(join(dir, 'odd.raw'), 5 * MiB + 1536, [
    { offset: 0, data: prng(7, 4096) },
    { offset: 5 * MiB, data: prng(8, 1536) },
  ]);

  // --- Every format and subformat from the small base -----------------------------------------
  const conv = (src: string, fmt: string, out: string, ...opts: string[]) => q('convert', '-f', 'raw', '-O', fmt, ...opts, src, out);
  conv('small.raw', 'qcow2', 'small.qcow2');
  conv('small.raw', 'qcow2', 'small.qcow2-compat010', '-o', 'compat=0.10');
  conv('small.raw', 'qcow2', 'small.qcow2-compressed', '-c');
  conv('small.raw', 'qcow2', 'small.qcow2-lazy', '-o', 'lazy_refcounts=on');
  conv('small.raw', 'qcow2', 'small.qcow2-extl2', '-o', 'extended_l2=on');
  conv('small.raw', 'qcow', 'small.qcow');
  for (const sub of ['monolithicSparse', 'monolithicFlat', 'twoGbMaxExtentSparse', 'twoGbMaxExtentFlat', 'streamOptimized']) {
    conv('small.raw', 'vmdk', `small-${sub}.vmdk`, '-o', `subformat=${sub}`);
  }
  conv('small.raw', 'vdi', 'small.vdi');
  conv('small.raw', 'vdi', 'small-static.vdi', '-o', 'static=on');
  conv('small.raw', 'vpc', 'small.vpc');
  conv('small.raw', 'vpc', 'small-fixed.vpc', '-o', 'subformat=fixed');
  conv('small.raw', 'vhdx', 'small.vhdx');
  conv('small.raw', 'vhdx', 'small-fixed.vhdx', '-o', 'subformat=fixed');
  conv('small.raw', 'qed', 'small.qed');
  conv('small.raw', 'parallels', 'small.parallels');
  // qcow2 overlay on a qcow2 backing file (relative backing path, as users have them).
  q('create', '-q', '-f', 'qcow2', '-b', 'small.qcow2', '-F', 'qcow2', 'overlay.qcow2');
  sh('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x77 1M 2M', '-c', 'write -z 12M 64k', 'overlay.qcow2'], dir);

  // --- Big, sparse, across 2 GiB / 4 GiB ------------------------------------------------------
  conv('big.raw', 'qcow2', 'big.qcow2');
  conv('big.raw', 'vmdk', 'big-twoGbMaxExtentSparse.vmdk', '-o', 'subformat=twoGbMaxExtentSparse');
  conv('big.raw', 'vmdk', 'big-monolithicSparse.vmdk');
  conv('big.raw', 'vhdx', 'big.vhdx');
  conv('big.raw', 'vdi', 'big.vdi');
  conv('big.raw', 'qed', 'big.qed');

  // --- Sizes: 0 bytes and odd ----------------------------------------------------------------
  for (const fmt of ['qcow2', 'vmdk', 'vdi', 'vpc', 'vhdx', 'qed', 'parallels']) {
    q('create', '-q', '-f', fmt, `empty.${fmt}`, '0');
  }
  conv('odd.raw', 'qcow2', 'odd.qcow2');
  conv('odd.raw', 'vmdk', 'odd.vmdk');

  // --- Hostile -------------------------------------------------------------------------------
  mkdirSync(join(dir, 'hostile'));
  const hostile = (name: string) => join(dir, 'hostile', name);
  // Truncated qcow2: header and L1 intact, data clusters and refcount blocks cut off.
  const qc = readFileSync(join(dir, 'small.qcow2'));
  writeFileSync(hostile('truncated.qcow2'), qc.subarray(0, Math.min(qc.length, 300 * 1024)));
  writeFileSync(hostile('header-only.qcow2'), qc.subarray(0, 72));
  // qcow2 whose L1 table claims 2^31-1 entries (header field l1_size at offset 36).
  const huge = Buffer.from(qc.subarray(0, 4 * 65536));
  huge.writeUInt32BE(0x7fffffff, 36);
  writeFileSync(hostile('huge-l1.qcow2'), huge);
  // qcow2 with a refcount table offset beyond 4 GiB in a small file.
  const farRef = Buffer.from(qc.subarray(0, 4 * 65536));
  farRef.writeBigUInt64BE(0x1_0000_0000_0000n, 48);
  writeFileSync(hostile('far-refcount.qcow2'), farRef);
  // VMDK descriptors: no extents (native 7.2 asserts), an extent escaping the directory, an extent
  // that does not exist.
  const descriptor = (extents: string) =>
    `# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\n` +
    `# Extent description\n${extents}\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = "4"\n` +
    `ddb.geometry.cylinders = "16"\nddb.geometry.heads = "16"\nddb.geometry.sectors = "63"\nddb.adapterType = "ide"\n`;
  writeFileSync(hostile('no-extents.vmdk'), descriptor(''));
  writeFileSync(hostile('escaping-extent.vmdk'), descriptor('RW 2048 FLAT "../../etc/passwd" 0\n'));
  writeFileSync(hostile('missing-extent.vmdk'), descriptor('RW 2048 FLAT "missing-flat.vmdk" 0\n'));
  // Random bytes, read as each structured format.
  writeFileSync(hostile('random.bin'), prng(99, 256 * 1024));
  // Truncated streamOptimized VMDK (grain stream cut, footer gone).
  const so = readFileSync(join(dir, 'small-streamOptimized.vmdk'));
  writeFileSync(hostile('truncated-stream.vmdk'), so.subarray(0, Math.floor(so.length / 2)));
  // Truncated VHDX (metadata region gone).
  const vhdx = readFileSync(join(dir, 'small.vhdx')).subarray(0, 3 * MiB);
  writeFileSync(hostile('truncated.vhdx'), vhdx);
}

function describe(dir: string): Corpus {
  const img = (id: string, file: string, format: string, base: CorpusImage['base'], hostHoles = false): CorpusImage => ({
    id,
    path: join(dir, file),
    format,
    base,
    hostHoles,
  });
  const images: CorpusImage[] = [
    img('small.raw', 'small.raw', 'raw', 'small', true),
    img('small.qcow2', 'small.qcow2', 'qcow2', 'small'),
    img('small.qcow2-compat010', 'small.qcow2-compat010', 'qcow2', 'small'),
    img('small.qcow2-compressed', 'small.qcow2-compressed', 'qcow2', 'small'),
    img('small.qcow2-lazy', 'small.qcow2-lazy', 'qcow2', 'small'),
    img('small.qcow2-extl2', 'small.qcow2-extl2', 'qcow2', 'small'),
    img('overlay.qcow2', 'overlay.qcow2', 'qcow2', 'overlay'),
    img('small.qcow', 'small.qcow', 'qcow', 'small'),
    img('small.vmdk-monolithicSparse', 'small-monolithicSparse.vmdk', 'vmdk', 'small'),
    img('small.vmdk-monolithicFlat', 'small-monolithicFlat.vmdk', 'vmdk', 'small', true),
    img('small.vmdk-twoGbMaxExtentSparse', 'small-twoGbMaxExtentSparse.vmdk', 'vmdk', 'small'),
    img('small.vmdk-twoGbMaxExtentFlat', 'small-twoGbMaxExtentFlat.vmdk', 'vmdk', 'small', true),
    img('small.vmdk-streamOptimized', 'small-streamOptimized.vmdk', 'vmdk', 'small'),
    img('small.vdi', 'small.vdi', 'vdi', 'small'),
    img('small.vdi-static', 'small-static.vdi', 'vdi', 'small', true),
    img('small.vpc', 'small.vpc', 'vpc', 'small'),
    img('small.vpc-fixed', 'small-fixed.vpc', 'vpc', 'small', true),
    img('small.vhdx', 'small.vhdx', 'vhdx', 'small'),
    img('small.vhdx-fixed', 'small-fixed.vhdx', 'vhdx', 'small', true),
    img('small.qed', 'small.qed', 'qed', 'small'),
    img('small.parallels', 'small.parallels', 'parallels', 'small'),
    img('big.raw', 'big.raw', 'raw', 'big', true),
    img('big.qcow2', 'big.qcow2', 'qcow2', 'big'),
    img('big.vmdk-twoGbMaxExtentSparse', 'big-twoGbMaxExtentSparse.vmdk', 'vmdk', 'big'),
    img('big.vmdk-monolithicSparse', 'big-monolithicSparse.vmdk', 'vmdk', 'big'),
    img('big.vhdx', 'big.vhdx', 'vhdx', 'big'),
    img('big.vdi', 'big.vdi', 'vdi', 'big'),
    img('big.qed', 'big.qed', 'qed', 'big'),
    img('empty.raw', 'empty.raw', 'raw', 'empty', true),
    ...['qcow2', 'vmdk', 'vdi', 'vpc', 'vhdx', 'qed', 'parallels'].map((f) => img(`empty.${f}`, `empty.${f}`, f, 'empty')),
    img('odd.raw', 'odd.raw', 'raw', 'odd', true),
    img('odd.qcow2', 'odd.qcow2', 'qcow2', 'odd'),
    img('odd.vmdk', 'odd.vmdk', 'vmdk', 'odd'),
  ];
  const h = (id: string, file: string, format: string, about: string): HostileImage => ({
    id,
    path: join(dir, 'hostile', file),
    format,
    about,
  });
  const hostile: HostileImage[] = [
    h('truncated.qcow2', 'truncated.qcow2', 'qcow2', 'qcow2 cut after 300 KiB'),
    h('header-only.qcow2', 'header-only.qcow2', 'qcow2', 'qcow2 cut inside its header'),
    h('huge-l1.qcow2', 'huge-l1.qcow2', 'qcow2', 'qcow2 with l1_size 2^31-1'),
    h('far-refcount.qcow2', 'far-refcount.qcow2', 'qcow2', 'qcow2 refcount table far beyond the file end'),
    h('no-extents.vmdk', 'no-extents.vmdk', 'vmdk', 'VMDK descriptor without extents (native asserts)'),
    h('escaping-extent.vmdk', 'escaping-extent.vmdk', 'vmdk', 'VMDK extent ../../etc/passwd'),
    h('missing-extent.vmdk', 'missing-extent.vmdk', 'vmdk', 'VMDK extent that does not exist'),
    h('random.qcow2', 'random.bin', 'qcow2', 'random bytes as qcow2'),
    h('random.vmdk', 'random.bin', 'vmdk', 'random bytes as vmdk'),
    h('random.vhdx', 'random.bin', 'vhdx', 'random bytes as vhdx'),
    h('random.vdi', 'random.bin', 'vdi', 'random bytes as vdi'),
    h('random.vpc', 'random.bin', 'vpc', 'random bytes as vpc'),
    h('random.qed', 'random.bin', 'qed', 'random bytes as qed'),
    h('random.parallels', 'random.bin', 'parallels', 'random bytes as parallels'),
    h('truncated-stream.vmdk', 'truncated-stream.vmdk', 'vmdk', 'streamOptimized VMDK cut in half'),
    h('truncated.vhdx', 'truncated.vhdx', 'vhdx', 'VHDX cut after 3 MiB'),
  ];
  const byId = new Map(images.map((i) => [i.id, i]));
  const pick = (id: string) => {
    const i = byId.get(id);
    if (!i) throw new Error(`corpus: no image ${id}`);
    return i;
  };
  const matrixSources: Record<WritableFormat, CorpusImage> = {
    raw: pick('small.raw'),
    qcow2: pick('small.qcow2'),
    qcow: pick('small.qcow'),
    vmdk: pick('small.vmdk-monolithicSparse'),
    vdi: pick('small.vdi'),
    vpc: pick('small.vpc'),
    vhdx: pick('small.vhdx'),
    qed: pick('small.qed'),
    parallels: pick('small.parallels'),
  };
  return { dir, images, hostile, matrixSources };
}

/** Returns the corpus, generating it first when missing or stale (a few seconds). */
export function ensureCorpus(): Corpus {
  const root = corpusRoot();
  const dir = join(root, corpusKey());
  buildOnce(dir, build);
  // The overlay's relative backing path and multi-file VMDKs survive the rename: all paths inside
  // the images are relative to their own directory.
  return describe(dir);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t = Date.now();
  const c = ensureCorpus();
  console.log(`${c.dir} (${c.images.length} images, ${c.hostile.length} hostile) in ${Date.now() - t} ms`);
}
