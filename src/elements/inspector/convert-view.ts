// The "Convert…" part of a card: target picker and button, progress with cancel, and the outcome.
import { html, nothing, type TemplateResult } from 'lit';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import { CONVERT_TARGETS, type RefusalCode } from '../../core/convert/plan.ts';
import type { ConvertAdvice } from '../../core/convert/advice.ts';
import type { CardState, ConvertState } from './image-inspector-model.ts';
import { formatBytes } from './format-bytes.ts';

/** What the view asks of the conversions (ConversionController). */
export interface ConvertActions {
  target(id: number): string;
  setTarget(id: number, target: string): void;
  convert(c: CardState): Promise<void>;
  cancel(id: number): void;
  /** The user ticked "I know the data is incomplete" on this card. */
  acknowledged(id: number): boolean;
  acknowledge(id: number, yes: boolean): void;
}

export function refusalText(code: RefusalCode): string {
  switch (code) {
    case 'not-opened':
      return msg('The safety checks keep qemu-img away from this file, so it cannot be converted here.');
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

function targetLabel(t: string): string {
  return t === 'vmdk' ? msg('vmdk (streamOptimized)') : t;
}

function renderProgress(id: number, st: ConvertState, actions: ConvertActions): TemplateResult {
  const pct = st.percent ?? 0;
  const text =
    st.status === 'measuring'
      ? msg('Measuring the output and checking the browser’s storage…')
      : msg(str`Converting to ${st.target}: ${pct.toFixed(0)} % (${formatBytes(st.bytesWritten ?? 0)} written)`);
  // measuring has no percentage yet: an indeterminate bar (no value), not one stuck at 0
  return html`${
    st.status === 'running'
      ? html`<progress part="convert-progress" max="100" .value=${pct} aria-label=${msg('Conversion progress')}></progress>`
      : html`<progress part="convert-progress" aria-label=${msg('Conversion progress')}></progress>`
  }
    <span class="convert-progress-text" aria-live="polite">${text}</span>
    <button part="convert-cancel" class="secondary convert-cancel" type="button" @click=${() => actions.cancel(id)}>
      ${msg('Cancel')}
    </button>`;
}

function outcome(st: ConvertState): string {
  switch (st.status) {
    case 'done':
      return msg(str`Converted to ${st.outputName ?? st.target}: inspected below, ready to save or upload.`);
    case 'cancelled':
      return msg('Conversion cancelled; its partial output was deleted.');
    case 'failed':
      if (st.noRoom) {
        return st.needed !== undefined && st.available !== undefined && st.needed > st.available
          ? msg(
              str`Not enough room in the browser’s storage: the output needs up to ${formatBytes(st.needed)}, ${formatBytes(st.available)} are free. Free some space (or use a normal, non-private window) and try again.`,
            )
          : msg(str`The browser’s storage ran out of room during the conversion (${st.message ?? ''}).`);
      }
      return msg(str`Conversion failed: ${st.refusal ? refusalText(st.refusal) : (st.message ?? '')}`);
    default:
      return '';
  }
}

function renderIncomplete(c: CardState, actions: ConvertActions): TemplateResult {
  return html`<p class="note convert-refused" data-refusal="incomplete">${refusalText('incomplete')}</p>
    <label class="acknowledge">
      <input
        type="checkbox"
        data-action="acknowledge-incomplete"
        .checked=${actions.acknowledged(c.id)}
        @change=${(e: Event) => actions.acknowledge(c.id, (e.target as HTMLInputElement).checked)}
      />
      ${msg('I know the data is incomplete: convert what is there anyway')}
    </label>`;
}

export function renderConvert(c: CardState, actions: ConvertActions, advice: ConvertAdvice | null): TemplateResult | typeof nothing {
  if (c.phase !== 'done' || !c.result || !advice) return nothing;
  if (advice.kind === 'refused') {
    return advice.advised
      ? html`<p class="note convert-refused" part="convert" data-refusal=${advice.code}>${refusalText(advice.code)}</p>`
      : nothing;
  }
  const advised = advice.kind === 'advised';
  const gated = advice.kind === 'incomplete';
  const open = !gated || actions.acknowledged(c.id);
  const st = c.convert;
  const busy = st?.status === 'measuring' || st?.status === 'running';
  return html`<div part="convert" class="convert ${advised ? 'advised' : ''} ${gated ? 'gated' : ''}" data-status=${st?.status ?? 'idle'}>
    ${advised ? html`<p class="convert-lead">${msg('Glance does not take this image as it is: convert it here, on this machine.')}</p>` : nothing}
    ${gated && !busy ? renderIncomplete(c, actions) : nothing}
    ${
      busy
        ? renderProgress(c.id, st, actions)
        : open
          ? html`<label>
                ${msg('Convert to')}
                <select
                  class="convert-target"
                  part="convert-target"
                  @change=${(e: Event) => actions.setTarget(c.id, (e.target as HTMLSelectElement).value)}
                >
                  ${CONVERT_TARGETS.map((t) => html`<option value=${t} ?selected=${t === actions.target(c.id)}>${targetLabel(t)}</option>`)}
                </select>
              </label>
              <button
                part="convert-button"
                class="${advised ? '' : 'secondary'} convert-button"
                type="button"
                @click=${() => void actions.convert(c)}
              >
                ${msg('Convert…')}
              </button>`
          : nothing
    }
    ${st && !busy ? html`<p class="convert-status" role="status" tabindex="-1">${outcome(st)}</p>` : nothing}
  </div>`;
}
