import { defineConfig } from 'vite';

// The app: a static site (index.html), also an offline PWA and the <image-inspector> element.
export default defineConfig({
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
});
