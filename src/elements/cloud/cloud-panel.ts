// <cloud-panel>: the OpenStack side of the app, composed of three controllers (session, image
// list, uploads) and render modules (panel-header.ts, panel-views.ts).
import { LitElement, css, html, nothing } from 'lit';
import { controls, tokens } from '../styles/tokens.ts';
import { customElement, property } from 'lit/decorators.js';
import { updateWhenLocaleChanges } from '@lit/localize';
import './cloud-sign-in.ts';
import type { SignInRequest } from './cloud-sign-in.ts';
import type { InspectionLike } from './cloud-create-form.ts';
import { SessionController } from './session-controller.ts';
import { ImagesController } from './images-controller.ts';
import { UploadsController, type ImageOffer } from './uploads-controller.ts';
import { renderHeader } from './panel-header.ts';
import { renderView } from './panel-views.ts';
import { cache } from 'lit/directives/cache.js';
import { ObjectStorageController } from './object-storage-controller.ts';
import { renderUnfinished } from './unfinished-list.ts';
import { focusRing } from '../focus-ring.ts';
import type { StoreInfo } from '../../core/openstack/types.ts';

export type { ImageOffer, ImageCreatedDetail } from './uploads-controller.ts';

/**
 * Sign in to Keystone, then list, inspect, create, upload, update and delete Glance images. The
 * token lives in this element's memory only (unless the user keeps it in this tab's
 * sessionStorage), never in localStorage or logs.
 *
 * A file to upload arrives by the `offer` property, or from the paired `<image-inspector>`
 * (`for` / `inspector`): its `image-upload-requested` offers a file, its `image-inspected` for the
 * file in the form refines the form.
 *
 * @fires cloud-formats - Signed in (detail `{ stores, importMethods }` from /v2/info/stores and
 *   /v2/info/import) or signed out (detail null): what a conversion's default target follows.
 * @fires cloud-image-created - An image is active and verified; detail `{ image, transfer? }`
 *   (`transfer`: bytes and milliseconds of the byte transfer alone).
 * @csspart sign-in - The sign-in form (`<cloud-sign-in>`), shown while signed out.
 * @csspart header - The signed-in header: user, region, interface, navigation.
 * @csspart unfinished - The list of unfinished object-storage uploads (Resume, Delete).
 * @cssprop --cloud-error - Colour of error sentences (default: the --ii-danger token, src/elements/styles/tokens.ts).
 * @cssprop --cloud-ok - Colour of success sentences (default: the --ii-ok token).
 * @cssprop --cloud-border - Border colour of tables, drop zones and boxes in the child elements.
 * @cssprop --cloud-hover - Background of hovered rows and an active drop zone.
 */
@customElement('cloud-panel')
export class CloudPanel extends LitElement {
  static override styles = [
    tokens,
    controls,
    focusRing,
    css`
    :host { display: block; }
    header { display: flex; flex-wrap: wrap; gap: 0.75em; align-items: center; margin-block-end: 0.75em; }
    nav { display: flex; gap: 0.5em; }
    .error { color: var(--cloud-error, var(--_danger)); }
    .notice { color: var(--cloud-ok, var(--_ok)); }
    section[part=unfinished] { border: 1px solid var(--cloud-border, var(--_border)); padding: 0.5em; margin-block-end: 0.75em; }
    [data-role=unfinished-delete-confirm] { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; margin-block-start: 0.5em; }
  `,
  ];

  /** Prefills the Keystone URL of the sign-in form. */
  @property({ attribute: 'auth-url' }) authUrl = '';
  /** A file and its inspection handed over by the app (e.g. from `image-upload-requested`). */
  @property({ attribute: false }) offer: ImageOffer | null = null;
  /** The id of the `<image-inspector>` this panel works with (looked up in the panel's root). */
  @property({ attribute: 'for' }) for = '';
  /** The `<image-inspector>` this panel works with, as an element (wins over `for`). */
  @property({ attribute: false }) inspector: EventTarget | null = null;

