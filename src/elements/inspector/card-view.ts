// One result card: header with its actions, notes, the verdict and findings, conversion, the
// detail sections and the inspection as JSON.
import { html, nothing, type TemplateResult } from 'lit';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import type { CardFinding, CardState, CardPhase } from './image-inspector-model.ts';
import { findingFix, findingMessage } from './image-inspector-findings.ts';
import { renderConvert, type ConvertActions } from './convert-view.ts';
import { renderDetails } from './details-view.ts';
import { conversionAdvice, fixAgreesWithAdvice, type ConvertAdvice } from '../../core/convert/advice.ts';
import { renderGuest } from './guest-view.ts';
import { formatBytes } from './format-bytes.ts';

/** What a card needs from its element. */
export interface CardContext {
  uploadable: boolean;
  conversions: ConvertActions & { isOutput(id: number): boolean; save(c: CardState): Promise<void> };
  requestUpload(c: CardState): void;
}

function phaseLabel(p: CardPhase): string {
  switch (p) {
    case 'queued':
      return msg('Waiting…');
    case 'safety':
      return msg('Checking safety…');
    case 'info':
      return msg('Reading with qemu-img…');
    case 'details':
      return msg('Checking and mapping…');
    case 'guest':
      return msg('Looking inside the guest…');
    case 'done':
      return msg('Done');
    case 'error':
      return msg('Failed');
  }
}

/** Findings that say the file is no disk a VM could boot, though Glance would store it. */
const NOT_A_DISK = new Set(['image.not-a-disk', 'image.empty']);

function renderFinding(f: CardFinding, advice: ConvertAdvice | null): TemplateResult {
  const sev = String(f.severity);
  const sevLabel = sev === 'error' ? msg('error') : sev === 'warning' ? msg('warning') : msg('info');
  // one voice per card: a fix offering a conversion the plan refuses is left to the advice box
  const fix = !advice || fixAgreesWithAdvice({ code: f.code, fix: f.fix ?? '' }, advice) ? findingFix(f) : undefined;
  return html`<li class="finding" part="finding" data-code=${f.code} data-severity=${sev}>
    <span class="sev ${sev}">${sevLabel}</span>${findingMessage(f)}
    <code class="muted">${f.code}</code>
    ${fix ? html`<span class="fix">${msg('Fix:')} ${fix}</span>` : nothing}
  </li>`;
}

function renderVerdict(c: CardState, advice: ConvertAdvice | null): TemplateResult | typeof nothing {
  if (c.safe === undefined) return nothing;
  const fmt = c.diskFormat || c.detectedFormat || '?';
  const noDisk = c.safe && c.findings.some((f) => NOT_A_DISK.has(f.code));
  return html`<div
      part="verdict ${c.safe ? 'verdict-safe' : 'verdict-unsafe'}"
      class="verdict ${c.safe ? (noDisk ? 'safe not-a-disk' : 'safe') : 'unsafe'}"
      data-safe=${String(c.safe)}
    >
      ${
        c.safe
          ? noDisk
            ? msg(str`Glance would accept this file as ${fmt}, but it does not look like a bootable disk.`)
            : msg(str`Glance accepts this image as ${fmt}.`)
          : msg(str`Glance would reject this image as it is (content: ${c.detectedFormat ?? '?'}).`)
      }
    </div>
    ${
      c.findings.length
        ? html`<ul class="findings" part="findings">
            ${c.findings.map((f) => renderFinding(f, advice))}
          </ul>`
        : nothing
    }`;
}

/** Why a card's file cannot go to the cloud as it is, or null when it can. */
function uploadBlocked(c: CardState, advice: ConvertAdvice | null): string | null {
  if (c.safe !== false) return null;
  if (advice?.kind === 'advised') return msg('Glance would reject this file: convert it first, then upload the converted image.');
  // the card offers a conversion behind "I know the data is incomplete": "cannot be converted" would contradict it
  if (advice?.kind === 'incomplete')
    return msg('Glance would reject this file, which is incomplete: get the complete file, or convert what is there and upload that.');
  if (advice?.kind === 'refused' && advice.code === 'not-opened')
    return msg('Glance would reject this file, and the safety checks keep qemu-img away from it: it cannot be uploaded as it is.');
  return msg('Glance would reject this file, and it cannot be converted here: it cannot be uploaded as it is.');
}

