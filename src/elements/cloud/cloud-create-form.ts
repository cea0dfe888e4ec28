// The create/upload form with every Dashboard field. It only collects and validates input and
// shows the pre-checks and the transfer; <cloud-panel> runs the flow (upload-flow.ts) and feeds
// `checks`, `progress`, `phase` and `error` back in.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import { formatBytes } from './format.ts';
import type { UploadProgress } from '../../core/upload/types.ts';
import {
  renderDestination,
  renderMethodOptions,
  renderProgress,
  type Ec2Choice,
  type ObjectDestination,
  type FormPhase,
  type UploadMethod,
} from './create-form-upload.ts';

export type { Ec2Choice, ObjectDestination, FormPhase, UploadMethod } from './create-form-upload.ts';
export type { UploadProgress } from '../../core/upload/types.ts';
import type { ImageRecord } from './image-record.ts';
import { syncSelects } from './select-sync.ts';
import { canPickWithHandle, handleFromDrop, pickWithHandle } from './resume-file.ts';
import { VISIBILITIES, visibilityLabel } from './labels.ts';
import {
  blankFields,
  fieldsFromInspection,
  type CheckLine,
  type CreateFields,
  type CreateRequest,
  type HashingState,
  type InspectionLike,
} from './create-form-model.ts';
import { focusRing } from '../focus-ring.ts';

export type { CheckLine, CreateFields, CreateRequest, HashingState, InspectionLike } from './create-form-model.ts';

/** From this size on, object storage (parallel, resumable) is the default where the cloud has it. */
const LARGE_FILE = 1024 ** 3;
const BUSY: FormPhase[] = ['checking', 'preparing', 'uploading', 'finishing', 'registering', 'importing', 'verifying'];

/**
 * The create/upload form with every Dashboard field. It collects and validates input and shows
 * the pre-checks, the checksum progress and the transfer; `<cloud-panel>` runs the upload and
 * feeds `checks`, `progress`, `phase`, `error` and `success` back in by properties.
 *
 * @fires file-chosen - The user picked a file here; detail: the File (or null).
 * @fires create-image - "Create and upload"; detail: a CreateRequest (fields, source, method).
 * @fires cancel-upload - Stop the running (or paused) upload and delete what it stored.
 * @fires pause-upload - Stop sending, keep what is stored (object storage).
 * @fires resume-upload - Continue the paused upload.
 * @fires create-ec2 - Create EC2 credentials in Keystone for the S3 upload.
 * @fires file-handle-chosen - A file picked with a handle (showOpenFilePicker); detail `{ file, handle }`.
 * @fires discard-pending - Delete the image an interrupted attempt left; detail: its id.
 * @csspart form - The form grid.
 * @csspart properties - The custom properties editor.
 * @csspart checks - The list of pre-checks.
 * @csspart progress - The progress bar and its text.
 * @cssprop --cloud-error - Colour of failed checks and errors.
 * @cssprop --cloud-ok - Colour of the success sentence.
 */
@customElement('cloud-create-form')
export class CloudCreateForm extends LitElement {
  static override styles = css`
    ${focusRing} :host { display: block; }
    form { display: grid; grid-template-columns: max-content 1fr; gap: 0.4em 1em; align-items: center; }
    .full { grid-column: 1 / -1; }
    .props { display: grid; grid-template-columns: 1fr 1fr auto; gap: 0.25em; }
    .check.bad { color: var(--cloud-error, #a00); }
    .error { color: var(--cloud-error, #a00); font-weight: bold; }
    .ok { color: var(--cloud-ok, #070); font-weight: bold; }
    progress { width: 100%; }
    fieldset { border: none; padding: 0; margin: 0; }
  `;

