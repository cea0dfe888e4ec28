// A card's Guest section (issue 10): the OS read from the guest, its file systems with mount points
// and usage, and the Image service guide's checklist. Everything in it comes from the image, so
// every value is bound as text, never as HTML. Checklist titles and details are localised by their
// stable codes; an unknown detail code shows the core's English, marked as such.
import { html, nothing, type TemplateResult } from 'lit';
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import type { CardState, GuestChecklistItem, GuestView } from './image-inspector-model.ts';
import { formatBytes } from './format-bytes.ts';
import { checklistDetailText } from './guest-checklist-text.ts';
import type { ChecklistDetail } from '../../core/guest/types.ts';

function stepTitle(code: string): string | undefined {
  switch (code) {
    case 'guest.cloud-init-missing':
      return msg('Install cloud-init');
    case 'guest.growpart-missing':
      return msg('Install cloud-utils-growpart');
    case 'guest.cloud-init-resolv-conf':
      return msg('Add resolv-conf to the cloud-init modules');
    case 'guest.ifcfg-missing':
    case 'guest.ifcfg-hwaddr':
    case 'guest.ifcfg-static':
      return msg('Configure the network interface (ifcfg-eth0)');
    case 'guest.nozeroconf-missing':
      return msg('Disable the zeroconf route');
    case 'guest.persistent-net-rules':
    case 'guest.persistent-net-generator-missing':
      return msg('Keep udev from pinning the network interface');
    case 'guest.netplan-macaddress':
    case 'guest.nm-connection-hwaddr':
      return msg('Do not tie the network configuration to a MAC address');
    case 'guest.serial-console-missing':
      return msg('Configure the serial console');
    case 'guest.subscription-registered':
      return msg('Unregister the VM');
    case 'guest.package-cache':
      return msg('Clean the package cache');
    case 'guest.root-password-set':
      return msg('Lock the root password');
    case 'guest.machine-id-set':
    case 'guest.ssh-host-keys':
    case 'guest.shell-history':
    case 'guest.dhcp-leases':
    case 'guest.log-files':
      return msg('Clean up the VM (virt-sysprep)');
    case 'guest.qemu-guest-agent-missing':
      return msg('Install the QEMU guest agent');
    case 'guest.free-space-not-zeroed':
      return msg('Sparsify the image (virt-sparsify)');
    default:
      return undefined;
  }
}

/** Of these checklist codes, the ones this page titles in its own language (coverage test). */
export function titledCheckCodes(codes: readonly string[]): string[] {
  return codes.filter((c) => stepTitle(c) !== undefined);
}

function row(field: string, label: string, value: string | null): TemplateResult | typeof nothing {
  if (value === null || value === '') return nothing;
  return html`<dt>${label}</dt>
    <dd data-field=${field} data-value=${value}>${value}</dd>`;
}

function renderItem([i, d]: [GuestChecklistItem, ChecklistDetail | undefined]): TemplateResult {
  const detail = checklistDetailText(d);
  return html`<li class="guest-item" data-code=${i.code} data-ok=${String(i.ok)}>
    <span class="sev ${i.ok ? 'info' : 'warning'}">${i.ok ? msg('done') : msg('to do')}</span>
    ${stepTitle(i.code) ?? i.step} <code class="muted">${i.code}</code>
    ${i.ok ? nothing : detail === null ? html`<span class="fix" lang="en">${i.detail}</span>` : html`<span class="fix">${detail}</span>`}
  </li>`;
}

function renderRead(g: GuestView, details: ChecklistDetail[]): TemplateResult {
  const o = g.os;
  const items = g.checklist.map((i, n): [GuestChecklistItem, ChecklistDetail | undefined] => [i, details[n]]);
  const todo = items.filter(([i]) => !i.ok);
  return html`<dl>
      ${row('os.type', msg('OS type'), o.type)} ${row('os.distro', msg('Distribution'), o.distro)}
      ${row('os.version', msg('Version'), o.version)} ${row('os.arch', msg('Architecture'), o.arch)}
      ${row('os.hostname', msg('Host name'), o.hostname)} ${row('os.firmware', msg('Firmware'), o.firmware)}
    </dl>
    ${
      g.filesystems.length
        ? html`<table class="guest-filesystems">
            <thead>
              <tr>
                <th>${msg('Device')}</th>
                <th>${msg('File system')}</th>
                <th>${msg('Mount point')}</th>
                <th>${msg('Size')}</th>
                <th>${msg('Used')}</th>
                <th>${msg('Label')}</th>
                <th>UUID</th>
              </tr>
            </thead>
            <tbody>
              ${g.filesystems.map(
                (f) =>
                  html`<tr data-device=${f.device} data-size=${String(f.size)} data-used=${String(f.used)}>
                    <td>${f.device}</td>
                    <td>${f.type}</td>
                    <td>${f.mountpoint ?? ''}</td>
                    <td>${f.size === null ? '' : formatBytes(f.size)}</td>
                    <td>${f.used === null ? '' : formatBytes(f.used)}</td>
                    <td>${f.label ?? ''}</td>
                    <td class="muted">${f.uuid ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : nothing
    }
    ${
      g.checklist.length
        ? html`<h5>${msg(str`Cloud image checklist: ${g.checklist.length - todo.length} of ${g.checklist.length} steps done`)}</h5>
            <ul class="guest-checklist">
              ${[...todo, ...items.filter(([i]) => i.ok)].map(renderItem)}
            </ul>`
        : nothing
    }`;
}

export function renderGuest(c: CardState): TemplateResult | typeof nothing {
  if (c.guest === undefined && !c.guestReading) return nothing;
  const state = c.guestReading ? 'reading' : c.guest ? 'read' : 'none';
  return html`<section part="details guest" class="details guest" data-guest=${state}>
    <h4>${msg('Guest')}</h4>
    ${
      c.guestReading
        ? html`<p class="muted">${msg('Reading the guest file systems…')}</p>`
        : c.guest
          ? renderRead(c.guest, c.guestDetails ?? [])
          : html`<p class="muted">${msg('No readable guest file system was found (partitions, LVM, ext2/3/4, XFS, FAT).')}</p>`
    }
  </section>`;
}