function renderActions(c: CardState, ctx: CardContext, advice: ConvertAdvice | null): TemplateResult {
  const done = c.phase === 'done';
  const blocked = uploadBlocked(c, advice);
  return html`${
    ctx.conversions.isOutput(c.id) && done
      ? html`<button part="save-button" class="secondary save" type="button" @click=${() => void ctx.conversions.save(c)}>
          ${msg('Save as…')}
        </button>`
      : nothing
  }
  ${
    ctx.uploadable && done
      ? html`<button
            part="upload-button"
            class="secondary upload"
            type="button"
            ?disabled=${!!blocked}
            aria-describedby=${blocked ? `upload-blocked-${c.id}` : nothing}
            @click=${() => ctx.requestUpload(c)}
          >
            ${msg('Upload to the cloud…')}
          </button>
          ${blocked ? html`<span class="upload-blocked muted" id="upload-blocked-${c.id}" data-role="upload-blocked">${blocked}</span>` : nothing}`
      : nothing
  }`;
}

export function renderCard(c: CardState, ctx: CardContext): TemplateResult {
  const advice = c.phase === 'done' && c.result ? conversionAdvice(c.result) : null;
  // tabindex -1: script moves the focus here when the card appears after a conversion
  return html`<li class="card" part="card" data-phase=${c.phase} data-name=${c.name} data-card-id=${c.id} tabindex="-1" aria-labelledby="card-${c.id}-name">
    <header>
      <h3 id="card-${c.id}-name">${c.name}</h3>
      <span class="muted">${formatBytes(c.size)}</span>
      <span class="phase" aria-live="polite">${phaseLabel(c.phase)}</span>
      ${renderActions(c, ctx, advice)}
    </header>
    ${
      c.convertedFrom
        ? html`<p class="muted converted-from">
            ${msg(str`Converted from ${c.convertedFrom}, kept in this browser until you clear the results.`)}
          </p>`
        : nothing
    }
    ${c.extents.length ? html`<p class="muted extents">${msg(str`With its extent files: ${c.extents.join(', ')}`)}</p>` : nothing}
    ${c.notes.map((n) => html`<p class="muted note">${n()}</p>`)}
    ${(c.ovaDisks ?? []).map(
      (d) =>
        html`<p class="muted note ova-disk">
          ${msg(str`Disk inside the OVA: ${d.name} (${formatBytes(d.size)} at byte ${d.offset}), read in place.`)}
        </p>`,
    )}
    ${
      c.missingExtents.length
        ? html`<div class="error missing" part="error" role="alert">
            ${msg(str`Missing extent files: ${c.missingExtents.join(', ')}. Select them together with the descriptor (or choose the folder).`)}
          </div>`
        : nothing
    }
    ${renderVerdict(c, advice)} ${renderConvert(c, ctx.conversions, advice)}
    ${
      c.innerFormat
        ? html`<p class="note inner-format" data-inner-format=${c.innerFormat}>
            ${msg(str`Inside the compressed file: ${c.innerFormat} (seen in its first decompressed MiB). Decompress it, then inspect the image itself.`)}
          </p>`
        : nothing
    }
    ${c.error ? html`<div class="error" part="error" role="alert">${c.error}</div>` : nothing} ${renderDetails(c)} ${renderGuest(c)}
    ${
      c.result !== undefined
        ? html`<details part="json" class="json">
            <summary>${msg('Inspection as JSON (as image-inspector inspect --json prints it)')}</summary>
            <pre>${JSON.stringify(c.result, null, 2)}</pre>
          </details>`
        : nothing
    }
  </li>`;
}
