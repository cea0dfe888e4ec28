// The sentences of a card's "Convert…" box: why a conversion is refused, why the target was
// offered, the progress line and the outcome. Plain strings (the view renders them as text).
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import type { RefusalCode } from '../../core/convert/plan.ts';
import type { ConvertState } from './image-inspector-model.ts';
import { formatBytes } from './format-bytes.ts';
import { formatDuration } from './conversion-progress.ts';
import type { CloudPreference } from './conversion-defaults.ts';
import { joinSentences } from '../join-sentences.ts';
import { chosenFileFailure } from './chosen-file-fate.ts';

export function refusalText(code: RefusalCode): string {
  switch (code) {
    case 'not-opened':
      return msg(
        'The safety checks keep qemu-img away from this file: converting it means letting qemu-img open what they guard against (see the findings).',
      );
    case 'not-read':
      return msg('qemu-img could not read this image, so it cannot be converted. See the findings.');
    case 'needs-parent':
      return msg(
        'This image only holds changes on top of a parent image that is not here. Convert it where its parent is (qemu-img convert merges the chain).',
      );
    case 'encrypted':
      return msg('The image is encrypted; decrypt it first.');
    case 'missing-files':
      return msg('Files this image needs were not selected: select them together with it, then it can be converted here.');
    case 'incomplete':
      return msg(
        'This file is incomplete or its metadata is damaged: converting it would give an image Glance accepts that lacks much of the guest’s data. Get the complete file again.',
      );
    case 'bad-target':
    case 'bad-name':
      return msg('This conversion is not possible.');
  }
}

export function reasonText(r: CloudPreference): string {
  switch (r.why) {
    case 'rbd-store':
      return msg(
        str`${r.target} is offered because the signed-in cloud keeps images in Ceph RBD (store “${r.store ?? ''}”), which boots raw images as copy-on-write clones and would have to expand any other format.`,
      );
    case 'import-converts':
      return msg(str`${r.target} is offered because the signed-in cloud converts images on import: the smaller upload is the better one.`);
    case 'file-store':
      return msg(
        str`${r.target} is offered because the signed-in cloud stores images as files: qcow2 keeps the upload and the store small.`,
      );
  }
}

/** "12 % · 96 MiB read, 40 MiB written · 85 MiB/s · 0:42 left", with "estimating" in place of
 *  figures that cannot be known yet (never "0 B/s" or "— left"). */
export function progressText(st: ConvertState): string {
  const pct = st.percent ?? 0;
  // a verification writes nothing: "0 B written" would only say so at every step
  const io =
    st.status === 'verifying'
      ? msg(str`${formatBytes(st.bytesRead ?? 0)} read`)
      : msg(str`${formatBytes(st.bytesRead ?? 0)} read, ${formatBytes(st.bytesWritten ?? 0)} written`);
  const rate = st.rate !== undefined ? msg(str`${formatBytes(st.rate)}/s`) : '';
  const left = st.secondsLeft !== undefined ? msg(str`${formatDuration(st.secondsLeft)} left`) : msg('estimating the time left…');
  const head =
    st.status === 'verifying'
      ? msg(str`Verifying the output against the source (qemu-img compare): ${pct.toFixed(0)} %`)
      : msg(str`Converting to ${st.target}: ${pct.toFixed(0)} %`);
  return [head, io, rate, left].filter(Boolean).join(' · ');
}

/** "Took 0:12, 85 MiB/s on average.": the whole conversion's figures, not the last window's
 *  (verification not included: it is said apart). */
function doneFigures(st: ConvertState): string {
  if (st.elapsedMs === undefined) return '';
  const took = formatDuration(st.elapsedMs / 1000);
  return st.rate !== undefined ? msg(str`Took ${took}, ${formatBytes(st.rate)}/s on average.`) : msg(str`Took ${took}.`);
}

export function outcome(st: ConvertState): string {
  const chosen = chosenFileFailure(st);
  if (chosen) return chosen;
  switch (st.status) {
    case 'done':
      return joinSentences(
        st.toFile
          ? msg(str`Converted into the file you chose (${st.outputName ?? st.target}): inspected below, ready to upload.`)
          : msg(str`Converted to ${st.outputName ?? st.target}: inspected below, ready to save or upload.`),
        st.verified && msg('Verified: qemu-img compare finds it equal to the source.'),
        doneFigures(st),
      );
    case 'cancelled':
      return st.toFile
        ? msg('Conversion cancelled; nothing was written into the file you chose (a new, empty file the save dialog created was removed).')
        : msg('Conversion cancelled; its partial output was deleted.');
    case 'failed':
      if (st.failure === 'read-back') {
        return msg(
          str`This conversion cannot be written straight into a file: qemu-img read back data it had written, which a file chosen in the save dialog cannot give (${st.message ?? ''}). Use Convert… (the browser’s storage), then Save as….`,
        );
      }
      if (st.noRoom && st.toFile) {
        return msg(str`The disk of the chosen file ran out of room during the conversion (${st.message ?? ''}).`);
      }
      if (st.noRoom) {
        return st.needed !== undefined && st.available !== undefined && st.needed > st.available
          ? msg(
              str`Not enough room in the browser’s storage: the output needs up to ${formatBytes(st.needed)}, ${formatBytes(st.available)} are free. Free some space (or use a normal, non-private window) and try again.`,
            )
          : msg(str`The browser’s storage ran out of room during the conversion (${st.message ?? ''}).`);
      }
      if (st.failure === 'mismatch') {
        return msg(
          str`Verification failed: the output differs from the source at byte offset ${st.mismatchOffset ?? '?'}. It was deleted; please report this conversion.`,
        );
      }
      if (st.failure === 'source-changed') {
        return msg(
          'The source file changed or was removed on disk during the conversion; the partial output was deleted. Choose the file again.',
        );
      }
      if (st.failure === 'crashed') {
        return msg(str`qemu-img stopped abnormally (${st.message ?? ''}); the partial output was deleted. The page keeps working.`);
      }
      return msg(str`Conversion failed: ${st.refusal ? refusalText(st.refusal) : (st.message ?? '')}`);
    default:
      return '';
  }
}
