// The final inspection object: the CLI's JSON output and exactly the `detail` of the element's
// `image-inspected` event. Pure: built from the safety report and the qemu-img results.
import {
  checkFindings,
  stderrTail,
  summariseCheck,
  summariseMap,
  type AllocationSummary,
  type CheckSummary,
  type QemuRun,
} from './inspect/qemu-check.ts';
import { finding, hasErrors, type Finding } from './inspect/findings.ts';
import { suggestProperties } from './inspect/properties.ts';
import type { PropertySource } from './inspect/property-sources.ts';
import type { SafetyReport } from './inspect/types.ts';
import type { GuestJson, GuestStats } from './guest/contract.ts';
import type { ChecklistDetail } from './guest/types.ts';

/** `qemu-img info --output=json` as qemu prints it (fields used here; the rest passes through). */
export interface QemuImgInfo {
  'virtual-size'?: number;
  filename?: string;
  format?: string;
  'actual-size'?: number;
  'cluster-size'?: number;
  'dirty-flag'?: boolean;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'backing-filename-format'?: string;
  encrypted?: boolean;
  'format-specific'?: { type?: string; data?: Record<string, unknown> };
  [key: string]: unknown;
}

export interface InspectionInput {
  /** Display name of the file (what the user chose). */
  file: string;
  safety: SafetyReport;
  info?: QemuImgInfo | null;
  check?: QemuRun | null;
  map?: QemuRun | null;
  /** Why qemu-img was not run, when the caller skipped it for a reason of its own. */
  qemuSkipped?: string;
  /** qemu-img info ran and could not read the image (exit status and stderr's last line). */
  infoFailure?: { format: string; reason: string };
}

export interface InspectionResult {
  file: string;
  /** qemu-img's format name when qemu-img ran (iso and partitioned disks are "raw" to it), else
   *  the detected format (containers: "ova", "gzip", …); null when nothing could be told. */
  format: string | null;
  virtualSize: number | null;
  info: QemuImgInfo | null;
  safety: { safe: boolean; findings: Finding[] };
  suggested: Record<string, string | number>;
  /** Beyond the contract: where each suggestion came from, content detection, check, allocation. */
  suggestedFrom: Record<string, string>;
  /** The same origins as stable codes with parameters (property-sources.ts), for localisation. */
  suggestedWhy?: Record<string, PropertySource>;
  detected: string | null;
  check?: CheckSummary;
  allocation?: AllocationSummary;
  /** Issue 10's contract: the guest read from the image; null when it holds no readable guest;
   *  absent when the guest step did not run (--no-guest). */
  guest?: GuestJson | null;
  guestStats?: GuestStats;
  /** Beyond the contract: guest.checklist's details as codes with parameters (checklist-details.ts). */
  guestDetails?: ChecklistDetail[];
  appliance?: { name?: string; cpus?: number; memoryMiB?: number; os?: string; disks: { name: string; offset: number; size: number }[] };
}

export function buildInspection(input: InspectionInput): InspectionResult {
  const { safety } = input;
  const info = input.info ?? null;
  // qemu-img read the image: every file a multi-file VMDK names was there
  const findings: Finding[] = info ? safety.findings.map(withFilesPresent) : [...safety.findings];
  let check: CheckSummary | undefined;
  if (input.check) {
    check = summariseCheck(input.check);
    if (check.status !== 'unsupported') findings.push(...checkFindings(input.check));
  }
  if (!info && !input.infoFailure) {
    if (safety.qemuAccess === 'none') {
      findings.push(
        finding(
          'qemu.not-opened',
          'info',
          'qemu-img was not run on this file: its structure is hostile, unknown or a container, and opening it is exactly what the checks above guard against.',
          'See the findings above.',
        ),
      );
    } else if (input.qemuSkipped) {
      findings.push(finding('qemu.not-run', 'info', `qemu-img was not run: ${input.qemuSkipped}.`, '', { reason: input.qemuSkipped }));
    }
  }
  const allocation = input.map && input.map.exitCode === 0 ? summariseMap(input.map.stdout, info?.['virtual-size'] ?? 0) : undefined;
  if (allocation && holesInvisible(safety, info)) allocation.holesVisible = false;
  if (input.map && !allocation) {
    // The allocation summary is a convenience: its absence does not make the image unsafe.
    const why = [input.map.failure, stderrTail(input.map)].filter(Boolean).join(': ') || `exit ${input.map.exitCode}`;
    findings.push(
      finding(
        'qemu.map-failed',
        'warning',
        `qemu-img map did not produce an allocation summary (${why}).`,
        'Nothing to do for the upload; the allocation summary is only shown for information.',
        { reason: why },
      ),
    );
  }
  if (input.infoFailure) {
    const { format, reason } = input.infoFailure;
    findings.push(
      finding(
        'qemu.info-failed',
        'error',
        `qemu-img could not read the image as ${format}: ${reason}.`,
        'Do not upload this file as it is; convert it if you trust its source.',
        { format, reason },
      ),
    );
  }
  const { properties, sources, sourceCodes } = suggestProperties({ detected: safety.detected, details: safety.details, info });
  const virtualSize = info?.['virtual-size'] ?? safety.details.virtualSize ?? null;

  const result: InspectionResult = {
    file: input.file,
    format: info?.format ?? safety.detected,
    virtualSize: virtualSize !== null && Number.isFinite(virtualSize) ? virtualSize : null,
    info,
    safety: { safe: !hasErrors(findings), findings },
    suggested: properties,
    suggestedFrom: sources,
    suggestedWhy: sourceCodes,
    detected: safety.detected,
  };
  if (check) result.check = check;
  if (allocation) result.allocation = allocation;
  const ova = safety.details.ova;
  if (ova) {
    const o = ova.ovf;
    result.appliance = { disks: ova.disks.map(({ name, offset, size }) => ({ name, offset, size })) };
    if (o?.name) result.appliance.name = o.name;
    if (o?.cpus) result.appliance.cpus = o.cpus;
    if (o?.memoryMiB) result.appliance.memoryMiB = o.memoryMiB;
    const os = o?.osType ?? o?.osDescription;
    if (os) result.appliance.os = os;
  }
  return result;
}

/** Raw data (raw files, flat VMDK extents) has no allocation metadata: holes are only visible to
 *  SEEK_HOLE, which the wasm qemu-img does not have. */
function holesInvisible(safety: SafetyReport, info: QemuImgInfo | null): boolean {
  if (info?.format === 'raw') return true;
  return !!safety.details.vmdk?.extents.some((e) => /^(FLAT|VMFS)$/i.test(e.type));
}

/** A multi-file VMDK whose extent files were all given: the fixes that ask to select them with
 *  the descriptor are done already. */
function withFilesPresent(f: Finding): Finding {
  if (f.code === 'vmdk.create-type' && f.params?.['createType'] !== 'vmfsSparse' && /select the descriptor/.test(f.fix))
    return {
      ...f,
      fix: 'Convert it to a single-file image (qcow2, or a streamOptimized VMDK): image-inspector can do it here, from the descriptor and its extent files.',
      params: { ...f.params, present: 1 },
    };
  if (f.code === 'vmdk.multi-file')
    return { ...f, fix: 'Nothing more to select: the descriptor and all its extent files are here.', params: { ...f.params, present: 1 } };
  return f;
}
