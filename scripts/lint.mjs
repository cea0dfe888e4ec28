#!/usr/bin/env node
// `npm run lint` (and the first step of `npm test`): every checker, each reported on its own, so one
// run shows every problem; exits non-zero when any failed.
//   eslint          recommended rules of ESLint, typescript-eslint and eslint-plugin-lit
//   lit-analyzer    Lit template bindings (unknown elements, attributes, properties, events)
//   depcruise       the layer rules in .dependency-cruiser.cjs (the architecture, written down)
//   knip            files, exports and dependencies nothing uses
//   prettier        formatting (.prettierrc.json)
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

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

/** One checker; its output is held and printed whole when it ends, so checks run side by side. */
function check([name, args]) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['--no-install', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => out.push(c));
    child.on('close', (code, signal) => {
      if (out.length) process.stdout.write(Buffer.concat(out));
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`lint: ${name} ${code === 0 ? 'ok' : `FAILED (${code ?? signal})`} (${secs} s)`);
      resolve(code === 0 ? null : name);
    });
  });
}

// As many checks at once as there are cores (the slowest first).
const queue = [...checks].sort((a, b) => ['prettier', 'eslint'].indexOf(b[0]) - ['prettier', 'eslint'].indexOf(a[0]));
const failed = [];
await Promise.all(
  Array.from({ length: Math.min(availableParallelism(), queue.length) }, async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const f = await check(c);
      if (f) failed.push(f);
    }
  }),
);
if (failed.length) {
  console.error(`lint: failed: ${failed.join(', ')}`);
  process.exit(1);
}
