// Where the page finds the qemu-img worker, its glue and the wasm when they are not bundled with
// it: the npm package's default is its own `assets/` folder (next to the module, so a page that
// imports the package from a CDN or node_modules needs no set-up); a bundling app copies that
// folder somewhere and calls setBasePath() (as Shoelace/Web Awesome do). The Vite app build
// bundles the worker itself and leaves the base path unset.

let explicitBase: string | undefined;

/** Sets the URL of the folder holding `qemu-img-worker.js`, `qemu-img.mjs` and `qemu-img.wasm`
 *  (relative URLs resolve against the document). Call it before the first file is inspected. */
export function setBasePath(url: string | URL): void {
  const href = new URL(String(url), globalThis.document?.baseURI ?? globalThis.location?.href).href;
  explicitBase = href.endsWith('/') ? href : `${href}/`;
}

/** The base set by setBasePath(), else `fallback` (the package's own assets folder). */
export function getBasePath(fallback?: string): string | undefined {
  return explicitBase ?? fallback;
}

/** Starts a module worker from any origin. Browsers start module workers only from the page's
 *  origin, so a worker on another one (a CDN) is started through a same-origin `blob:` module that
 *  imports it statically: the real worker's graph (and its message listener) is ready before the
 *  blob worker's first message is delivered, and its import.meta.url stays the CDN's, so the glue
 *  and the wasm load from there. Needs `worker-src blob:` and CORS on the other origin. */
export function startModuleWorker(url: URL, name: string): Worker {
  if (url.origin === globalThis.location?.origin) return new Worker(url, { type: 'module', name });
  const trampoline = new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' });
  const blobUrl = URL.createObjectURL(trampoline);
  try {
    return new Worker(blobUrl, { type: 'module', name });
  } finally {
    // new Worker() resolves the blob: URL to its Blob at once (URL parsing keeps the entry), so
    // it can be revoked right away.
    URL.revokeObjectURL(blobUrl);
  }
}
