import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { cspForMeta } from './src/app/csp.ts';

// The app: a static site (index.html), also an offline PWA and the embeddable <image-inspector>
// element (dist/image-inspector.js, a second entry with a stable name; see README).

/** Operators may pin the cloud hosts into the CSP at build time (ADR 0002), space-separated. */
const extraConnectSrc = (process.env.IMAGE_INSPECTOR_CONNECT_SRC ?? '').split(/\s+/).filter(Boolean);

/** The CSP goes into the built page only: the dev server needs inline HMR bits and a websocket. */
function cspMeta(): Plugin {
  return {
    name: 'image-inspector-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: cspForMeta(extraConnectSrc) },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}

export default defineConfig({
  base: './',
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1' },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      input: {
        index: 'index.html',
        'image-inspector': 'src/elements/image-inspector-define.ts',
      },
      output: {
        // Pages embedding the element load it by a name that does not change between builds.
        entryFileNames: (chunk) => (chunk.name === 'image-inspector' ? 'image-inspector.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  plugins: [
    cspMeta(),
    VitePWA({
      registerType: 'autoUpdate',
      // A separate registerSW.js file, not an inline script: the CSP forbids inline scripts.
      injectRegister: 'script',
      includeAssets: ['icons/icon.svg'],
      manifest: {
        name: 'image-inspector',
        short_name: 'image-inspector',
        description:
          'Inspect VM disk images in the browser with qemu-img (WebAssembly): Glance safety verdict and suggested properties. Nothing leaves the machine.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1f5f8b',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        // Offline means the app, the qemu-img worker and its wasm (~2–3 MB) are all precached.
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,ico,wasm,webmanifest}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
});
