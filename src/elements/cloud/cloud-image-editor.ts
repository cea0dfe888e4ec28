// Update an image: every Dashboard field as one JSON-patch operation each, a metadata editor driven
// by the metadefs catalog (types, enums and defaults become controls) plus free key/values, and
// removal. Disk and container formats are editable only while the image is queued (Glance refuses
// them afterwards). Emits `update-image` with {id, ops}.
import { LitElement, css, html, nothing } from 'lit';
import { controls, tokens } from '../styles/tokens.ts';
import { customElement, property, state } from 'lit/decorators.js';
import { msg } from '@lit/localize';
import type { MetadefNamespace, MetadefProperty } from '../../core/openstack/types.ts';
import { asText, type ImageRecord } from './image-record.ts';
import { CORE_IMAGE_FIELDS, propertyKeyRefusal } from '../../core/openstack/image-fields.ts';
import { errorText } from './error-text.ts';
import { syncSelects } from './select-sync.ts';
import { EDITABLE_CORE_FIELDS, imagePatch, type EditableCoreField } from '../../core/openstack/image-patch.ts';
import { focusRing } from '../focus-ring.ts';
import { VISIBILITIES, visibilityLabel } from './labels.ts';
import { errorMessage } from './sentence.ts';

type EditedValues = Record<string, string | number | boolean>;

/** The core fields the Dashboard edits: all Glance lets us change but tags, which it does not show. */
const EDITABLE_CORE = EDITABLE_CORE_FIELDS.filter((f): f is Exclude<EditableCoreField, 'tags'> => f !== 'tags');
/** Dashboard fields Glance stores as plain properties. */
const DASHBOARD_PROPS = ['description', 'architecture', 'kernel_id', 'ramdisk_id'];

interface CatalogEntry {
  key: string;
  ns: MetadefNamespace;
  prop: MetadefProperty;
}

/**
 * Edits an image: each changed field one JSON-patch operation; metadefs catalog properties.
 *
 * @fires update-image - detail: `{ id, ops }` (JSON-patch operations).
 * @fires back - Cancel editing.
 * @csspart form - The editor form.
 * @cssprop --cloud-error - Colour of the error sentence.
 */
@customElement('cloud-image-editor')
export class CloudImageEditor extends LitElement {
  static override styles = [
    tokens,
    controls,
    focusRing,
    css`
    :host { display: block; }
    form { display: grid; grid-template-columns: max-content 1fr auto; gap: 0.4em 1em; align-items: center; }
    .full { grid-column: 1 / -1; }
    .error { color: var(--cloud-error, var(--_danger)); }
    .hint { font-size: 0.85em; opacity: 0.8; }
  `,
  ];

  @property({ attribute: false }) image: ImageRecord | null = null;
  @property({ attribute: false }) namespaces: MetadefNamespace[] = [];
  @property({ attribute: false }) diskFormats: string[] = [];
  @property({ attribute: false }) containerFormats: string[] = [];
  @property({ attribute: false }) kernels: ImageRecord[] = [];
  @property({ attribute: false }) ramdisks: ImageRecord[] = [];
  @property({ type: Boolean }) busy = false;
  @property() error = '';
  @property() notice = '';

