// The conversion model shared by the page and the CLI: which formats `qemu-img convert` can write
// for Glance, the options each of them offers (typed, with qemu-img's names beside them) and the
// defaults. Pure data: no DOM, no worker, no Node. Checking a choice is check.ts, turning it into
// an argv is command.ts.

/** Output formats, by the names users and Glance know them ('vhd' is qemu-img's `vpc`). */
export const CONVERT_FORMATS = ['qcow2', 'raw', 'vmdk', 'vhd', 'vhdx', 'vdi'] as const;
export type ConvertTarget = (typeof CONVERT_FORMATS)[number];

export function isConvertFormat(v: string): v is ConvertTarget {
  return (CONVERT_FORMATS as readonly string[]).includes(v);
}

/** qemu-img's driver name for a target (`-O`). */
export function qemuDriverOf(target: ConvertTarget): string {
  return target === 'vhd' ? 'vpc' : target;
}

/** What the wasm engine can do that not every build can (the page and CLI probe it once). */
export interface EngineFeatures {
  /** qcow2 compression_type=zstd (needs libzstd in the build). */
  zstd: boolean;
}

export const QCOW2_COMPAT = ['0.10', '1.1'] as const;
export const QCOW2_COMPRESSION_TYPES = ['zlib', 'zstd'] as const;
export const QCOW2_PREALLOCATION = ['off', 'metadata', 'falloc', 'full'] as const;
export const RAW_PREALLOCATION = ['off', 'falloc', 'full'] as const;
export const VMDK_SUBFORMATS = [
  'streamOptimized',
  'monolithicSparse',
  'monolithicFlat',
  'twoGbMaxExtentSparse',
  'twoGbMaxExtentFlat',
] as const;
export const VMDK_ADAPTER_TYPES = ['ide', 'lsilogic', 'buslogic', 'legacyESX'] as const;
export const VHD_SUBFORMATS = ['dynamic', 'fixed'] as const;
export const VHDX_SUBFORMATS = ['dynamic', 'fixed'] as const;

export interface Qcow2Options {
  compat: (typeof QCOW2_COMPAT)[number];
  /** Used only by compressed clusters; unset = zlib, qemu-img's default. */
  compressionType?: (typeof QCOW2_COMPRESSION_TYPES)[number];
  /** Bytes; a power of two from 512 to 2 MiB. Unset = 64 KiB. */
  clusterSize?: number;
  preallocation?: (typeof QCOW2_PREALLOCATION)[number];
  lazyRefcounts?: boolean;
}

export interface RawOptions {
  preallocation?: (typeof RAW_PREALLOCATION)[number];
}

export interface VmdkOptions {
  subformat: (typeof VMDK_SUBFORMATS)[number];
  adapterType?: (typeof VMDK_ADAPTER_TYPES)[number];
  /** Virtual hardware version written to the descriptor (qemu-img writes 4 when unset). */
  hwversion?: string;
}

export interface VhdOptions {
  subformat: (typeof VHD_SUBFORMATS)[number];
  /** Keep the exact virtual size instead of rounding it to CHS geometry (Azure needs it). */
  forceSize?: boolean;
}

export interface VhdxOptions {
  subformat: (typeof VHDX_SUBFORMATS)[number];
  /** Bytes; qemu-img clamps it to 1..256 MiB and needs a power of two. Unset = automatic. */
  blockSize?: number;
}

export interface VdiOptions {
  /** Fully allocated image. */
  static?: boolean;
}

/**
 * One conversion's choices. Only the block of the chosen target is read; the others may be left
 * as they are (the page keeps them when the user switches targets).
 */
export interface ConvertOptions {
  /** Zero detection (`-S`): all-zero runs of the source stay holes in the output. On by default;
   *  off writes `-S 0`. */
  zeroDetection: boolean;
  /** `-c`: compressed clusters (qcow2, sparse VMDK subformats). */
  compress: boolean;
  qcow2: Qcow2Options;
  raw: RawOptions;
  vmdk: VmdkOptions;
  vhd: VhdOptions;
  vhdx: VhdxOptions;
  vdi: VdiOptions;
  /** Further `-o` key=value pairs passed to qemu-img untouched, in order (the CLI's `-o` keys that
   *  have no typed field here). qemu-img itself judges them. */
  extra: Array<[string, string]>;
}

/** Defaults: what qemu-img would do, except VMDK, which is streamOptimized (the layout Glance and
 *  vSphere import). */
export function defaultConvertOptions(): ConvertOptions {
  return {
    zeroDetection: true,
    compress: false,
    qcow2: { compat: '1.1' },
    raw: {},
    vmdk: { subformat: 'streamOptimized' },
    vhd: { subformat: 'dynamic' },
    vhdx: { subformat: 'dynamic' },
    vdi: {},
    extra: [],
  };
}

/** Targets whose driver writes compressed clusters with `-c` at all. */
export const COMPRESSIBLE_TARGETS: readonly ConvertTarget[] = ['qcow2', 'vmdk'];

/**
 * Whether the output's own format says where its holes are (so that `compare` skips them by
 * itself): qcow2 without preallocation, the sparse VMDK subformats, dynamic VHD and VHDX (VHDX
 * through our engine's block status), dynamic VDI. The verification then needs no `map` of the
 * output when there is too little data to split (workers/qemu-img/compare.ts).
 */
export function recordsHoles(target: ConvertTarget, o: ConvertOptions): boolean {
  if (o.extra.some(([k]) => k === 'preallocation' || k === 'subformat')) return false;
  switch (target) {
    case 'qcow2':
      return (o.qcow2.preallocation ?? 'off') === 'off';
    case 'vmdk':
      return ['streamOptimized', 'monolithicSparse', 'twoGbMaxExtentSparse'].includes(o.vmdk.subformat);
    case 'vhd':
      return o.vhd.subformat === 'dynamic';
    case 'vhdx':
      return o.vhdx.subformat === 'dynamic';
    case 'vdi':
      return !o.vdi.static;
    default:
      return false;
  }
}
