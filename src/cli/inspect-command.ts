// `image-inspector inspect [--json] [--format F] FILE…`: the safety verdict (read in place by
// bounded slices), then the wasm qemu-img — always with an explicit format, never probing
// (CVE-2022-47951, CVE-2024-32498) and not at all when the structure is hostile — for info,
// check and map, then the suggested Glance properties.
import { BINARY_UNITS, scaleBinary } from '../core/binary-units.ts';
import { resolve } from 'node:path';
import { GLANCE_DISK_FORMATS } from '../core/inspect/glance-formats.ts';
import { printable } from '../core/inspect/findings.ts';
import type { QemuRun } from '../core/inspect/qemu-check.ts';
import type { InspectionResult } from '../core/inspection.ts';
import { inspectImage, type QemuTarget } from '../core/inspection-pipeline.ts';
import { fileSource } from './node-byte-source.ts';
import { createGuestReader, type GuestRun } from '../../workers/qemu-img/guest-reader.ts';
import { guestSummary } from './guest-summary.ts';

/** Each qemu-img run of the guest reader reads one window: a few hundred ms even on a busy machine. */
const GUEST_RUN_TIMEOUT_MS = 60_000;

export const usage = `usage: image-inspector inspect [--json] [--format F] FILE…

Checks each image the way OpenStack Glance does before accepting an upload, runs qemu-img
(WebAssembly) info, check and map on it with an explicit format, and suggests Glance properties.

  --json        print one JSON object (an array for several files) instead of a summary
  --format F    the disk_format you mean to declare to Glance (raw, qcow2, vmdk, vhd, vhdx,
                vdi, iso…); a different content format is reported as unsafe
  --no-guest    do not look inside the guest (partitions, LVM, ext4/XFS/FAT: OS facts, the
                cloud-image checklist, suggested os_distro/os_version/architecture…)
  -h, --help    this help

exit status: 0 every file was inspected and is safe to upload as-is with the suggested
             disk_format; 1 at least one file is not (see its findings); 2 a file could not
             be read or the arguments are wrong.
`;

type Runner = (args: string[], opts: { timeoutMs?: number; signal?: AbortSignal }) => Promise<QemuRun>;

/** How qemu-img is pointed at the image on the host: `-f FMT path`, or for a disk inside an OVA
 *  the raw driver's offset/size window under the disk's driver (still no probing). */
function qemuImageArgs(path: string, target: QemuTarget): string[] {
  const file = path.replaceAll(',', ',,');
  const m = target.member;
  if (!m) return ['-f', target.format, path];
  const opts =
    target.format === 'raw'
      ? `driver=raw,offset=${m.offset},size=${m.size},file.driver=file,file.filename=${file}`
      : `driver=${target.format},file.driver=raw,file.offset=${m.offset},file.size=${m.size},file.file.driver=file,file.file.filename=${file}`;
  return ['--image-opts', opts];
}

/** `onTarget`: what qemu-img was pointed at (the `convert` command converts that same target).
 *  `guest`: how the guest reader runs qemu-img (the guest step then reads any format); false or
 *  absent skips the guest step. `shownAs`: the name the result gives the file when it is read
 *  under another one (convert's staged output, read before it is renamed onto OUT). */
export async function inspectFile(
  path: string,
  declaredFormat: string | undefined,
  runQemu: Runner,
  onTarget?: (target: QemuTarget) => void,
  guest: GuestRun | false = false,
  shownAs?: string,
): Promise<InspectionResult> {
  const source = await fileSource(path);
  try {
    const r = await inspectImage({
      file: shownAs ?? path,
      source,
      ...(declaredFormat ? { declaredFormat } : {}),
      ...(guest ? {} : { guest: false }),
      open: (target) => {
        onTarget?.(target);
        const image = qemuImageArgs(resolve(path), target);
        return {
          image,
          run: runQemu,
          ...(guest ? { guest: (size, isZero) => createGuestReader({ image, size, run: guest, ...(isZero ? { isZero } : {}) }) } : {}),
        };
      },
    });
    // qemu-img names the file it opened (info's filename, a VMDK's extents, messages): the name
    // it would have printed for `shownAs`.
    return shownAs === undefined ? r : renamed(r, resolve(path), resolve(shownAs));
  } finally {
    await source.close();
  }
}

function renamed<T>(v: T, from: string, to: string): T {
  if (typeof v === 'string') return v.replaceAll(from, to) as T;
  if (Array.isArray(v)) return v.map((x: unknown) => renamed(x, from, to)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renamed(x, from, to)])) as T;
  return v;
}

/** inspect's flags; INSPECT_DEFAULTS are what `inspect FILE` does without any. */
export interface InspectFlags {
  declared?: string;
  guest: boolean;
}
export const INSPECT_DEFAULTS: Readonly<InspectFlags> = Object.freeze({ guest: true });

/** The inspection `inspect` reports for one file — also convert's `inspection` of its output
 *  (with INSPECT_DEFAULTS), so that it is exactly what `inspect --json OUT` prints. */
