import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { cspForMeta } from './src/app/csp.ts';
import { ISOLATION_HEADERS } from './src/app/isolation.ts';

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
  // Cross-origin isolated (SharedArrayBuffer for "Convert to a file…"), as hosting should be.
  server: { host: '127.0.0.1', port: 5173, strictPort: false, headers: { ...ISOLATION_HEADERS } },
  preview: { host: '127.0.0.1', headers: { ...ISOLATION_HEADERS } },
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
      // Never 'autoUpdate': an update reloads the page, which would end a running conversion or
      // upload. The app shell registers the worker (src/app/app-update.ts) and offers updates.
      registerType: 'prompt',
      injectRegister: false,
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
        id: './',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
        screenshots: [
          {
            src: 'screenshots/inspect-wide.png',
            sizes: '1280x800',
            type: 'image/png',
            form_factor: 'wide',
            label: 'Inspecting disk images',
          },
          { src: 'screenshots/inspect-narrow.png', sizes: '540x960', type: 'image/png', label: 'Inspecting disk images' },
        ],
        // Opening a disk image from the operating system (File Handling API, Chromium desktop):
        // the app's launchQueue consumer (src/app/launch-files.ts) inspects it.
        file_handlers: [
          {
            action: './',
            accept: {
              'application/octet-stream': ['.qcow2', '.vmdk', '.vhd', '.vhdx', '.vdi', '.img', '.raw', '.iso', '.ova'],
            },
          },
        ],
        // Sharing a disk image to the app (Web Share Target, Chromium on Android and ChromeOS): the
        // service worker answers this POST (public/share-target-sw.js) and the app inspects the
        // files (src/app/shared-files.ts).
        share_target: {
          action: './share-target',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: {
            files: [
              {
                name: 'files',
                accept: ['application/octet-stream', '.qcow2', '.vmdk', '.vhd', '.vhdx', '.vdi', '.img', '.raw', '.iso', '.ova'],
              },
            ],
          },
        },
        launch_handler: { client_mode: 'focus-existing' },
      },
      workbox: {
        // Offline means the app, the qemu-img worker and its wasm (both flavours, ~3 MB each) are all
        // precached.
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,ico,wasm,webmanifest}'],
        // Store screenshots are for the install dialog, not for working offline.
        globIgnores: ['screenshots/**'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
        // coi-sw.js first: it adds COOP/COEP to the responses of the fetch listeners registered
        // after it (cross-origin isolation on hosts that send no headers). Then the share
        // target's POST handler: the only request our own code answers in the worker.
        importScripts: ['coi-sw.js', 'share-target-sw.js'],
      },
    }),
  ],
});
