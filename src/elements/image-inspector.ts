// <image-inspector>: the element's class, define-free (image-inspector-define.ts registers it, so
// a host page may register it under its own name). It owns its properties, the drop zone and the pickers; the
// cards and their inspections live in InspectionController, conversions in ConversionController,
// and each part of a card in a render module under ./inspector/.
import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { property, query } from 'lit/decorators.js';
import { updateWhenLocaleChanges } from '@lit/localize';
import { str } from '@lit/localize';
import { msg, loadScope, renderIn, type LocaleScope } from '../locales/scoped-msg.ts';
import type { InspectionResult } from '../core/inspection.ts';
import { inspectorStyles } from './inspector/image-inspector-styles.ts';
import { convertStyles } from './inspector/convert-styles.ts';
import { cardSectionStyles } from './inspector/card-section-styles.ts';
import { filesFromDrop } from './inspector/image-inspector-drop.ts';
import { InspectionController, type InspectErrorDetail } from './inspector/inspection-controller.ts';
import { ConversionController, type ConvertedDetail } from './inspector/conversion-controller.ts';
import type { CloudFormats } from './inspector/conversion-defaults.ts';
import { renderCard, type CardContext } from './inspector/card-view.ts';
import { LeftoverNotice } from './inspector/leftover-notice.ts';
import type { CardState } from './inspector/image-inspector-model.ts';

export type { InspectErrorDetail } from './inspector/inspection-controller.ts';
export type { ConvertedDetail } from './inspector/conversion-controller.ts';
export type { CloudFormats } from './inspector/conversion-defaults.ts';

/** Detail of `image-upload-requested`: the chosen file and its inspection. */
export interface UploadRequestDetail {
  file: File;
  result: InspectionResult;
}

declare global {
  interface HTMLElementTagNameMap {
    'image-inspector': ImageInspector;
  }
  interface HTMLElementEventMap {
    'image-inspected': CustomEvent<InspectionResult>;
    'image-inspect-error': CustomEvent<InspectErrorDetail>;
    'image-upload-requested': CustomEvent<UploadRequestDetail>;
    'image-converted': CustomEvent<ConvertedDetail>;
    'image-busy-changed': CustomEvent<{ busy: boolean }>;
  }
}