  @state() private values: EditedValues = {};
  @state() private removed = new Set<string>();
  @state() private newKey = '';
  @state() private newValue = '';
  @state() private catalogPick = '';

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('image') && this.image) this.reset();
  }

  override updated() {
    const v = this.values;
    const pick = (k: string) => asText(v[k]);
    syncSelects(this.renderRoot, {
      disk_format: pick('disk_format'),
      container_format: pick('container_format'),
      visibility: pick('visibility'),
      kernel_id: pick('kernel_id'),
      ramdisk_id: pick('ramdisk_id'),
      catalog: this.catalogPick,
    });
  }

  private reset() {
    const i = this.image!;
    const v: EditedValues = {};
    for (const k of EDITABLE_CORE) {
      const x = i[k];
      v[k] = typeof x === 'number' || typeof x === 'boolean' ? x : asText(x);
    }
    for (const k of DASHBOARD_PROPS) v[k] = asText(i[k]);
    for (const [k, x] of Object.entries(i)) if (!CORE_IMAGE_FIELDS.has(k) && !(k in v)) v[k] = asText(x);
    this.values = v;
    this.removed = new Set();
    // the element stays mounted between images: a refusal or "Nothing changed." of the last one
    // (set here, not by the panel's binding) must not stand under this one
    this.error = '';
    this.notice = '';
    this.newKey = '';
    this.newValue = '';
  }

  private catalog(): Map<string, CatalogEntry> {
    const m = new Map<string, CatalogEntry>();
    for (const ns of this.namespaces) {
      const all = [...ns.properties, ...ns.objects.flatMap((o) => o.properties)];
      for (const prop of all) {
        // Glance already applies the resource type's prefix to the names (?resource_type=)
        const key = prop.name;
        if (!m.has(key)) m.set(key, { key, ns, prop });
      }
    }
    return m;
  }

  private setValue(k: string, v: string | number | boolean) {
    this.values = { ...this.values, [k]: v };
    if (this.removed.has(k)) {
      const r = new Set(this.removed);
      r.delete(k);
      this.removed = r;
    }
  }

  private removeKey(k: string) {
    const v = { ...this.values };
    delete v[k];
    this.values = v;
    this.removed = new Set([...this.removed, k]);
  }

  private addFromCatalog() {
    const e = this.catalog().get(this.catalogPick);
    if (!e) return;
    const p = e.prop;
    const def = p.default ?? p.enum?.[0] ?? (p.type === 'boolean' ? false : '');
    this.setValue(e.key, typeof def === 'boolean' ? String(def) : asText(def));
    this.catalogPick = '';
  }

  private addFree() {
    const k = this.newKey.trim();
    if (!k) return;
    // refused here as the create form refuses it: a core field typed as a key would overwrite that
    // field's box, and an os_glance_* key would be sent unseen (the list hides Glance's own)
    const refusal = propertyKeyRefusal(k);
    if (refusal) {
      this.error = errorText(refusal);
      return;
    }
    this.error = '';
    this.setValue(k, this.newValue);
    this.newKey = '';
    this.newValue = '';
  }

  /** Glance-managed bookkeeping (os_glance_*): kept as is, never offered for editing. */
  private static managed(k: string) {
    return k.startsWith('os_glance');
  }

  private submit(e: Event) {
    e.preventDefault();
    const i = this.image;
    if (!i || this.busy) return;
    const v = this.values;
    const core: Partial<Record<EditableCoreField, unknown>> = {
      name: v.name === '' && i.name == null ? null : v.name,
      visibility: v.visibility,
      protected: v.protected,
      min_disk: v.min_disk,
      min_ram: v.min_ram,
    };
    // Glance refuses format changes once data is attached: send them only while queued
    if (i.status === 'queued') {
      core.disk_format = v.disk_format;
      core.container_format = v.container_format;
    }
    const properties: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if ((EDITABLE_CORE as readonly string[]).includes(k) || this.removed.has(k)) continue;
      const text = asText(x);
      if (text === '' && DASHBOARD_PROPS.includes(k)) continue; // cleared: remove it
      properties[k] = text;
    }
    let ops;
    try {
      ops = imagePatch(i, { core, properties });
    } catch (err) {
      this.error = errorMessage(err);
      return;
    }
    if (!ops.length) {
      this.notice = msg('Nothing changed.');
      return;
    }
    this.notice = '';
    this.dispatchEvent(new CustomEvent('update-image', { detail: { id: i.id, ops }, bubbles: true, composed: true }));
  }

  /** A control typed by the metadefs definition, or a text box for free keys. */
  private control(k: string, def: MetadefProperty | undefined) {
    const v = this.values[k];
    const text = asText(v);
    const onText = (e: Event) => this.setValue(k, (e.target as HTMLInputElement).value);
    if (def?.type === 'boolean') {
      return html`<input type="checkbox" data-meta=${k} aria-label=${k} .checked=${text === 'true'}
        @change=${(e: Event) => this.setValue(k, String((e.target as HTMLInputElement).checked))} />`;
    }
    if (def?.enum?.length) {
      return html`<select data-meta=${k} aria-label=${k} @change=${onText}>
        ${def.enum.map((o) => html`<option value=${String(o)} ?selected=${String(o) === text}>${String(o)}</option>`)}
        ${text && !def.enum.map(String).includes(text) ? html`<option value=${text} selected>${text}</option>` : nothing}
      </select>`;
    }
    if (def?.type === 'array' && def.items?.enum?.length) {
      const chosen = new Set(
        text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
      return html`<span data-meta=${k}>${def.items.enum.map(
        (o) => html`<label><input type="checkbox" value=${String(o)} .checked=${chosen.has(String(o))}
        @change=${(e: Event) => {
          const c = new Set(chosen);
          if ((e.target as HTMLInputElement).checked) c.add(String(o));
          else c.delete(String(o));
          this.setValue(k, [...c].join(','));
        }} />${String(o)}</label>`,
      )}</span>`;
    }
    if (def?.type === 'integer' || def?.type === 'number') {
      return html`<input type="number" data-meta=${k} aria-label=${k} .value=${text}
        min=${def.minimum ?? nothing} max=${def.maximum ?? nothing} step=${def.type === 'integer' ? '1' : 'any'} @input=${onText} />`;
    }
    return html`<input data-meta=${k} aria-label=${k} .value=${text} @input=${onText} />`;
  }

  override render() {
    const i = this.image;
    if (!i) return nothing;
    const v = this.values;
    const queued = i.status === 'queued';
    const cat = this.catalog();
    const metaKeys = Object.keys(v)
      .filter((k) => !(EDITABLE_CORE as readonly string[]).includes(k) && !DASHBOARD_PROPS.includes(k) && !CloudImageEditor.managed(k))
      .sort();
    const str = (k: string) => asText(v[k]);
    const onText = (k: string) => (e: Event) => this.setValue(k, (e.target as HTMLInputElement).value);
    const onNum = (k: string) => (e: Event) => this.setValue(k, Number((e.target as HTMLInputElement).value) || 0);
    const fmt = (k: 'disk_format' | 'container_format', list: string[]) => html`
      <select id=${k} name=${k} ?disabled=${!queued} @change=${onText(k)}>
        ${[...new Set([...list, str(k)].filter(Boolean))].map((o) => html`<option value=${o} ?selected=${o === str(k)}>${o}</option>`)}
      </select>`;
    return html`
      <form part="form" @submit=${this.submit}>
        <h3 class="full">${msg('Edit image')} <span data-role="edit-title">${i.name || i.id}</span></h3>
        <label for="name">${msg('Image name')}</label><input id="name" name="name" .value=${str('name')} @input=${onText('name')} /><span></span>
        <label for="description">${msg('Description')}</label><textarea id="description" name="description" .value=${str('description')} @input=${onText('description')}></textarea><span></span>
        <label for="disk_format">${msg('Format')}</label>${fmt('disk_format', this.diskFormats)}
          <span class="hint">${queued ? '' : msg('Only while the image is queued')}</span>
        <label for="container_format">${msg('Container format')}</label>${fmt('container_format', this.containerFormats)}<span></span>
        <label for="architecture">${msg('Architecture')}</label><input id="architecture" name="architecture" .value=${str('architecture')} @input=${onText('architecture')} /><span></span>
        <label for="min_disk">${msg('Minimum disk (GB)')}</label><input id="min_disk" name="min_disk" type="number" min="0" .value=${str('min_disk')} @input=${onNum('min_disk')} /><span></span>
        <label for="min_ram">${msg('Minimum RAM (MB)')}</label><input id="min_ram" name="min_ram" type="number" min="0" .value=${str('min_ram')} @input=${onNum('min_ram')} /><span></span>
        <label for="visibility">${msg('Visibility')}</label>
        <select id="visibility" name="visibility" @change=${onText('visibility')}>
          ${VISIBILITIES.map((o) => html`<option value=${o} ?selected=${o === str('visibility')}>${visibilityLabel(o)}</option>`)}
        </select><span></span>
        <label for="protected">${msg('Protected')}</label>
        <input id="protected" name="protected" type="checkbox" .checked=${v.protected === true}
          @change=${(e: Event) => this.setValue('protected', (e.target as HTMLInputElement).checked)} /><span></span>
        <label for="kernel_id">${msg('Kernel ID')}</label>
        <select id="kernel_id" name="kernel_id" @change=${onText('kernel_id')}>
          <option value="" ?selected=${!str('kernel_id')}>${msg('None')}</option>
          ${[...new Set([...this.kernels.map((k) => k.id), str('kernel_id')].filter(Boolean))].map((id) => html`<option value=${id} ?selected=${id === str('kernel_id')}>${this.kernels.find((k) => k.id === id)?.name || id}</option>`)}
        </select><span></span>
        <label for="ramdisk_id">${msg('Ramdisk ID')}</label>
        <select id="ramdisk_id" name="ramdisk_id" @change=${onText('ramdisk_id')}>
          <option value="" ?selected=${!str('ramdisk_id')}>${msg('None')}</option>
          ${[...new Set([...this.ramdisks.map((k) => k.id), str('ramdisk_id')].filter(Boolean))].map((id) => html`<option value=${id} ?selected=${id === str('ramdisk_id')}>${this.ramdisks.find((k) => k.id === id)?.name || id}</option>`)}
        </select><span></span>

        <h4 class="full">${msg('Metadata')}</h4>
        ${metaKeys.map((k) => {
          const d = cat.get(k);
          return html`<label title=${d?.prop.description ?? ''}>${d ? `${d.prop.title} (${k})` : k}</label>
            ${this.control(k, d?.prop)}
            <button type="button" data-remove-meta=${k} @click=${() => this.removeKey(k)}>${msg('Remove')}</button>`;
        })}
        ${
          cat.size
            ? html`<label for="catalog">${msg('From the catalog')}</label>
              <select id="catalog" name="catalog" @change=${(e: Event) => (this.catalogPick = (e.target as HTMLSelectElement).value)}>
                <option value="" ?selected=${!this.catalogPick}>${msg('Choose a property…')}</option>
                ${this.namespaces.map(
                  (ns) => html`<optgroup label=${ns.display_name || ns.namespace}>
                  ${[...cat.values()].filter((e) => e.ns === ns && !(e.key in v)).map((e) => html`<option value=${e.key} ?selected=${e.key === this.catalogPick}>${e.prop.title} (${e.key})</option>`)}
                </optgroup>`,
                )}
              </select>
              <button type="button" data-action="add-catalog" @click=${this.addFromCatalog}>${msg('Add')}</button>`
            : nothing
        }
        <input name="meta-key" placeholder=${msg('other key')} .value=${this.newKey} @input=${(e: Event) => (this.newKey = (e.target as HTMLInputElement).value)} />
        <input name="meta-value" placeholder=${msg('value')} .value=${this.newValue} @input=${(e: Event) => (this.newValue = (e.target as HTMLInputElement).value)} />
        <button type="button" data-action="add-meta" @click=${this.addFree}>${msg('Add')}</button>

        <div class="full">
          <button type="submit" data-action="save" ?disabled=${this.busy}>${msg('Save changes')}</button>
          <button type="button" data-action="cancel-edit" @click=${() => this.dispatchEvent(new CustomEvent('back', { bubbles: true, composed: true }))}>${msg('Cancel')}</button>
        </div>
        ${this.error ? html`<p class="full error" role="alert" data-role="edit-error">${this.error}</p>` : nothing}
        ${this.notice ? html`<p class="full" role="status" data-role="edit-notice">${this.notice}</p>` : nothing}
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cloud-image-editor': CloudImageEditor;
  }
}
