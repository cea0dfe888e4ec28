// What the create form says about a rejected file, and when an upload ends: the outcome with its transfer figures, or the
// error once (not also as the failed pre-check line) with what became of the unfinished image.
import { msg, str } from '@lit/localize';
import { isOpenStackError } from '../../core/openstack/errors.ts';
import type { CheckLine } from './cloud-create-form.ts';
import type { Verdict } from './upload-flow.ts';
import { withoutFinalStop } from './preflight.ts';
import { formatBytes, formatNumber, formatRate } from './format.ts';
import { sentence } from './sentence.ts';

export function successText(message: string, transfer?: { bytes: number; ms: number }): string {
  if (!transfer) return message;
  const { bytes, ms } = transfer;
  return `${message} ${msg(str`Sent ${formatBytes(bytes)} in ${formatNumber(ms / 1000, 1)} s (${formatRate(bytes / (ms / 1000))}).`)}`;
}

/** `pendingImageId`: the image an interrupted attempt left (empty when cancelled by the user). */
export function failureText(e: unknown, checks: CheckLine[], pendingImageId: string): { text: string; checks: CheckLine[] } {
  let text = sentence(e);
  const last = checks.at(-1);
  const kept = last && !last.ok && last.text === text ? checks.slice(0, -1) : checks;
  if (pendingImageId && !isOpenStackError(e, 'hash-mismatch'))
    text += ' ' + msg(str`The unfinished image ${pendingImageId} is kept: "Create and upload" again reuses or replaces it, or delete it.`);
  return { text, checks: kept };
}

/** A rejected file, said once in the form as soon as its verdict is known. */
export function verdictNote(file: File, v: Verdict): string {
  if (v.safe) return '';
  return msg(
    str`Glance would reject ${file.name} as it is: ${withoutFinalStop(v.reason ?? msg('its safety check failed'))}. Convert it first (on the Inspect tab), then upload the converted image.`,
  );
}