/**
 * Drop or pick disk images (several at once, or a folder for multi-file VMDKs) and see, per image,
 * Glance's safety verdict, what qemu-img knows, and suggested Glance properties; convert an image
 * here and save or upload the result. Everything runs on this machine: the pure-TS safety core
 * first (bounded reads), then the qemu-img WebAssembly worker, created on the first file.
 *
 * All events bubble and are composed.
 * @attr lang - The element's own language (`en`, `ja`): it applies to this element only, the rest
 *   of the page keeps its own; without it the element is in English, or in the language the app
 *   chose with lit-localize. A host page's `<html lang>` is not read: a Japanese page sets
 *   `lang="ja"` on the element.
 * @fires image-inspected - An image was inspected. `detail`: the InspectionResult, exactly what
 *   `image-inspector inspect --json` prints for the file (an image qemu-img cannot read is a
 *   result too, with a `qemu.info-failed` finding).
 * @fires image-inspect-error - The file could not be inspected at all. `detail`: `{ file, message }`.
 * @fires image-converted - A conversion finished. `detail`: `{ source, target, outputName, size,
 *   opfsPath, inFile? }` (`inFile`: written into a file the user chose, "Convert to a file…", and
 *   `opfsPath` empty); the output is inspected as a new card.
 * @fires image-upload-requested - "Upload…" was clicked (only with `uploadable`). `detail`:
 *   `{ file, result }`.
 * @fires image-busy-changed - `busy` flipped. `detail`: `{ busy }`.
 *
 * @csspart leftover-notice - What closed tabs left of their conversions, said once at load (with "Dismiss").
 * @csspart drop-zone - The area files are dropped on.
 * @csspart pick-button - "Choose files…" and "Choose a folder…".
 * @csspart clear-button - "Clear results".
 * @csspart list - The list of result cards.
 * @csspart card - One image's card.
 * @csspart verdict - The safety verdict; also `verdict-safe` or `verdict-unsafe`.
 * @csspart verdict-safe - The verdict of an image Glance accepts as it is.
 * @csspart verdict-unsafe - The verdict of an image Glance would reject.
 * @csspart findings - The list of findings.
 * @csspart finding - One finding.
 * @csspart error - An error on a card (unreadable file, missing extents).
 * @csspart details - Each detail section (qemu-img info, format details, header facts).
 * @csspart format-specific - The format-specific section of qemu-img info.
 * @csspart facts - What the safety core read from the headers.
 * @csspart check - The qemu-img check section (shares its element with `allocation`).
 * @csspart allocation - The allocation (qemu-img map) section.
 * @csspart guest - The Guest section (OS, file systems, the cloud-image checklist; also `details`).
 * @csspart properties - The suggested Glance properties.
 * @csspart json - The inspection as JSON.
 * @csspart convert - The conversion area of a card.
 * @csspart convert-target - The target format picker.
 * @csspart convert-button - "Convert…".
 * @csspart convert-options - The conversion's "Options" disclosure (qemu-img's -o options).
 * @csspart convert-command - The qemu-img command line the conversion runs (beside its "Copy" button).
 * @csspart convert-file-button - "Convert to a file…" (offered only where the page is cross-origin isolated and has the save dialog).
 * @csspart convert-progress - The conversion's progress bar.
 * @csspart convert-cancel - The conversion's cancel button.
 * @csspart save-button - "Save as…" on a converted image's card.
 * @csspart upload-button - "Upload to the cloud…" (with `uploadable`).
 *
 * @cssprop --image-inspector-accent - Buttons and links (default #1f5f8b).
 * @cssprop --image-inspector-fg - Text (default #1d2329).
 * @cssprop --image-inspector-muted - Secondary text (default #5b6670).
 * @cssprop --image-inspector-bg - Background (default #ffffff).
 * @cssprop --image-inspector-surface - Cards and the drop zone (default #f5f7f9).
 * @cssprop --image-inspector-border - Borders (default #d5dbe1).
 * @cssprop --image-inspector-ok - The safe verdict (default #17693a).
 * @cssprop --image-inspector-warn - Warnings (default #8a5a00).
 * @cssprop --image-inspector-danger - Errors and the unsafe verdict (default #b42318).
 * @cssprop --image-inspector-radius - Corner radius (default 8px).
 * @cssprop --image-inspector-focus - The keyboard focus outline (default: the accent).
 * @cssprop --image-inspector-font - Font shorthand (default 15px/1.45 system-ui, sans-serif).
 *
 * The element has no slots: everything it shows comes from the images.
 */
export class ImageInspector extends LitElement {
  static override styles = [inspectorStyles, cardSectionStyles, convertStyles];

  /** The disk_format the user means to upload as (`declared-format`); a content format that
   *  differs is a finding and makes the verdict unsafe. Empty: judge the content alone. */
  @property({ attribute: 'declared-format' }) declaredFormat = '';
  /** Only the verdict and key facts, no detail tables. */
  @property({ type: Boolean, reflect: true }) compact = false;
  /** Offer an "Upload to the cloud…" button on inspected cards (fires image-upload-requested). */
  @property({ type: Boolean, reflect: true }) uploadable = false;

  /** True while an image is being inspected or converted (read-only): a host must not reload the
   *  page then — the app holds service-worker updates back on it. `image-busy-changed` says when
   *  it flips. */
  get busy(): boolean {
    return this.#conversions.running || this.#inspection.cards.some((c) => c.phase !== 'done' && c.phase !== 'error');
  }
  #wasBusy = false;

  @query('#files') private fileInput!: HTMLInputElement;
  @query('#folder') private folderInput!: HTMLInputElement;

  readonly #inspection = new InspectionController(this, () => this.declaredFormat);
  /** What the signed-in cloud's Glance said of its stores and imports (set by the app when a
   *  cloud is signed in, null after sign-out): the default conversion target follows it. */
  @property({ attribute: false }) cloud: CloudFormats | null = null;

