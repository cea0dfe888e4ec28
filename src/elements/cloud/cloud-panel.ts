// <cloud-panel>: the OpenStack side of the app. Sign in to Keystone, list / inspect / create /
// upload / update / delete Glance images. The token lives in this element's memory only (the
// KeystoneSession), never in storage or logs. A file to upload and its inspection arrive by the
// `offer` property (the app shell sets it from <image-inspector>'s `image-upload-requested`),
// `offerImage()`, or that event on document; `image-inspected` for the file in the form refines it.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { KeystoneSession } from '../../core/openstack/keystone.ts';
import { GlanceClient } from '../../core/openstack/glance.ts';
import { catalogInterfaces, catalogRegions } from '../../core/openstack/catalog.ts';
import { OpenStackError, isOpenStackError } from '../../core/openstack/errors.ts';
import type { AuthConfig, EndpointInterface, GlanceImage, ImagePatchOp, ImageSchemaInfo, MetadefNamespace, StoreInfo } from '../../core/openstack/types.ts';
import './cloud-sign-in.ts';
import './cloud-images-table.ts';
import './cloud-image-details.ts';
import './cloud-create-form.ts';
import './cloud-image-editor.ts';
import type { CloudSignIn, SignInRequest } from './cloud-sign-in.ts';
import { forgetTab, rememberInTab, restoredConfig } from './tab-session.ts';
import type { CheckLine, CloudCreateForm, CreateRequest, InspectionLike, Phase, UploadProgress } from './cloud-create-form.ts';
import type { ImageRecord } from './image-record.ts';
import { UploadFlow, discardImage, type DataUploader, type Verdict } from './upload-flow.ts';
import { glanceDiskFormatFor } from '../../core/inspect/glance-formats.ts';
import type { FormatName } from '../../core/inspect/types.ts';
import { xhrUploader } from './xhr-uploader.ts';
import { verdictForFile } from './file-verdict.ts';
import { formatBytes, formatRate } from './format.ts';
import { FileDigests, type DigestJob } from '../../core/hash/file-digests.ts';
import { createHashClient, type HashClient } from '../../../workers/hash/client.ts';

type View = 'list' | 'details' | 'edit' | 'create';

export interface ImageOffer {
  file: File;
  result?: InspectionLike;
}

function sentence(e: unknown): string {
  if (e instanceof OpenStackError) return e.message;
  if (e instanceof Error) return msg(str`Something went wrong: ${e.message}. Try again, or reload the page.`);
  return msg('Something went wrong. Try again, or reload the page.');
}

@customElement('cloud-panel')
export class CloudPanel extends LitElement {
  static override styles = css`
    :host { display: block; }
    header { display: flex; flex-wrap: wrap; gap: 0.75em; align-items: center; margin-block-end: 0.75em; }
    nav { display: flex; gap: 0.5em; }
    .error { color: var(--cloud-error, #a00); }
    .notice { color: var(--cloud-ok, #070); }
  `;

  /** Prefills the Keystone URL of the sign-in form. */
  @property({ attribute: 'auth-url' }) authUrl = '';
  /** A file and its inspection handed over by the app (see offerImage). */
  @property({ attribute: false }) offer: ImageOffer | null = null;

  @state() private session: KeystoneSession | null = null;
  @state() private signingIn = false;
  @state() private signInError = '';
  @state() private corsSettings = '';
  @state() private region = '';
  @state() private iface: EndpointInterface = 'public';
  @state() private view: View = 'list';
  @state() private images: GlanceImage[] = [];
  @state() private selected: GlanceImage | null = null;
  @state() private schema: ImageSchemaInfo = { diskFormats: [], containerFormats: [], visibilities: [], raw: {} };
  @state() private importMethods: string[] = [];
  @state() private stores: StoreInfo[] = [];
  @state() private namespaces: MetadefNamespace[] = [];
  @state() private busy = false;
  @state() private error = '';
  @state() private notice = '';
  @state() private editError = '';
  // create / upload state
  @state() private checks: CheckLine[] = [];
  @state() private progress: UploadProgress | null = null;
  @state() private phase: Phase = 'idle';
  @state() private createError = '';
  @state() private createSuccess = '';
  @state() private pendingImageId = '';
  @state() private inspection: InspectionLike | null = null;
  @state() private verdict: Verdict | null = null;
  /** The digests of the file in the form, computed from the moment it was offered. */
  @state() private hashing: { hashed: number; total: number; done: boolean; failed: boolean } | null = null;

