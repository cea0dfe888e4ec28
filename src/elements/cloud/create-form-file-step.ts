// The "File" step of <cloud-create-form>: a file (picked, dropped, or picked with a handle so a
// resume after a restart can reopen it) or a URL for web-download, the upload method and where
// the bytes go, and the checksum progress of the pick-time pass. The form owns the state; this
// renders it and hands every change back.
import { html, nothing, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import { formatBytes } from './format.ts';
import { canPickWithHandle, handleFromDrop, pickWithHandle } from './resume-file.ts';
import type { StoredFileHandle } from '../../../workers/upload/idb-state-store.ts';
import type { HashingState } from './create-form-model.ts';
import { renderDestination, renderMethodOptions, type Ec2Choice, type ObjectDestination, type UploadMethod } from './create-form-upload.ts';
import { filePicker } from './file-picker.ts';

export interface FileStepView {
  /** Import methods from /v2/info/import. */
  importMethods: string[];
  sourceKind: 'file' | 'url';
  chosen: File | null;
  hashing: HashingState | null;
  url: string;
  method: UploadMethod;
  destination: ObjectDestination | null;
  objectStores: { swift: boolean; s3: boolean };
  ec2: Ec2Choice[];
  verdictNote: string;
  error: string;
  setSource(kind: 'file' | 'url'): void;
  setUrl(url: string): void;
  /** The user chose the method (no default applies any more). */
  chooseMethod(method: UploadMethod): void;
  setDestination(d: ObjectDestination): void;
  pickFile(e: Event): void;
  dropFile(e: DragEvent): void;
  pickWithHandle(): void;
  createEc2(): void;
}

/** Where a file picked in the step goes: into the form, and out to the panel as its events. */
export interface FilePickTarget {
  setFile(file: File | null): void;
  /** `file-chosen` */
  chosen(file: File | null): void;
  /** `file-handle-chosen`: the panel keeps the handle beside an object-storage upload's state. */
  handleChosen(picked: { file: File; handle: StoredFileHandle }): void;
}

/** The three ways a file arrives: the file input, a drop and showOpenFilePicker. */
export function filePickers(to: FilePickTarget): Pick<FileStepView, 'pickFile' | 'dropFile' | 'pickWithHandle'> {
  return {
    pickFile: (e) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0] ?? null;
      to.setFile(file);
      to.chosen(file);
    },
    // Chromium also gives a dropped file's handle (asked for during the drop event itself)
    dropFile: (e) => {
      const file = e.dataTransfer?.files?.[0];
      if (!file) return;
      e.preventDefault();
      const handle = handleFromDrop(e.dataTransfer?.items);
      to.setFile(file);
      to.chosen(file);
      void handle.then((h) => h && to.handleChosen({ file, handle: h }));
    },
    // the handle lets a resume after a restart reopen the file with one prompt
    pickWithHandle: () =>
      void (async () => {
        const picked = await pickWithHandle();
        if (!picked) return;
        to.handleChosen(picked);
        to.setFile(picked.file);
        to.chosen(picked.file);
      })(),
  };
}

function renderHashing(v: FileStepView): TemplateResult | typeof nothing {
  const h = v.hashing;
  if (!h || !v.chosen || v.sourceKind !== 'file') return nothing;
  const pct = h.total ? Math.floor((h.hashed / h.total) * 100) : 100;
  const text = h.done
    ? msg('Checksums (sha512, md5) computed.')
    : h.failed
      ? msg('Computing the checksums stopped; they are computed again during the upload.')
      : msg(str`Computing checksums… ${pct}%`);
  return html`<div data-role="hash-progress" data-done=${h.done ? 'true' : 'false'} aria-live="polite">${text}</div>`;
}

export function renderFileStep(v: FileStepView): TemplateResult {
  const canWeb = v.importMethods.includes('web-download');
  const canStage = v.importMethods.includes('glance-direct');
  return html`
      <span>${msg('Image source')}</span>
      <fieldset class="inline">
        <label><input type="radio" name="source" value="file" .checked=${v.sourceKind === 'file'} @change=${() => v.setSource('file')} /> ${msg('File')}</label>
        <label><input type="radio" name="source" value="url" ?disabled=${!canWeb} .checked=${v.sourceKind === 'url'} @change=${() => v.setSource('url')} /> ${msg('URL (web-download)')}</label>
      </fieldset>
      ${
        v.sourceKind === 'file'
          ? html`<label for="pick-file">${msg('Image file')}</label>
            <div data-role="file-drop" @dragover=${(e: DragEvent) => e.preventDefault()} @drop=${(e: DragEvent) => v.dropFile(e)}>
              ${filePicker({ name: 'file', inputId: 'file', buttonId: 'pick-file', action: 'pick-file', label: msg('Choose a file…'), onChange: (e) => v.pickFile(e) })}
              ${canPickWithHandle() ? html`<button type="button" data-action="pick-with-handle" @click=${() => v.pickWithHandle()}>${msg('Choose (resumable after a restart)…')}</button>` : nothing}
              <span data-role="file-name">${v.chosen ? `${v.chosen.name} (${formatBytes(v.chosen.size)})` : msg('No file chosen')}</span>
              ${renderHashing(v)}</div>
            <label for="method">${msg('Upload method')}</label>
            <select id="method" name="method" @change=${(e: Event) => v.chooseMethod((e.target as HTMLSelectElement).value as UploadMethod)}>
              ${renderMethodOptions({ method: v.method, canStage, hasSwift: v.objectStores.swift, hasS3: v.objectStores.s3 })}
            </select>
            ${renderDestination({
              method: v.method,
              destination: v.destination,
              ec2: v.ec2,
              fileSize: v.chosen?.size,
              onChange: (d) => v.setDestination(d),
              onCreateEc2: () => v.createEc2(),
            })}`
          : html`<label for="url">${msg('Image URL')}</label>
            <input id="url" name="url" type="url" .value=${v.url} @input=${(e: Event) => v.setUrl((e.target as HTMLInputElement).value)} />`
      }
      ${
        v.verdictNote && !v.error
          ? html`<p class="full box danger" data-role="verdict-blocked" role="status">${v.verdictNote}</p>`
          : nothing
      }`;
}
