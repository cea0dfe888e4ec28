// The package's Node entry (`import { inspect } from 'image-inspector/node'`): the same inspection
// as `image-inspector inspect --json` and the element's `image-inspected` detail, for scripts.
// qemu-img (WebAssembly) runs in worker threads kept warm between calls: call shutdown() when done
// so the process can exit.
import { inspectFile } from './inspect-command.ts';
import { runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';
import type { InspectionResult } from '../core/inspection.ts';

export type { InspectionResult } from '../core/inspection.ts';
export type { SafetyReport } from '../core/inspect/types.ts';
export type { Finding } from '../core/inspect/findings.ts';

export interface InspectOptions {
  /** The disk_format you mean to declare to Glance; a different content format is a finding. */
  declaredFormat?: string;
}

/** Inspects one image file on this machine (read by bounded slices, never whole). */
export function inspect(path: string, options: InspectOptions = {}): Promise<InspectionResult> {
  return inspectFile(path, options.declaredFormat, runQemuImg);
}

/** Stops the qemu-img threads inspect() keeps for the next call. */
export function shutdown(): Promise<void> {
  return shutdownQemuImg();
}
