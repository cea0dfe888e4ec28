// The images list: filter by text, sort by any column, pick one for details. Values are rendered
// through Lit text bindings only, so image metadata can never become markup.
import { LitElement, css, html } from 'lit';
import { controls, tokens } from '../styles/tokens.ts';
import { customElement, property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import { formatBytes } from './format.ts';
import type { ImageRecord } from './image-record.ts';
import { focusRing } from '../focus-ring.ts';
import { visibilityLabel } from './labels.ts';

type Column = 'name' | 'status' | 'disk_format' | 'container_format' | 'size' | 'visibility' | 'protected' | 'owner';

/**
 * The project's images: filter, sort by any column, pick one.
 *
 * @fires image-selected - A row was chosen; detail: the image id.
 * @fires cleanup-orphans - Delete the project's queued images with no data; detail: their ids.
 * @fires delete-image - A row's delete was confirmed; detail: the image id.
 * @fires create-requested - "Create image" from the empty list.
 * @fires refresh-requested - "Try again" after the list could not be read.
 * @csspart orphans - The clean-up offer above the table.
 * @csspart table - The table.
 * @cssprop --cloud-border - Row separators.
 * @cssprop --cloud-hover - Background of the hovered or focused row.
 * @cssprop --cloud-warn-bg - Background of the clean-up offer.
 */
@customElement('cloud-images-table')
export class CloudImagesTable extends LitElement {
  static override styles = [
    tokens,
    controls,
    focusRing,
    css`
    :host { display: block; }
    table { font-size: 0.92em; }
    th button.sort { all: unset; cursor: pointer; font-weight: 600; white-space: nowrap; }
    th button.sort:focus-visible { outline: 3px solid var(--_focus); }
    tr.row { cursor: pointer; }
    tr.row:hover, tr.row:focus-within { background: var(--cloud-hover, var(--_surface)); }
    td.num, td[data-col=status] { white-space: nowrap; }
    td.owner { font-family: ui-monospace, monospace; font-size: 0.85em; overflow-wrap: anywhere; }
    td.row-actions { white-space: nowrap; text-align: end; padding-inline-end: 0; }
    td.row-actions button { font-size: 0.85em; padding: 2px 8px; }
    .toolbar { display: flex; gap: 0.75em; align-items: center; margin-block-end: 0.5em; }
    .orphans { margin-block-end: 0.5em; }
    .empty { text-align: center; padding: 24px; }
    .empty p { margin: 0 0 8px; }
    .confirm-row .box { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; }
  `,
  ];

  @property({ attribute: false }) images: ImageRecord[] = [];
  /** The signed-in project: its queued images with no data are offered for clean-up. */
  @property() projectId = '';
  /** The list could not be read: no "no images yet" (the panel shows the error above). */
  @property({ type: Boolean }) listFailed = false;
  @state() private filter = '';
  @state() private sortBy: Column = 'name';
  @state() private descending = false;
  /** The row whose delete waits for confirmation. */
  @state() private confirming = '';

  private columns(): [Column, string][] {
    return [
      ['name', msg('Name')],
      ['status', msg('Status')],
      ['disk_format', msg('Disk format')],
      ['container_format', msg('Container format')],
      ['size', msg('Size')],
      ['visibility', msg('Visibility')],
      ['protected', msg('Protected')],
      ['owner', msg('Owner')],
    ];
  }

  private visible(): ImageRecord[] {
    const f = this.filter.trim().toLowerCase();
    const rows = f
      ? this.images.filter((i) =>
          [i.name, i.id, i.status, i.disk_format, i.container_format, i.visibility, i.owner].some(
            (v) => typeof v === 'string' && v.toLowerCase().includes(f),
          ),
        )
      : [...this.images];
    const k = this.sortBy;
    const dir = this.descending ? -1 : 1;
    rows.sort((a, b) => {
      const x = a[k];
      const y = b[k];
      if (typeof x === 'number' || typeof y === 'number') return (((x as number) ?? -1) - ((y as number) ?? -1)) * dir;
      return String(x ?? '').localeCompare(String(y ?? '')) * dir;
    });
    return rows;
  }

  /** Queued images of this project: created, never given data (e.g. an upload that died). A
   *  protected one is a placeholder kept on purpose: never offered for this one-click clean-up. */
  orphans(): ImageRecord[] {
    return this.images.filter((i) => i.status === 'queued' && !i.protected && (!this.projectId || i.owner === this.projectId));
  }

  private sort(c: Column) {
    if (this.sortBy === c) this.descending = !this.descending;
    else {
      this.sortBy = c;
      this.descending = false;
    }
  }

  private emit(name: string, detail: unknown) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private renderEmpty() {
    if (this.listFailed)
      return html`<div class="empty box" data-role="list-failed">
        <p><strong>${msg('The image list could not be read.')}</strong></p>
        <p class="muted">${msg('The message above says why.')}</p>
        <button class="primary" data-action="retry-list" @click=${() => this.emit('refresh-requested', null)}>${msg('Try again')}</button>
      </div>`;
    return html`<div class="empty box" data-role="empty">
      <p><strong>${msg('No images in this project yet.')}</strong></p>
      <p class="muted">${msg('Create one from a file on this machine, or inspect a file first and choose "Upload to the cloud…" on its card.')}</p>
      <button class="primary" data-action="create-first" @click=${() => this.emit('create-requested', null)}>${msg('Create image')}</button>
    </div>`;
  }

  private renderRow(i: ImageRecord) {
    const name = i.name || i.id;
    const confirming = this.confirming === i.id;
    return html`<tr class="row" tabindex="0" data-id=${i.id}
        @click=${() => this.emit('image-selected', i.id)}
        @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && e.target === e.currentTarget && this.emit('image-selected', i.id)}>
        <td class="name">${i.name ?? ''}</td>
        <td data-col="status">${i.status}</td>
        <td>${i.disk_format ?? ''}</td>
        <td>${i.container_format ?? ''}</td>
        <td class="num">${formatBytes(i.size)}</td>
        <td>${visibilityLabel(i.visibility)}</td>
        <td>${i.protected ? msg('yes') : msg('no')}</td>
        <td class="owner">${i.owner ?? ''}</td>
        <td class="row-actions" @click=${(e: Event) => e.stopPropagation()}>
          <button data-action="details" @click=${() => this.emit('image-selected', i.id)}>${msg('Details')}</button>
          <button class="danger" data-action="delete-row" ?disabled=${!!i.protected}
            title=${i.protected ? msg('Protected: unprotect it in its details first') : ''}
            @click=${() => (this.confirming = i.id)}>${msg('Delete…')}</button>
        </td>
      </tr>
      ${
        confirming
          ? html`<tr class="confirm-row"><td colspan="9">
            <div class="box danger" role="alertdialog" data-role="row-delete-confirm" aria-label=${msg(str`Delete ${name}`)}>
              ${msg(str`Delete the image "${name}"? Its data is removed from the cloud and cannot be recovered.`)}
              <button class="danger primary" data-action="confirm-row-delete" @click=${() => {
                this.confirming = '';
                this.emit('delete-image', i.id);
              }}>${msg(str`Delete "${name}"`)}</button>
              <button data-action="cancel-row-delete" @click=${() => (this.confirming = '')}>${msg('Cancel')}</button>
            </div></td></tr>`
          : ''
      }`;
  }

  override render() {
    const rows = this.visible();
    const orphans = this.orphans();
    if (!this.images.length) return this.renderEmpty();
    return html`
      ${
        orphans.length
          ? html`<div class="orphans box warn" part="orphans" role="status">
            ${msg(str`${orphans.length} image(s) of this project have no data (status "queued"), e.g. from an interrupted upload.`)}
            <button class="danger" data-action="clean-orphans" @click=${() =>
              this.emit(
                'cleanup-orphans',
                orphans.map((o) => o.id),
              )}>
              ${msg('Delete them')}
            </button>
          </div>`
          : ''
      }
      <div class="toolbar">
        <label>${msg('Filter')}
          <input type="search" name="filter" .value=${this.filter}
            @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
        </label>
        <span class="muted" data-role="count">${msg(str`${rows.length} of ${this.images.length}`)}</span>
      </div>
      <div class="table-wrap">
      <table part="table">
        <thead><tr>
          ${this.columns().map(
            ([c, label]) => html`<th aria-sort=${this.sortBy === c ? (this.descending ? 'descending' : 'ascending') : 'none'}>
            <button class="sort" data-sort=${c} @click=${() => this.sort(c)}>${label}${this.sortBy === c ? (this.descending ? ' ▼' : ' ▲') : ''}</button></th>`,
          )}
          <th><span class="visually-hidden">${msg('Actions')}</span></th>
        </tr></thead>
        <tbody>
          ${rows.map((i) => this.renderRow(i))}
          ${rows.length ? '' : html`<tr><td colspan="9" class="muted" data-role="no-match">${msg('No image matches the filter.')}</td></tr>`}
        </tbody>
      </table>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cloud-images-table': CloudImagesTable;
  }
}
