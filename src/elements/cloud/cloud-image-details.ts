// One image: every attribute and custom property as text, direct_url and locations when the cloud
// shows them, and the delete flow (confirmation; a protected image is refused with an offer to
// unprotect it).
import { LitElement, css, html } from 'lit';
import { controls, tokens } from '../styles/tokens.ts';
import { customElement, property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import { formatBytes } from './format.ts';
import { asText, type ImageRecord } from './image-record.ts';
import { focusRing } from '../focus-ring.ts';

/**
 * One image's attributes and properties as text, with edit, refresh and delete.
 *
 * @fires back - Back to the list.
 * @fires edit-image - detail: the image id.
 * @fires refresh-image - detail: the image id.
 * @fires delete-image - Confirmed delete; detail: the image id.
 * @fires unprotect-image - detail: the image id (offered when a delete is refused).
 * @csspart title - The image name.
 * @csspart properties - The attribute list.
 * @cssprop --cloud-border - Border of the confirmation box.
 */
/** Bytes and their size in units; a size Glance does not know yet (a queued image) is a dash, not " (—)". */
function sizeText(v: unknown): string {
  return typeof v === 'number' ? `${asText(v)} (${formatBytes(v)})` : formatBytes(null);
}

@customElement('cloud-image-details')
export class CloudImageDetails extends LitElement {
  static override styles = [
    tokens,
    controls,
    focusRing,
    css`
    :host { display: block; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; }
    dt { font-weight: bold; }
    dd { margin: 0; overflow-wrap: break-word; white-space: pre-wrap; min-width: 0; }
    .confirm, .refused { border: 1px solid var(--cloud-border, var(--_border)); padding: 0.5em; margin-block: 0.5em; }
    .actions { display: flex; gap: 0.5em; }
  `,
  ];

  @property({ attribute: false }) image: ImageRecord | null = null;
  @property({ type: Boolean }) busy = false;
  @state() private confirming = false;

  private emit(name: string, detail: unknown) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('image')) this.confirming = false;
  }

  private renderDelete(i: ImageRecord) {
    if (!this.confirming) return '';
    if (i.protected) {
      return html`<div class="refused box warn" role="alert" data-role="protected-refusal">
        ${msg('This image is protected, so Glance will not delete it. Unprotect it first, then delete it.')}
        <div class="actions">
          <button data-action="unprotect" ?disabled=${this.busy} @click=${() => this.emit('unprotect-image', i.id)}>${msg('Unprotect')}</button>
          <button data-action="cancel-delete" @click=${() => (this.confirming = false)}>${msg('Cancel')}</button>
        </div>
      </div>`;
    }
    return html`<div class="confirm box danger" role="alertdialog" data-role="delete-confirm">
      ${msg(str`Delete the image "${i.name ?? i.id}"? Its data is removed from the cloud and cannot be recovered.`)}
      <div class="actions">
        <button class="danger primary" data-action="confirm-delete" ?disabled=${this.busy} @click=${() => this.emit('delete-image', i.id)}>${msg(str`Delete "${i.name ?? i.id}"`)}</button>
        <button data-action="cancel-delete" @click=${() => (this.confirming = false)}>${msg('Cancel')}</button>
      </div>
    </div>`;
  }

  override render() {
    const i = this.image;
    if (!i) return html``;
    const keys = Object.keys(i)
      .filter((k) => !['locations', 'direct_url', 'schema', 'self', 'file'].includes(k))
      .sort();
    return html`
      <h3 part="title">${i.name || i.id}</h3>
      <div class="actions">
        <button data-action="back" @click=${() => this.emit('back', null)}>${msg('Back to the list')}</button>
        <button data-action="edit" @click=${() => this.emit('edit-image', i.id)}>${msg('Edit')}</button>
        <button class="danger" data-action="delete" @click=${() => (this.confirming = true)}>${msg('Delete…')}</button>
        <button data-action="refresh" @click=${() => this.emit('refresh-image', i.id)}>${msg('Refresh')}</button>
      </div>
      ${this.renderDelete(i)}
      <dl part="properties">
        ${keys.map((k) => html`<dt>${k}</dt><dd data-key=${k}>${k === 'size' || k === 'virtual_size' ? sizeText(i[k]) : asText(i[k])}</dd>`)}
        ${i.direct_url !== undefined ? html`<dt>direct_url</dt><dd data-key="direct_url">${i.direct_url}</dd>` : ''}
        ${
          i.locations !== undefined
            ? html`<dt>locations</dt><dd data-key="locations">${
                i.locations.length
                  ? i.locations.map(
                      (l) => html`<div>${l.url} ${l.metadata && Object.keys(l.metadata).length ? asText(l.metadata) : ''}</div>`,
                    )
                  : msg('none')
              }</dd>`
            : ''
        }
      </dl>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cloud-image-details': CloudImageDetails;
  }
}
