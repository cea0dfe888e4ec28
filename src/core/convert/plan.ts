// Conversion planning: from an inspection to the qemu-img commands that rewrite the image in a
// format Glance accepts. Pure (no DOM, no worker): the element runs the plan, tests check it.
import type { InspectionResult } from '../inspection.ts';
import { qemuDriverFor } from '../inspect/glance-formats.ts';
import type { FormatName } from '../inspect/types.ts';

/** Output formats worth offering: each is also the Glance disk_format of the result. */
export const CONVERT_TARGETS = ['qcow2', 'raw', 'vmdk', 'vhdx', 'vdi'] as const;
export type ConvertTarget = (typeof CONVERT_TARGETS)[number];
export const DEFAULT_TARGET: ConvertTarget = 'qcow2';

export interface ConversionPlan {
  /** Output format: qemu-img's name for it, which is also the Glance disk_format of the output. */
  target: ConvertTarget;
  /** `qemu-img convert` arguments (without "qemu-img"), reading /in/<inputName>. */
  args: string[];
  /** `qemu-img measure` arguments: how much room the output needs. */
  measureArgs: string[];
  /** Name of the written file, also the name qemu-img sees under /out. */
  outputName: string;
  /** qemu-img's driver for the source: what it read, or (overridden) what the content is. */
  sourceFormat: string;
}

/** Why a plan was refused: a stable code (the element words it per language) and English text. */
export type RefusalCode =
  'bad-target' | 'not-opened' | 'not-read' | 'missing-files' | 'needs-parent' | 'encrypted' | 'incomplete' | 'bad-name';
export type PlanOutcome = { ok: true; plan: ConversionPlan } | { ok: false; code: RefusalCode; reason: string };

/** Glance accepts only the single-file, self-contained VMDK layout. */
const TARGET_OPTIONS: Partial<Record<ConvertTarget, string[]>> = { vmdk: ['-o', 'subformat=streamOptimized'] };

/** Codes whose fix is "bring the parent": converting alone would read a missing backing file. */
const NEEDS_PARENT = new Set(['vhd.differencing', 'vhdx.differencing', 'vdi.differencing']);

/** Codes that say the file is incomplete or its metadata damaged: a conversion would read what
 *  is there and write an image Glance accepts that lacks the guest's data, so it needs the
 *  user's explicit "I know the data is incomplete". */
export const INCOMPLETE_CODES: ReadonlySet<string> = new Set([
  'image.truncated',
  'tar.invalid',
  'check.corruptions',
  'check.crashed',
  'check.failed',
  'vmdk.footer-mismatch',
]);

export interface PlanOptions {
  /** The user said they know the data is incomplete and want what is there converted. */
  acceptIncomplete?: boolean;
  /** The user overrides the safety checks for a local conversion (the page's "Override the
   *  checks and convert anyway"; the CLI's --force lifts the refusal itself, a parent's too, since
   *  it reads the host): qemu-img opens a file they keep it away from, as the format the content
   *  was detected as. */
  overrideSafety?: boolean;
}

export function isConvertTarget(v: string): v is ConvertTarget {
  return (CONVERT_TARGETS as readonly string[]).includes(v);
}

/** Whether the inspection's advice is to convert (the element then shows the control prominently). */
export function conversionAdvised(result: InspectionResult): boolean {
  if (!result.safety.safe) return true;
  return result.safety.findings.some((f) => f.severity !== 'info' && /\bconvert/i.test(f.fix ?? ''));
}

/** `<base>.<target>` from the chosen file's name (each target's name is its usual extension);
 *  never the source's own name. */
