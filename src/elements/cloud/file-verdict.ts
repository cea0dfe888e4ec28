// The safety verdict for a file chosen in the upload form without going through the inspector:
// the same pure-TS core check (src/core/inspect/safety.ts), reading only bounded regions.
import { blobSource } from '../../core/inspect/byte-source.ts';
import { inspectSafety } from '../../core/inspect/safety.ts';
import type { InspectionLike } from './cloud-create-form.ts';
import { glanceDiskFormatFor } from '../../core/inspect/glance-formats.ts';
import type { Verdict } from './upload-flow.ts';

const GIB = 1024 ** 3;

export async function verdictForFile(file: File): Promise<{ verdict: Verdict; inspection: InspectionLike | null }> {
  try {
    const report = await inspectSafety(blobSource(file, file.name));
    // nothing recognised is what Glance calls raw
    const diskFormat = glanceDiskFormatFor(report.detected ?? 'raw', report.details);
    const blocking = report.findings.find((f) => f.severity === 'error');
    const virtualSize = report.details.virtualSize;
    return {
      verdict: { safe: report.safe, diskFormat, reason: blocking ? `${blocking.message}${blocking.fix ? ` ${blocking.fix}` : ''}` : undefined },
      inspection: {
        file: { name: file.name, size: file.size },
        format: diskFormat ?? undefined,
        virtualSize,
        safety: { safe: report.safe, findings: report.findings },
        suggested: { ...(diskFormat ? { disk_format: diskFormat } : {}), ...(virtualSize ? { min_disk: Math.ceil(virtualSize / GIB) } : {}) },
      },
    };
  } catch (e) {
    return { verdict: { safe: false, diskFormat: null, reason: `the file could not be read (${(e as Error).message})` }, inspection: null };
  }
}
