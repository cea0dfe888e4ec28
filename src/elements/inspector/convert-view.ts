// The "Convert…" part of a card: target picker and button, progress with cancel, and the outcome.
import { html, nothing, type TemplateResult } from 'lit';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import type { RefusalCode } from '../../core/convert/plan.ts';
import type { ConvertAdvice } from '../../core/convert/advice.ts';
import { CONVERT_FORMATS, isConvertFormat } from '../../core/convert/options.ts';
import type { PageConversionOutcome } from './conversion-request.ts';
import { renderOptions, type OptionsActions } from './convert-options-view.ts';
import type { CardState, ConvertState } from './image-inspector-model.ts';
import { formatBytes } from './format-bytes.ts';
import { formatDuration } from './conversion-progress.ts';
import type { CloudPreference } from './conversion-defaults.ts';
import { joinSentences } from '../join-sentences.ts';
import { chosenFileFailure } from './chosen-file-fate.ts';

/** What the view asks of the conversions (ConversionController). */
export interface ConvertActions extends OptionsActions {
  /** The conversion the card's current choices make (what would run), or why it cannot. */
  request(c: CardState): PageConversionOutcome | undefined;
  target(id: number): string;
  targetReason(id: number): CloudPreference | undefined;
  setTarget(id: number, target: string): void;
  convert(c: CardState): Promise<void>;
  /** "Convert to a file…" is possible in this browser (cross-origin isolated, save dialog). */
  canConvertToFile(): boolean;
  convertToFile(c: CardState): Promise<void>;
  cancel(id: number): void;
  /** The user ticked "I know the data is incomplete" on this card. */
  acknowledged(id: number): boolean;
  acknowledge(id: number, yes: boolean): void;
  /** The user overrode the safety checks on this card, for a conversion in this tab only. */
  overridden(id: number): boolean;
  override(id: number, yes: boolean): void;
}

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

