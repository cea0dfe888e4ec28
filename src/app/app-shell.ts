// The app page: header with the language switch, the inspector, the cloud panel (loaded only when
// its tab is opened), and what happens to the data.
import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import '../elements/image-inspector-define.ts';
import { allLocales, getLocale, matchLocale, setLocale, type Locale } from '../locales/localization.ts';
import type { CloudFormats, ImageInspector } from '../elements/image-inspector.ts';
import { UpdateController } from './app-update.ts';
import { consumeLaunchFiles } from './launch-files.ts';
import { consumeSharedFiles } from './shared-files.ts';
import { appShellStyles } from './app-shell-styles.ts';

/** The language is a preference, not a secret: kept in localStorage (no credentials ever are). */
const LANG_KEY = 'image-inspector.lang';

// A chunk of its own, loaded on first use of the tab.
const loadCloudPanel = () => import('../elements/cloud/cloud-panel.ts');

type View = 'inspect' | 'cloud';

@customElement('ii-app')
export class AppShell extends LitElement {
  static override styles = appShellStyles;

  @state() private view: View = 'inspect';
  @state() private cloudLoaded = false;
  @state() private cloudError = '';
  /** The file the user asked to upload, handed to the cloud panel (its `offer` property). */
  @state() private offer: { file: File; result: unknown } | null = null;
  /** The signed-in cloud's stores and import methods (from <cloud-panel>): conversions follow it. */
  @state() private cloudFormats: CloudFormats | null = null;

