// What the create form says about a rejected file, and when an upload ends: the active image (where the object went),
// the outcome with its transfer figures, or the
// error once (not also as the failed pre-check line) with what became of the unfinished image.
import { msg, str } from '@lit/localize';
import { isOpenStackError } from '../../core/openstack/errors.ts';
import type { GlanceImage } from '../../core/openstack/types.ts';
import type { UploadOutcome } from '../../core/upload/types.ts';
import type { CheckLine } from './cloud-create-form.ts';
import type { Verdict } from './preflight.ts';
import { withoutFinalStop } from './preflight.ts';
import { formatBytes, formatNumber, formatRate } from './format.ts';
import { sentence } from './sentence.ts';
import { joinSentences } from '../join-sentences.ts';

/** An upload that ended in an active, verified image: what it is, where the object went, what a resume sent. */
export function activeText(image: GlanceImage, out: UploadOutcome, objectDeleted: boolean): string {
  const where = out.object && `${out.object.container}/${out.object.name}`;
  const stored =
    where &&
    (objectDeleted
      ? msg(str`The object ${where} was deleted from object storage once Glance had its copy.`)
      : msg(str`The object ${where} is kept in object storage.`));
  return joinSentences(
    msg(
      str`The image "${image.name ?? image.id}" is active and its checksums match your file (sha512 ${out.sha512.slice(0, 16)}…, md5 ${out.md5}).`,
    ),
    stored,
    out.resumed && resumedText(out, out.object?.size ?? image.size ?? 0),
  );
}

/** What continuing an earlier attempt saved: "Resumed" alone would claim a saving when the earlier
 *  attempt had stored nothing (its image or upload record was all it left). */
function resumedText(out: UploadOutcome, size: number): string {
  if (size > 0 && out.bytesSent < size)
    return msg(str`Resumed: ${formatBytes(out.bytesSent)} sent this time, ${formatBytes(size - out.bytesSent)} were already stored.`);
  return msg(
    str`Continued the earlier attempt: none of its data had been stored, so the whole file was sent (${formatBytes(out.bytesSent)}).`,
  );
}

export function successText(message: string, transfer?: { bytes: number; ms: number }): string {
  if (!transfer) return message;
  const { bytes, ms } = transfer;
  return joinSentences(
    message,
    msg(str`Sent ${formatBytes(bytes)} in ${formatNumber(ms / 1000, 1)} s (${formatRate(bytes / (ms / 1000))}).`),
  );
}

/** `pendingImageId`: the image an interrupted attempt left (empty when cancelled by the user). */
export function failureText(e: unknown, checks: CheckLine[], pendingImageId: string): { text: string; checks: CheckLine[] } {
  let text = sentence(e);
  const last = checks.at(-1);
  const kept = last && !last.ok && last.text === text ? checks.slice(0, -1) : checks;
  if (pendingImageId && !isOpenStackError(e, 'hash-mismatch'))
    text = joinSentences(
      text,
      msg(str`The unfinished image ${pendingImageId} is kept: "Create and upload" again reuses or replaces it, or delete it.`),
    );
  return { text, checks: kept };
}

/** A rejected file, said once in the form as soon as its verdict is known. */
export function verdictNote(file: File, v: Verdict): string {
  if (v.safe) return '';
  return msg(
    str`Glance would reject ${file.name} as it is: ${withoutFinalStop(v.reason ?? msg('its safety check failed'))}. Convert it first (on the Inspect tab), then upload the converted image.`,
  );
}
