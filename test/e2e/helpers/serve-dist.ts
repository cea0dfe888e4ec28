// Serves the BUILT app (dist/) on 127.0.0.1 the way the static site is meant to be hosted: the
// CSP from src/app/csp.ts as a header (the page also carries it as a <meta> tag), cross-origin
// isolation (src/app/isolation.ts: COOP + COEP), nosniff, no caching. Used by the app e2e tests (ports 5600-5649) and the browser inspect benchmark.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cspForHeader } from '../../../src/app/csp.ts';
import { ISOLATION_HEADERS } from '../../../src/app/isolation.ts';
import { serveStatic, type StaticServer } from './static-server.ts';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
/** dist/ by default; IMAGE_INSPECTOR_DIST points at another build (a private outDir, so that a
 *  concurrent `vite build` in the same tree cannot empty the directory under a running test). */
export const DIST_DIR = process.env.IMAGE_INSPECTOR_DIST ?? join(REPO_ROOT, 'dist');

/** `requests`: every path requested, in order (tests check that nothing unexpected was fetched). */
export type DistServer = StaticServer;

export async function serveDist(port: number, dir = DIST_DIR): Promise<DistServer> {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`${dir}/index.html is missing: run \`npx vite build\` first`);
  return serveStatic(port, {
    mounts: { '/': dir },
    headers: {
      'Content-Security-Policy': cspForHeader(),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      ...ISOLATION_HEADERS,
    },
  });
}