  readonly #conversions = new ConversionController(this, this.#inspection, () => this.cloud);
  readonly #leftovers = new LeftoverNotice(this);
  #dragOver = false;
  /** The language of this element's own `lang` attribute (the global attribute, not shadowed):
   *  it applies to this element only. Without one, the element follows lit-localize's locale (English unless the app set another). */
  #scope?: LocaleScope;

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name !== 'lang') return;
    if (!value) {
      this.#scope = undefined;
      this.requestUpdate();
      return;
    }
    void loadScope(value).then((scope) => {
      if (this.getAttribute('lang') !== value) return;
      this.#scope = scope;
      this.requestUpdate();
    });
  }

  /** Inspects these files (what the picker and the drop zone call; also usable from script). */
  inspectFiles(files: readonly File[]): Promise<void> {
    return this.#inspection.inspectFiles(files);
  }

  /** Removes every result card, stops inspections (no event follows for them) and conversions, and deletes their outputs. */
  clear(): void {
    this.#conversions.clear();
    this.#inspection.clear();
  }

  #requestUpload(c: CardState): void {
    const file = this.#inspection.group(c.id)?.main;
    if (!file || !c.result) return;
    this.dispatchEvent(
      new CustomEvent<UploadRequestDetail>('image-upload-requested', { detail: { file, result: c.result }, bubbles: true, composed: true }),
    );
  }

  #onPicked(e: Event): void {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    void this.inspectFiles(files);
  }

  #setDragOver(over: boolean): void {
    this.#dragOver = over;
    this.requestUpdate();
  }

  #onDragOver(e: DragEvent): void {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    this.#setDragOver(true);
  }

  #onDrop(e: DragEvent): void {
    e.preventDefault();
    this.#setDragOver(false);
    // Entries must be taken from the DataTransfer before the event handler returns.
    void filesFromDrop(e.dataTransfer).then((files) => this.inspectFiles(files));
  }

  override updated(): void {
    const busy = this.busy;
    if (busy === this.#wasBusy) return;
    this.#wasBusy = busy;
    this.dispatchEvent(new CustomEvent('image-busy-changed', { detail: { busy }, bubbles: true, composed: true }));
  }

  override render(): TemplateResult {
    return renderIn(this.#scope, () => this.#render());
  }

  /** Cards whose outcome was announced already, and the last announcement. */
  readonly #announced = new Set<number>();
  #announcement = '';

  /** What the live region says: the outcome of the card that finished last (verdict or failure). */
  #announce(cards: readonly CardState[]): string {
    for (const c of cards) {
      if (this.#announced.has(c.id) || (c.phase !== 'done' && c.phase !== 'error')) continue;
      this.#announced.add(c.id);
      this.#announcement =
        c.phase === 'error'
          ? msg(str`${c.name}: the inspection failed.`)
          : c.safe
            ? msg(str`${c.name}: Glance accepts this image as ${c.diskFormat || c.detectedFormat || '?'}.`)
            : msg(str`${c.name}: Glance would reject this image as it is.`);
    }
    if (!cards.length) {
      this.#announced.clear();
      this.#announcement = '';
    }
    return this.#announcement;
  }

  #render(): TemplateResult {
    const cards = this.#inspection.cards;
    const ctx: CardContext = {
      uploadable: this.uploadable,
      conversions: this.#conversions,
      requestUpload: (c) => this.#requestUpload(c),
    };
    return html`
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this.#announce(cards)}</div>
      ${this.#leftovers.render()}
      <div
        part="drop-zone"
        class="drop ${this.#dragOver ? 'over' : ''}"
        @dragover=${this.#onDragOver}
        @dragleave=${() => this.#setDragOver(false)}
        @drop=${this.#onDrop}
      >
        <p>${msg('Drop disk images here to inspect them.')}</p>
        <button part="pick-button" type="button" @click=${() => this.fileInput.click()}>${msg('Choose files…')}</button>
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
      ${
        cards.length
          ? html`<div class="list-head">
                <button part="clear-button" class="secondary clear" type="button" @click=${() => this.clear()}>
                  ${msg('Clear results')}
                </button>
              </div>
              <ul class="cards" part="list">
                ${cards.map((c) => renderCard(c, ctx))}
              </ul>`
          : nothing
      }
    `;
  }
}
