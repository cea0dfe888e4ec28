// Sign-in: Keystone v3 password, application credential or an existing token; a dropped
// clouds.yaml / openrc fills the fields. Emits `sign-in` with an AuthConfig; the secret stays in
// this element's memory only (never in storage, attributes or logs).
import { LitElement, css, html, nothing } from 'lit';
import { controls, tokens } from '../styles/tokens.ts';
import { customElement, property, state } from 'lit/decorators.js';
import { msg, str } from '@lit/localize';
import { parseCloudFile } from '../../core/openstack/cloud-config.ts';
import type { AuthConfig } from '../../core/openstack/types.ts';
import { emptyFields, fieldsFromConfig, toAuthConfig, type SignInFields } from './credentials-file.ts';
import { syncSelects } from './select-sync.ts';
import { focusRing } from '../focus-ring.ts';
import { errorMessage } from './sentence.ts';
import { chosenFile, filePicker } from './file-picker.ts';

export interface SignInRequest {
  config: AuthConfig;
  stayInTab: boolean;
}

/**
 * Keystone sign-in: password, application credential or token; a dropped clouds.yaml/openrc
 * fills the fields. Secrets stay in this element's memory only.
 *
 * @fires sign-in - detail: `{ config: AuthConfig, stayInTab: boolean }`.
 * @csspart drop - The drop zone for clouds.yaml / openrc files.
 * @csspart form - The sign-in form.
 * @cssprop --cloud-border - Border of the drop zone.
 * @cssprop --cloud-hover - Background of the drop zone while a file is over it.
 * @fires credentials-loaded - A clouds.yaml or openrc filled the form (the last sign-in error is stale).
 * @cssprop --cloud-error - Colour of the error sentence.
 * @cssprop --cloud-code-bg - Background of the `[cors]` settings block.
 */
@customElement('cloud-sign-in')
export class CloudSignIn extends LitElement {
  static override styles = [
    tokens,
    controls,
    focusRing,
    css`
    :host { display: block; }
    form { display: grid; grid-template-columns: max-content 1fr; gap: 0.4em 1em; align-items: center; max-width: 40em; }
    .full { grid-column: 1 / -1; }
    .drop { border: 2px dashed var(--cloud-border, #aaa); padding: 0.75em; text-align: center; margin-block-end: 0.75em; }
    .drop.over { background: var(--cloud-hover, var(--_surface)); }
    .error { color: var(--cloud-error, var(--_danger)); }
    pre { background: var(--cloud-code-bg, #f4f4f4); padding: 0.5em; overflow: auto; user-select: all; }
  `,
  ];

  @property({ type: Boolean }) busy = false;
  @property() error = '';
  /** Set with a CORS failure: the `[cors]` text the operator must add. */
  @property() corsSettings = '';
  @state() private f: SignInFields = emptyFields();
  /** The dropped file's text (in memory) and its cloud names, for the cloud picker. */
  @state() private fileText = '';
  @state() private cloudNames: string[] = [];
  @state() private cloudName = '';
  @state() private over = false;
  @state() private fileError = '';
  /** The clouds.yaml or openrc that filled the form, by name. */
  @state() private fileName = '';
  /** Keep the token in this tab's sessionStorage (off unless the user asks). */
  @state() private stayInTab = false;

  /** Prefills the Keystone URL (e.g. from the app's configuration); never secrets. */
  @property({ attribute: 'auth-url' })
  set authUrl(v: string) {
    if (v && !this.f.authUrl) this.f = { ...this.f, authUrl: v };
  }
  get authUrl() {
    return this.f.authUrl;
  }

  override updated() {
    syncSelects(this.renderRoot, { method: this.f.method, interface: this.f.interface, cloud: this.cloudName });
  }

  private set<K extends keyof SignInFields>(k: K, v: SignInFields[K]) {
    this.f = { ...this.f, [k]: v };
  }

  private input(k: keyof SignInFields, label: string, type = 'text', autocomplete = 'off') {
    return html`<label for=${k}>${label}</label>
      <input id=${k} name=${k} type=${type} autocomplete=${autocomplete} .value=${String(this.f[k])}
        @input=${(e: Event) => this.set(k, (e.target as HTMLInputElement).value as never)} />`;
  }

  async readCredentialsFile(file: File) {
    this.fileError = '';
    try {
      if (file.size > 1024 * 1024) throw new Error(msg('This file is too large to be a clouds.yaml or openrc; drop the right file.'));
      this.fileText = await file.text();
      this.fileName = file.name;
      this.cloudNames = [];
      this.pickCloud(undefined);
      // the error of the last attempt was about other settings: it must not stand beside these
      this.error = '';
      this.dispatchEvent(new CustomEvent('credentials-loaded', { bubbles: true, composed: true }));
    } catch (e) {
      this.fileError = errorMessage(e);
    }
  }

