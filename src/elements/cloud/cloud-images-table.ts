// The images list: filter by text, sort by any column, pick one for details. Values are rendered
// through Lit text bindings only, so image metadata can never become markup.
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import { formatBytes } from './format.ts';
import type { ImageRecord } from './image-record.ts';
import { visibilityLabel } from './labels.ts';
import { focusRing } from '../focus-ring.ts';

type Column = 'name' | 'status' | 'disk_format' | 'container_format' | 'size' | 'visibility' | 'protected' | 'owner';

/**
 * The project's images: filter, sort by any column, pick one.
 *
 * @fires image-selected - A row was chosen; detail: the image id.
 * @fires cleanup-orphans - Delete the project's queued images with no data; detail: their ids.
 * @csspart orphans - The clean-up offer above the table.
 * @csspart table - The table.
 * @cssprop --cloud-border - Row separators.
 * @cssprop --cloud-hover - Background of the hovered or focused row.
 * @cssprop --cloud-warn-bg - Background of the clean-up offer.
 */
@customElement('cloud-images-table')
export class CloudImagesTable extends LitElement {
  static override styles = css`
    ${focusRing} :host { display: block; }
    table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
    th, td { text-align: start; padding: 0.25em 0.5em; border-bottom: 1px solid var(--cloud-border, #ccc); }
    th button { all: unset; cursor: pointer; font-weight: bold; }
    tr.row { cursor: pointer; }
    tr.row:hover, tr.row:focus { background: var(--cloud-hover, #eef); }
    .toolbar { display: flex; gap: 0.5em; align-items: center; margin-block-end: 0.5em; }
    .orphans { background: var(--cloud-warn-bg, #fff4ce); padding: 0.5em; margin-block-end: 0.5em; }
  `;

  @property({ attribute: false }) images: ImageRecord[] = [];
  /** The signed-in project: its queued images with no data are offered for clean-up. */
  @property() projectId = '';
  @state() private filter = '';
  @state() private sortBy: Column = 'name';
  @state() private descending = false;

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

  /** Queued images of this project: created, never given data (e.g. an upload that died). */
  orphans(): ImageRecord[] {
    return this.images.filter((i) => i.status === 'queued' && (!this.projectId || i.owner === this.projectId));
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

  override render() {
    const rows = this.visible();
    const orphans = this.orphans();
    return html`
      ${
        orphans.length
          ? html`<div class="orphans" part="orphans" role="status">
            ${msg(str`${orphans.length} image(s) of this project have no data (status "queued"), e.g. from an interrupted upload.`)}
            <button data-action="clean-orphans" @click=${() =>
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
        <span>${msg(str`${rows.length} of ${this.images.length}`)}</span>
      </div>
      <table part="table">
        <thead><tr>
          ${this.columns().map(
            ([c, label]) => html`<th aria-sort=${this.sortBy === c ? (this.descending ? 'descending' : 'ascending') : 'none'}>
            <button data-sort=${c} @click=${() => this.sort(c)}>${label}${this.sortBy === c ? (this.descending ? ' ▼' : ' ▲') : ''}</button></th>`,
          )}
        </tr></thead>
        <tbody>
          ${rows.map(
            (i) => html`<tr class="row" tabindex="0" data-id=${i.id}
              @click=${() => this.emit('image-selected', i.id)}
              @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.emit('image-selected', i.id)}>
            <td>${i.name ?? ''}</td>
            <td data-col="status">${i.status}</td>
            <td>${i.disk_format ?? ''}</td>
            <td>${i.container_format ?? ''}</td>
            <td>${formatBytes(i.size)}</td>
            <td>${visibilityLabel(i.visibility)}</td>
            <td>${i.protected ? msg('yes') : msg('no')}</td>
            <td>${i.owner ?? ''}</td>
          </tr>`,
          )}
        </tbody>
      </table>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cloud-images-table': CloudImagesTable;
  }
}
