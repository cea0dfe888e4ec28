// The create/upload form with every Dashboard field. It only collects and validates input and
// shows the pre-checks and the transfer; <cloud-panel> runs the flow (upload-flow.ts) and feeds
// `checks`, `progress`, `phase` and `error` back in.
import { LitElement, html, nothing } from 'lit';
import { controls, tokens } from '../styles/tokens.ts';
import { customElement, property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import type { UploadProgress } from '../../core/upload/types.ts';
import type { Ec2Choice, ObjectDestination, FormPhase, UploadMethod } from './create-form-upload.ts';

export type { Ec2Choice, ObjectDestination, FormPhase, UploadMethod } from './create-form-upload.ts';
export type { UploadProgress } from '../../core/upload/types.ts';
import type { ImageRecord } from './image-record.ts';
import { syncSelects } from './select-sync.ts';
import { renderDetailsStep, renderMetadataStep } from './create-form-fields.ts';
import { createSteps, renderSteps, renderUploadStep } from './create-form-steps.ts';
import { filePickers, renderFileStep, type FileStepView } from './create-form-file-step.ts';
import {
  blankFields,
  fieldsFromInspection,
  requestOf,
  type CheckLine,
  type CreateFields,
  type HashingState,
  type InspectionLike,
} from './create-form-model.ts';
import { focusRing } from '../focus-ring.ts';
import { createFormStyles } from './create-form-styles.ts';

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
  static override styles = [tokens, controls, focusRing, createFormStyles];

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
  /** The file a new offer replaced (set with a new `generation`): named in the reset notice. */
  @property() replaced = '';
  /** Set by the panel when the file's safety verdict is a rejection: said once, in the form. */
  @property() verdictNote = '';

  /** Said when a new offer emptied what the user had typed for the previous file. */
  @state() private resetNote = '';
  /** The user typed into the fields since the form was last filled or emptied. */
  #typed = false;

  @state() private fields: CreateFields = blankFields();
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

  /** "Create new credentials" was clicked: the credentials that then arrive fill the S3 fields. */
  #ec2Asked = false;

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('ec2') && this.#ec2Asked) this.#selectNewEc2((changed.get('ec2') as Ec2Choice[] | undefined) ?? []);
    const reset = changed.has('generation') && changed.get('generation') !== undefined;
    if (reset) this.reset();
    if (changed.has('file') || reset) this.setFile(this.file);
    if ((changed.has('inspection') || reset) && this.inspection) this.applyInspection(this.inspection);
  }

  #selectNewEc2(before: Ec2Choice[]) {
    const fresh = this.ec2.find((c) => !before.some((b) => b.access === c.access));
    if (!fresh) return;
    this.#ec2Asked = false;
    const d =
      this.destination?.kind === 's3' ? this.destination : { kind: 's3' as const, bucket: 'images', accessKeyId: '', secretAccessKey: '' };
    this.destination = { ...d, accessKeyId: fresh.access, secretAccessKey: fresh.secret };
  }

  /** Back to an empty form (after a success, for the next image). */
  private reset() {
    this.resetNote =
      this.#typed && this.replaced && this.file
        ? msg(str`The form now holds ${this.file.name}: what you had typed for ${this.replaced} was cleared, since it described that file.`)
        : '';
    this.#typed = false;
    this.fields = blankFields();
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
    this.#typed = true;
    this.fields = { ...this.fields, [k]: v };
  }

  private get busy() {
    return BUSY.includes(this.phase);
  }

  private submit(e: Event) {
    e.preventDefault();
    if (this.busy) return;
    const detail = requestOf({
      fields: this.fields,
      sourceKind: this.sourceKind,
      url: this.url,
      file: this.chosen,
      method: this.method,
      destination: this.destination,
    });
    if (!detail) {
      this.error = msg('Choose an image file or give an image URL, then create the image again.');
      return;
    }
    this.dispatchEvent(new CustomEvent('create-image', { detail, bubbles: true, composed: true }));
  }

  private addProperty() {
    const k = this.newKey.trim();
    if (!k) return;
    this.#typed = true;
    this.fields = { ...this.fields, properties: { ...this.fields.properties, [k]: this.newValue } };
    this.newKey = '';
    this.newValue = '';
  }

  private removeProperty(k: string) {
    const p = { ...this.fields.properties };
    delete p[k];
    this.fields = { ...this.fields, properties: p };
  }

  override render() {
    const view = {
      fields: this.fields,
      diskFormats: this.diskFormats,
      containerFormats: this.containerFormats,
      kernels: this.kernels,
      ramdisks: this.ramdisks,
      set: <K extends keyof CreateFields>(k: K, v: CreateFields[K]) => this.set(k, v),
    };
    const props = {
      properties: this.fields.properties,
      newKey: this.newKey,
      newValue: this.newValue,
      setNew: (k: string, v: string) => {
        this.newKey = k;
        this.newValue = v;
      },
      add: () => this.addProperty(),
      remove: (k: string) => this.removeProperty(k),
      change: (k: string, v: string) => this.set('properties', { ...this.fields.properties, [k]: v }),
    };
    const fileStep: FileStepView = {
      importMethods: this.importMethods,
      sourceKind: this.sourceKind,
      chosen: this.chosen,
      hashing: this.hashing,
      url: this.url,
      method: this.method,
      destination: this.destination,
      objectStores: this.objectStores,
      ec2: this.ec2,
      verdictNote: this.verdictNote,
      error: this.error,
      setSource: (kind) => (this.sourceKind = kind),
      setUrl: (url) => (this.url = url),
      chooseMethod: (method) => {
        this.method = method;
        this.#methodChosen = true;
      },
      setDestination: (d) => (this.destination = d),
      ...filePickers({
        setFile: (f) => this.setFile(f),
        chosen: (f) => this.#emit('file-chosen', f),
        handleChosen: (picked) => this.#emit('file-handle-chosen', picked),
      }),
      createEc2: () => {
        this.#ec2Asked = true;
        this.#emit('create-ec2', null);
      },
    };
    const [file, details, metadata, upload] = createSteps();
    const emit = (name: string) => () => this.#emit(name, null);
    const uploadStep = {
      checks: this.checks,
      progress: this.progress,
      phase: this.phase,
      error: this.error,
      success: this.success,
      pendingImageId: this.pendingImageId,
      busy: this.busy,
      objectMethod: this.method === 'swift' || this.method === 's3',
      resumable: this.resumable,
      pause: emit('pause-upload'),
      resume: emit('resume-upload'),
      cancel: emit('cancel-upload'),
      discardPending: () => this.#emit('discard-pending', this.pendingImageId),
    };
    return html`
      ${renderSteps((id) => this.renderRoot.querySelector(`#${id}`)?.scrollIntoView({ block: 'start', behavior: 'smooth' }))}
      ${this.resetNote ? html`<p class="box warn" data-role="form-reset" role="status">${this.resetNote}</p>` : nothing}
      <form part="form" @submit=${this.submit} novalidate>
        <section class="step" id=${file[0]} aria-labelledby="h-${file[0]}"><h4 id="h-${file[0]}">1. ${file[1]}</h4>
          <div class="grid">${renderFileStep(fileStep)}</div></section>
        <section class="step" id=${details[0]} aria-labelledby="h-${details[0]}"><h4 id="h-${details[0]}">2. ${details[1]}</h4>
          <div class="grid">${renderDetailsStep(view)}</div></section>
        <section class="step" id=${metadata[0]} aria-labelledby="h-${metadata[0]}"><h4 id="h-${metadata[0]}">3. ${metadata[1]}</h4>
          <div class="grid">${renderMetadataStep(view, props)}</div></section>
        <section class="step" id=${upload[0]} aria-labelledby="h-${upload[0]}"><h4 id="h-${upload[0]}">4. ${upload[1]}</h4>
          <div class="grid">${renderUploadStep(uploadStep)}</div></section>
      </form>
    `;
  }

  #emit(name: string, detail: unknown) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cloud-create-form': CloudCreateForm;
  }
}
