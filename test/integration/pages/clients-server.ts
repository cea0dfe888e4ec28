// Serves test/integration/pages with Vite's dev server (workers bundled on the fly as in the app).
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function startClientsServer(port: number): Promise<{ origin: string; pagePath: string; close(): Promise<void> }> {
  const server = await createServer({
    root: ROOT,
    configFile: false,
    // a private optimizer cache: other suites' Vite servers re-optimise the shared one concurrently
    cacheDir: 'node_modules/.vite-integration-clients',
    logLevel: 'error',
    clearScreen: false,
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, fs: { allow: [ROOT] } },
    worker: { format: 'es' },
    optimizeDeps: { include: ['comlink', 'hash-wasm', 'js-yaml'], entries: ['test/integration/pages/clients.html'] },
  });
  await server.listen();
  return { origin: `http://127.0.0.1:${port}`, pagePath: '/test/integration/pages/clients.html', close: () => server.close() };
}
