// From a conversion's choices to the exact `qemu-img convert` argv (run as is and shown to users),
// and back from qemu-img's own `-o` syntax (the CLI's `-o`) to the typed options.
import type { ConvertOptions, ConvertTarget } from './options.ts';
import {
  QCOW2_COMPAT,
  QCOW2_COMPRESSION_TYPES,
  QCOW2_PREALLOCATION,
  RAW_PREALLOCATION,
  VHD_SUBFORMATS,
  VHDX_SUBFORMATS,
  VMDK_ADAPTER_TYPES,
  VMDK_SUBFORMATS,
  qemuDriverOf,
} from './options.ts';
import type { ConvertProblem } from './problems.ts';
import { problem } from './problems.ts';

export interface ConvertSource {
  path: string;
  /** qemu-img driver of the source, from inspection (never probed). */
  format: string;
  /** Instead of `-f format path`: a `--image-opts` string (a disk read in place inside an OVA). */
  imageOpts?: string;
}

export interface ConvertOutput {
  path: string;
}

/** qemu-img's `-o` escaping: a comma inside a value is written twice. */
function escapeValue(v: string): string {
  return v.replaceAll(',', ',,');
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

/** The `-o` pairs for a target, typed fields first (in a fixed order), then the pass-through ones. */
export function qemuOptionPairs(target: ConvertTarget, o: ConvertOptions): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const add = (k: string, v: string | number | boolean | undefined) => {
    if (v !== undefined) pairs.push([k, typeof v === 'boolean' ? onOff(v) : String(v)]);
  };
  switch (target) {
    case 'qcow2':
      add('compat', o.qcow2.compat);
      add('compression_type', o.qcow2.compressionType);
      add('cluster_size', o.qcow2.clusterSize);
      add('preallocation', o.qcow2.preallocation);
      add('lazy_refcounts', o.qcow2.lazyRefcounts);
      break;
    case 'raw':
      add('preallocation', o.raw.preallocation);
      break;
    case 'vmdk':
      add('subformat', o.vmdk.subformat);
      add('adapter_type', o.vmdk.adapterType);
      add('hwversion', o.vmdk.hwversion);
      break;
    case 'vhd':
      add('subformat', o.vhd.subformat);
      add('force_size', o.vhd.forceSize);
      break;
    case 'vhdx':
      add('subformat', o.vhdx.subformat);
      add('block_size', o.vhdx.blockSize);
      break;
    case 'vdi':
      add('static', o.vdi.static);
      break;
  }
  return [...pairs, ...o.extra];
}

/**
 * The `qemu-img convert` arguments (without "qemu-img"): `-p` for progress, the source's format
 * given explicitly, `-c` (with `-W` for qcow2) / `-S 0` when chosen, one `-o` with every option.
 */
export function convertArgs(source: ConvertSource, output: ConvertOutput, target: ConvertTarget, options: ConvertOptions): string[] {
  const args = ['convert', '-p'];
  if (source.imageOpts !== undefined) args.push('--image-opts');
  else args.push('-f', source.format);
  args.push('-O', qemuDriverOf(target));
  if (options.compress) args.push('-c');
  // Out-of-order writes let the coroutines compress clusters side by side (qcow2 places each
  // compressed cluster at the file's end under its lock, in any order; qemu-img's manual still
  // warns, from before that). VMDK's streams must stay in order.
  if (options.compress && target === 'qcow2') args.push('-W');
  if (!options.zeroDetection) args.push('-S', '0');
  const pairs = qemuOptionPairs(target, options);
  if (pairs.length) args.push('-o', pairs.map(([k, v]) => `${k}=${escapeValue(v)}`).join(','));
  const files = [source.imageOpts ?? source.path, output.path];
  // a file named '-x' (the CLI takes it after `--`) would be read as qemu-img options: getopt stops at '--'
  if (files.some((f) => f.startsWith('-'))) args.push('--');
  args.push(...files);
  return args;
}

/** Splits a `-o` string as qemu-img does: `,` separates, `,,` is a literal comma, a bare key means
 *  `key=on`. */
export function parseQemuOptions(s: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let cur = '';
  const items: string[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ',' && s[i + 1] === ',') {
      cur += ',';
      i++;
    } else if (s[i] === ',') {
      items.push(cur);
      cur = '';
    } else cur += s[i];
  }
  items.push(cur);
  for (const item of items) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    pairs.push(eq < 0 ? [item, 'on'] : [item.slice(0, eq), item.slice(eq + 1)]);
  }
  return pairs;
}

const SIZE_UNITS: Record<string, number> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60 };

