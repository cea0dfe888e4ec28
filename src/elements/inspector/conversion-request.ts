// One conversion as the page runs it: the plan's gating (can this image be converted here at
// all?), the shared options model's refusals (can these options run?), and the exact argv from
// the shared model, for the run and for the command line shown to the user. Pure (no DOM, no
// Lit): unit-tested in Node. The options model itself lives in src/core/convert/ (shared with the
// CLI); nothing here re-decides what qemu-img accepts.
import type { InspectionResult } from '../../core/inspection.ts';
import {
  outputNameFor,
  planConversion,
  type ConvertTarget as PlanTarget,
  type PlanOptions,
  type RefusalCode,
} from '../../core/convert/plan.ts';
import {
  isConvertFormat,
  qemuDriverOf,
  recordsHoles,
  type ConvertOptions,
  type ConvertTarget,
  type EngineFeatures,
} from '../../core/convert/options.ts';
import { checkConvertOptions } from '../../core/convert/check.ts';
import { convertArgs, formatCommandLine } from '../../core/convert/command.ts';
import type { ConvertProblem } from '../../core/convert/problems.ts';
import type { CompareSide } from '../../../workers/qemu-img/client.ts';

/** What the engine is assumed to do until it answered the probe (workers/qemu-img/features.ts,
 *  asked by the conversion controller): no libzstd, so qcow2 zstd compression is refused before
 *  starting rather than by qemu-img half-way. */
export const WASM_FEATURES: EngineFeatures = { zstd: false };

export interface PageConversion {
  target: ConvertTarget;
  /** `qemu-img convert` argv as run in the worker (/in, /out). */
  args: string[];
  /** `qemu-img measure` argv: the room the output needs, with the same options. */
  measureArgs: string[];
  outputName: string;
  /** The same command with the files' own names: what a user runs natively to repeat it. */
  commandLine: string;
  /** The output takes its whole virtual size on disk (fixed, static, preallocated): when
   *  `measure` cannot tell (vhd, vhdx), the room it needs is the virtual size, not the data. */
  preallocated: boolean;
  /** Name the finished output is mounted under in /in to be verified (beside the source). */
  verifyName: string;
  /** The two sides of the verification (workers/qemu-img/compare.ts): the source as converted,
   *  the output as mounted for reading. */
  compare: { source: CompareSide; output: CompareSide; outputRecordsHoles: boolean };
}

export type PageConversionOutcome =
  | { ok: true; conversion: PageConversion }
  | { ok: false; refusal: RefusalCode; problems?: undefined }
  | { ok: false; problems: ConvertProblem[]; refusal?: undefined };

/** `measure` takes the output's creation options but neither -p, -c, -W nor -S. */
function measureArgsOf(args: string[]): string[] {
  const out = ['measure', '--output=json'];
  for (let i = 1; i < args.length - 1; i++) {
    const a = args[i]!;
    if (a === '-p' || a === '-c' || a === '-W') continue;
    if (a === '-S') {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function preallocates(target: ConvertTarget, o: ConvertOptions): boolean {
  const full = (p: string | undefined) => p === 'full' || p === 'falloc';
  if (target === 'vhd') return o.vhd.subformat === 'fixed';
  if (target === 'vhdx') return o.vhdx.subformat === 'fixed';
  if (target === 'vdi') return !!o.vdi.static;
  if (target === 'qcow2') return full(o.qcow2.preallocation);
  if (target === 'raw') return full(o.raw.preallocation);
  return false;
}

/** Where the converted disk lies inside the chosen file (a disk read in place inside an OVA). */
export interface ArchiveMember {
  offset: number;
  size: number;
}

/** The `--image-opts` a native qemu-img needs to read a disk in place inside an archive: a raw
 *  window over the file (what the CLI's `convert` shows for an OVA, `sideOpts` of its source). */
function memberImageOpts(file: string, format: string, m: ArchiveMember): string {
  return `driver=${format},file.driver=raw,file.offset=${m.offset},file.size=${m.size},file.file.driver=file,file.file.filename=${file.replaceAll(',', ',,')}`;
}

export function pageConversion(
  result: InspectionResult,
  target: string,
  options: ConvertOptions,
  inputName: string,
  plan: PlanOptions = {},
  features: EngineFeatures = WASM_FEATURES,
  member?: ArchiveMember,
): PageConversionOutcome {
  // The plan's refusals do not depend on the target (only its list of targets does, which the
  // shared model supersedes): ask about qcow2, which every version of the plan knows.
  const gate = planConversion(result, 'qcow2', inputName, plan);
  if (!gate.ok) return { ok: false, refusal: gate.code };
  if (!isConvertFormat(target)) return { ok: false, refusal: 'bad-target' };
  // Options are kept per card across target switches, and the compress box shows for qcow2 alone
  // (VMDK's subformat decides its compression): a choice made for qcow2 follows the user nowhere.
  const effective = target === 'qcow2' ? options : { ...options, compress: false };
  const problems = checkConvertOptions(target, effective, features);
  if (problems.length) return { ok: false, problems };
  const format = gate.plan.sourceFormat;
  // The plan names outputs by target extension; its type predates 'vhd', the code does not care.
  const outputName = outputNameFor(result.file, target as PlanTarget);
  const args = convertArgs({ path: `/in/${inputName}`, format }, { path: `/out/${outputName}` }, target, effective);
  // The page mounts an OVA's disk as a file of its own; natively it is read in place in the OVA.
  const file = result.file.replace(/^.*\//, '');
  const shownSource = member ? { path: file, format, imageOpts: memberImageOpts(file, format, member) } : { path: file, format };
  const shown = convertArgs(shownSource, { path: outputName }, target, effective);
  const verifyName = `verify-${outputName}`;
  return {
    ok: true,
    conversion: {
      target,
      args,
      measureArgs: measureArgsOf(args),
      outputName,
      commandLine: formatCommandLine(['qemu-img', ...shown]),
      verifyName,
      preallocated: preallocates(target, effective),
      compare: {
        source: { path: `/in/${inputName}`, format },
        output: { path: `/in/${verifyName}`, format: qemuDriverOf(target) },
        outputRecordsHoles: recordsHoles(target, effective),
      },
    },
  };
}
