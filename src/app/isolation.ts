// The headers that make the app cross-origin isolated (SharedArrayBuffer, which "Convert to a
// file…" needs: docs/decisions/0005-convert-to-a-file.md), in one place: the dev and preview
// servers (vite.config.ts) and the tests' static server send them. A host that cannot set headers
// gets them from the service worker (public/coi-sw.js repeats these two values).
// Plain data so that vite.config.ts, the page and Node test helpers can all import it.

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  // credentialless, not require-corp: the cloud panel tells "CORS refused" from "unreachable" by
  // an opaque no-cors request (src/core/openstack/http.ts), which require-corp blocks (the cloud
  // sends no Cross-Origin-Resource-Policy); credentialless lets it through without credentials.
  // Browsers without credentialless (Safari) are then not isolated: they have no save dialog to
  // convert into a file anyway.
  'Cross-Origin-Embedder-Policy': 'credentialless',
};
