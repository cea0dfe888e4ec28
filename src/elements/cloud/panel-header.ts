// The signed-in header of <cloud-panel>: who and where, region and interface pickers, the
// navigation, and the panel-wide error/notice lines.
import { html, nothing, type TemplateResult } from 'lit';
import { msg, str } from '@lit/localize';
import { catalogInterfaces, catalogRegions } from '../../core/openstack/catalog.ts';
import type { KeystoneSession } from '../../core/openstack/keystone.ts';
import type { EndpointInterface } from '../../core/openstack/types.ts';
import type { SessionController } from './session-controller.ts';
import { formatTime } from './format.ts';
import type { ImagesController } from './images-controller.ts';
import type { UploadsController } from './uploads-controller.ts';

export function renderHeader(
  s: KeystoneSession,
  c: { session: SessionController; images: ImagesController; uploads: UploadsController },
): TemplateResult {
  const t = s.token;
  const { session, images, uploads } = c;
  const regions = catalogRegions(s.catalog);
  const ifaces = catalogInterfaces(s.catalog, 'image', session.region || undefined);
  return html`
    <header part="header">
      <span data-role="whoami" tabindex="-1">${msg(str`Signed in as ${t.user.name} in project ${t.project?.name ?? '—'}; token valid until ${formatTime(t.expiresAt)}.`)}</span>
      ${
        regions.length > 1 || session.region
          ? html`<label>${msg('Region')} <select name="region" @change=${(e: Event) => session.setRegion((e.target as HTMLSelectElement).value)}>
            ${
              // a region typed at sign-in that the catalog lacks stays shown as chosen: shown as
              // another, that one could not be picked (choosing the shown option changes nothing)
              (session.region && !regions.includes(session.region) ? [session.region, ...regions] : regions).map(
                (r) => html`<option value=${r} ?selected=${r === session.region}>${r}</option>`,
              )
            }</select></label>`
          : nothing
      }
      <label>${msg('Interface')} <select name="interface" @change=${(e: Event) => session.setInterface((e.target as HTMLSelectElement).value as EndpointInterface)}>
        ${(ifaces.includes(session.iface) ? ifaces : [session.iface, ...ifaces]).map((i) => html`<option value=${i} ?selected=${i === session.iface}>${i}</option>`)}</select></label>
      <nav>
        <button data-action="show-list" class=${images.view === 'create' ? '' : 'primary'} aria-current=${images.view === 'create' ? 'false' : 'page'} @click=${() => {
          images.show('list');
          void images.refresh();
        }}>${msg('Images')}</button>
        <button data-action="show-create" class=${images.view === 'create' ? 'primary' : ''} aria-current=${images.view === 'create' ? 'page' : 'false'} @click=${() => uploads.openCreate()}>${msg('Create image')}</button>
        <button data-action="sign-out" @click=${() => void session.signOut()}>${msg('Sign out')}</button>
      </nav>
    </header>
    ${session.error ? html`<p class="error" role="alert" data-role="panel-error">${session.error}</p>` : nothing}
    ${session.corsSettings && session.error ? html`<pre data-role="cors-settings">${session.corsSettings}</pre>` : nothing}
    ${images.notice ? html`<p class="notice" role="status" data-role="panel-notice">${images.notice}</p>` : nothing}
  `;
}
