// Serves the runner test page with Vite's dev server (the worker and the wasm are bundled on the
// fly exactly as the app's build does) plus one test-only endpoint, POST /__store/<name>, which
// streams a body to a temp directory so native qemu-img can check what the page produced in OPFS.
import { createServer, type ViteDevServer, type Plugin } from 'vite';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../helpers/browser.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunnerServer {
  origin: string;
  pageUrl: string;
  /** Paths under /wasm/dist/ the page has fetched (which engine flavour it loaded). */
  wasmRequests: string[];
  close(): Promise<void>;
}

export interface RunnerServerOptions {
  /** Send COOP/COEP, making the page cross-origin isolated (the worker then picks the threads build). */
  isolated?: boolean;
}

function storeEndpoint(dir: string): Plugin {
  return {
    name: 'runner-test-store',
    configureServer(server) {
      server.middlewares.use('/__store/', (req, res) => {
        const name = basename(decodeURIComponent((req.url ?? '').replace(/^\//, '')));
        if (req.method !== 'POST' || !name) {
          res.statusCode = 400;
          res.end();
          return;
        }
        pipeline(req, createWriteStream(join(dir, name))).then(
          () => res.end('ok'),
          (e: unknown) => {
            res.statusCode = 500;
            res.end(String(e));
          },
        );
      });
    },
  };
}

/** Records the engine files fetched; IMAGE_INSPECTOR_WASM_DIR (as for the Node runner) replaces
 *  wasm/dist's no-threads files for a local build, IMAGE_INSPECTOR_WASM_THREADS_DIR the threads ones. */
function wasmFiles(requests: string[], headers: Record<string, string>): Plugin {
  return {
    name: 'runner-test-wasm-files',
    configureServer(server) {
      server.middlewares.use('/wasm/dist/', (req, res, next) => {
        const path = (req.url ?? '').split('?')[0]!;
        requests.push(path);
        const name = basename(path);
        const dir = path.startsWith('/threads/') ? process.env.IMAGE_INSPECTOR_WASM_THREADS_DIR : process.env.IMAGE_INSPECTOR_WASM_DIR;
        if (!dir || (name !== 'qemu-img.mjs' && name !== 'qemu-img.wasm')) return next();
        res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        // The pthread workers load this glue: under COEP a worker script needs the header itself.
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        createReadStream(join(dir, name)).pipe(res);
      });
    },
  };
}

export async function startRunnerServer(port: number, storeDir: string, options: RunnerServerOptions = {}): Promise<RunnerServer> {
  const wasmRequests: string[] = [];
  const headers: Record<string, string> = options.isolated
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : {};
  const server: ViteDevServer = await createServer({
    root: REPO_ROOT,
    configFile: false,
    logLevel: 'error',
    clearScreen: false,
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, fs: { allow: [REPO_ROOT] }, headers },
    worker: { format: 'es' },
    optimizeDeps: { include: ['comlink'], entries: ['test/e2e/pages/runner.html'] },
    plugins: [storeEndpoint(storeDir), wasmFiles(wasmRequests, headers)],
  });
  await server.listen();
  const origin = `http://127.0.0.1:${port}`;
  return { origin, pageUrl: `${origin}/test/e2e/pages/runner.html`, wasmRequests, close: () => server.close() };
}

/**
 * Chromium with an on-disk profile, as a user's browser has. The default Playwright context is
 * incognito-like, and there Chromium keeps OPFS in memory and cannot grow a file past 2 GiB.
 */
export async function launchProfileChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Copies an OPFS file of the runner page out through POST /__store/<name> into `storeDir`, so
 *  native qemu-img can check it; its size must be the size the page read. */
export async function fetchOpfsOutput(page: Page, storeDir: string, opfsPath: string, name: string): Promise<string> {
  const size = await page.evaluate(
    ([p, to]) => (window as unknown as { runner: { uploadOpfs: (p: string, to: string) => Promise<number> } }).runner.uploadOpfs(p, to),
    [opfsPath, `/__store/${encodeURIComponent(name)}`] as const,
  );
  const file = join(storeDir, name);
  const written = statSync(file).size;
  if (written !== size) throw new Error(`${name}: ${written} bytes stored, the page read ${size}`);
  return file;
}