  /** Allowed values from /v2/schemas/image. */
  @property({ attribute: false }) diskFormats: string[] = [];
  @property({ attribute: false }) containerFormats: string[] = [];
  /** Import methods from /v2/info/import. */
  @property({ attribute: false }) importMethods: string[] = [];
  /** The cloud's aki / ari images for kernel and ramdisk. */
  @property({ attribute: false }) kernels: ImageRecord[] = [];
  @property({ attribute: false }) ramdisks: ImageRecord[] = [];
  @property({ attribute: false }) checks: CheckLine[] = [];
  @property({ attribute: false }) progress: UploadProgress | null = null;
  @property() phase: FormPhase = 'idle';
  @property({ attribute: false }) hashing: HashingState | null = null;
  @property() error = '';
  @property() success = '';
  /** An image left by an interrupted attempt of this form: retry reuses or replaces it. */
  @property() pendingImageId = '';
  /** The file handed over by the app (an offer): shown and named in the form like a pick. */
  @property({ attribute: false }) file: File | null = null;
  /** An inspection to prefill from (format, min disk, suggested properties; all stay editable). */
  @property({ attribute: false }) inspection: InspectionLike | null = null;
  /** Which object stores the catalog offers (Swift object-store, S3). */
  @property({ attribute: false }) objectStores: { swift: boolean; s3: boolean } = { swift: false, s3: false };
  /** The user's EC2 credentials from Keystone, for S3 (in memory only). */
  @property({ attribute: false }) ec2: Ec2Choice[] = [];
  /** Set by the panel: a paused object-storage upload of this form can be resumed. */
  @property({ type: Boolean }) resumable = false;
  /** Changing it empties the form for the next image (then `file`/`inspection` apply again). */
  @property({ type: Number }) generation = 0;

  @state() private fields: CreateFields = CloudCreateForm.blank();
  @state() private sourceKind: 'file' | 'url' = 'file';
  /** The file the user picked here. */
  @state() private chosen: File | null = null;
  @state() private url = '';
  @state() private method: UploadMethod = 'direct';
  @state() private destination: ObjectDestination | null = null;
  /** The user chose the method (no default applies any more). */
  #methodChosen = false;
  @state() private newKey = '';
  @state() private newValue = '';

  static blank(): CreateFields {
    return blankFields();
  }

  override willUpdate(changed: Map<string, unknown>) {
    const reset = changed.has('generation') && changed.get('generation') !== undefined;
    if (reset) this.reset();
    if (changed.has('file') || reset) this.setFile(this.file);
    if ((changed.has('inspection') || reset) && this.inspection) this.applyInspection(this.inspection);
  }

  /** Back to an empty form (after a success, for the next image). */
  private reset() {
    this.fields = CloudCreateForm.blank();
    this.chosen = null;
    this.url = '';
    this.sourceKind = 'file';
    this.method = 'direct';
    this.destination = null;
    this.#methodChosen = false;
    const input = this.renderRoot.querySelector<HTMLInputElement>('input#file');
    if (input) input.value = '';
  }

  /** The file the user chose here or that the app handed over with its inspection. */
  get selectedFile(): File | null {
    return this.chosen;
  }