  readonly session: SessionController = new SessionController(this, {
    connected: async (): Promise<void> => {
      this.#tellFormats({ stores: this.session.stores, importMethods: this.session.importMethods });
      void this.objects.loadEc2();
      await this.images.refresh();
    },
    signedOut: () => {
      this.#tellFormats(null);
      this.uploads.cancel();
      this.uploads.forgetForm();
      this.images.clear();
    },
    unavailable: () => this.images.unavailable(),
  });
  readonly images: ImagesController = new ImagesController(this, this.session, (ids) => this.uploads.forget(ids));
  readonly uploads: UploadsController = new UploadsController(this, this.session, this.images);
  readonly objects: ObjectStorageController = new ObjectStorageController(this, this.session, this.uploads);

  /** What the app hands to <image-inspector> so that conversions follow this cloud. */
  #tellFormats(detail: { stores: StoreInfo[]; importMethods: string[] } | null): void {
    this.dispatchEvent(new CustomEvent('cloud-formats', { detail, bubbles: true, composed: true }));
  }

  /** The inspector whose events this panel listens to now. */
  #paired: EventTarget | null = null;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
    this.uploads.onSettled = () => void this.objects.refresh();
    this.uploads.onObjectStart = (file, target) => void this.objects.keepHandleFor(file, target);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.#pair(null);
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('offer') && this.offer) this.offerImage(this.offer.file, this.offer.result);
  }

  override updated(changed: Map<string, unknown>) {
    if (changed.has('for') || changed.has('inspector') || !this.#paired) this.#pair(this.#inspectorElement());
    // the sign-in form (and its focused button) is gone: the signed-in view takes the focus
    const signedIn = !!this.session.session;
    if (signedIn && !this.#wasSignedIn) this.renderRoot.querySelector<HTMLElement>('[data-role="whoami"]')?.focus();
    this.#wasSignedIn = signedIn;
  }

  #wasSignedIn = false;

  #inspectorElement(): EventTarget | null {
    if (this.inspector) return this.inspector;
    if (!this.for) return null;
    const root = this.getRootNode() as Document | ShadowRoot;
    return root.getElementById?.(this.for) ?? null;
  }

  #pair(target: EventTarget | null) {
    if (target === this.#paired) return;
    this.#paired?.removeEventListener('image-inspected', this.#onInspected);
    this.#paired?.removeEventListener('image-upload-requested', this.#onUploadRequested);
    this.#paired = target;
    target?.addEventListener('image-inspected', this.#onInspected);
    target?.addEventListener('image-upload-requested', this.#onUploadRequested);
  }

  /** A finished inspection of the file already in the form. */
  #onInspected = (e: Event) => {
    const r = (e as CustomEvent<InspectionLike>).detail;
    const f = this.uploads.file;
    const name = typeof r?.file === 'string' ? r.file : r?.file?.name;
    if (r && typeof r === 'object' && f && name === f.name) this.uploads.applyInspection(r);
  };

  #onUploadRequested = (e: Event) => {
    const d = (e as CustomEvent<ImageOffer>).detail;
    if (d?.file instanceof File) this.offerImage(d.file, d.result);
  };

  /** Hands a file (and optionally its inspection) to the create form. */
  offerImage(file: File, result?: InspectionLike) {
    this.uploads.offer(file, result);
  }

  override render() {
    const s = this.session.session;
    const c = { session: this.session, images: this.images, uploads: this.uploads, objects: this.objects };
    // The views stay mounted while signed out (hidden), so that a form survives a re-sign-in
    // after an expired token.
    return html`
      ${
        s
          ? renderHeader(s, c)
          : html`<cloud-sign-in part="sign-in" auth-url=${this.authUrl} ?busy=${this.session.signingIn}
          error=${this.session.signInError} corsSettings=${this.session.corsSettings}
          @credentials-loaded=${() => this.session.clearSignInError()}
          @sign-in=${(e: CustomEvent<SignInRequest>) => void this.session.signIn(e.detail.config, e.detail.stayInTab)}></cloud-sign-in>`
      }
      <div ?hidden=${!s}>${s ? renderUnfinished(this.objects, this.uploads.running) : nothing}${
        // cache: the create form keeps what was typed (name, method, bucket…) while the list or an
        // image is shown, and a paused upload's form comes back as it was, not blank
        cache(renderView(c))
      }</div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'cloud-panel': CloudPanel;
  }
}