/** qemu's size syntax: bytes, hex, or a (decimal) number with a binary suffix (64k, 1.5M). */
export function parseQemuSize(v: string): number | undefined {
  const m = /^\s*(0x[0-9a-f]+|\d+(?:\.\d+)?)([bkmgtpe])?$/i.exec(v);
  if (!m) return undefined;
  const n = m[1]!.toLowerCase().startsWith('0x') ? parseInt(m[1]!, 16) : Number(m[1]);
  if (!m[2] && !Number.isInteger(n)) return undefined;
  return Math.round(n * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]!);
}

function parseBool(v: string): boolean | undefined {
  if (['on', 'yes', 'true'].includes(v)) return true;
  if (['off', 'no', 'false'].includes(v)) return false;
  return undefined;
}

function oneOf<T extends string>(allowed: readonly T[], v: string): T | undefined {
  return (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

/** qemu-img's aliases of qcow2 compat levels. */
const COMPAT_ALIASES: Record<string, string> = { v2: '0.10', v3: '1.1' };

/**
 * Applies `-o` pairs to options (a copy): keys this model knows set their typed field, other keys
 * go to `extra` for qemu-img to judge. A known key with a value qemu-img would refuse is a problem.
 */
export function applyQemuOptions(
  target: ConvertTarget,
  base: ConvertOptions,
  pairs: Array<[string, string]>,
): { options: ConvertOptions; problems: ConvertProblem[] } {
  const o: ConvertOptions = structuredClone(base);
  const problems: ConvertProblem[] = [];
  const bad = (key: string, value: string, expected: string) =>
    problems.push(problem('bad-value', `qemu-img does not accept ${key}=${value} (expected ${expected}).`, { key, value, expected }));
  const pick = <T extends string>(key: string, value: string, allowed: readonly T[], set: (v: T) => void) => {
    const v = oneOf(allowed, value);
    if (v === undefined) bad(key, value, allowed.join(', '));
    else set(v);
  };
  const bool = (key: string, value: string, set: (v: boolean) => void) => {
    const v = parseBool(value);
    if (v === undefined) bad(key, value, 'on or off');
    else set(v);
  };
  const size = (key: string, value: string, set: (v: number) => void) => {
    const v = parseQemuSize(value);
    if (v === undefined) bad(key, value, 'a size such as 65536 or 64k');
    else set(v);
  };
  for (const [key, value] of pairs) {
    const k = `${target}:${key}`;
    if (k === 'qcow2:compat') pick(key, COMPAT_ALIASES[value] ?? value, QCOW2_COMPAT, (v) => (o.qcow2.compat = v));
    else if (k === 'qcow2:compression_type') pick(key, value, QCOW2_COMPRESSION_TYPES, (v) => (o.qcow2.compressionType = v));
    else if (k === 'qcow2:cluster_size') size(key, value, (v) => (o.qcow2.clusterSize = v));
    else if (k === 'qcow2:preallocation') pick(key, value, QCOW2_PREALLOCATION, (v) => (o.qcow2.preallocation = v));
    else if (k === 'qcow2:lazy_refcounts') bool(key, value, (v) => (o.qcow2.lazyRefcounts = v));
    else if (k === 'raw:preallocation') pick(key, value, RAW_PREALLOCATION, (v) => (o.raw.preallocation = v));
    else if (k === 'vmdk:subformat') pick(key, value, VMDK_SUBFORMATS, (v) => (o.vmdk.subformat = v));
    else if (k === 'vmdk:adapter_type') pick(key, value, VMDK_ADAPTER_TYPES, (v) => (o.vmdk.adapterType = v));
    else if (k === 'vmdk:hwversion') o.vmdk.hwversion = value;
    else if (k === 'vhd:subformat') pick(key, value, VHD_SUBFORMATS, (v) => (o.vhd.subformat = v));
    else if (k === 'vhd:force_size') bool(key, value, (v) => (o.vhd.forceSize = v));
    else if (k === 'vhdx:subformat') pick(key, value, VHDX_SUBFORMATS, (v) => (o.vhdx.subformat = v));
    else if (k === 'vhdx:block_size') size(key, value, (v) => (o.vhdx.blockSize = v));
    else if (k === 'vdi:static') bool(key, value, (v) => (o.vdi.static = v));
    else o.extra.push([key, value]);
  }
  return { options: o, problems };
}

const SHELL_SAFE = /^[\w@%+=:,./-]+$/;

/** A copyable shell command line: each argument as is when safe, else single-quoted. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map((a) => (SHELL_SAFE.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}