  private pickCloud(name: string | undefined) {
    this.fileError = '';
    try {
      const parsed = parseCloudFile(this.fileText, name);
      this.cloudNames = parsed.cloudNames;
      this.cloudName = parsed.config.cloudName ?? name ?? '';
      this.f = fieldsFromConfig(parsed.config);
      if (parsed.missing.length)
        this.fileError = msg(str`The file does not contain: ${parsed.missing.join(', ')}. Type it below, then sign in.`);
    } catch (e) {
      const m = /several clouds \(([^)]*)\)/.exec((e as Error).message);
      if (m && !name) {
        this.cloudNames = m[1].split(', ');
        this.pickCloud(this.cloudNames[0]);
        return;
      }
      this.fileError = errorMessage(e);
    }
  }

  private drop(e: DragEvent) {
    e.preventDefault();
    this.over = false;
    const file = e.dataTransfer?.files?.[0];
    if (file) void this.readCredentialsFile(file);
  }

  private submit(e: Event) {
    e.preventDefault();
    if (this.busy) return;
    if (!this.f.authUrl.trim()) {
      this.error = msg('Enter the Keystone URL (e.g. https://keystone.example.org:5000/v3), then sign in.');
      return;
    }
    const detail: SignInRequest = { config: toAuthConfig(this.f, this.cloudName || undefined), stayInTab: this.stayInTab };
    this.dispatchEvent(new CustomEvent('sign-in', { detail, bubbles: true, composed: true }));
  }

  /** Forgets every secret typed or dropped (called after sign-out). */
  clearSecrets() {
    this.f = { ...this.f, password: '', appCredSecret: '', token: '' };
    this.fileText = '';
  }

  override render() {
    const m = this.f.method;
    return html`
      <div class="drop ${this.over ? 'over' : ''}" part="drop"
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          this.over = true;
        }}
        @dragleave=${() => (this.over = false)} @drop=${this.drop}>
        ${msg('Drop a clouds.yaml or openrc file here, or')}
        ${filePicker({
          name: 'credentials-file',
          action: 'pick-credentials',
          label: msg('choose one…'),
          ariaLabel: msg('Choose a clouds.yaml or openrc file'),
          onChange: (e) => {
            const f = chosenFile(e);
            if (f) void this.readCredentialsFile(f);
          },
        })}
        ${this.fileName ? html`<span data-role="credentials-name">${msg(str`(read from ${this.fileName})`)}</span>` : nothing}
        ${this.fileError ? html`<div class="error" role="alert" data-role="file-error">${this.fileError}</div>` : nothing}
      </div>
      <form part="form" @submit=${this.submit}>
        ${
          this.cloudNames.length > 1
            ? html`<label for="cloud">${msg('Cloud')}</label>
              <select id="cloud" name="cloud" @change=${(e: Event) => this.pickCloud((e.target as HTMLSelectElement).value)}>
                ${this.cloudNames.map((c) => html`<option value=${c} ?selected=${c === this.cloudName}>${c}</option>`)}
              </select>`
            : nothing
        }
        ${this.input('authUrl', msg('Keystone URL'), 'url')}
        <label for="method">${msg('Sign in with')}</label>
        <select id="method" name="method" @change=${(e: Event) => this.set('method', (e.target as HTMLSelectElement).value as SignInFields['method'])}>
          <option value="password" ?selected=${m === 'password'}>${msg('Password')}</option>
          <option value="application_credential" ?selected=${m === 'application_credential'}>${msg('Application credential')}</option>
          <option value="token" ?selected=${m === 'token'}>${msg('Existing token')}</option>
        </select>
        ${
          m === 'password'
            ? html`${this.input('username', msg('User name'), 'text', 'username')}
              ${this.input('userDomain', msg('User domain'))}
              ${this.input('password', msg('Password'), 'password', 'current-password')}`
            : nothing
        }
        ${
          m === 'application_credential'
            ? html`${this.input('appCredId', msg('Application credential ID'))}
              ${this.input('appCredName', msg('or its name (with the user name below)'))}
              ${this.input('username', msg('User name'))}
              ${this.input('appCredSecret', msg('Secret'), 'password')}`
            : nothing
        }
        ${m === 'token' ? this.input('token', msg('Token'), 'password') : nothing}
        ${
          m !== 'application_credential'
            ? html`${this.input('projectName', msg('Project'))}
              ${this.input('projectDomain', msg('Project domain'))}`
            : nothing
        }
        ${this.input('region', msg('Region (empty: the first one)'))}
        <label for="interface">${msg('Interface')}</label>
        <select id="interface" name="interface" @change=${(e: Event) => this.set('interface', (e.target as HTMLSelectElement).value as SignInFields['interface'])}>
          ${(['public', 'internal', 'admin'] as const).map((i) => html`<option value=${i} ?selected=${this.f.interface === i}>${i}</option>`)}
        </select>
        <label class="full"><input type="checkbox" name="stay-in-tab" .checked=${this.stayInTab}
          @change=${(e: Event) => (this.stayInTab = (e.target as HTMLInputElement).checked)} />
          ${msg('Stay signed in in this tab (keeps the token, never the password, until the tab closes or the token expires)')}</label>
        <div class="full"><button type="submit" data-action="sign-in" aria-disabled=${String(this.busy)}>${msg('Sign in')}</button></div>
        ${this.error ? html`<p class="full error" role="alert" data-role="sign-in-error">${this.error}</p>` : nothing}
        ${this.corsSettings ? html`<pre class="full" data-role="cors-settings">${this.corsSettings}</pre>` : nothing}
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cloud-sign-in': CloudSignIn;
  }
}
