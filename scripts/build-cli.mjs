#!/usr/bin/env node
// Precompiles the CLI (and the package's Node API, api.mjs) to plain JavaScript (npm's `prepare`, run by `npm install`): without it,
// `npx image-inspector` spends most of its start-up in tsx compiling TypeScript on every run.
// Everything lands flat in dist-cli/node/, two levels below the package root, so the runner's
// `new URL('../../wasm/dist/', import.meta.url)` and its thread entry resolve as from the sources.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const outdir = `${root}dist-cli/node`;
rmSync(`${root}dist-cli`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/cli/main.ts',
    api: 'src/cli/node-api.ts',
    'node-thread': 'workers/qemu-img/node-thread.ts',
    // The runner alone, for `npm run bench -- engine-v2` (it times the runner as the CLI ships it).
    runner: 'workers/qemu-img/node.ts',
    'digest-thread': 'src/cli/digest-thread.mjs',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outExtension: { '.js': '.mjs' },
  sourcemap: true,
  logLevel: 'warning',
});
