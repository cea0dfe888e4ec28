// The "Convert…" part of a card: target picker and button, progress with cancel, and the outcome.
import { html, nothing, type TemplateResult } from 'lit';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import type { ConvertAdvice } from '../../core/convert/advice.ts';
import { CONVERT_FORMATS, isConvertFormat } from '../../core/convert/options.ts';
import type { PageConversionOutcome } from './conversion-request.ts';
import { renderOptions, type OptionsActions } from './convert-options-view.ts';
import type { CardState, ConvertState } from './image-inspector-model.ts';
import { formatBytes } from './format-bytes.ts';
import type { CloudPreference } from './conversion-defaults.ts';
import { outcome, progressText, reasonText, refusalText } from './convert-texts.ts';

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

function targetLabel(t: string): string {
  return t === 'vhd' ? msg('vhd (vpc)') : t;
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
