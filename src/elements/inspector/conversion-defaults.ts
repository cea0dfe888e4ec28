// What a conversion starts from: the target offered by default for a source, and the guest facts
// a converted output inherits from its source. Pure (no DOM, no Lit): unit-tested in Node.
import type { InspectionResult } from '../../core/inspection.ts';

/** The cloud's wish for the output format (from Glance's stores and import plugins), if known. */
export interface CloudPreference {
  target: string;
  /** Stable code of why (the view words it): e.g. 'rbd-store' (Ceph wants raw). */
  why: string;
}

/** The target offered first: what the cloud wants when one is signed in, else qcow2, but never
 *  the source's own format (converting qcow2 to qcow2 is rarely what someone came for). */
export function defaultTarget(result: InspectionResult | undefined, cloud?: CloudPreference): string {
  const own = result?.info?.format ?? result?.format ?? '';
  if (cloud && cloud.target !== own) return cloud.target;
  return own === 'qcow2' ? 'raw' : 'qcow2';
}

/** Properties that describe the guest, not the container: still true of the converted disk,
 *  though only the source's metadata (a VMDK descriptor, an OVF) could tell them. */
const GUEST_HINTS = ['hw_disk_bus', 'hw_scsi_model', 'hw_firmware_type', 'architecture', 'os_type', 'os_distro', 'min_ram'];

/** The output's result with the guest hints it lacks taken from the source's, or undefined when
 *  there is nothing to add. */
export function carryGuestHints(source: InspectionResult, output: InspectionResult): InspectionResult | undefined {
  const suggested = { ...output.suggested };
  const suggestedFrom = { ...output.suggestedFrom };
  let added = false;
  for (const key of GUEST_HINTS) {
    const value = source.suggested[key];
    if (value === undefined || suggested[key] !== undefined) continue;
    suggested[key] = value;
    suggestedFrom[key] = `converted from ${source.file}: ${source.suggestedFrom[key] ?? 'its metadata'}`;
    added = true;
  }
  return added ? { ...output, suggested, suggestedFrom } : undefined;
}
