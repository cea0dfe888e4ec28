// Serves the BUILT app (dist/) on 127.0.0.1 the way the static site is meant to be hosted: the
// CSP from src/app/csp.ts as a header (the page also carries it as a <meta> tag), nosniff, no
// caching. Used by the app e2e tests (ports 5600-5649) and the browser inspect benchmark.
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { cspForHeader } from '../../../src/app/csp.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
/** dist/ by default; IMAGE_INSPECTOR_DIST points at another build (a private outDir, so that a
 *  concurrent `vite build` in the same tree cannot empty the directory under a running test). */
export const DIST_DIR = process.env.IMAGE_INSPECTOR_DIST ?? join(REPO_ROOT, 'dist');

export interface DistServer {
  origin: string;
  /** Every path requested, in order (tests check that nothing unexpected was fetched). */
  requests: string[];
  close(): Promise<void>;
}

export async function serveDist(port: number, dir = DIST_DIR): Promise<DistServer> {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`${dir}/index.html is missing: run \`npx vite build\` first`);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    let rel = normalize(decodeURIComponent(url.pathname));
    if (rel.endsWith('/')) rel += 'index.html';
    const file = join(dir, rel);
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': cspForHeader(),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