  private setFile(file: File | null) {
    this.chosen = file;
    if (file) {
      this.sourceKind = 'file';
      if (this.method === 'web-download') this.method = 'direct';
      // large files go to object storage by default: parallel parts, resumable after a drop
      if (!this.#methodChosen) this.method = file.size >= LARGE_FILE && this.objectStores.swift ? 'swift' : 'direct';
      if (!this.fields.name) this.fields = { ...this.fields, name: file.name.replace(/\.[^.]+$/, '') };
    }
  }

  private applyInspection(r: InspectionLike) {
    this.fields = fieldsFromInspection(this.fields, r);
  }

  override updated() {
    const f = this.fields;
    syncSelects(this.renderRoot, {
      disk_format: f.disk_format,
      container_format: f.container_format,
      visibility: f.visibility,
      kernel_id: f.kernel_id,
      ramdisk_id: f.ramdisk_id,
      method: this.method,
    });
  }

  private set<K extends keyof CreateFields>(k: K, v: CreateFields[K]) {
    this.fields = { ...this.fields, [k]: v };
  }

  private get busy() {
    return BUSY.includes(this.phase);
  }

  private submit(e: Event) {
    e.preventDefault();
    if (this.busy) return;
    const source =
      this.sourceKind === 'url'
        ? { kind: 'url' as const, url: this.url.trim() }
        : this.chosen
          ? { kind: 'file' as const, file: this.chosen }
          : null;
    if (!source) {
      this.error = msg('Choose an image file or give an image URL, then create the image again.');
      return;
    }
    const method: UploadMethod = source.kind === 'url' ? 'web-download' : this.method === 'web-download' ? 'direct' : this.method;
    const d = this.destination;
    const destination: ObjectDestination | undefined =
      method === 'swift'
        ? d?.kind === 'swift'
          ? d
          : { kind: 'swift', container: 'images' }
        : method === 's3'
          ? d?.kind === 's3'
            ? d
            : { kind: 's3', bucket: 'images', accessKeyId: '', secretAccessKey: '' }
          : undefined;
    const detail: CreateRequest = { fields: { ...this.fields, properties: { ...this.fields.properties } }, source, method, destination };
    this.dispatchEvent(new CustomEvent('create-image', { detail, bubbles: true, composed: true }));
  }

  private addProperty() {
    const k = this.newKey.trim();
    if (!k) return;
    this.fields = { ...this.fields, properties: { ...this.fields.properties, [k]: this.newValue } };
    this.newKey = '';
    this.newValue = '';
  }

  private removeProperty(k: string) {
    const p = { ...this.fields.properties };
    delete p[k];
    this.fields = { ...this.fields, properties: p };
  }

  private renderHashing() {
    const h = this.hashing;
    if (!h || !this.chosen || this.sourceKind !== 'file') return nothing;
    const pct = h.total ? Math.floor((h.hashed / h.total) * 100) : 100;
    const text = h.done
      ? msg('Checksums (sha512, md5) computed.')
      : h.failed
        ? msg('Computing the checksums stopped; they are computed again during the upload.')
        : msg(str`Computing checksums… ${pct}%`);
    return html`<div data-role="hash-progress" data-done=${h.done ? 'true' : 'false'} aria-live="polite">${text}</div>`;
  }

  override render() {
    const f = this.fields;
    const fmts = this.diskFormats.length ? this.diskFormats : [f.disk_format].filter(Boolean);
    const cfmts = this.containerFormats.length ? this.containerFormats : ['bare'];
    const canStage = this.importMethods.includes('glance-direct');
    const canWeb = this.importMethods.includes('web-download');
    return html`
      <form part="form" @submit=${this.submit} novalidate>
        <label for="name">${msg('Image name')}</label>
        <input id="name" name="name" required .value=${f.name} @input=${(e: Event) => this.set('name', (e.target as HTMLInputElement).value)} />

        <label for="description">${msg('Description')}</label>
        <textarea id="description" name="description" .value=${f.description} @input=${(e: Event) => this.set('description', (e.target as HTMLTextAreaElement).value)}></textarea>

        <span>${msg('Image source')}</span>
        <fieldset>
          <label><input type="radio" name="source" value="file" .checked=${this.sourceKind === 'file'} @change=${() => (this.sourceKind = 'file')} /> ${msg('File')}</label>
          <label><input type="radio" name="source" value="url" ?disabled=${!canWeb} .checked=${this.sourceKind === 'url'} @change=${() => (this.sourceKind = 'url')} /> ${msg('URL (web-download)')}</label>
        </fieldset>

        ${
          this.sourceKind === 'file'
            ? html`<label for="file">${msg('Image file')}</label>
              <div data-role="file-drop" @dragover=${(e: DragEvent) => e.preventDefault()} @drop=${(e: DragEvent) => this.dropFile(e)}>
                <input id="file" name="file" type="file" @change=${(e: Event) => this.pickFile(e)} />
                ${canPickWithHandle() ? html`<button type="button" data-action="pick-with-handle" @click=${() => void this.pickWithHandle()}>${msg('Choose (resumable after a restart)…')}</button>` : nothing}
                ${this.chosen ? html`<span data-role="file-name">${this.chosen.name} (${formatBytes(this.chosen.size)})</span>` : nothing}
                ${this.renderHashing()}</div>
              <label for="method">${msg('Upload method')}</label>
              <select id="method" name="method" @change=${(e: Event) => {
                this.method = (e.target as HTMLSelectElement).value as UploadMethod;
                this.#methodChosen = true;
              }}>
                ${renderMethodOptions({ method: this.method, canStage, hasSwift: this.objectStores.swift, hasS3: this.objectStores.s3 })}
              </select>
              ${renderDestination({
                method: this.method,
                destination: this.destination,
                ec2: this.ec2,
                onChange: (d) => (this.destination = d),
                onCreateEc2: () => this.#emit('create-ec2', null),
              })}`
            : html`<label for="url">${msg('Image URL')}</label>
              <input id="url" name="url" type="url" .value=${this.url} @input=${(e: Event) => (this.url = (e.target as HTMLInputElement).value)} />`
        }

        <label for="disk_format">${msg('Format')}</label>
        <select id="disk_format" name="disk_format" @change=${(e: Event) => this.set('disk_format', (e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!f.disk_format}>${msg('Select a format')}</option>
          ${fmts.map((v) => html`<option value=${v} ?selected=${v === f.disk_format}>${v}</option>`)}
        </select>

        <label for="container_format">${msg('Container format')}</label>
        <select id="container_format" name="container_format" @change=${(e: Event) => this.set('container_format', (e.target as HTMLSelectElement).value)}>
          ${cfmts.map((v) => html`<option value=${v} ?selected=${v === f.container_format}>${v}</option>`)}
        </select>

        <label for="architecture">${msg('Architecture')}</label>
        <input id="architecture" name="architecture" list="arches" .value=${f.architecture} @input=${(e: Event) => this.set('architecture', (e.target as HTMLInputElement).value)} />
        <datalist id="arches">${['x86_64', 'aarch64', 'i686', 'ppc64le', 's390x', 'riscv64'].map((a) => html`<option value=${a}></option>`)}</datalist>

        <label for="min_disk">${msg('Minimum disk (GB)')}</label>
        <input id="min_disk" name="min_disk" type="number" min="0" .value=${String(f.min_disk)} @input=${(e: Event) => this.set('min_disk', Number((e.target as HTMLInputElement).value) || 0)} />

        <label for="min_ram">${msg('Minimum RAM (MB)')}</label>
        <input id="min_ram" name="min_ram" type="number" min="0" .value=${String(f.min_ram)} @input=${(e: Event) => this.set('min_ram', Number((e.target as HTMLInputElement).value) || 0)} />

        <label for="visibility">${msg('Visibility')}</label>
        <select id="visibility" name="visibility" @change=${(e: Event) => this.set('visibility', (e.target as HTMLSelectElement).value)}>
          ${VISIBILITIES.map((v) => html`<option value=${v} ?selected=${v === f.visibility}>${visibilityLabel(v)}</option>`)}
        </select>

        <label for="protected">${msg('Protected')}</label>
        <input id="protected" name="protected" type="checkbox" .checked=${f.protected} @change=${(e: Event) => this.set('protected', (e.target as HTMLInputElement).checked)} />

        <label for="kernel_id">${msg('Kernel ID')}</label>
        <select id="kernel_id" name="kernel_id" @change=${(e: Event) => this.set('kernel_id', (e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!f.kernel_id}>${msg('None')}</option>
          ${this.kernels.map((k) => html`<option value=${k.id} ?selected=${k.id === f.kernel_id}>${k.name || k.id}</option>`)}
        </select>

        <label for="ramdisk_id">${msg('Ramdisk ID')}</label>
        <select id="ramdisk_id" name="ramdisk_id" @change=${(e: Event) => this.set('ramdisk_id', (e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!f.ramdisk_id}>${msg('None')}</option>
          ${this.ramdisks.map((k) => html`<option value=${k.id} ?selected=${k.id === f.ramdisk_id}>${k.name || k.id}</option>`)}
        </select>

        <span>${msg('Custom properties')}</span>
        <div class="props" part="properties">
          ${Object.entries(f.properties).map(
            ([k, v]) => html`
            <span data-prop=${k}>${k}</span>
            <input aria-label=${k} data-prop-value=${k} .value=${v}
              @input=${(e: Event) => this.set('properties', { ...f.properties, [k]: (e.target as HTMLInputElement).value })} />
            <button type="button" data-remove-prop=${k} @click=${() => this.removeProperty(k)}>${msg('Remove')}</button>`,
          )}
          <input name="new-key" placeholder=${msg('key')} .value=${this.newKey} @input=${(e: Event) => (this.newKey = (e.target as HTMLInputElement).value)} />
          <input name="new-value" placeholder=${msg('value')} .value=${this.newValue} @input=${(e: Event) => (this.newValue = (e.target as HTMLInputElement).value)} />
          <button type="button" data-action="add-prop" @click=${this.addProperty}>${msg('Add')}</button>
        </div>

        ${
          this.checks.length
            ? html`<ul class="full" part="checks" data-role="checks">${this.checks.map((c) => html`<li class="check ${c.ok ? 'good' : 'bad'}">${c.ok ? '✓' : '✗'} ${c.text}</li>`)}</ul>`
            : nothing
        }
        ${renderProgress(this.progress, this.phase)}
        ${this.error ? html`<p class="full error" role="alert" data-role="error">${this.error}</p>` : nothing}
        ${this.success ? html`<p class="full ok" role="status" data-role="success" tabindex="-1">${this.success}</p>` : nothing}
        ${
          this.pendingImageId && !this.busy
            ? html`<p class="full" data-role="pending">${msg(str`The image ${this.pendingImageId} from the last attempt has no data yet: "Create and upload" reuses it, or delete it.`)}
              <button type="button" data-action="discard-pending" @click=${() => this.dispatchEvent(new CustomEvent('discard-pending', { detail: this.pendingImageId, bubbles: true, composed: true }))}>${msg('Delete it')}</button></p>`
            : nothing
        }
        <div class="full">
          <button type="submit" data-action="create" aria-disabled=${String(this.busy)}>${msg('Create and upload')}</button>
          ${this.busy && (this.method === 'swift' || this.method === 's3') ? html`<button type="button" data-action="pause" @click=${() => this.#emit('pause-upload', null)}>${msg('Pause')}</button>` : nothing}
          ${this.phase === 'paused' && this.resumable ? html`<button type="button" data-action="resume" @click=${() => this.#emit('resume-upload', null)}>${msg('Resume')}</button>` : nothing}
          ${this.busy || this.phase === 'paused' ? html`<button type="button" data-action="cancel" @click=${() => this.#emit('cancel-upload', null)}>${msg('Cancel upload')}</button>` : nothing}
        </div>
      </form>
    `;
  }

  #emit(name: string, detail: unknown) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** showOpenFilePicker: the handle lets a resume after a restart reopen the file with one prompt. */
  private async pickWithHandle() {
    const picked = await pickWithHandle();
    if (!picked) return;
    this.#emit('file-handle-chosen', picked);
    this.setFile(picked.file);
    this.#emit('file-chosen', picked.file);
  }

  /** A dropped file; Chromium also gives its handle (asked for during the drop event itself). */
  private dropFile(e: DragEvent) {
    const file = e.dataTransfer?.files?.[0];
    if (!file) return;
    e.preventDefault();
    const handle = handleFromDrop(e.dataTransfer?.items);
    this.setFile(file);
    this.#emit('file-chosen', file);
    void handle.then((h) => h && this.#emit('file-handle-chosen', { file, handle: h }));
  }

  private pickFile(e: Event) {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0] ?? null;
    this.setFile(file);
    this.dispatchEvent(new CustomEvent('file-chosen', { detail: file, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cloud-create-form': CloudCreateForm;
  }
}
