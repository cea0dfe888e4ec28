// The detail sections of a card: qemu-img info, format-specific data, header facts, check and
// allocation, suggested Glance properties. Every value is rendered as text (metadata is hostile).
import { html, svg, nothing, type TemplateResult } from 'lit';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import type { CardState, CheckSummary, QemuImgInfo } from './image-inspector-model.ts';
import { factRows } from './image-inspector-facts.ts';
import { formatBytes, formatBytesExact } from './format-bytes.ts';
import { suggestionSource } from './property-source-text.ts';

function row(field: string, label: string, value: unknown, shown?: string): TemplateResult | typeof nothing {
  if (value === undefined || value === null || value === '') return nothing;
  return html`<dt>${label}</dt>
    <dd data-field=${field} data-value=${String(value)}>${shown ?? String(value)}</dd>`;
}

function renderInfo(info: QemuImgInfo, fileSize: number): TemplateResult {
  const fs = info['format-specific']?.data ?? {};
  const yesNo = (b: unknown) => (b === undefined ? undefined : b ? msg('yes') : msg('no'));
  return html`<section part="details" class="details">
    <h4>${msg('qemu-img info')}</h4>
    <dl>
      ${row('format', msg('Format'), info.format)}
      ${row('virtual-size', msg('Virtual size'), info['virtual-size'], formatBytesExact(info['virtual-size']))}
      ${
        /* what the browser knows is the file's length; qemu-img's "disk size" (allocated bytes)
           needs the host's block counts, which a browser never sees */
        row('file-size', msg('File size'), fileSize, formatBytes(fileSize))
      }
      ${row('cluster-size', msg('Cluster size'), info['cluster-size'], formatBytes(info['cluster-size']))}
      ${row('compat', msg('Compat level'), fs['compat'])} ${row('compression-type', msg('Compression'), fs['compression-type'])}
      ${row('backing-filename', msg('Backing file'), info['backing-filename'])}
      ${row('backing-filename-format', msg('Backing file format'), info['backing-filename-format'])}
      ${row('data-file', msg('External data file'), fs['data-file'])}
      ${row('dirty-flag', msg('Dirty'), info['dirty-flag'], yesNo(info['dirty-flag']))}
      ${row('corrupt', msg('Corrupt'), fs['corrupt'], yesNo(fs['corrupt']))}
      ${row('encrypted', msg('Encrypted'), info.encrypted, yesNo(info.encrypted))}
    </dl>
  </section>`;
}

/** Whatever else qemu-img reports for the format (VMDK extents, qcow2 feature bits...). */
function renderFormatSpecific(info: QemuImgInfo | undefined): TemplateResult | typeof nothing {
  const fsType = info?.['format-specific']?.type;
  const data = info?.['format-specific']?.data;
  if (!data) return nothing;
  const shownElsewhere = new Set(['compat', 'compression-type', 'data-file', 'corrupt', 'extents']);
  const scalars = Object.entries(data).filter(([k, v]) => !shownElsewhere.has(k) && (typeof v !== 'object' || v === null));
  const extents = Array.isArray(data['extents']) ? (data['extents'] as Array<Record<string, unknown>>) : [];
  return html`<section part="details format-specific" class="details">
    <h4>${msg(str`${fsType ?? ''} details`)}</h4>
    <dl>${scalars.map(([k, v]) => row(k, k, v))}</dl>
    ${
      extents.length
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
                (e) =>
                  html`<tr>
                    <td>${String(e['filename'] ?? '').replace(/^\/in\//, '')}</td>
                    <td>${String(e['format'] ?? '')}${e['compressed'] ? ` (${msg('compressed')})` : ''}</td>
                    <td>${formatBytes(e['virtual-size'] as number | undefined)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : nothing
    }
  </section>`;
}

function renderFacts(c: CardState): TemplateResult | typeof nothing {
  const rows = c.facts ? factRows(c.facts) : [];
  if (!rows.length) return nothing;
  return html`<section part="details facts" class="details">
    <h4>${msg('From the image headers')}</h4>
    <dl>${rows.map((r) => row(r.field, r.label, r.value))}</dl>
  </section>`;
}

function checkText(check: CheckSummary): string {
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

function renderCheckAndMap(c: CardState): TemplateResult | typeof nothing {
  const { check, allocation: a } = c;
  if (!check && !a) return nothing;
  const pct = (n: number) => (a && a.virtualSize > 0 ? (100 * n) / a.virtualSize : 0);
  return html`<section part="check allocation" class="details">
    ${
      check
        ? html`<h4>${msg('qemu-img check')}</h4>
            <p class="check" data-status=${check.status}>${checkText(check)}</p>`
        : nothing
    }
    ${
      a && a.holesVisible === false
        ? html`<h4>${msg('Allocation (qemu-img map)')}</h4>
            <p class="note holes-hidden" data-role="holes-hidden">
              ${msg(
                'This is raw data: its holes are not visible to a browser, so qemu-img map reads every byte of it as data. How much of it is allocated on disk is unknown here (native qemu-img map on the machine that holds the file shows it).',
              )}
            </p>`
        : a
          ? html`<h4>${msg('Allocation (qemu-img map)')}</h4>
            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label=${msg('allocated vs zero')}>
              ${svg`<rect class="data" x="0" y="0" height="10" width=${pct(a.data)}></rect>
              <rect class="zero" x=${pct(a.data)} y="0" height="10" width=${pct(a.zero)}></rect>`}
            </svg>
            <dl>
              ${row('allocated', msg('Data'), a.data, `${formatBytes(a.data)} (${pct(a.data).toFixed(1)} %)`)}
              ${row('zero', msg('Zero / unallocated'), a.zero, `${formatBytes(a.zero)} (${pct(a.zero).toFixed(1)} %)`)}
            </dl>`
          : nothing
    }
  </section>`;
}

function renderSuggestions(c: CardState): TemplateResult | typeof nothing {
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
          (s) =>
            html`<tr data-property=${s.property}>
              <td><code>${s.property}</code></td>
              <td class="value">${String(s.value)}</td>
              <td class="muted">${suggestionSource(s)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

export function renderDetails(c: CardState): TemplateResult {
  return html`<div class="sections">
    ${c.info ? renderInfo(c.info, c.size) : nothing} ${renderFormatSpecific(c.info)} ${renderFacts(c)} ${renderCheckAndMap(c)}
    ${renderSuggestions(c)}
  </div>`;
}
