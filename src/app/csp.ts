// The Content-Security-Policy of the static site, in one place: the build writes it into
// index.html as a <meta> tag and the static server used by the end-to-end tests sends it as a
// header (see docs/decisions/0002-csp-and-hosts.md for why connect-src is what it is).
// Plain data so that vite.config.ts, the page and Node test helpers can all import it.

/** Extra connect-src sources baked in at build time, e.g. "https://keystone.example.org". */
export function cspDirectives(extraConnectSrc: readonly string[] = []): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    // WebAssembly compilation of qemu-img needs 'wasm-unsafe-eval'; nothing needs 'unsafe-eval'.
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'worker-src': ["'self'"],
    // Lit uses constructable stylesheets (adoptedStyleSheets): no inline <style>/style="" needed.
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    // Cloud endpoints are chosen at run time by the user; the code allow-lists them (ADR 0002).
    'connect-src': ["'self'", ...(extraConnectSrc.length ? extraConnectSrc : ['http:', 'https:'])],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  };
}

export function cspString(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');
}

/** As a <meta http-equiv> tag: frame-ancestors is ignored there, so it is header-only. */
export function cspForMeta(extraConnectSrc: readonly string[] = []): string {
  return cspString(cspDirectives(extraConnectSrc));
}

/** As an HTTP header (static hosting config, the test server). */
export function cspForHeader(extraConnectSrc: readonly string[] = []): string {
  return cspString({ ...cspDirectives(extraConnectSrc), 'frame-ancestors': ["'self'"] });
}