function reasonText(r: CloudPreference): string {
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

function targetLabel(t: string): string {
  return t === 'vhd' ? msg('vhd (vpc)') : t;
}

/** "12 % · 96 MiB read, 40 MiB written · 85 MiB/s · 0:42 left", with "estimating" in place of
 *  figures that cannot be known yet (never "0 B/s" or "— left"). */
function progressText(st: ConvertState): string {
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

function renderProgress(id: number, st: ConvertState, actions: ConvertActions): TemplateResult {
  const pct = st.percent ?? 0;
  const running = st.status === 'running' || st.status === 'verifying';
  const text = st.cancelling
    ? msg('Cancelling: stopping qemu-img and deleting the partial output…')
    : running
      ? progressText(st)
      : st.toFile
        ? msg('Measuring the output…')
        : msg('Measuring the output and checking the browser’s storage…');
  // measuring has no percentage yet: an indeterminate bar (no value), not one stuck at 0
  return html`${
    running
      ? html`<progress
          part="convert-progress"
          max="100"
          .value=${pct}
          aria-label=${msg('Conversion progress')}
          aria-valuenow=${Math.round(pct)}
          aria-valuetext=${text}
        ></progress>`
      : html`<progress part="convert-progress" aria-label=${msg('Conversion progress')} aria-valuetext=${text}></progress>`
  }
    <span class="convert-progress-text" aria-live="polite">${text}</span>
    <button
      part="convert-cancel"
      class="secondary convert-cancel"
      type="button"
      aria-disabled=${st.cancelling ? 'true' : nothing}
      @click=${() => actions.cancel(id)}
    >
      ${msg('Cancel')}
    </button>`;
}

/** "Took 0:12, 85 MiB/s on average.": the whole conversion's figures, not the last window's
 *  (verification not included: it is said apart). */
function doneFigures(st: ConvertState): string {
  if (st.elapsedMs === undefined) return '';
  const took = formatDuration(st.elapsedMs / 1000);
  return st.rate !== undefined ? msg(str`Took ${took}, ${formatBytes(st.rate)}/s on average.`) : msg(str`Took ${took}.`);
}

function outcome(st: ConvertState): string {
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

/** Before and after, side by side: what the disk is, what the source file takes, what the output
 *  takes, and how much of the disk holds data (the source's `qemu-img map`). */
function renderSizes(c: CardState, st: ConvertState): TemplateResult {
  const virtual = c.result?.virtualSize ?? undefined;
  // raw data: qemu-img map in a browser counts holes as data (see details-view.ts)
  const data = c.allocation?.holesVisible === false ? undefined : c.allocation?.data;
  const row = (cls: string, label: string, value: string) =>
    html`<div class=${cls}>
      <dt>${label}</dt>
      <dd>${value}</dd>
    </div>`;
  return html`<dl class="convert-sizes">
    ${virtual !== undefined ? row('virtual', msg('Virtual size'), formatBytes(virtual)) : nothing}
    ${row('source', msg('Source file'), formatBytes(c.size))}
    ${st.outputSize !== undefined ? row('output', msg('Output file'), formatBytes(st.outputSize)) : nothing}
    ${
      data !== undefined && virtual
        ? row('data', msg('Data in the disk (qemu-img map)'), msg(str`${formatBytes(data)} (${((data / virtual) * 100).toFixed(1)} %)`))
        : nothing
    }
  </dl>`;
}

function renderChoice(c: CardState, actions: ConvertActions, advised: boolean): TemplateResult {
  const target = actions.target(c.id);
  const req = actions.request(c);
  const problems = req && !req.ok ? (req.problems ?? []) : [];
  const reason = actions.targetReason(c.id);
  return html`<label>
      ${msg('Convert to')}
      <select
        class="convert-target"
        part="convert-target"
        @change=${(e: Event) => actions.setTarget(c.id, (e.target as HTMLSelectElement).value)}
      >
        ${CONVERT_FORMATS.map((t) => html`<option value=${t} ?selected=${t === target}>${targetLabel(t)}</option>`)}
      </select>
    </label>
    <button
      part="convert-button"
      class="${advised ? '' : 'secondary'} convert-button"
      type="button"
      ?disabled=${problems.length > 0}
      @click=${() => void actions.convert(c)}
    >
      ${msg('Convert…')}
    </button>
    ${
      actions.canConvertToFile()
        ? html`<button
            part="convert-file-button"
            class="secondary convert-file-button"
            type="button"
            ?disabled=${problems.length > 0}
            title=${msg('Writes the output straight into a file you choose, without a copy in the browser’s storage')}
            @click=${() => void actions.convertToFile(c)}
          >
            ${msg('Convert to a file…')}
          </button>`
        : nothing
    }
    ${reason ? html`<p class="muted convert-reason" data-why=${reason.why}>${reasonText(reason)}</p>` : nothing}
    ${isConvertFormat(target) ? renderOptions(c.id, target, actions, problems, req?.ok ? req.conversion.commandLine : undefined) : nothing}`;
}

/** The two refusals a user may lift for this tab's conversion: the refusal, then its box. The
 *  issue's "the user may override for a local conversion only, with the reason shown": the reason
 *  is the refusal and the findings; qemu-img in this tab sees only the files chosen, and the
 *  output is inspected again before any upload. */
function renderGate(gate: 'incomplete' | 'not-opened', checked: boolean, onChange: (yes: boolean) => void): TemplateResult {
  const box =
    gate === 'incomplete'
      ? { action: 'acknowledge-incomplete', label: msg('I know the data is incomplete: convert what is there anyway') }
      : {
          action: 'override-safety',
          label: msg(
            'Override the checks and convert anyway, for use on this machine: qemu-img then opens this file, seeing only the files chosen here; the result is inspected again before any upload.',
          ),
        };
  return html`<p class="note convert-refused" data-refusal=${gate}>${refusalText(gate)}</p>
    <label class="acknowledge">
      <input
        type="checkbox"
        data-action=${box.action}
        .checked=${checked}
        @change=${(e: Event) => onChange((e.target as HTMLInputElement).checked)}
      />
      ${box.label}
    </label>`;
}

export function renderConvert(c: CardState, actions: ConvertActions, advice: ConvertAdvice | null): TemplateResult | typeof nothing {
  if (c.phase !== 'done' || !c.result || !advice) return nothing;
  const overridable = advice.kind === 'refused' && advice.code === 'not-opened';
  if (advice.kind === 'refused' && !overridable) {
    return advice.advised
      ? html`<p class="note convert-refused" part="convert" data-refusal=${advice.code}>${refusalText(advice.code)}</p>`
      : nothing;
  }
  const advised = advice.kind === 'advised';
  const gated = advice.kind === 'incomplete' || overridable;
  const open = !gated || (overridable ? actions.overridden(c.id) : actions.acknowledged(c.id));
  const st = c.convert;
  const busy = st?.status === 'measuring' || st?.status === 'running' || st?.status === 'verifying';
  // The phases' durations as data, for benchmarks and tests (the text rounds them to seconds).
  const timing = st?.status === 'done' ? { convert: st.elapsedMs, verify: st.verifyMs, method: st.verifyMethod } : {};
  return html`<div
    part="convert"
    class="convert ${advised ? 'advised' : ''} ${gated ? 'gated' : ''}"
    data-status=${st?.status ?? 'idle'}
    data-convert-ms=${timing.convert !== undefined ? Math.round(timing.convert) : nothing}
    data-verify-ms=${timing.verify !== undefined ? Math.round(timing.verify) : nothing}
    data-verify-method=${timing.method ?? nothing}
  >
    ${advised ? html`<p class="convert-lead">${msg('Glance does not take this image as it is: convert it here, on this machine.')}</p>` : nothing}
    ${
      gated && !busy
        ? overridable
          ? renderGate('not-opened', actions.overridden(c.id), (yes) => actions.override(c.id, yes))
          : renderGate('incomplete', actions.acknowledged(c.id), (yes) => actions.acknowledge(c.id, yes))
        : nothing
    }
    ${busy ? renderProgress(c.id, st, actions) : open ? renderChoice(c, actions, advised) : nothing}
    ${st && !busy ? html`<p class="convert-status" role="status" tabindex="-1">${outcome(st)}</p>` : nothing}
    ${st?.status === 'done' ? renderSizes(c, st) : nothing}
    ${st?.commandLine ? html`<p class="convert-ran muted"><code>${st.commandLine}</code></p>` : nothing}
  </div>`;
}