export function outputNameFor(file: string, target: ConvertTarget): string {
  const leaf = file.replace(/^.*\//, '');
  const base = leaf.replace(/\.(qcow2?|vmdk|vhdx?|vpc|vdi|raw|img|iso|ova|dmg|hdd|parallels|bin)$/i, '') || 'image';
  const safe = base.replace(/[^\w.+-]/g, '_');
  const name = `${safe}.${target}`;
  return name === leaf ? `${safe}-converted.${target}` : name;
}

/**
 * Plans `qemu-img convert` for an inspected image. `inputName` is the name the source is mounted
 * under in /in (for an OVA: its disk, read in place as a slice of the archive). Refuses, with a
 * reason a user can act on, when qemu-img must not or cannot read the image.
 */
export function planConversion(result: InspectionResult, target: string, inputName: string, opts: PlanOptions = {}): PlanOutcome {
  if (!isConvertTarget(target))
    return { ok: false, code: 'bad-target', reason: `${target} is not a format this tool converts to (${CONVERT_TARGETS.join(', ')}).` };
  const codes = new Set(result.safety.findings.map((f) => f.code));
  const overridden = codes.has('qemu.not-opened') && opts.overrideSafety === true;
  if (codes.has('qemu.not-opened') && !overridden) {
    return {
      ok: false,
      code: 'not-opened',
      reason:
        'The safety checks keep qemu-img away from this file (hostile, unknown or unreadable structure), so it cannot be converted here.',
    };
  }
  const info = result.info;
  // never opened, so never read by qemu-img: the driver is the content's (null when ambiguous)
  const forcedDriver = !info && overridden ? qemuDriverFor(result.detected as FormatName | null) : null;
  if (!info && codes.has('qemu.not-run')) {
    return {
      ok: false,
      code: 'missing-files',
      reason: 'Files this image needs were not selected; select them together with it, then it can be converted here.',
    };
  }
  if (!forcedDriver && (!info || !info.format)) {
    return {
      ok: false,
      code: 'not-read',
      reason: 'qemu-img did not read this image, so it cannot convert it. Fix the findings above first.',
    };
  }
  if ([...codes].some((c) => NEEDS_PARENT.has(c)) || info?.['backing-filename']) {
    return {
      ok: false,
      code: 'needs-parent',
      reason:
        'This image only stores changes on top of a parent image that is not here; converting it needs the parent. Convert it where the parent is (qemu-img convert flattens the chain).',
    };
  }
  if (info?.encrypted) return { ok: false, code: 'encrypted', reason: 'The image is encrypted; decrypt it first.' };
  if (!opts.acceptIncomplete && [...codes].some((c) => INCOMPLETE_CODES.has(c))) {
    return {
      ok: false,
      code: 'incomplete',
      reason:
        'The file is incomplete or its metadata is damaged: a conversion would give an image Glance accepts that lacks much of the guest’s data. Get the complete file again.',
    };
  }
  if (!/^[\w.+-]+$/.test(inputName)) return { ok: false, code: 'bad-name', reason: `Invalid input name ${JSON.stringify(inputName)}.` };

  const driver = info?.format ?? forcedDriver!;
  const outputName = outputNameFor(result.file, target);
  const targetOpts = TARGET_OPTIONS[target] ?? [];
  const src = `/in/${inputName}`;
  return {
    ok: true,
    plan: {
      target,
      args: ['convert', '-p', '-f', driver, '-O', target, ...targetOpts, src, `/out/${outputName}`],
      measureArgs: ['measure', '--output=json', '-f', driver, '-O', target, ...targetOpts, src],
      outputName,
      sourceFormat: driver,
    },
  };
}

/** Room the output needs: `qemu-img measure`'s `required` when it ran, else the virtual size plus
 *  a metadata margin (a fully allocated image of any of the target formats fits in it). */
export function spaceNeeded(virtualSize: number, measureStdout: string | null): number {
  if (measureStdout) {
    try {
      const m = JSON.parse(measureStdout) as { required?: unknown };
      if (typeof m.required === 'number' && Number.isFinite(m.required) && m.required >= 0) return m.required;
    } catch {
      // Falls through to the bound from the virtual size: a bad measure output must not block.
    }
  }
  return Math.ceil(virtualSize * 1.01) + 4 * 1024 * 1024;
}
