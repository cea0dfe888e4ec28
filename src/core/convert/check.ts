// Refuses, before anything runs, the option combinations qemu-img itself would refuse (each one is
// checked against native qemu-img in test/parity/convert-cli-options.test.ts), with a sentence a
// user can act on. Anything passed through in `extra` is left to qemu-img.
import type { ConvertOptions, ConvertTarget, EngineFeatures } from './options.ts';
import {
  COMPRESSIBLE_TARGETS,
  CONVERT_FORMATS,
  QCOW2_COMPAT,
  QCOW2_COMPRESSION_TYPES,
  QCOW2_PREALLOCATION,
  RAW_PREALLOCATION,
  VHD_SUBFORMATS,
  VHDX_SUBFORMATS,
  VMDK_ADAPTER_TYPES,
  VMDK_SUBFORMATS,
} from './options.ts';
import { problem, type ConvertProblem } from './problems.ts';

const MiB = 1024 * 1024;
const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 2 ** 30;

function enumProblems(target: ConvertTarget, o: ConvertOptions): ConvertProblem[] {
  const out: ConvertProblem[] = [];
  const check = (key: string, value: string | undefined, allowed: readonly string[]) => {
    if (value !== undefined && !allowed.includes(value)) {
      const expected = allowed.join(', ');
      out.push(problem('bad-value', `qemu-img does not accept ${key}=${value} (expected ${expected}).`, { key, value, expected }));
    }
  };
  if (target === 'qcow2') {
    check('compat', o.qcow2.compat, QCOW2_COMPAT);
    check('compression_type', o.qcow2.compressionType, QCOW2_COMPRESSION_TYPES);
    check('preallocation', o.qcow2.preallocation, QCOW2_PREALLOCATION);
  } else if (target === 'raw') check('preallocation', o.raw.preallocation, RAW_PREALLOCATION);
  else if (target === 'vmdk') {
    check('subformat', o.vmdk.subformat, VMDK_SUBFORMATS);
    check('adapter_type', o.vmdk.adapterType, VMDK_ADAPTER_TYPES);
  } else if (target === 'vhd') check('subformat', o.vhd.subformat, VHD_SUBFORMATS);
  else if (target === 'vhdx') check('subformat', o.vhdx.subformat, VHDX_SUBFORMATS);
  return out;
}

function qcow2Problems(o: ConvertOptions, features: EngineFeatures): ConvertProblem[] {
  const q = o.qcow2;
  const out: ConvertProblem[] = [];
  if (o.compress && q.preallocation !== undefined && q.preallocation !== 'off') {
    out.push(
      problem('compress-preallocation', `Compression and preallocation (${q.preallocation}) cannot be used together.`, {
        preallocation: q.preallocation,
      }),
    );
  }
  if (q.compat === '0.10' && q.lazyRefcounts) {
    out.push(problem('compat-lazy-refcounts', 'Lazy refcounts need qcow2 compat 1.1; compat 0.10 images cannot have them.'));
  }
  if (q.compressionType === 'zstd' && q.compat === '0.10') {
    out.push(problem('compat-compression-type', 'zstd compression needs qcow2 compat 1.1; compat 0.10 images only know zlib.'));
  }
  if (q.compressionType === 'zstd' && !features.zstd) {
    out.push(problem('zstd-unavailable', 'This build of qemu-img has no zstd support: choose zlib compression.'));
  }
  const cs = q.clusterSize;
  if (cs !== undefined && !(isPowerOfTwo(cs) && cs >= 512 && cs <= 2 * MiB)) {
    out.push(problem('cluster-size', `The qcow2 cluster size must be a power of two from 512 bytes to 2 MiB (not ${cs}).`, { size: cs }));
  }
  return out;
}

/** Every reason qemu-img would refuse this conversion's options; empty when it may run. */
export function checkConvertOptions(target: ConvertTarget, options: ConvertOptions, features: EngineFeatures): ConvertProblem[] {
  if (!CONVERT_FORMATS.includes(target)) {
    const expected = CONVERT_FORMATS.join(', ');
    return [
      problem('bad-value', `${String(target)} is not a format this tool converts to (${expected}).`, {
        key: 'target',
        value: target,
        expected,
      }),
    ];
  }
  const out = enumProblems(target, options);
  if (options.compress && !COMPRESSIBLE_TARGETS.includes(target)) {
    out.push(problem('compress-unsupported', `qemu-img cannot compress ${target} output (only qcow2 and VMDK).`, { format: target }));
  }
  if (target === 'qcow2') out.push(...qcow2Problems(options, features));
  if (target === 'vmdk') {
    const sub = options.vmdk.subformat;
    if (options.compress && (sub === 'monolithicFlat' || sub === 'twoGbMaxExtentFlat')) {
      out.push(
        problem('compress-flat-vmdk', `A flat VMDK (${sub}) stores no compressed grains: choose a sparse subformat or no compression.`, {
          subformat: sub,
        }),
      );
    }
    const compat6 = options.extra.some(([k, v]) => k === 'compat6' && ['on', 'yes', 'true'].includes(v));
    if (compat6 && options.vmdk.hwversion !== undefined) {
      out.push(problem('hwversion-compat6', 'compat6 and hwversion cannot both be set: hwversion already says the hardware version.'));
    }
  }
  const bs = options.vhdx.blockSize;
  if (target === 'vhdx' && bs !== undefined && bs !== 0) {
    // qemu-img clamps the block size to 1..256 MiB first, then needs a power of two.
    const clamped = Math.min(Math.max(bs, MiB), 256 * MiB);
    if (!isPowerOfTwo(clamped)) {
      out.push(problem('block-size', `The VHDX block size must be a power of two (1 MiB to 256 MiB), not ${bs}.`, { size: bs }));
    }
  }
  return out;
}
