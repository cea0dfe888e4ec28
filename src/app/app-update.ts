// Service-worker updates, offered and never forced: a new version waits (registerType 'prompt')
// until the user clicks "Update now", and that button stays disabled while anything runs — an
// inspection or conversion in <image-inspector> (its `busy`) or an upload in <cloud-panel> — since
// applying the update reloads the page, which would end a 20-minute job.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { registerSW } from 'virtual:pwa-register';
import { reloadOnceForIsolation } from './isolation-reload.ts';

/** How often an open app asks for a new version (besides each load). */
const CHECK_EVERY_MS = 60 * 60 * 1000;
/** While an update waits, how often `busy` is read again (uploads fire no event). */
const BUSY_POLL_MS = 1000;

export class UpdateController implements ReactiveController {
  /** A new version is installed and waiting for the user. */
  waiting = false;
  /** Something runs now: the update cannot be applied. */
  busy = false;
  #apply?: (reload?: boolean) => Promise<void>;
  #poll?: ReturnType<typeof setInterval>;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly isBusy: () => boolean,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.#apply || !('serviceWorker' in navigator)) return;
    this.#apply = registerSW({
      immediate: true,
      onNeedRefresh: () => {
        this.waiting = true;
        this.refreshBusy();
        this.#poll ??= setInterval(() => this.refreshBusy(), BUSY_POLL_MS);
        this.host.requestUpdate();
      },
      // The new version took over: after this tab's "Update now", or another tab's — which knows
      // nothing of what runs here, so this tab reloads only once nothing runs in it.
      onNeedReload: () => this.#reloadWhenIdle(),
      onRegisteredSW: (_url, registration) => {
        if (registration) setInterval(() => void registration.update(), CHECK_EVERY_MS);
      },
    });
    // Static hosts without COOP/COEP: the worker adds them, from the next load on.
    reloadOnceForIsolation(this.isBusy);
  }

  hostDisconnected(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  #reloadWhenIdle(): void {
    if (!this.isBusy()) return window.location.reload();
    const wait = setInterval(() => {
      if (this.isBusy()) return;
      clearInterval(wait);
      window.location.reload();
    }, BUSY_POLL_MS);
  }

  /** Reads the hosts' busy state again (also called on `image-busy-changed`). */
  refreshBusy(): void {
    const busy = this.isBusy();
    if (busy === this.busy) return;
    this.busy = busy;
    this.host.requestUpdate();
  }

  /** Applies the waiting version (the page reloads), unless something started meanwhile. */
  async apply(): Promise<void> {
    this.refreshBusy();
    if (!this.waiting || this.busy) return;
    await this.#apply?.(true);
  }
}
