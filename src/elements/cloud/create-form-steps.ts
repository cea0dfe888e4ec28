// The step bar of <cloud-create-form> (file → details → metadata → upload, as in Horizon's and
// Skyline's create dialogs) and its last step: the pre-checks, the transfer, the outcome and the
// buttons that start, pause, resume or cancel it.
import { html, nothing, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import type { UploadProgress } from '../../core/upload/types.ts';
import type { CheckLine } from './create-form-model.ts';
import { renderProgress, type FormPhase } from './create-form-upload.ts';

/** The four steps: the id of each one's section and its title. */
export function createSteps(): [string, string][] {
  return [
    ['step-file', msg('File')],
    ['step-details', msg('Details')],
    ['step-metadata', msg('Metadata')],
    ['step-upload', msg('Upload')],
  ];
}

export function renderSteps(go: (sectionId: string) => void): TemplateResult {
  return html`<ol class="steps" aria-label=${msg('Steps of creating an image')}>
    ${createSteps().map(
      ([id, label], i) =>
        html`<li>
          <button type="button" class="step-link" data-step=${id} @click=${() => go(id)}><span class="num">${i + 1}</span> ${label}</button>
        </li>`,
    )}
  </ol>`;
}

export interface UploadStepView {
  checks: CheckLine[];
  progress: UploadProgress | null;
  phase: FormPhase;
  error: string;
  success: string;
  /** An image an interrupted attempt left with no data: the next attempt reuses or replaces it. */
  pendingImageId: string;
  busy: boolean;
  /** Swift or S3: the transfer can pause. */
  objectMethod: boolean;
  resumable: boolean;
  pause(): void;
  resume(): void;
  cancel(): void;
  discardPending(): void;
}

export function renderUploadStep(v: UploadStepView): TemplateResult {
  return html`
    ${
      v.checks.length
        ? html`<ul class="full" part="checks" data-role="checks">
            ${v.checks.map((c) => html`<li class="check ${c.ok ? 'good' : 'bad'}">${c.ok ? '✓' : '✗'} ${c.text}</li>`)}
          </ul>`
        : nothing
    }
    ${renderProgress(v.progress, v.phase)}
    ${v.error ? html`<p class="full error" role="alert" data-role="error">${v.error}</p>` : nothing}
    ${v.success ? html`<p class="full ok" role="status" data-role="success" tabindex="-1">${v.success}</p>` : nothing}
    ${
      v.pendingImageId && !v.busy
        ? html`<p class="full" data-role="pending">
            ${msg(str`The image ${v.pendingImageId} from the last attempt has no data yet: "Create and upload" with the same source and details uploads into it, anything else replaces it; or delete it.`)}
            <button type="button" class="danger" data-action="discard-pending" @click=${() => v.discardPending()}>${msg('Delete it')}</button>
          </p>`
        : nothing
    }
    <div class="full actions">
      <button type="submit" class="primary" data-action="create" aria-disabled=${String(v.busy)}>${msg('Create and upload')}</button>
      ${v.busy && v.objectMethod ? html`<button type="button" data-action="pause" @click=${() => v.pause()}>${msg('Pause')}</button>` : nothing}
      ${
        v.phase === 'paused' && v.resumable
          ? html`<button type="button" data-action="resume" @click=${() => v.resume()}>${msg('Resume')}</button>`
          : nothing
      }
      ${
        v.busy || v.phase === 'paused'
          ? html`<button type="button" class="danger" data-action="cancel" @click=${() => v.cancel()}>${msg('Cancel upload')}</button>`
          : nothing
      }
    </div>
  `;
}
