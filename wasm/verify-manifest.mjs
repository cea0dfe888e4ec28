#!/usr/bin/env node
// `npm test` / `npm run verify:wasm`: fails (exit 1) with a clear message when a committed
// artifact in wasm/dist/ (qemu-img.mjs, qemu-img.wasm, SOURCES.md, licenses/*) or a recipe
// input (build.sh, patches, js libraries) does not match wasm/dist/MANIFEST.json.
import { checkManifest } from './manifest.mjs';

const problems = await checkManifest();
if (problems.length) {
  console.error('wasm/dist does not match wasm/dist/MANIFEST.json:');
  for (const p of problems) console.error(`  - ${p}`);
  console.error('Rebuild with `npm run build:wasm` and commit wasm/dist, or restore the committed files.');
  process.exit(1);
}
console.log('wasm/dist matches MANIFEST.json');
