// First visit on a host that sends no COOP/COEP: the service worker (public/coi-sw.js) adds them,
// but only to the pages it controls — from the next load on. So the app reloads once, as soon as
// the worker is ready, if the user has not started anything yet (no click, key, drop, inspection
// or shared files: a reload would lose them). A per-tab flag keeps it to one reload: where
// isolation cannot work (an old browser, a host whose own headers forbid it) there is no loop,
// and "Convert to a file…" is simply not offered.

const FLAG = 'image-inspector-isolation-reload';
let touched = false;
for (const type of ['pointerdown', 'keydown', 'drop', 'image-inspected', 'image-inspect-error']) {
  document.addEventListener(type, () => (touched = true), { capture: true, once: true });
}

export function reloadOnceForIsolation(busy: () => boolean): void {
  if (globalThis.crossOriginIsolated || !('serviceWorker' in navigator) || sessionStorage.getItem(FLAG)) return;
  void navigator.serviceWorker.ready.then(() => {
    if (touched || busy() || new URLSearchParams(location.search).has('shared')) return;
    sessionStorage.setItem(FLAG, '1');
    location.reload();
  });
}
