// <image-inspector>: drop or pick disk images (several at once, or a folder for multi-file VMDKs)
// and see, per image, Glance's safety verdict, what qemu-img knows, and suggested Glance
// properties. Everything runs on this machine: the pure-TS safety core first (bounded reads), then
// the qemu-img WebAssembly worker, created lazily on the first file.
//
// In:  attributes/properties `declared-format`, `lang`, `compact`.
// Out: `image-inspected` (detail: the InspectionResult, as `image-inspector inspect --json`),
//      `image-inspect-error` (detail: { file, message }) and `image-converted` (detail:
//      { source, target, outputName, size, opfsPath }), all bubbling and composed.
// Conversion: each inspected card offers "Convert…" (prominent when the verdict's fix is to
// convert); qemu-img writes the output into the origin's private file system (OPFS), the output
// is inspected as a new card and can be saved or uploaded; clearing the results deletes it.
// Theme: ::part(drop-zone | pick-button | list | card | verdict | findings | finding | details |
//        check | allocation | properties | error) and --image-inspector-* custom properties.
import { BINARY_UNITS, scaleBinary } from '../core/binary-units.ts';
import { LitElement, html, svg, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state, query } from 'lit/decorators.js';
import { msg, str, updateWhenLocaleChanges } from '@lit/localize';
import { inspectorStyles } from './image-inspector-styles.ts';
import { groupFiles, qemuInputs, type ImageGroup } from './image-inspector-groups.ts';
import { filesFromDrop } from './image-inspector-drop.ts';
import { factRows } from './image-inspector-facts.ts';
import type { CardState, CardFinding, CheckSummary, QemuImgInfo, Phase, InspectionPipeline, ConvertState } from './image-inspector-model.ts';
import { CONVERT_TARGETS, DEFAULT_TARGET, conversionAdvised, planConversion, type RefusalCode } from '../core/convert/plan.ts';
import type { InspectionResult } from '../core/inspection.ts';
import type { BlobInput } from '../../workers/qemu-img/types.ts';
import { findingMessage, findingFix } from './image-inspector-findings.ts';
import { getLocale, setLocale } from '../locales/localization.ts';

export interface InspectErrorDetail {
  file: string;
  message: string;
}

/** Detail of `image-upload-requested`: the chosen file and its inspection. */
export interface UploadRequestDetail {
  file: File;
  result: unknown;
}

declare global {
  interface HTMLElementTagNameMap {
    'image-inspector': ImageInspector;
  }
  interface HTMLElementEventMap {
    'image-inspected': CustomEvent<unknown>;
    'image-inspect-error': CustomEvent<InspectErrorDetail>;
    'image-upload-requested': CustomEvent<UploadRequestDetail>;
    'image-converted': CustomEvent<ConvertedDetail>;
  }
}

/** Detail of `image-converted` (plain JSON). */
export interface ConvertedDetail {
  source: string;
  target: string;
  outputName: string;
  size: number;
  /** Where the output lives in the origin's OPFS (deleted when the results are cleared). */
  opfsPath: string;
}

/** Bounded reads per file keep this cheap; the bound keeps a 1000-file folder orderly. */
const MAX_PARALLEL = 4;

@customElement('image-inspector')
export class ImageInspector extends LitElement {
  static override styles = inspectorStyles;

  /** The disk_format the user means to upload as; a mismatch with the content is a finding. */
  @property({ attribute: 'declared-format' }) declaredFormat = '';
  /** UI language ("en", "ja"); empty follows the page. */
  @property() override lang = '';
  /** Only the verdict and key facts, no detail tables. */
  @property({ type: Boolean, reflect: true }) compact = false;
  /** Offer an "Upload…" button on inspected cards (fires image-upload-requested). */
  @property({ type: Boolean, reflect: true }) uploadable = false;

  @state() private cards: CardState[] = [];
  @state() private dragOver = false;
  @query('#files') private fileInput!: HTMLInputElement;
  @query('#folder') private folderInput!: HTMLInputElement;

