// Starts the qemu-img worker. In the app, Vite bundles it from the literal `new Worker(new URL(…))`
// below; with a base path set (setBasePath), the prebuilt one is started from there. The npm
// package replaces this module with scripts/lib/start-worker.js (its default base: its own
// assets/ folder), because a published module must not name TypeScript sources.
import { getBasePath, startModuleWorker } from '../base-path.ts';

export function startQemuImgWorker(): Worker {
  const base = getBasePath();
  if (base) return startModuleWorker(new URL('qemu-img-worker.js', base), 'qemu-img');
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'qemu-img' });
}