  @query('cloud-create-form') private createForm?: CloudCreateForm;
  @query('cloud-sign-in') private signInForm?: CloudSignIn;

  #glance: GlanceClient | null = null;
  #flow: UploadFlow | null = null;
  #abort: AbortController | null = null;
  #file: File | null = null;
  /** Replaceable for the benchmark and the worker: how bytes and hashes travel. */
  uploaderFactory: (glance: GlanceClient) => DataUploader = xhrUploader;

  #hashClient: HashClient | null = null;
  /** The file an upload is running with: its digest job must outlive a change of file in the form. */
  #uploading: File | null = null;
  #digests = new FileDigests(
    (blob, opts) => (this.#hashClient ??= createHashClient()).hash(blob, opts),
    (job) => this.#showHashing(job),
  );

  #showHashing(job: DigestJob) {
    if (job.file !== this.#file) return;
    this.hashing = { hashed: job.hashedBytes, total: job.totalBytes, done: !!job.result, failed: job.failed };
  }

  /** A file arrived in the form: start hashing it now, and stop hashing the one it replaces. */
  #setFile(file: File | null) {
    const old = this.#file;
    this.#file = file;
    if (old && old !== file && old !== this.#uploading) this.#digests.withdraw(old);
    this.hashing = null;
    if (file && file.size > 0) this.#showHashing(this.#digests.start(file));
  }

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override connectedCallback() {
    super.connectedCallback();
    // a session this tab chose to keep (sessionStorage, token only) comes back after a reload
    const kept = this.session ? null : restoredConfig();
    if (kept) void this.#signIn(kept, true, true);
    document.addEventListener('image-inspected', this.#onInspected);
    document.addEventListener('image-upload-requested', this.#onFileInspected);
    window.addEventListener('beforeunload', this.#onUnload);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    document.removeEventListener('image-inspected', this.#onInspected);
    document.removeEventListener('image-upload-requested', this.#onFileInspected);
    window.removeEventListener('beforeunload', this.#onUnload);
    this.#digests.dispose();
    this.#hashClient?.dispose();
    this.#hashClient = null;
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('offer') && this.offer) this.offerImage(this.offer.file, this.offer.result);
  }

  /** A finished inspection of the file already in the form (e.g. by a host page's inspector). */
  #onInspected = (e: Event) => {
    const r = (e as CustomEvent<InspectionLike>).detail;
    const name = typeof r?.file === 'string' ? r.file : r?.file?.name;
    if (r && typeof r === 'object' && this.#file && name === this.#file.name) this.#applyInspection(r);
  };

  #onFileInspected = (e: Event) => {
    const d = (e as CustomEvent<ImageOffer>).detail;
    if (d?.file instanceof File) this.offerImage(d.file, d.result);
  };

  // a closing tab aborts the XHR; the browser asks first while bytes are in flight
  #onUnload = (e: BeforeUnloadEvent) => {
    if (this.#abort) {
      e.preventDefault();
      e.returnValue = '';
    }
  };

  /** Hands a file (and optionally its inspection) to the create form. */
  offerImage(file: File, result?: InspectionLike) {
    if (file === this.#file && result === this.inspection) return; // the same offer by event and property
    this.#setFile(file);
    // the user asked to upload this: the create form is where that happens (after sign-in if needed)
    this.view = 'create';
    if (this.phase === 'done' || this.phase === 'cancelled' || this.phase === 'failed') this.#resetCreate();
    if (result) this.#applyInspection(result);
    else void this.#checkFile(file);
    this.updateComplete.then(() => this.createForm?.setFile(file));
  }

  #applyInspection(r: InspectionLike) {
    this.inspection = r;
    const name = typeof r.file === 'string' ? r.file : r.file?.name;
    if (!this.#file || !name || name === this.#file.name) {
      const suggested = typeof r.suggested?.disk_format === 'string' ? r.suggested.disk_format : null;
      this.verdict = r.safety
        ? { safe: r.safety.safe, diskFormat: suggested ?? glanceDiskFormatFor((r.detected ?? r.format ?? null) as FormatName | null), reason: firstReason(r.safety.findings) }
        : null;
    }
    this.updateComplete.then(() => this.createForm?.applyInspection(r));
  }

  #verdictPending: Promise<void> | null = null;

  #checkFile(file: File): Promise<void> {
    this.#verdictPending = this.#runCheck(file);
    return this.#verdictPending;
  }

  async #runCheck(file: File) {
    this.verdict = null;
    const r = await verdictForFile(file);
    if (this.#file !== file) return;
    this.verdict = r.verdict;
    if (r.inspection) this.createForm?.applyInspection(r.inspection);
  }

  // ------------------------------------------------------------------ sign-in

  #stayInTab = false;

  #remember(session: KeystoneSession) {
    if (!this.#stayInTab) return;
    const t = session.token;
    rememberInTab({
      authUrl: session.authUrl, token: t.value, expiresAt: t.expiresAt.toISOString(), projectId: t.project?.id,
      region: this.region, iface: this.iface,
    });
  }

  async #signIn(config: AuthConfig, stayInTab: boolean, restoring = false) {
    this.signingIn = true;
    this.signInError = '';
    this.corsSettings = '';
    this.#stayInTab = stayInTab;
    if (!stayInTab) forgetTab();
    try {
      const options = {
        onRenew: () => {
          this.#remember(session);
          this.requestUpdate();
        },
      };
      let session: KeystoneSession;
      try {
        session = await KeystoneSession.signIn(config, options);
      } catch (e) {
        // a dropped kept-alive connection looks like a network (or CORS) failure: one more try
        // tells it from a real one, which fails the same way again
        if (!isOpenStackError(e, 'network') && !isOpenStackError(e, 'cors')) throw e;
        await new Promise((r) => setTimeout(r, 300));
        session = await KeystoneSession.signIn(config, options);
      }
      this.region = config.regionName ?? '';
      this.iface = config.interface ?? 'public';
      this.session = session;
      this.#remember(session);
      await this.#connect();
    } catch (e) {
      this.signInError = restoring && isOpenStackError(e, 'wrong-credentials')
        ? msg('The session kept in this tab has ended (its token expired or was revoked): sign in again.')
        : sentence(e);
      if (e instanceof OpenStackError && e.corsSettings) this.corsSettings = e.corsSettings;
      this.session = null;
      if (restoring) forgetTab();
    } finally {
      this.signingIn = false;
    }
  }

