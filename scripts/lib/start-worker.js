// The npm package's start-worker module (scripts/build-lib.mjs copies it over the compiled
// workers/qemu-img/start-worker.js): the worker, glue and wasm live in the package's assets/
// folder, found from this module's own URL unless setBasePath() pointed elsewhere.
import { getBasePath, startModuleWorker } from '../base-path.js';

/** lib/assets/ of this package. import.meta.url goes through a variable on purpose: bundlers
 *  rewrite `new URL('literal', import.meta.url)` into an asset or module lookup of a folder. */
function packageAssets() {
  const here = import.meta.url;
  const base = new URL('../../assets/', here);
  if (base.protocol === 'file:') {
    // webpack replaces import.meta.url with the module's path on the build machine.
    throw new Error(
      'image-inspector: cannot tell where its assets/ folder is served from: copy node_modules/image-inspector/lib/assets and call setBasePath() with its URL (docs/element.md)',
    );
  }
  return base.href;
}

export function startQemuImgWorker() {
  const base = getBasePath() ?? packageAssets();
  return startModuleWorker(new URL('qemu-img-worker.js', base), 'qemu-img');
}
