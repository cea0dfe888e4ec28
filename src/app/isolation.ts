// The headers that make the app cross-origin isolated (SharedArrayBuffer, which "Convert to a
// file…" needs: docs/decisions/0005-convert-to-a-file.md), in one place: the dev and preview
// servers (vite.config.ts) and the tests' static server send them. A host that cannot set headers
// gets them from the service worker (public/coi-sw.js repeats these two values).
// Plain data so that vite.config.ts, the page and Node test helpers can all import it.

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  // require-corp, not credentialless: every browser that isolates knows it, and the app loads no
  // cross-origin resource without CORS (the clouds' APIs are CORS requests).
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