  /** (Re)creates the Glance client for the chosen region/interface and loads what the forms need. */
  async #connect() {
    const s = this.session;
    if (!s) return;
    this.error = '';
    try {
      const regions = catalogRegions(s.catalog);
      const region = this.region || (regions.length === 1 ? regions[0] : undefined);
      this.#glance = GlanceClient.fromSession(s, { region, interface: this.iface });
      const g = this.#glance;
      const [schema, info, stores] = await Promise.all([g.imageSchema(), g.importInfo(), g.storesInfo()]);
      this.schema = schema;
      this.importMethods = info.methods;
      this.stores = stores;
      await this.#refresh();
    } catch (e) {
      this.error = sentence(e);
      if (e instanceof OpenStackError && e.corsSettings) this.corsSettings = e.corsSettings;
    }
  }

  async #signOut() {
    this.#abort?.abort();
    forgetTab();
    const s = this.session;
    this.session = null;
    this.#glance = null;
    this.images = [];
    this.selected = null;
    this.view = 'list';
    this.signInForm?.clearSecrets();
    // the sign-in form waits for the revocation: one request to Keystone at a time
    this.signingIn = true;
    try {
      await s?.signOut();
    } catch {
      // the token is forgotten locally either way; revoking it is a courtesy to the server
    } finally {
      this.signingIn = false;
    }
  }

  // ------------------------------------------------------------------ list / details

  async #refresh() {
    const g = this.#glance;
    if (!g || !this.session) return;
    this.busy = true;
    try {
      this.images = await g.listAllImages({ sort: 'created_at:desc' });
      if (this.selected) this.selected = this.images.find((i) => i.id === this.selected!.id) ?? this.selected;
    } catch (e) {
      this.#fail(e);
    } finally {
      this.busy = false;
    }
  }

  #fail(e: unknown) {
    this.error = sentence(e);
    if (isOpenStackError(e, 'token-expired')) {
      this.signInError = this.error;
      this.session = null;
      forgetTab();
    }
  }

  async #select(id: string) {
    const g = this.#glance;
    if (!g) return;
    this.error = '';
    this.notice = '';
    try {
      this.selected = await g.getImage(id);
      this.view = 'details';
    } catch (e) {
      this.#fail(e);
    }
  }

  async #edit(id: string) {
    const g = this.#glance;
    if (!g) return;
    this.editError = '';
    try {
      if (!this.namespaces.length) this.namespaces = await g.metadefNamespaces();
      this.selected = await g.getImage(id);
      this.view = 'edit';
    } catch (e) {
      this.#fail(e);
    }
  }

  async #update(id: string, ops: ImagePatchOp[]) {
    const g = this.#glance;
    if (!g) return;
    this.busy = true;
    this.editError = '';
    try {
      this.selected = await g.updateImage(id, ops);
      this.notice = msg(str`Saved ${ops.length} change(s) to "${this.selected.name ?? id}".`);
      this.view = 'details';
      await this.#refresh();
    } catch (e) {
      this.editError = sentence(e);
    } finally {
      this.busy = false;
    }
  }

  async #delete(id: string) {
    const g = this.#glance;
    if (!g) return;
    this.busy = true;
    this.error = '';
    try {
      await g.deleteImage(id);
      this.notice = msg(str`Deleted the image ${id}.`);
      this.selected = null;
      this.view = 'list';
      await this.#refresh();
    } catch (e) {
      this.#fail(e);
    } finally {
      this.busy = false;
    }
  }

  async #unprotect(id: string) {
    const g = this.#glance;
    if (!g) return;
    this.busy = true;
    try {
      this.selected = await g.updateImage(id, [{ op: 'replace', path: '/protected', value: false }]);
      this.notice = msg('The image is no longer protected; you can delete it now.');
    } catch (e) {
      this.#fail(e);
    } finally {
      this.busy = false;
    }
  }

  async #cleanupOrphans(ids: string[]) {
    const g = this.#glance;
    if (!g) return;
    this.busy = true;
    try {
      for (const id of ids) await discardImage(g, id);
      if (ids.includes(this.pendingImageId)) this.pendingImageId = '';
      this.notice = msg(str`Deleted ${ids.length} image(s) that had no data.`);
      await this.#refresh();
    } catch (e) {
      this.#fail(e);
    } finally {
      this.busy = false;
    }
  }

  // ------------------------------------------------------------------ create / upload

  async #openCreate() {
    this.view = 'create';
    this.createError = '';
    if (this.phase === 'done' || this.phase === 'cancelled') {
      // the last image is finished: start the next one from a clean form
      this.#setFile(null);
      this.verdict = null;
      this.#resetCreate();
    }
    if (this.#file) this.updateComplete.then(() => this.createForm?.setFile(this.#file));
  }

  #resetCreate() {
    this.phase = 'idle';
    this.checks = [];
    this.progress = null;
    this.createSuccess = '';
    this.createError = '';
    this.createForm?.reset();
  }

  async #create(req: CreateRequest) {
    const g = this.#glance;
    if (!g) return;
    if (req.source.kind === 'file' && req.source.file !== this.#file) {
      this.#setFile(req.source.file);
      await this.#checkFile(req.source.file);
    } else if (req.source.kind === 'file' && !this.verdict && this.#verdictPending) {
      await this.#verdictPending;
    }
    const ctx = {
      glance: g, uploader: this.uploaderFactory(g), schema: this.schema, importMethods: this.importMethods, stores: this.stores,
      // reuses the job started when the file was offered; starts one now if there was none
      digestsFor: (file: File) => this.#digests.start(file),
    };
    if (this.#flow) this.#flow.setContext(ctx);
    else this.#flow = new UploadFlow(ctx);
    const abort = new AbortController();
    this.#abort = abort;
    this.#uploading = req.source.kind === 'file' ? req.source.file : null;
    this.createError = '';
    this.createSuccess = '';
    this.checks = [];
    try {
      const out = await this.#flow.run(req, req.source.kind === 'file' ? this.verdict : null, this.pendingImageId, abort.signal, {
        checks: (l) => (this.checks = l),
        phase: (p) => (this.phase = p),
        progress: (p) => (this.progress = p),
        image: (id) => (this.pendingImageId = id),
      });
      this.phase = 'done';
      this.pendingImageId = '';
      const t = out.transfer;
      this.createSuccess = t
        ? `${out.message} ${msg(str`Sent ${formatBytes(t.bytes)} in ${(t.ms / 1000).toFixed(1)} s (${formatRate(t.bytes / (t.ms / 1000))}).`)}`
        : out.message;
      this.dispatchEvent(new CustomEvent('cloud-image-created', { detail: { image: out.image, transfer: t }, bubbles: true, composed: true }));
    } catch (e) {
      const aborted = isOpenStackError(e, 'aborted');
      this.phase = aborted ? 'cancelled' : 'failed';
      let text = sentence(e);
      if (!aborted && this.pendingImageId && this.phase === 'failed' && !isOpenStackError(e, 'hash-mismatch'))
        text += ' ' + msg(str`The unfinished image ${this.pendingImageId} is kept: "Create and upload" again reuses or replaces it, or delete it.`);
      this.createError = text;
      if (isOpenStackError(e, 'token-expired')) {
        // the session cannot continue: back to the sign-in form, the unfinished image remembered
        this.signInError = text;
        this.session = null;
        forgetTab();
      }
    } finally {
      this.#abort = null;
      const sent = this.#uploading;
      this.#uploading = null;
      if (sent && sent !== this.#file) this.#digests.withdraw(sent);
      void this.#refresh();
    }
  }

  async #discardPending(id: string) {
    const g = this.#glance;
    if (!g) return;
    try {
      await discardImage(g, id);
      this.pendingImageId = '';
      this.createError = '';
      this.notice = msg(str`Deleted the image ${id}.`);
      await this.#refresh();
    } catch (e) {
      this.createError = sentence(e);
    }
  }

  // ------------------------------------------------------------------ render

  #kernels(kind: 'aki' | 'ari'): ImageRecord[] {
    return this.images.filter((i) => i.disk_format === kind && i.status === 'active');
  }

  override render() {
    const s = this.session;
    // The views stay mounted while signed out (hidden), so that a form survives a re-sign-in
    // after an expired token.
    return html`
      ${s ? this.#renderHeader(s) : html`<cloud-sign-in part="sign-in" auth-url=${this.authUrl} ?busy=${this.signingIn}
          error=${this.signInError} corsSettings=${this.corsSettings}
          @sign-in=${(e: CustomEvent<SignInRequest>) => void this.#signIn(e.detail.config, e.detail.stayInTab)}></cloud-sign-in>`}
      <div ?hidden=${!s}>${this.#renderView()}</div>
    `;
  }

  #renderHeader(s: KeystoneSession) {
    const t = s.token;
    const regions = catalogRegions(s.catalog);
    const ifaces = catalogInterfaces(s.catalog, 'image', this.region || undefined);
    return html`
      <header part="header">
        <span data-role="whoami">${msg(str`Signed in as ${t.user.name} in project ${t.project?.name ?? '—'}; token valid until ${t.expiresAt.toLocaleTimeString()}.`)}</span>
        ${regions.length > 1 || this.region
          ? html`<label>${msg('Region')} <select name="region" @change=${(e: Event) => { this.region = (e.target as HTMLSelectElement).value; void this.#connect(); }}>
              ${regions.map((r) => html`<option value=${r} ?selected=${r === this.region}>${r}</option>`)}</select></label>`
          : nothing}
        <label>${msg('Interface')} <select name="interface" @change=${(e: Event) => { this.iface = (e.target as HTMLSelectElement).value as EndpointInterface; void this.#connect(); }}>
          ${(ifaces.length ? ifaces : [this.iface]).map((i) => html`<option value=${i} ?selected=${i === this.iface}>${i}</option>`)}</select></label>
        <nav>
          <button data-action="show-list" @click=${() => { this.view = 'list'; void this.#refresh(); }}>${msg('Images')}</button>
          <button data-action="show-create" @click=${() => void this.#openCreate()}>${msg('Create image')}</button>
          <button data-action="sign-out" @click=${() => void this.#signOut()}>${msg('Sign out')}</button>
        </nav>
      </header>
      ${this.error ? html`<p class="error" role="alert" data-role="panel-error">${this.error}</p>` : nothing}
      ${this.corsSettings && this.error ? html`<pre data-role="cors-settings">${this.corsSettings}</pre>` : nothing}
      ${this.notice ? html`<p class="notice" role="status" data-role="panel-notice">${this.notice}</p>` : nothing}
    `;
  }

  #renderView() {
    switch (this.view) {
      case 'details':
        return html`<cloud-image-details .image=${this.selected} ?busy=${this.busy}
          @back=${() => (this.view = 'list')}
          @edit-image=${(e: CustomEvent<string>) => void this.#edit(e.detail)}
          @refresh-image=${(e: CustomEvent<string>) => void this.#select(e.detail)}
          @delete-image=${(e: CustomEvent<string>) => void this.#delete(e.detail)}
          @unprotect-image=${(e: CustomEvent<string>) => void this.#unprotect(e.detail)}></cloud-image-details>`;
      case 'edit':
        return html`<cloud-image-editor .image=${this.selected} .namespaces=${this.namespaces}
          .diskFormats=${this.schema.diskFormats} .containerFormats=${this.schema.containerFormats}
          .kernels=${this.#kernels('aki')} .ramdisks=${this.#kernels('ari')} ?busy=${this.busy} error=${this.editError}
          @back=${() => (this.view = 'details')}
          @update-image=${(e: CustomEvent<{ id: string; ops: ImagePatchOp[] }>) => void this.#update(e.detail.id, e.detail.ops)}></cloud-image-editor>`;
      case 'create':
        return html`<cloud-create-form .diskFormats=${this.schema.diskFormats} .containerFormats=${this.schema.containerFormats}
          .importMethods=${this.importMethods} .kernels=${this.#kernels('aki')} .ramdisks=${this.#kernels('ari')}
          .checks=${this.checks} .progress=${this.progress} phase=${this.phase} error=${this.createError}
          success=${this.createSuccess} pendingImageId=${this.pendingImageId}
          .hashing=${this.hashing}
          @file-chosen=${(e: CustomEvent<File | null>) => { this.#setFile(e.detail); if (e.detail) void this.#checkFile(e.detail); }}
          @create-image=${(e: CustomEvent<CreateRequest>) => void this.#create(e.detail)}
          @cancel-upload=${() => this.#abort?.abort()}
          @discard-pending=${(e: CustomEvent<string>) => void this.#discardPending(e.detail)}></cloud-create-form>`;
      default:
        return html`<cloud-images-table .images=${this.images} projectId=${this.session?.token.project?.id ?? ''}
          @image-selected=${(e: CustomEvent<string>) => void this.#select(e.detail)}
          @cleanup-orphans=${(e: CustomEvent<string[]>) => void this.#cleanupOrphans(e.detail)}></cloud-images-table>`;
    }
  }
}

function firstReason(findings: unknown[] | undefined): string | undefined {
  for (const f of findings ?? []) {
    const o = f as { severity?: string; message?: string };
    if (o && o.severity === 'error' && typeof o.message === 'string') return o.message;
  }
  return undefined;
}

declare global {
  interface HTMLElementTagNameMap {
    'cloud-panel': CloudPanel;
  }
}
