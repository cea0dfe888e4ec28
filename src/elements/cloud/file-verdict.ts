// The safety verdict for a file chosen in the upload form without going through the inspector:
// the same pure-TS core check (src/core/inspect/safety.ts), reading only bounded regions.
import { minDiskGiB } from '../../core/inspect/properties.ts';
import { blobSource } from '../../core/inspect/byte-source.ts';
import { inspectSafety } from '../../core/inspect/safety.ts';
import type { InspectionLike } from './cloud-create-form.ts';
import { glanceDiskFormatFor } from '../../core/inspect/glance-formats.ts';
import type { Verdict } from './preflight.ts';
import type { FormatName } from '../../core/inspect/types.ts';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import { findingMessage, type LocalisableFinding } from '../inspector/image-inspector-findings.ts';

export async function verdictForFile(file: File): Promise<{ verdict: Verdict; inspection: InspectionLike | null }> {
  try {
    const report = await inspectSafety(blobSource(file, file.name));
    // nothing recognised is what Glance calls raw
    const diskFormat = glanceDiskFormatFor(report.detected ?? 'raw', report.details);
    const blocking = report.findings.find((f) => f.severity === 'error');
    const virtualSize = report.details.virtualSize;
    return {
      verdict: {
        safe: report.safe,
        diskFormat,
        // the message only: what to do about it is the form's one sentence (convert first)
        reason: blocking ? findingMessage(blocking) : undefined,
      },
      inspection: {
        file: { name: file.name, size: file.size },
        format: diskFormat ?? undefined,
        virtualSize,
        safety: { safe: report.safe, findings: report.findings },
        suggested: {
          ...(diskFormat ? { disk_format: diskFormat } : {}),
          ...(virtualSize ? { min_disk: minDiskGiB(virtualSize) } : {}),
        },
      },
    };
  } catch (e) {
    return {
      verdict: { safe: false, diskFormat: null, reason: msg(str`the file could not be read (${(e as Error).message})`) },
      inspection: null,
    };
  }
}

/** The verdict an inspection (the inspector's event detail) carries, or null without a safety part. */
export function verdictFromInspection(r: InspectionLike): Verdict | null {
  if (!r.safety) return null;
  const suggested = typeof r.suggested?.disk_format === 'string' ? r.suggested.disk_format : null;
  return {
    safe: r.safety.safe,
    diskFormat: suggested ?? glanceDiskFormatFor((r.detected ?? r.format ?? null) as FormatName | null),
    reason: firstReason(r.safety.findings),
  };
}

function firstReason(findings: unknown[] | undefined): string | undefined {
  for (const f of findings ?? []) {
    const o = f as Partial<LocalisableFinding> & { severity?: string };
    if (o && o.severity === 'error' && typeof o.message === 'string')
      return typeof o.code === 'string' ? findingMessage(o as LocalisableFinding) : o.message;
  }
  return undefined;
}
