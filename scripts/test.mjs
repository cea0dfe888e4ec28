#!/usr/bin/env node
// The one test entry point (`npm test`, called by .ci/run). It installs what the suites need,
// checks the committed wasm against its manifest, starts the local cloud when a suite needs it,
// and runs every test file in ONE `node --test` process so that the closing summary counts all.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ALL = ['unit', 'parity', 'integration', 'e2e'];
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
for (const s of suites) if (!ALL.includes(s)) throw new Error(`unknown suite "${s}" (known: ${ALL.join(', ')})`);

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`command failed (${r.status ?? r.signal}): ${cmd} ${args.join(' ')}`);
    process.exit(r.status || 1);
  }
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (/\.test\.(ts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

// System packages (qemu-utils, chromium, OpenStack services...): idempotent, seconds when present.
run('bash', ['scripts/setup/system-deps.sh', ...suites]);
// Committed wasm artifacts must match their manifest; rebuild only when the recipe's inputs changed.
if (existsSync(join(root, 'wasm/build.sh'))) run('bash', ['wasm/build.sh', '--if-changed']);
if (existsSync(join(root, 'wasm/verify-manifest.mjs'))) run('node', ['wasm/verify-manifest.mjs']);
run('npx', ['tsc', '--noEmit', '-p', '.']);
if (suites.includes('e2e')) run('npx', ['vite', 'build']);

const needsCloud = suites.includes('integration') || suites.includes('e2e');
const cloudScript = join(root, 'scripts/cloud/cloud.sh');
let status = 1;
try {
  // With Swift (SLO, TempURL, s3api, CORS): the object-storage suites need it; CLOUD_WITH_SWIFT=0
  // in the environment starts Keystone and Glance only.
  const cloudEnv = { ...process.env, CLOUD_WITH_SWIFT: process.env.CLOUD_WITH_SWIFT ?? '1' };
  if (needsCloud && existsSync(cloudScript)) run('bash', [cloudScript, 'start'], { env: cloudEnv });
  const files = suites.flatMap((s) => testFiles(join(root, 'test', s))).map((f) => relative(root, f));
  if (files.length === 0) throw new Error('no test files found');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, IMAGE_INSPECTOR_TEST: '1' } },
  );
  status = r.status ?? 1;
} finally {
  if (needsCloud && existsSync(cloudScript)) spawnSync('bash', [cloudScript, 'stop'], { cwd: root, stdio: 'inherit' });
}
process.exit(status);
