// The "Details" and "Metadata" steps of <cloud-create-form>: the Dashboard's fields, rendered
// from the form's state and written back through its setter (the form owns the state).
import { html, type TemplateResult } from 'lit';
import { msg } from '@lit/localize';
import type { CreateFields } from './create-form-model.ts';
import type { ImageRecord } from './image-record.ts';
import { VISIBILITIES, visibilityLabel } from './labels.ts';

export interface FieldsView {
  fields: CreateFields;
  diskFormats: string[];
  containerFormats: string[];
  kernels: ImageRecord[];
  ramdisks: ImageRecord[];
  set<K extends keyof CreateFields>(k: K, v: CreateFields[K]): void;
}

export interface PropertiesView {
  properties: Record<string, string>;
  newKey: string;
  newValue: string;
  setNew(key: string, value: string): void;
  add(): void;
  remove(key: string): void;
  change(key: string, value: string): void;
}

const value = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value;

export function renderDetailsStep(v: FieldsView): TemplateResult {
  const f = v.fields;
  const fmts = v.diskFormats.length ? v.diskFormats : [f.disk_format].filter(Boolean);
  const cfmts = v.containerFormats.length ? v.containerFormats : ['bare'];
  return html`
    <label for="name">${msg('Image name')}</label>
    <input id="name" name="name" required .value=${f.name} @input=${(e: Event) => v.set('name', value(e))} />

    <label for="description">${msg('Description')}</label>
    <textarea id="description" name="description" .value=${f.description} @input=${(e: Event) => v.set('description', value(e))}></textarea>

    <label for="disk_format">${msg('Format')}</label>
    <select id="disk_format" name="disk_format" @change=${(e: Event) => v.set('disk_format', value(e))}>
      <option value="" ?selected=${!f.disk_format}>${msg('Select a format')}</option>
      ${fmts.map((x) => html`<option value=${x} ?selected=${x === f.disk_format}>${x}</option>`)}
    </select>

    <label for="container_format">${msg('Container format')}</label>
    <select id="container_format" name="container_format" @change=${(e: Event) => v.set('container_format', value(e))}>
      ${cfmts.map((x) => html`<option value=${x} ?selected=${x === f.container_format}>${x}</option>`)}
    </select>

    <label for="visibility">${msg('Visibility')}</label>
    <select id="visibility" name="visibility" @change=${(e: Event) => v.set('visibility', value(e))}>
      ${VISIBILITIES.map((x) => html`<option value=${x} ?selected=${x === f.visibility}>${visibilityLabel(x)}</option>`)}
    </select>

    <span>${msg('Protected')}</span>
    <label class="check" for="protected">
      <input id="protected" name="protected" type="checkbox" .checked=${f.protected}
        @change=${(e: Event) => v.set('protected', (e.target as HTMLInputElement).checked)} />
      ${msg('Protected: Glance refuses to delete it until this is unset')}
    </label>
  `;
}

export function renderMetadataStep(v: FieldsView, p: PropertiesView): TemplateResult {
  const f = v.fields;
  return html`
    <label for="architecture">${msg('Architecture')}</label>
    <input id="architecture" name="architecture" list="arches" .value=${f.architecture} @input=${(e: Event) => v.set('architecture', value(e))} />
    <datalist id="arches">${['x86_64', 'aarch64', 'i686', 'ppc64le', 's390x', 'riscv64'].map((a) => html`<option value=${a}></option>`)}</datalist>

    <label for="min_disk">${msg('Minimum disk (GB)')}</label>
    <input id="min_disk" name="min_disk" type="number" min="0" .value=${String(f.min_disk)} @input=${(e: Event) => v.set('min_disk', Number(value(e)) || 0)} />

    <label for="min_ram">${msg('Minimum RAM (MB)')}</label>
    <input id="min_ram" name="min_ram" type="number" min="0" .value=${String(f.min_ram)} @input=${(e: Event) => v.set('min_ram', Number(value(e)) || 0)} />

    <label for="kernel_id">${msg('Kernel ID')}</label>
    <select id="kernel_id" name="kernel_id" @change=${(e: Event) => v.set('kernel_id', value(e))}>
      <option value="" ?selected=${!f.kernel_id}>${msg('None')}</option>
      ${v.kernels.map((k) => html`<option value=${k.id} ?selected=${k.id === f.kernel_id}>${k.name || k.id}</option>`)}
    </select>

    <label for="ramdisk_id">${msg('Ramdisk ID')}</label>
    <select id="ramdisk_id" name="ramdisk_id" @change=${(e: Event) => v.set('ramdisk_id', value(e))}>
      <option value="" ?selected=${!f.ramdisk_id}>${msg('None')}</option>
      ${v.ramdisks.map((k) => html`<option value=${k.id} ?selected=${k.id === f.ramdisk_id}>${k.name || k.id}</option>`)}
    </select>

    <span>${msg('Custom properties')}</span>
    <div class="props" part="properties">
      ${Object.entries(p.properties).map(
        ([k, x]) => html`
        <span data-prop=${k}>${k}</span>
        <input aria-label=${k} data-prop-value=${k} .value=${x} @input=${(e: Event) => p.change(k, value(e))} />
        <button type="button" class="danger" data-remove-prop=${k} @click=${() => p.remove(k)}>${msg('Remove')}</button>`,
      )}
      <input name="new-key" aria-label=${msg('key')} placeholder=${msg('key')} .value=${p.newKey} @input=${(e: Event) => p.setNew(value(e), p.newValue)} />
      <input name="new-value" aria-label=${msg('value')} placeholder=${msg('value')} .value=${p.newValue} @input=${(e: Event) => p.setNew(p.newKey, value(e))} />
      <button type="button" data-action="add-prop" @click=${() => p.add()}>${msg('Add')}</button>
    </div>
  `;
}