  /** A new version is offered, applied only on the user's word and when nothing runs. */
  readonly #update = new UpdateController(this, () => this.#busy());

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  /** Whether reloading now would end a job: an inspection, a conversion or an upload. */
  #busy(): boolean {
    const root = this.renderRoot;
    const inspector = root.querySelector<ImageInspector>('image-inspector');
    const panel = root.querySelector('cloud-panel') as { uploads?: { running: boolean } } | null;
    return !!inspector?.busy || !!panel?.uploads?.running;
  }

  override firstUpdated(): void {
    const inspect = (files: File[]) => {
      this.view = 'inspect';
      void this.renderRoot.querySelector<ImageInspector>('image-inspector')?.inspectFiles(files);
    };
    consumeLaunchFiles(inspect);
    consumeSharedFiles(inspect);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const fromUrl = new URLSearchParams(location.search).get('lang');
    const wanted = fromUrl ?? localStorage.getItem(LANG_KEY) ?? navigator.language;
    void this.#switchLanguage(matchLocale(wanted), false);
  }

  async #switchLanguage(locale: Locale, remember: boolean): Promise<void> {
    await setLocale(locale);
    document.documentElement.lang = locale;
    if (remember) localStorage.setItem(LANG_KEY, locale);
  }

  async #openCloud(): Promise<void> {
    this.view = 'cloud';
    if (this.cloudLoaded) return;
    try {
      await loadCloudPanel();
      this.cloudLoaded = true;
    } catch (e) {
      this.cloudError = e instanceof Error ? e.message : String(e);
    }
  }

  /** One tab of the ARIA tabs pattern: only the selected one is a Tab stop. */
  #tab(view: View, label: string): TemplateResult {
    const selected = this.view === view;
    return html`<button
      role="tab"
      id="tab-${view}"
      aria-selected=${String(selected)}
      aria-controls="panel-${view}"
      tabindex=${selected ? '0' : '-1'}
      @click=${() => void this.#show(view, 'tab')}
    >
      ${label}
    </button>`;
  }

  /** Arrow keys, Home and End move between the tabs (and select them, as the pattern's automatic activation). */
  #onTabKey = (e: KeyboardEvent): void => {
    const views: View[] = ['inspect', 'cloud'];
    const i = views.indexOf(this.view);
    const next =
      e.key === 'ArrowRight'
        ? views[(i + 1) % views.length]
        : e.key === 'ArrowLeft'
          ? views[(i + views.length - 1) % views.length]
          : e.key === 'Home'
            ? views[0]
            : e.key === 'End'
              ? views[views.length - 1]
              : undefined;
    if (!next) return;
    e.preventDefault();
    void this.#show(next, 'tab');
  };

  /** Shows a view and puts the focus on its tab or on the view itself. */
  async #show(view: View, focus: 'tab' | 'panel'): Promise<void> {
    if (view === 'cloud') await this.#openCloud();
    else this.view = view;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(focus === 'tab' ? `#tab-${view}` : `#panel-${view}`)?.focus();
  }

  #languageName(l: Locale): string {
    return l === 'ja' ? '日本語' : 'English';
  }

  override render(): TemplateResult {
    return html`
      <header>
        <h1><img src="./icons/icon.svg" alt="" />image-inspector</h1>
        <nav role="tablist" aria-label=${msg('Views')} @keydown=${this.#onTabKey}>
          ${this.#tab('inspect', msg('Inspect'))} ${this.#tab('cloud', msg('Cloud'))}
        </nav>
        <label class="lang">
          <span>${msg('Language')}</span>
          <select
            id="lang"
            @change=${(e: Event) => void this.#switchLanguage(matchLocale((e.target as HTMLSelectElement).value), true)}
          >
            ${allLocales.map((l) => html`<option value=${l} ?selected=${l === getLocale()}>${this.#languageName(l)}</option>`)}
          </select>
        </label>
      </header>
      <main>
        ${this.#renderUpdate()}
        <div id="panel-inspect" role="tabpanel" aria-labelledby="tab-inspect" tabindex="-1" ?hidden=${this.view !== 'inspect'}>
          <p class="lead">
            ${msg('Check a disk image before you upload it: Glance’s safety verdict, what qemu-img sees, and the image properties to set.')}
          </p>
          <image-inspector
            id="inspector"
            uploadable
            .cloud=${this.cloudFormats}
            @image-busy-changed=${() => this.#update.refreshBusy()}
            @image-upload-requested=${(e: CustomEvent<{ file: File; result: unknown }>) => {
              this.offer = e.detail;
              // the button that was pressed is now hidden: the view that opens takes the focus
              void this.#show('cloud', 'panel');
            }}
          ></image-inspector>
        </div>
        ${
          this.view === 'cloud' || this.cloudLoaded
            ? // Once loaded the panel stays mounted, only hidden: it holds the session (token in
              // memory only) and any running upload, which switching tabs must not end.
              html`<div id="panel-cloud" role="tabpanel" aria-labelledby="tab-cloud" tabindex="-1" ?hidden=${this.view !== 'cloud'}>
                <p class="lead" data-role="cloud-privacy">${msg(
                  'The Cloud tab talks only to the OpenStack endpoints you enter there. Passwords stay in memory only; the token too, unless you choose to stay signed in in this tab (then this tab’s session storage keeps it until the tab closes). Nothing goes to the browser’s permanent storage.',
                )}</p>
                ${this.#renderCloud()}
              </div>`
            : nothing
        }
        <!-- what happens to the data, beside the view it is about: never under an upload form -->
        <section class="about" id="about" ?hidden=${this.view !== 'inspect'}>
          <h2>${msg('Everything stays on this machine')}</h2>
          <p>
            ${msg(
              'Your files are read by this browser tab only, in slices, by a WebAssembly build of qemu-img running in a worker. Nothing is uploaded and no other site is contacted while you inspect.',
            )}
          </p>
          <p>
            ${msg(
              'The Cloud tab talks only to the OpenStack endpoints you enter there. Passwords stay in memory only; the token too, unless you choose to stay signed in in this tab (then this tab’s session storage keeps it until the tab closes). Nothing goes to the browser’s permanent storage.',
            )}
          </p>
          <p>
            ${msg(
              'Converted images are written by qemu-img into this site’s private storage in the browser (OPFS), never sent anywhere; clearing the results deletes them.',
            )}
          </p>
          <p>${msg('After the first visit the app also works offline.')}</p>
        </section>
      </main>
    `;
  }

  #renderUpdate(): TemplateResult | typeof nothing {
    const u = this.#update;
    if (!u.waiting) return nothing;
    return html`<div class="update" id="update" role="status">
      <span>${msg('A new version of the app is ready.')}</span>
      <button id="update-apply" type="button" ?disabled=${u.busy} @click=${() => void u.apply()}>${msg('Update now')}</button>
      ${u.busy ? html`<span id="update-held">${msg('It will wait until the running inspection, conversion or upload ends.')}</span>` : nothing}
    </div>`;
  }

  #renderCloud(): TemplateResult {
    if (this.cloudError) return html`<p role="alert">${this.cloudError}</p>`;
    return html`<div class="panel">
      ${
        this.cloudLoaded
          ? html`<cloud-panel
            for="inspector"
            .offer=${this.offer}
            @cloud-formats=${(e: CustomEvent<CloudFormats | null>) => (this.cloudFormats = e.detail)}
          ></cloud-panel>`
          : html`<p>${msg('Loading…')}</p>`
      }
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ii-app': AppShell;
  }
}
