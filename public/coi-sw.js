// Cross-origin isolation on hosts that cannot send headers (GitHub Pages and other plain static
// hosts): the service worker adds COOP and COEP to the app's own responses, so the pages it
// controls get SharedArrayBuffer ("Convert to a file…", docs/decisions/0005-convert-to-a-file.md).
// Hosts that send the headers (src/app/isolation.ts: the dev server, the tests' server, a
// configured web server) keep theirs. Loaded first by the generated sw.js (workbox importScripts),
// it wraps the fetch listeners registered after it — workbox's router and the share target's —
// so every response they give passes through isolate(); requests nobody answers go to the
// network untouched (the app's own files are all precached, so that is only the clouds' APIs).
// The values repeat src/app/isolation.ts (this file is served as is, it cannot import it).

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

/** @param {Response} response */
function isolate(response) {
  // Opaque, redirects and errors are passed on as they are (a Response cannot be re-made of them).
  if (!response || response.type === 'opaque' || response.type === 'opaqueredirect' || response.status < 200 || response.status > 299) {
    return response;
  }
  if (response.headers.has('Cross-Origin-Embedder-Policy')) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const addListener = self.addEventListener.bind(self);
self.addEventListener = function (type, listener, options) {
  if (type !== 'fetch' || typeof listener !== 'function') return addListener(type, listener, options);
  return addListener(
    type,
    /** @param {FetchEvent} event */
    (event) => {
      const respondWith = event.respondWith.bind(event);
      Object.defineProperty(event, 'respondWith', {
        configurable: true,
        value: (/** @type {Response | Promise<Response>} */ r) => respondWith(Promise.resolve(r).then(isolate)),
      });
      return listener.call(self, event);
    },
    options,
  );
};