  #nextId = 1;
  /** The file behind each card (kept out of the rendered state: Files are not display data). */
  #files = new Map<number, File>();
  #pipeline?: Promise<InspectionPipeline>;
  /** Images being inspected at once: safety verdicts of several files show without waiting for
   *  each other's qemu-img runs (the worker client runs those one at a time anyway). */
  #active = 0;
  #waiting: Array<() => void> = [];
  /** What each card's image is made of (qemu-img needs the extents too). */
  #groups = new Map<number, ImageGroup>();
  /** Cards whose file is a conversion output: its OPFS path, deleted when the card is cleared. */
  #outputs = new Map<number, string>();
  /** Running conversions, by source card. */
  #conversions = new Map<number, AbortController>();
  #targets = new Map<number, string>();
  #convertSeq = 1;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('lang') && this.lang) void setLocale(this.lang);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.#pipeline?.then((p) => p.dispose());
    this.#pipeline = undefined;
  }

  /** Inspect these files (what the picker and the drop zone call; also usable from script). */
  async inspectFiles(files: readonly File[]): Promise<void> {
    if (files.length === 0) return;
    await this.#inspectGroups(await groupFiles(files));
  }

  async #inspectGroups(groups: ImageGroup[], mark: Partial<CardState> = {}, created?: (id: number) => void): Promise<void> {
    const jobs = groups.map((g) => {
      const card: CardState = {
        id: this.#nextId++,
        name: g.name,
        size: g.main.size + [...g.extents.values()].reduce((n, f) => n + f.size, 0),
        phase: 'queued',
        findings: [],
        suggestions: [],
        extents: [...g.extents.keys()],
        missingExtents: g.missing,
        notes: [],
        ...mark,
      };
      this.cards = [...this.cards, card];
      this.#files.set(card.id, g.main);
      this.#groups.set(card.id, g);
      created?.(card.id);
      return { card, group: g };
    });
    await Promise.all(jobs.map((j) => this.#limited(() => this.#inspectOne(j.card.id, j.group))));
  }

  async #limited(task: () => Promise<void>): Promise<void> {
    if (this.#active >= MAX_PARALLEL) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  /** Removes every result card. */
  clear(): void {
    for (const ac of this.#conversions.values()) ac.abort();
    const outputs = [...this.#outputs.values()];
    this.cards = [];
    this.#files.clear();
    this.#groups.clear();
    this.#outputs.clear();
    this.#targets.clear();
    if (outputs.length) {
      void import('./image-inspector-convert.ts').then((m) => Promise.all(outputs.map((p) => m.removeOpfsOutput(p))));
    }
  }

  /** What qemu-img reads for this card (the same inputs its inspection used). */
  #inputsFor(c: CardState): BlobInput[] | null {
    const group = this.#groups.get(c.id);
    return group ? qemuInputs(group, c.ovaDisks?.[0]) : null;
  }

  #patchConvert(id: number, patch: Partial<ConvertState>): void {
    this.cards = this.cards.map((c) => (c.id === id && c.convert ? { ...c, convert: { ...c.convert, ...patch } } : c));
  }

  async #convert(c: CardState): Promise<void> {
    if (this.#conversions.has(c.id) || c.result === undefined) return;
    const target = this.#targets.get(c.id) ?? DEFAULT_TARGET;
    const result = c.result as InspectionResult;
    const inputs = this.#inputsFor(c);
    if (!inputs) return;
    const planned = planConversion(result, target, inputs[0]!.name);
    if (!planned.ok) {
      this.#patch(c.id, { convert: { target, status: 'failed', message: this.#refusal(planned.code) } });
      return;
    }
    const { plan } = planned;
    const ac = new AbortController();
    this.#conversions.set(c.id, ac);
    this.#patch(c.id, { convert: { target, status: 'measuring', outputName: plan.outputName } });
    const conv = await import('./image-inspector-convert.ts');
    const seq = this.#convertSeq++;
    let opfsPath = '';
    try {
      opfsPath = await conv.opfsPathFor(seq, plan.outputName);
      const client = await (await this.#getPipeline()).qemu();
      const file = await conv.runConversion({
        client,
        plan,
        inputs,
        virtualSize: result.virtualSize ?? 0,
        opfsPath,
        signal: ac.signal,
        onStatus: (p) => this.#patchConvert(c.id, p),
      });
      this.#patchConvert(c.id, { status: 'done', percent: 100 });
      this.dispatchEvent(
        new CustomEvent<ConvertedDetail>('image-converted', {
          detail: { source: c.name, target: plan.target, outputName: plan.outputName, size: file.size, opfsPath },
          bubbles: true,
          composed: true,
        }),
      );
      if (ac.signal.aborted) {
        // Cleared while finishing: nothing shows the output any more.
        await conv.removeOpfsOutput(opfsPath);
        return;
      }
      await this.#inspectGroups([{ name: file.name, main: file, extents: new Map(), missing: [] }], { convertedFrom: c.name }, (id) =>
        this.#outputs.set(id, opfsPath),
      );
    } catch (e) {
      const kind = e instanceof conv.ConversionError ? e.kind : 'failed';
      const message = e instanceof Error ? e.message : String(e);
      this.#patchConvert(c.id, { status: kind === 'cancelled' ? 'cancelled' : 'failed', noRoom: kind === 'no-room', message });
    } finally {
      this.#conversions.delete(c.id);
    }
  }

  async #save(c: CardState): Promise<void> {
    const file = this.#files.get(c.id);
    if (!file) return;
    try {
      const conv = await import('./image-inspector-convert.ts');
      await conv.saveFile(file, c.name);
    } catch (e) {
      // The user closing the save dialog is not an error worth showing.
      if ((e as { name?: string }).name === 'AbortError') return;
      this.#patch(c.id, { notes: [...c.notes, e instanceof Error ? e.message : String(e)] });
    }
  }

  #requestUpload(c: CardState): void {
    const file = this.#files.get(c.id);
    if (!file || c.result === undefined) return;
    this.dispatchEvent(
      new CustomEvent<UploadRequestDetail>('image-upload-requested', {
        detail: { file, result: c.result },
        bubbles: true,
        composed: true,
      }),
    );
  }

  #patch(id: number, patch: Partial<CardState>): void {
    this.cards = this.cards.map((c) => (c.id === id ? { ...c, ...patch } : c));
  }

  #getPipeline(): Promise<InspectionPipeline> {
    // Lazy: the pipeline module pulls in the qemu-img worker client; nothing loads before a file.
    this.#pipeline ??= import('./image-inspector-pipeline.ts').then((m) => m.createPipeline());
    return this.#pipeline;
  }

  async #inspectOne(id: number, group: ImageGroup): Promise<void> {
    this.#patch(id, { phase: 'safety' });
    try {
      const pipeline = await this.#getPipeline();
      const result = await pipeline.inspect(
        group,
        { declaredFormat: this.declaredFormat || undefined },
        (patch) => this.#patch(id, patch),
      );
      this.#patch(id, { phase: 'done', result });
      this.dispatchEvent(new CustomEvent('image-inspected', { detail: result, bubbles: true, composed: true }));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.#patch(id, { phase: 'error', error: message });
      this.dispatchEvent(
        new CustomEvent<InspectErrorDetail>('image-inspect-error', {
          detail: { file: group.name, message },
          bubbles: true,
          composed: true,
        }),
      );
    }
  }

  #onPicked(e: Event): void {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    void this.inspectFiles(files);
  }

  #onDragOver(e: DragEvent): void {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    this.dragOver = true;
  }

  #onDrop(e: DragEvent): void {
    e.preventDefault();
    this.dragOver = false;
    // Entries must be taken from the DataTransfer before the event handler returns.
    void filesFromDrop(e.dataTransfer).then((files) => this.inspectFiles(files));
  }

  override render(): TemplateResult {
    return html`
      <div
        part="drop-zone"
        class="drop ${this.dragOver ? 'over' : ''}"
        @dragover=${this.#onDragOver}
        @dragleave=${() => (this.dragOver = false)}
        @drop=${this.#onDrop}
      >
        <p>${msg('Drop disk images here to inspect them.')}</p>
        <button part="pick-button" type="button" @click=${() => this.fileInput.click()}>
          ${msg('Choose files…')}
        </button>
        <button part="pick-button" class="secondary" type="button" @click=${() => this.folderInput.click()}>
          ${msg('Choose a folder…')}
        </button>
        <input id="files" type="file" multiple @change=${this.#onPicked} />
        <input id="folder" type="file" webkitdirectory multiple @change=${this.#onPicked} />
        <p class="hint">
          ${msg(
            'qcow2, VMDK, VHD/VHDX, VDI, raw, ISO, OVA. For a VMDK split into several files, select the descriptor together with its extents (or the folder).',
          )}
        </p>
      </div>
      ${this.cards.length
        ? html`<div class="list-head">
              <button part="clear-button" class="secondary clear" type="button" @click=${() => this.clear()}>
                ${msg('Clear results')}
              </button>
            </div>
            <ul class="cards" part="list">
            ${this.cards.map((c) => this.#renderCard(c))}
          </ul>`
        : nothing}
    `;
  }

  #refusal(code: RefusalCode): string {
    switch (code) {
      case 'not-opened':
        return msg('The safety checks keep qemu-img away from this file, so it cannot be converted here.');
      case 'not-read':
        return msg('qemu-img could not read this image, so it cannot be converted. See the findings.');
      case 'needs-parent':
        return msg('This image only holds changes on top of a parent image that is not here. Convert it where its parent is (qemu-img convert merges the chain).');
      case 'encrypted':
        return msg('The image is encrypted; decrypt it first.');
      case 'bad-target':
      case 'bad-name':
        return msg('This conversion is not possible.');
    }
  }

  #renderConvert(c: CardState): TemplateResult | typeof nothing {
    if (c.phase !== 'done' || c.result === undefined) return nothing;
    const result = c.result as InspectionResult;
    const advised = conversionAdvised(result);
    const probe = planConversion(result, DEFAULT_TARGET, 'probe');
    if (!probe.ok) {
      return advised
        ? html`<p class="note convert-refused" part="convert" data-refusal=${probe.code}>${this.#refusal(probe.code)}</p>`
        : nothing;
    }
    const st = c.convert;
    const busy = st?.status === 'measuring' || st?.status === 'running';
    return html`<div part="convert" class="convert ${advised ? 'advised' : ''}" data-status=${st?.status ?? 'idle'}>
      ${advised ? html`<p class="convert-lead">${msg('Glance does not take this image as it is: convert it here, on this machine.')}</p>` : nothing}
      ${busy ? this.#renderProgress(c.id, st!) : html`<label>
            ${msg('Convert to')}
            <select
              class="convert-target"
              part="convert-target"
              @change=${(e: Event) => this.#targets.set(c.id, (e.target as HTMLSelectElement).value)}
            >
              ${CONVERT_TARGETS.map(
                (t) => html`<option value=${t} ?selected=${t === (this.#targets.get(c.id) ?? DEFAULT_TARGET)}>${this.#targetLabel(t)}</option>`,
              )}
            </select>
          </label>
          <button part="convert-button" class="${advised ? '' : 'secondary'} convert-button" type="button" @click=${() => void this.#convert(c)}>
            ${msg('Convert…')}
          </button>`}
      ${st && !busy ? html`<p class="convert-status" role="status">${this.#convertOutcome(st)}</p>` : nothing}
    </div>`;
  }

  #targetLabel(t: string): string {
    return t === 'vmdk' ? msg('vmdk (streamOptimized)') : t;
  }

  #renderProgress(id: number, st: ConvertState): TemplateResult {
    const pct = st.percent ?? 0;
    const text =
      st.status === 'measuring'
        ? msg('Measuring the output and checking the browser’s storage…')
        : msg(str`Converting to ${st.target}: ${pct.toFixed(0)} % (${this.#bytes(st.bytesWritten ?? 0)} written)`);
    return html`<progress part="convert-progress" max="100" .value=${st.status === 'running' ? pct : 0}></progress>
      <span class="convert-progress-text" aria-live="polite">${text}</span>
      <button part="convert-cancel" class="secondary convert-cancel" type="button" @click=${() => this.#conversions.get(id)?.abort()}>
        ${msg('Cancel')}
      </button>`;
  }

  #convertOutcome(st: ConvertState): string {
    switch (st.status) {
      case 'done':
        return msg(str`Converted to ${st.outputName ?? st.target}: inspected below, ready to save or upload.`);
      case 'cancelled':
        return msg('Conversion cancelled; its partial output was deleted.');
      case 'failed':
        if (st.noRoom) {
          return st.needed !== undefined && st.available !== undefined && st.needed > st.available
            ? msg(str`Not enough room in the browser’s storage: the output needs up to ${this.#bytes(st.needed)}, ${this.#bytes(st.available)} are free. Free some space (or use a normal, non-private window) and try again.`)
            : msg(str`The browser’s storage ran out of room during the conversion (${st.message ?? ''}).`);
        }
        return msg(str`Conversion failed: ${st.message ?? ''}`);
      default:
        return '';
    }
  }

  #phaseLabel(p: Phase): string {
    switch (p) {
      case 'queued':
        return msg('Waiting…');
      case 'safety':
        return msg('Checking safety…');
      case 'info':
        return msg('Reading with qemu-img…');
      case 'details':
        return msg('Checking and mapping…');
      case 'done':
        return msg('Done');
      case 'error':
        return msg('Failed');
    }
  }

  #renderCard(c: CardState): TemplateResult {
    return html`<li class="card" part="card" data-phase=${c.phase} data-name=${c.name}>
      <header>
        <h3>${c.name}</h3>
        <span class="muted">${this.#bytes(c.size)}</span>
        <span class="phase" aria-live="polite">${this.#phaseLabel(c.phase)}</span>
        ${this.#outputs.has(c.id) && c.phase === 'done'
          ? html`<button part="save-button" class="secondary save" type="button" @click=${() => void this.#save(c)}>
              ${msg('Save as…')}
            </button>`
          : nothing}
        ${this.uploadable && c.phase === 'done'
          ? html`<button part="upload-button" class="secondary upload" type="button" @click=${() => this.#requestUpload(c)}>
              ${msg('Upload to the cloud…')}
            </button>`
          : nothing}
      </header>
      ${c.convertedFrom
        ? html`<p class="muted converted-from">${msg(str`Converted from ${c.convertedFrom}, kept in this browser until you clear the results.`)}</p>`
        : nothing}
      ${c.extents.length
        ? html`<p class="muted extents">${msg(str`With its extent files: ${c.extents.join(', ')}`)}</p>`
        : nothing}
      ${c.notes.map((n) => html`<p class="muted note">${n}</p>`)}
      ${(c.ovaDisks ?? []).map(
        (d) => html`<p class="muted note ova-disk">
          ${msg(str`Disk inside the OVA: ${d.name} (${this.#bytes(d.size)} at byte ${d.offset}), read in place.`)}
        </p>`,
      )}
      ${c.missingExtents.length
        ? html`<div class="error missing" part="error" role="alert">
            ${msg(str`Missing extent files: ${c.missingExtents.join(', ')}. Select them together with the descriptor (or choose the folder).`)}
          </div>`
        : nothing}
      ${this.#renderVerdict(c)}
      ${this.#renderConvert(c)}
      ${c.innerFormat
        ? html`<p class="note inner-format" data-inner-format=${c.innerFormat}>
            ${msg(str`Inside the compressed file: ${c.innerFormat} (seen in its first decompressed MiB). Decompress it, then inspect the image itself.`)}
          </p>`
        : nothing}
      ${c.error ? html`<div class="error" part="error" role="alert">${c.error}</div>` : nothing}
      <div class="sections">
        ${c.info ? this.#renderInfo(c.info) : nothing} ${this.#renderFormatSpecific(c.info)} ${this.#renderFacts(c)}
        ${this.#renderCheckAndMap(c)} ${this.#renderSuggestions(c)}
      </div>
      ${c.result !== undefined
        ? html`<details part="json" class="json">
            <summary>${msg('Inspection as JSON (as image-inspector inspect --json prints it)')}</summary>
            <pre>${JSON.stringify(c.result, null, 2)}</pre>
          </details>`
        : nothing}
    </li>`;
  }

  #renderVerdict(c: CardState): TemplateResult | typeof nothing {
    if (c.safe === undefined) return nothing;
    const fmt = c.diskFormat || c.detectedFormat || '?';
    return html`<div part="verdict ${c.safe ? 'verdict-safe' : 'verdict-unsafe'}" class="verdict ${c.safe ? 'safe' : 'unsafe'}" data-safe=${String(c.safe)}>
        ${c.safe
          ? msg(str`Glance accepts this image as ${fmt}.`)
          : msg(str`Glance would reject this image as it is (content: ${c.detectedFormat ?? '?'}).`)}
      </div>
      ${c.findings.length
        ? html`<ul class="findings" part="findings">
            ${c.findings.map((f) => this.#renderFinding(f))}
          </ul>`
        : nothing}`;
  }

  #renderFinding(f: CardFinding): TemplateResult {
    const sev = String(f.severity);
    const sevLabel = sev === 'error' ? msg('error') : sev === 'warning' ? msg('warning') : msg('info');
    const fix = findingFix(f);
    return html`<li class="finding" part="finding" data-code=${f.code} data-severity=${sev}>
      <span class="sev ${sev}">${sevLabel}</span>${findingMessage(f)}
      <code class="muted">${f.code}</code>
      ${fix ? html`<span class="fix">${msg('Fix:')} ${fix}</span>` : nothing}
    </li>`;
  }

  #row(field: string, label: string, value: unknown, shown?: string): TemplateResult | typeof nothing {
    if (value === undefined || value === null || value === '') return nothing;
    return html`<dt>${label}</dt>
      <dd data-field=${field} data-value=${String(value)}>${shown ?? String(value)}</dd>`;
  }

  #renderInfo(info: QemuImgInfo): TemplateResult {
    const fs = (info['format-specific']?.data ?? {}) as Record<string, unknown>;
    const yesNo = (b: unknown) => (b === undefined ? undefined : b ? msg('yes') : msg('no'));
    return html`<section part="details" class="details">
      <h4>${msg('qemu-img info')}</h4>
      <dl>
        ${this.#row('format', msg('Format'), info.format)}
        ${this.#row('virtual-size', msg('Virtual size'), info['virtual-size'], this.#bytesExact(info['virtual-size']))}
        ${this.#row('actual-size', msg('Disk size'), info['actual-size'], this.#bytes(info['actual-size']))}
        ${this.#row('cluster-size', msg('Cluster size'), info['cluster-size'], this.#bytes(info['cluster-size']))}
        ${this.#row('compat', msg('Compat level'), fs['compat'])}
        ${this.#row('compression-type', msg('Compression'), fs['compression-type'])}
        ${this.#row('backing-filename', msg('Backing file'), info['backing-filename'])}
        ${this.#row('backing-filename-format', msg('Backing file format'), info['backing-filename-format'])}
        ${this.#row('data-file', msg('External data file'), fs['data-file'])}
        ${this.#row('dirty-flag', msg('Dirty'), info['dirty-flag'], yesNo(info['dirty-flag']))}
        ${this.#row('corrupt', msg('Corrupt'), fs['corrupt'], yesNo(fs['corrupt']))}
        ${this.#row('encrypted', msg('Encrypted'), info.encrypted, yesNo(info.encrypted))}
      </dl>
    </section>`;
  }

  /** Whatever else qemu-img reports for the format (VMDK extents, qcow2 feature bits...). */
  #renderFormatSpecific(info: QemuImgInfo | undefined): TemplateResult | typeof nothing {
    const fsType = info?.['format-specific']?.type;
    const data = info?.['format-specific']?.data;
    if (!data) return nothing;
    const shownElsewhere = new Set(['compat', 'compression-type', 'data-file', 'corrupt', 'extents']);
    const scalars = Object.entries(data).filter(([k, v]) => !shownElsewhere.has(k) && (typeof v !== 'object' || v === null));
    const extents = Array.isArray(data['extents']) ? (data['extents'] as Array<Record<string, unknown>>) : [];
    return html`<section part="details format-specific" class="details">
      <h4>${msg(str`${fsType ?? ''} details`)}</h4>
      <dl>${scalars.map(([k, v]) => this.#row(k, k, v))}</dl>
      ${extents.length
        ? html`<table class="extents">
            <thead>
              <tr>
                <th>${msg('Extent')}</th>
                <th>${msg('Format')}</th>
                <th>${msg('Virtual size')}</th>
              </tr>
            </thead>
            <tbody>
              ${extents.map(
                (e) => html`<tr>
                  <td>${String(e['filename'] ?? '').replace(/^\/in\//, '')}</td>
                  <td>${String(e['format'] ?? '')}${e['compressed'] ? ` (${msg('compressed')})` : ''}</td>
                  <td>${this.#bytes(e['virtual-size'] as number | undefined)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : nothing}
    </section>`;
  }

  #renderFacts(c: CardState): TemplateResult | typeof nothing {
    const rows = c.facts ? factRows(c.facts) : [];
    if (!rows.length) return nothing;
    return html`<section part="details facts" class="details">
      <h4>${msg('From the image headers')}</h4>
      <dl>${rows.map((r) => this.#row(r.field, r.label, r.value))}</dl>
    </section>`;
  }

  #renderCheckAndMap(c: CardState): TemplateResult | typeof nothing {
    const { check, allocation: a } = c;
    if (!check && !a) return nothing;
    const pct = (n: number) => (a && a.virtualSize > 0 ? (100 * n) / a.virtualSize : 0);
    return html`<section part="check allocation" class="details">
      ${check
        ? html`<h4>${msg('qemu-img check')}</h4>
            <p class="check" data-status=${check.status}>${this.#checkText(check)}</p>`
        : nothing}
      ${a
        ? html`<h4>${msg('Allocation (qemu-img map)')}</h4>
            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label=${msg('allocated vs zero')}>
              ${svg`<rect class="data" x="0" y="0" height="10" width=${pct(a.data)}></rect>
                <rect class="zero" x=${pct(a.data)} y="0" height="10" width=${pct(a.zero)}></rect>`}
            </svg>
            <dl>
              ${this.#row('allocated', msg('Data'), a.data, `${this.#bytes(a.data)} (${pct(a.data).toFixed(1)} %)`)}
              ${this.#row('zero', msg('Zero / unallocated'), a.zero, `${this.#bytes(a.zero)} (${pct(a.zero).toFixed(1)} %)`)}
            </dl>`
        : nothing}
    </section>`;
  }

  #checkText(check: CheckSummary): string {
    const r = check.report;
    switch (check.status) {
      case 'unsupported':
        return msg('This format has no consistency check.');
      case 'clean':
        return msg('No errors found.');
      case 'leaks':
        return msg(str`${r?.leaks ?? 0} leaked clusters (space wasted, data intact).`);
      case 'corrupt':
        return msg(str`${r?.corruptions ?? 0} corruptions found.`);
      case 'failed':
        return msg('The check could not complete.');
    }
  }

  #renderSuggestions(c: CardState): TemplateResult | typeof nothing {
    if (!c.suggestions.length) return nothing;
    return html`<section part="properties" class="details properties">
      <h4>${msg('Suggested Glance properties')}</h4>
      <table>
        <thead>
          <tr>
            <th>${msg('Property')}</th>
            <th>${msg('Value')}</th>
            <th>${msg('Source')}</th>
          </tr>
        </thead>
        <tbody>
          ${c.suggestions.map(
            (s) => html`<tr data-property=${s.property}>
              <td><code>${s.property}</code></td>
              <td class="value">${String(s.value)}</td>
              <td class="muted">${s.source ?? ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  }

  #bytes(n: number | undefined): string {
    if (n === undefined || !Number.isFinite(n)) return '';
    const { value: v, exponent: i } = scaleBinary(n);
    const nf = new Intl.NumberFormat(getLocale(), { maximumFractionDigits: i === 0 ? 0 : v < 10 ? 2 : 1 });
    return `${nf.format(v)} ${BINARY_UNITS[i]}`;
  }

  #bytesExact(n: number | undefined): string {
    if (n === undefined) return '';
    return msg(str`${this.#bytes(n)} (${new Intl.NumberFormat(getLocale()).format(n)} bytes)`);
  }
}
