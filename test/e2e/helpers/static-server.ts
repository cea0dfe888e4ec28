// A plain static file server, as any web host is: folders mounted at URL prefixes, a content type
// by extension, and nothing else unless a test asks for it (a CSP header the way an embedding page
// has one, CORS the way a CDN sends it). No COOP/COEP, no SPA fallback, no wasm special-casing.
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

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

export interface StaticServer {
  origin: string;
  /** Every path requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** URL prefix (starting and ending with "/") → folder; the longest matching prefix wins. */
  mounts: Record<string, string>;
  /** Headers sent with every file (default: none beyond the content type). */
  headers?: Record<string, string>;
}

export async function serveStatic(port: number, options: StaticServerOptions): Promise<StaticServer> {
  const mounts = Object.entries(options.mounts).sort((a, b) => b[0].length - a[0].length);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const mount = mounts.find(([prefix]) => url.pathname.startsWith(prefix));
    let file: string | undefined;
    if (mount) {
      let rel = normalize(decodeURIComponent(url.pathname.slice(mount[0].length)));
      if (rel === '.' || rel.endsWith('/')) rel = join(rel, 'index.html');
      const candidate = join(mount[1], rel);
      if (candidate.startsWith(mount[1] + sep) && existsSync(candidate) && statSync(candidate).isFile()) file = candidate;
    }
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', ...options.headers });
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
