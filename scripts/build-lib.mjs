#!/usr/bin/env node
// Builds what the npm package's browser entries are (npm's `prepack`), following Lit's publishing
// guidance: lib/ holds our TypeScript compiled file by file to ES modules with `.js` extensions
// and `.d.ts` types — Lit, comlink and the rest stay bare imports (dependencies, never bundled
// copies), no polyfills — plus lib/assets/: the qemu-img worker bundled into one self-contained
// module (a worker cannot use the page's import map), its emscripten glue and the wasm, side by
// side, so that one folder is all a bundling app copies (see docs/element.md).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const lib = `${root}lib`;
rmSync(lib, { recursive: true, force: true });

function tsc(project) {
  const r = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', project], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc -p ${project} failed`);
}
// The element entries: JavaScript and types. The Node API: types only (its JavaScript is
// dist-cli/node/api.mjs, built with the CLI).
tsc('scripts/lib/tsconfig.element.json');
tsc('scripts/lib/tsconfig.node-api.json');

// The package finds its worker in lib/assets/ (from the module's own URL, or setBasePath()).
copyFileSync(`${root}scripts/lib/start-worker.js`, `${lib}/workers/qemu-img/start-worker.js`);

const assets = `${lib}/assets`;
mkdirSync(assets, { recursive: true });
const worker = `${assets}/qemu-img-worker.js`;
await build({
  absWorkingDir: root,
  entryPoints: ['workers/qemu-img/worker.ts'],
  outfile: worker,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
// In the sources the glue and wasm are two folders up (wasm/dist/); in lib/assets/ they are beside it.
const code = readFileSync(worker, 'utf8');
const moved = code.replaceAll('"../../wasm/dist/', '"./');
// Both flavours: the no-threads one beside the worker, the threads one (cross-origin isolated
// host pages) in threads/.
if (moved.split('"./qemu-img.').length - 1 !== 2 || moved.split('"./threads/qemu-img.').length - 1 !== 2)
  throw new Error('build-lib: the worker should name qemu-img.mjs and qemu-img.wasm of each flavour once');
writeFileSync(worker, moved);
mkdirSync(`${assets}/threads`, { recursive: true });
for (const f of ['qemu-img.mjs', 'qemu-img.wasm', 'threads/qemu-img.mjs', 'threads/qemu-img.wasm'])
  copyFileSync(`${root}wasm/dist/${f}`, `${assets}/${f}`);

// tsc also emits what only types reach (the worker's own modules, for QemuImgWorkerApi): drop
// every .js the entry does not import, so no published module names a path that is not there.
const reachable = new Set();
const walk = (file) => {
  if (reachable.has(file)) return;
  reachable.add(file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/(?:from\s*|import\s*\(?\s*)"(\.{1,2}\/[^"]+\.js)"/g)) walk(join(dirname(file), m[1]));
};
walk(`${lib}/src/elements/image-inspector-define.js`);
walk(`${lib}/workers/qemu-img/start-worker.js`);
for (const f of readdirSync(lib, { recursive: true })) {
  const p = join(lib, f);
  if (p.endsWith('.js') && !p.startsWith(`${assets}/`) && !reachable.has(p)) rmSync(p);
}
