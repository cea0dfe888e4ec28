#!/usr/bin/env node
// `npm run lint` (and the first step of `npm test`): every checker, each reported on its own, so one
// run shows every problem; exits non-zero when any failed.
//   eslint          recommended rules of ESLint, typescript-eslint and eslint-plugin-lit
//   lit-analyzer    Lit template bindings (unknown elements, attributes, properties, events)
//   depcruise       the layer rules in .dependency-cruiser.cjs (the architecture, written down)
//   knip            files, exports and dependencies nothing uses
//   prettier        formatting (.prettierrc.json)
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const checks = [
  ['eslint', ['eslint', '.']],
  // Its type-binding rule holds attributes to a stricter table than HTML's (aria-selected from
  // String(), `nothing` read as a Symbol): off; the rest of the default rules stay.
  ['lit-analyzer', ['lit-analyzer', 'src/elements/**/*.ts', 'src/app/**/*.ts', '--rules.no-incompatible-type-binding', 'off']],
  ['depcruise', ['depcruise', 'src', 'workers', 'bin', '--config', '.dependency-cruiser.cjs']],
  ['knip', ['knip']],
  ['prettier', ['prettier', '--check', '--log-level', 'warn', '.']],
];

const failed = [];
for (const [name, args] of checks) {
  const started = performance.now();
  const r = spawnSync('npx', ['--no-install', ...args], { cwd: root, stdio: 'inherit' });
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`lint: ${name} ${r.status === 0 ? 'ok' : 'FAILED'} (${secs} s)`);
  if (r.status !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`lint: failed: ${failed.join(', ')}`);
  process.exit(1);
}
