// One voice per card: what the card advises about converting follows from what planConversion
// allows, and a finding whose fix offers a conversion the plan refuses is not shown as advice.
import type { InspectionResult } from '../inspection.ts';
import type { Finding } from '../inspect/findings.ts';
import { DEFAULT_TARGET, conversionAdvised, planConversion, type RefusalCode } from './plan.ts';

export type ConvertAdvice =
  /** Conversion is possible and advised (Glance refuses the file as it is). */
  | { kind: 'advised' }
  /** Conversion is possible, not needed: offered quietly. */
  | { kind: 'optional' }
  /** The data is incomplete: a conversion only behind an explicit acknowledgement. */
  | { kind: 'incomplete'; advised: boolean }
  /** Not possible here; `code` says why. */
  | { kind: 'refused'; code: RefusalCode; advised: boolean };

export function conversionAdvice(result: InspectionResult): ConvertAdvice {
  const advised = conversionAdvised(result);
  const probe = planConversion(result, DEFAULT_TARGET, 'probe');
  if (probe.ok) return advised ? { kind: 'advised' } : { kind: 'optional' };
  if (probe.code === 'incomplete') return { kind: 'incomplete', advised };
  return { kind: 'refused', code: probe.code, advised };
}

/** Whether a finding's fix tells the user to convert (here or elsewhere). */
export function fixOffersConversion(f: Pick<Finding, 'fix'>): boolean {
  return /\bconvert/i.test(f.fix ?? '');
}

/** Whether a finding's fix may be shown beside the card's advice without contradicting it: a
 *  fix that offers a conversion is withheld when the plan refuses one (missing files excepted:
 *  there the fix says which files to add, and then the conversion is possible; and a parent
 *  image's "convert where the parent is" agrees with the needs-parent refusal). */
export function fixAgreesWithAdvice(f: Pick<Finding, 'code' | 'fix'>, advice: ConvertAdvice): boolean {
  if (!fixOffersConversion(f)) return true;
  if (advice.kind === 'incomplete') return false;
  if (advice.kind !== 'refused') return true;
  // "convert it where its parent is" is what a needs-parent refusal says too
  if (advice.code === 'needs-parent') return PARENT_CODES.has(f.code);
  return advice.code === 'missing-files';
}

/** Findings whose fix is to convert where the parent (backing file) is. */
const PARENT_CODES = new Set(['qcow2.backing-file', 'vhd.differencing', 'vhdx.differencing', 'vdi.differencing']);
