// The cloud panel's Keystone session: sign-in (with one retry for a dropped kept-alive
// connection), the optional token kept in this tab, the Glance client for the chosen region and
// interface and what the forms read from Glance (schema, import methods, stores). The token lives
// in this controller's memory only (the KeystoneSession), never in storage or logs, except the
// tab-session token the user asked for (sessionStorage, see tab-session.ts).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { msg } from '@lit/localize';
import { KeystoneSession } from '../../core/openstack/keystone.ts';
import { GlanceClient } from '../../core/openstack/glance.ts';
import { catalogRegions } from '../../core/openstack/catalog.ts';
import { OpenStackError, isOpenStackError } from '../../core/openstack/errors.ts';
import type { AuthConfig, EndpointInterface, ImageSchemaInfo, StoreInfo } from '../../core/openstack/types.ts';
import { forgetTab, rememberInTab, restoredConfig } from './tab-session.ts';
import { sentence } from './sentence.ts';
import type { ObjectStores } from './upload-flow.ts';

export interface SessionEvents {
  /** Signed in, or region/interface changed: the Glance client and its facts are fresh. */
  connected(): Promise<void> | void;
  /** The user signed out (a running upload stops, lists empty). */
  signedOut(): void;
  /** Glance could not be reached for the chosen region/interface: no list to show. */
  unavailable(): void;
}

export class SessionController implements ReactiveController {
  session: KeystoneSession | null = null;
  glance: GlanceClient | null = null;
  signingIn = false;
  signInError = '';
  /** The `[cors]` text the operator must add, with a CORS failure. */
  corsSettings = '';
  /** A failure of the panel's last Glance call, as a sentence. */
  error = '';
  region = '';
  iface: EndpointInterface = 'public';
  schema: ImageSchemaInfo = { diskFormats: [], containerFormats: [], visibilities: [], raw: {} };
  importMethods: string[] = [];
  stores: StoreInfo[] = [];

  #stayInTab = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly events: SessionEvents,
  ) {
    host.addController(this);
  }

  hostConnected() {
    // a session this tab chose to keep (sessionStorage, token only) comes back after a reload
    const kept = this.session ? null : restoredConfig();
    if (kept) void this.signIn(kept, true, true);
  }

  #changed() {
    this.host.requestUpdate();
  }

  #remember(session: KeystoneSession) {
    if (!this.#stayInTab) return;
    const t = session.token;
    rememberInTab({
      authUrl: session.authUrl,
      token: t.value,
      expiresAt: t.expiresAt.toISOString(),
      projectId: t.project?.id,
      region: this.region,
      iface: this.iface,
    });
  }

  async signIn(config: AuthConfig, stayInTab: boolean, restoring = false): Promise<void> {
    this.signingIn = true;
    this.signInError = '';
    this.corsSettings = '';
    this.#stayInTab = stayInTab;
    if (!stayInTab) forgetTab();
    this.#changed();
    try {
      const options = {
        onRenew: () => {
          this.#remember(session);
          this.#changed();
        },
      };
      let session: KeystoneSession;
      try {
        session = await KeystoneSession.signIn(config, options);
      } catch (e) {
        // a dropped kept-alive connection looks like a network (or CORS) failure: one more try
        // tells it from a real one, which fails the same way again
        if (!isOpenStackError(e, 'network') && !isOpenStackError(e, 'cors')) throw e;
        await new Promise((r) => setTimeout(r, 300));
        session = await KeystoneSession.signIn(config, options);
      }
      this.region = config.regionName ?? '';
      this.iface = config.interface ?? 'public';
      this.session = session;
      this.#remember(session);
      await this.connect();
    } catch (e) {
      this.signInError =
        restoring && isOpenStackError(e, 'wrong-credentials')
          ? msg('The session kept in this tab has ended (its token expired or was revoked): sign in again.')
          : sentence(e);
      if (e instanceof OpenStackError && e.corsSettings) this.corsSettings = e.corsSettings;
      this.session = null;
      if (restoring) forgetTab();
    } finally {
      this.signingIn = false;
      this.#changed();
    }
  }

  /** (Re)creates the Glance client for the chosen region/interface and loads what the forms need. */
  async connect(): Promise<void> {
    const s = this.session;
    if (!s) return;
    this.error = '';
    try {
      const regions = catalogRegions(s.catalog);
      const region = this.region || (regions.length === 1 ? regions[0] : undefined);
      this.glance = GlanceClient.fromSession(s, { region, interface: this.iface });
      const g = this.glance;
      const [schema, info, stores] = await Promise.all([g.imageSchema(), g.importInfo(), g.storesInfo()]);
      this.schema = schema;
      this.importMethods = info.methods;
      this.stores = stores;
      await this.events.connected();
    } catch (e) {
      this.error = sentence(e);
      if (e instanceof OpenStackError && e.corsSettings) this.corsSettings = e.corsSettings;
      // no client for a region or interface that failed: neither the last one's list nor "no images yet"
      this.glance = null;
      this.events.unavailable();
    } finally {
      this.#changed();
    }
  }

  /** The sign-in form was filled anew (a clouds.yaml): the last attempt's error no longer applies. */
  clearSignInError() {
    if (!this.signInError) return;
    this.signInError = '';
    this.corsSettings = '';
    this.#changed();
  }

  setRegion(region: string) {
    this.region = region;
    void this.connect();
  }

  setInterface(iface: EndpointInterface) {
    this.iface = iface;
    void this.connect();
  }

  async signOut(): Promise<void> {
    this.events.signedOut();
    forgetTab();
    const s = this.session;
    this.session = null;
    this.glance = null;
    // the sign-in form waits for the revocation: one request to Keystone at a time
    this.signingIn = true;
    this.#changed();
    try {
      await s?.signOut();
    } catch {
      // the token is forgotten locally either way; revoking it is a courtesy to the server
    } finally {
      this.signingIn = false;
      this.#changed();
    }
  }

  /** Shows a failure of a Glance call; an expired token also ends the session. */
  fail(e: unknown): void {
    this.error = sentence(e);
    if (isOpenStackError(e, 'token-expired')) this.expire(this.error);
    this.#changed();
  }

  /** The token cannot be renewed: back to the sign-in form with this sentence (forms stay mounted). */
  expire(text: string): void {
    this.signInError = text;
    this.session = null;
    forgetTab();
    this.#changed();
  }
}

/** The object stores the catalog offers to this session (region and interface as signed in). */
export function objectStoresOf(session: SessionController): ObjectStores {
  const s = session.session;
  if (!s) return {};
  const q = { region: session.region || undefined, interface: session.iface };
  const find = (type: string) => {
    try {
      return s.endpoint(type, q);
    } catch {
      return undefined; // not in the catalog: that method is not offered
    }
  };
  const swift = find('object-store');
  const s3 = find('s3');
  return { swift: swift ? { storageUrl: swift } : undefined, s3: s3 ? { endpoint: s3, region: session.region || 'RegionOne' } : undefined };
}
