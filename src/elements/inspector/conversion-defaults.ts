// What a conversion starts from: the target offered by default for a source, and the guest facts
// a converted output inherits from its source. Pure (no DOM, no Lit): unit-tested in Node.
import type { InspectionResult } from '../../core/inspection.ts';
import type { StoreInfo } from '../../core/openstack/types.ts';
import { source as propertySource, sourceText } from '../../core/inspect/property-sources.ts';

/** What the signed-in cloud's Glance said about itself (the `cloud` property of <image-inspector>). */
export interface CloudFormats {
  /** /v2/info/stores ([] for a single-store Glance). */
  stores: StoreInfo[];
  /** /v2/info/import's import methods. */
  importMethods: string[];
  /** Import plugins, where the cloud advertises them (e.g. "image_conversion"). */
  importPlugins?: string[];
}

/** The cloud's wish for the output format, and why (a stable code the view words). */
export interface CloudPreference {
  target: string;
  why: 'rbd-store' | 'import-converts' | 'file-store';
  /** The store that decided it (for 'rbd-store'). */
  store?: string;
}

/** Ceph RBD boots raw images by copy-on-write clones; a qcow2 there is converted or copied whole
 *  at each boot. /v2/info/stores names the stores, not their types: the name or description tells. */
const RBD = /\b(rbd|ceph)\b/i;

export function cloudPreference(cloud: CloudFormats | null | undefined): CloudPreference | undefined {
  if (!cloud) return undefined;
  const main = cloud.stores.find((s) => s.default) ?? (cloud.stores.length === 1 ? cloud.stores[0] : undefined);
  if (main && RBD.test(`${main.id} ${main.description ?? ''}`)) return { target: 'raw', why: 'rbd-store', store: main.id };
  // Glance converts on import itself: the smaller qcow2 is the better upload.
  if (cloud.importPlugins?.includes('image_conversion') && cloud.importMethods.includes('glance-direct')) {
    return { target: 'qcow2', why: 'import-converts' };
  }
  return { target: 'qcow2', why: 'file-store' };
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
  const suggestedWhy = { ...output.suggestedWhy };
  let added = false;
  for (const key of GUEST_HINTS) {
    const value = source.suggested[key];
    if (value === undefined || suggested[key] !== undefined) continue;
    suggested[key] = value;
    const inner = source.suggestedWhy?.[key];
    const why = propertySource(
      'converted-from',
      inner
        ? { ...inner.params, file: source.file, innerCode: inner.code, innerText: source.suggestedFrom[key] ?? '' }
        : { file: source.file, innerText: source.suggestedFrom[key] ?? 'its metadata' },
    );
    suggestedFrom[key] = sourceText(why);
    suggestedWhy[key] = why;
    added = true;
  }
  return added ? { ...output, suggested, suggestedFrom, suggestedWhy } : undefined;
}