export function inspectAsCommand(
  path: string,
  flags: InspectFlags,
  run: Runner,
  guestRun: GuestRun,
  shownAs?: string,
): Promise<InspectionResult> {
  return inspectFile(path, flags.declared, run, undefined, flags.guest && guestRun, shownAs);
}

/** The guest reader's qemu-img runs (memory outputs, a deadline of their own). */
export function guestRunner(qemu: typeof import('../../workers/qemu-img/node.ts'), signal?: AbortSignal): GuestRun {
  return (qargs, output) =>
    qemu.runQemuImg(qargs, { memoryOutputs: [output], timeoutMs: GUEST_RUN_TIMEOUT_MS, ...(signal ? { signal } : {}) });
}

function human(n: number): string {
  const { value: v, exponent: i } = scaleBinary(n, 4);
  return i === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 2 : 1).replace(/\.?0+$/, '')} ${BINARY_UNITS[i]} (${n} bytes)`;
}

export function summary(r: InspectionResult): string {
  const lines = [
    `${r.file}: ${r.format ?? 'unknown'}${r.detected && r.detected !== r.format ? ` (content: ${r.detected})` : ''}` +
      `${r.virtualSize !== null ? `, virtual size ${human(r.virtualSize)}` : ''}`,
  ];
  lines.push(`  verdict: ${r.safety.safe ? 'SAFE to upload as-is' : 'NOT SAFE to upload as-is'}`);
  for (const f of r.safety.findings) {
    lines.push(`  ${f.severity.padEnd(7)} ${f.code}: ${f.message}`);
    if (f.fix) lines.push(`          fix: ${f.fix}`);
  }
  if (r.check) lines.push(`  check: ${r.check.status}`);
  if (r.allocation) {
    const a = r.allocation;
    lines.push(`  allocation: ${human(a.data)} data, ${human(a.zero)} zero, ${human(a.unallocated)} unallocated`);
  }
  if (r.guest !== undefined) lines.push(...guestSummary(r.guest));
  const props = Object.entries(r.suggested);
  if (props.length) {
    lines.push('  suggested properties:');
    for (const [k, v] of props) lines.push(`    ${k}=${v}    (${r.suggestedFrom[k]})`);
  }
  return `${lines.map(printable).join('\n')}\n`;
}

export interface RunIo {
  /** qemu-img runner (default: the wasm qemu-img of workers/qemu-img/node.ts). */
  runner?: Runner;
  /** qemu-img runner with memory outputs for the guest reader (default: the wasm qemu-img). */
  guestRunner?: GuestRun;
  out?: (s: string) => void;
  err?: (s: string) => void;
}

export async function run(args: string[], io: RunIo = {}): Promise<number> {
  const runner = io.runner;
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  let json = false;
  const flags: InspectFlags = { ...INSPECT_DEFAULTS };
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '--no-guest') flags.guest = false;
    else if (a === '--format' || a === '-f') {
      flags.declared = args[++i];
      if (!flags.declared) {
        err(`image-inspector inspect: ${a} needs a value\n${usage}`);
        return 2;
      }
    } else if (a.startsWith('--format=')) flags.declared = a.slice(9);
    else if (a === '-h' || a === '--help') {
      out(usage);
      return 0;
    } else if (a === '--') {
      // the rest are files, also those named '-…' (as convert takes them)
      files.push(...args.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a !== '-') {
      err(`image-inspector inspect: unknown option ${a}\n${usage}`);
      return 2;
    } else files.push(a);
  }
  if (!files.length) {
    err(usage);
    return 2;
  }
  const declared = flags.declared;
  if (declared && ![...GLANCE_DISK_FORMATS, 'gpt', 'vpc'].includes(declared.toLowerCase())) {
    err(`image-inspector inspect: --format ${declared} is not a Glance disk_format (${GLANCE_DISK_FORMATS.join(', ')})\n`);
    return 2;
  }

  let shutdown: (() => Promise<void>) | undefined;
  const runQemu: Runner =
    runner ??
    (async (qargs, opts) => {
      const m = await import('../../workers/qemu-img/node.ts');
      shutdown = m.shutdownQemuImg;
      return m.runQemuImg(qargs, opts);
    });
  const guestRun: GuestRun =
    io.guestRunner ??
    (async (qargs, output) => {
      const m = await import('../../workers/qemu-img/node.ts');
      shutdown = m.shutdownQemuImg;
      return guestRunner(m)(qargs, output);
    });
  const results: InspectionResult[] = [];
  let status = 0;
  try {
    for (const f of files) {
      try {
        const r = await inspectAsCommand(f, flags, runQemu, guestRun);
        results.push(r);
        if (!r.safety.safe) status = Math.max(status, 1);
        if (!json) out(summary(r));
      } catch (e) {
        status = 2;
        err(`image-inspector inspect: ${f}: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
  } finally {
    await shutdown?.();
  }
  if (json) out(`${JSON.stringify(files.length === 1 ? (results[0] ?? null) : results, null, 2)}\n`);
  return status;
}
