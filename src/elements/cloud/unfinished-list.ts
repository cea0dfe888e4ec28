// The unfinished object-storage uploads kept in IndexedDB, shown under the panel's header after
// a reload or a restart: each with Resume (reopen the kept handle, or pick the file again) and
// Delete (what it stored, then its state).
import { html, nothing, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import type { ObjectStorageController } from './object-storage-controller.ts';
import { formatBytes, formatDateTime } from './format.ts';
import { chosenFile, filePicker } from './file-picker.ts';

export function renderUnfinished(o: ObjectStorageController, busy: boolean): TemplateResult | typeof nothing {
  const notice = o.notice ? html`<p class="notice" role="status" data-role="unfinished-notice">${o.notice}</p>` : nothing;
  if (!o.unfinished.length) return notice;
  return html`${notice}<section part="unfinished" data-role="unfinished">
    <h3>${msg('Unfinished uploads')}</h3>
    ${o.error ? html`<p class="error" role="alert" data-role="unfinished-error">${o.error}</p>` : nothing}
    ${
      o.unfinished.some((s) => s.target.kind === 'swift')
        ? html`<label>${msg('Account TempURL key (for Glance to download resumed Swift objects)')}
          <input type="password" name="resume-tempurl-key" autocomplete="off" .value=${o.tempUrlKey}
            @input=${(e: Event) => (o.tempUrlKey = (e.target as HTMLInputElement).value)} /></label>`
        : nothing
    }
    <ul>
      ${o.unfinished.map((s) => {
        const where =
          s.target.kind === 'swift' ? `Swift ${s.target.container}/${s.target.object}` : `S3 ${s.target.bucket}/${s.target.key}`;
        const stored = s.parts.reduce((n, p) => n + p.size, 0);
        // counted as the form counts them ("parts 3 of 16 stored"), so that the two can be compared
        const total = Math.ceil(s.file.size / s.partSize);
        return html`<li data-state-id=${s.id}>
          <span data-role="unfinished-text">${msg(str`${s.file.name} (${formatBytes(s.file.size)}) to ${where}: ${formatBytes(stored)} stored, ${s.parts.length} of ${total} parts, last change ${formatDateTime(new Date(s.updatedAt))}.`)}</span>
          <button type="button" data-action="resume-unfinished" ?disabled=${busy} @click=${() => void o.resume(s)}>${msg('Resume')}</button>
          <button type="button" class="danger" data-action="delete-unfinished" ?disabled=${busy} @click=${() => o.askDelete(s.id)}>${msg('Delete')}</button>
          ${
            o.confirmingDelete === s.id
              ? html`<span class="box warn" role="alert" data-role="unfinished-delete-confirm">
                  ${msg(str`Delete the ${s.parts.length} parts (${formatBytes(stored)}) this upload stored? Resuming is then impossible.`)}
                  <button type="button" class="danger" data-action="confirm-delete-unfinished" @click=${() => void o.delete(s)}>${msg('Delete them')}</button>
                  <button type="button" data-action="keep-unfinished" @click=${() => o.askDelete('')}>${msg('Keep')}</button>
                </span>`
              : nothing
          }
          ${
            o.picking === s.id
              ? filePicker({
                  name: 'resume-file',
                  action: 'pick-resume-file',
                  label: msg(str`Choose "${s.file.name}" again…`),
                  primary: true,
                  onChange: (e) => {
                    const f = chosenFile(e);
                    if (f) void o.resumeWith(s, f);
                  },
                })
              : nothing
          }
        </li>`;
      })}
    </ul>
  </section>`;
}
