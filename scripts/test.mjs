#!/usr/bin/env node
// The one test entry point (`npm test`, called by .ci/run). It installs what the suites need,
// checks the committed wasm against its manifest, type-checks and lints, then runs the suites:
//   unit        Node alone (no system tool, no wasm)
//   parity      native qemu-img and other Debian tools, the wasm qemu-img under Node
//   integration the local cloud (Keystone, Glance, Swift) and Chromium
//   e2e         the built app in Chromium, the local cloud
// Two lanes run side by side. The cloud lane: integration, then the e2e files that use the cloud
// (those importing test/e2e/helpers/cloud-env.ts; they restart its services, so they never run
// beside integration). The other lane: unit, parity, then the e2e files that need no cloud (each
// serves the app on its own port). The CPU-bound parity goes beside integration and the two
// Chromium halves of e2e beside each other: a full run stays under 15 minutes on 2 cores. Each suite is one `node --test` process with a default per-test timeout, so a hang
// fails with the test's name. The suites' own summaries are folded into ONE closing summary that
// counts every test, followed by a plain "N passed, N failed" line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ALL = ['unit', 'parity', 'integration', 'e2e'];
/** Default timeout of each test (node --test-timeout); a test may ask for more itself. */
const TEST_TIMEOUT_MS = { unit: 30_000, parity: 600_000, integration: 300_000, e2e: 300_000 };
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

const SUMMARY = /^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/;
const totals = { tests: 0, suites: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };

/** Runs one suite's files in one `node --test`; strips its summary lines (added to `totals`).
 *  `buffered`: hold its output until it ends, so a suite running alongside another reads whole. */
function runSuite(suite, { buffered, files = testFiles(join(root, 'test', suite)).map((f) => relative(root, f)), label = suite }) {
  if (!files.length) return Promise.resolve({ suite: label, status: 1, why: 'no test files' });
  const args = [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    `--test-timeout=${TEST_TIMEOUT_MS[suite]}`,
    '--test-reporter=spec',
    ...files,
  ];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, IMAGE_INSPECTOR_TEST: '1', FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
    });
    const held = [];
    const write = (stream, text) => (buffered ? held.push([stream, text]) : stream.write(text));
    let rest = '';
    child.stdout.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      const kept = [];
      for (const line of lines) {
        const m = SUMMARY.exec(line);
        if (m) {
          if (m[1] in totals) totals[m[1]] += Number(m[2]);
        } else kept.push(line);
      }
      if (kept.length) write(process.stdout, `${kept.join('\n')}\n`);
    });
    child.stderr.on('data', (chunk) => write(process.stderr, chunk));
    child.on('close', (code, signal) => {
      if (rest) write(process.stdout, `${rest}\n`);
      if (buffered) {
        console.log(`--- ${label} (ran alongside the other lane) ---`);
        for (const [stream, text] of held) stream.write(text);
      }
      const secs = Math.round((Date.now() - started) / 1000);
      console.log(`--- ${label}: ${code === 0 ? 'passed' : `FAILED (${code ?? signal})`} in ${secs} s ---`);
      resolve({ suite: label, status: code ?? 1 });
    });
  });
}

// System packages (qemu-utils, chromium, OpenStack services...): idempotent, seconds when present.
run('bash', ['scripts/setup/system-deps.sh', ...suites]);
// The native qemu-img of the engine's QEMU version (test/helpers/engine.ts), which parity and e2e
// compare with: built once per machine (~2 min of CPU), cached; milliseconds afterwards. It builds
// at the lowest priority while the checks, the cloud and the other suites run (a fresh machine
// spends much of that time waiting on downloads and services); parity and e2e wait for it.
const nativeReady = suites.some((s) => s === 'parity' || s === 'e2e') ? buildNativeReference() : Promise.resolve(true);

function buildNativeReference() {
  console.log('$ nice -n 19 bash scripts/setup/native-qemu.sh (in the background)');
  const child = spawn('nice', ['-n', '19', 'bash', 'scripts/setup/native-qemu.sh'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  const t0 = Date.now();
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (code === 0) console.log(`native qemu-img reference ready (${Math.round((Date.now() - t0) / 1000)} s)`);
      else console.error(`${log}\nnative-qemu.sh failed (${code}): the suites that compare with native cannot run`);
      resolve(code === 0);
    });
  });
}

/** Waits for the native reference; a failed build fails the suite that needs it. */
async function runSuiteWithNative(suite, opts) {
  if (!(await nativeReady)) {
    totals.fail += 1;
    return { suite: opts.label ?? suite, status: 1, why: 'no native qemu-img reference' };
  }
  return runSuite(suite, opts);
}
// Committed wasm artifacts must match their manifest; rebuild only when the recipe's inputs changed.
if (existsSync(join(root, 'wasm/build.sh'))) run('bash', ['wasm/build.sh', '--if-changed']);
if (existsSync(join(root, 'wasm/verify-manifest.mjs'))) run('node', ['wasm/verify-manifest.mjs']);

const started = Date.now();
const cloudScript = join(root, 'scripts/cloud/cloud.sh');
const needsCloud = (suites.includes('integration') || suites.includes('e2e')) && existsSync(cloudScript);
const stopCloud = () => needsCloud && spawnSync('bash', [cloudScript, 'stop'], { cwd: root, stdio: 'inherit' });

/** A command whose output is held and printed whole when it ends (it runs beside others). */
function runHeld(cmd, args, env = process.env) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
  const out = [];
  child.stdout.on('data', (c) => out.push(c));
  child.stderr.on('data', (c) => out.push(c));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      console.log(`$ ${cmd} ${args.join(' ')}`);
      if (out.length) process.stdout.write(Buffer.concat(out));
      if (code !== 0) console.error(`command failed (${code ?? signal}): ${cmd} ${args.join(' ')}`);
      resolve(code === 0);
    });
  });
}

// The cloud starts (mostly waiting on its services) while the type check and the linters run.
// With Swift (SLO, TempURL, s3api, CORS): the object-storage suites need it; CLOUD_WITH_SWIFT=0
// in the environment starts Keystone and Glance only.
const cloudUp = needsCloud
  ? runHeld('bash', [cloudScript, 'start'], { ...process.env, CLOUD_WITH_SWIFT: process.env.CLOUD_WITH_SWIFT ?? '1' })
  : Promise.resolve(false);
// tsc, then ESLint, lit-analyzer, the layer rules (dependency-cruiser), knip, prettier: a violation
// fails the run (after the cloud, if it started, is stopped again). Not tsc beside the linters:
// it and ESLint both type-check the whole project, and on 2 cores together took longer (measured).
const checked = [await runHeld('npx', ['tsc', '--noEmit', '-p', '.']), await runHeld('node', ['scripts/lint.mjs'])];
if (checked.includes(false) || (suites.includes('e2e') && !(await runHeld('npx', ['vite', 'build'])))) {
  await cloudUp;
  stopCloud();
  process.exit(1);
}

/** The e2e files split by whether they use the local cloud (they import its helper). */
function e2eHalves() {
  const files = testFiles(join(root, 'test', 'e2e')).map((f) => relative(root, f));
  const usesCloud = (f) => /from '\.\/helpers\/cloud-env\.ts'/.test(readFileSync(join(root, f), 'utf8'));
  return { cloud: files.filter(usesCloud), app: files.filter((f) => !usesCloud(f)) };
}
const halves = suites.includes('e2e') ? e2eHalves() : { cloud: [], app: [] };

// unit, parity, then the e2e files that need no cloud: one after the other, beside the cloud lane.
const independent = (async () => {
  const out = [];
  if (suites.includes('unit')) out.push(await runSuite('unit', { buffered: needsCloud }));
  if (suites.includes('parity')) out.push(await runSuiteWithNative('parity', { buffered: needsCloud }));
  if (halves.app.length) out.push(await runSuiteWithNative('e2e', { buffered: needsCloud, files: halves.app, label: 'e2e (no cloud)' }));
  return out;
})();

const results = [];
let cloudStarted = false;
try {
  if (needsCloud) {
    cloudStarted = await cloudUp;
    if (!cloudStarted) {
      const lost = [suites.includes('integration') && 'integration', halves.cloud.length > 0 && 'e2e (cloud)'].filter(Boolean);
      console.error(`the local cloud did not start: ${lost.join(' and ')} not run`);
      results.push({ suite: lost.join('+'), status: 1 });
      totals.fail += 1;
    }
  }
  if (cloudStarted) {
    if (suites.includes('integration')) results.push(await runSuite('integration', { buffered: false }));
    if (halves.cloud.length) results.push(await runSuiteWithNative('e2e', { buffered: false, files: halves.cloud, label: 'e2e (cloud)' }));
  }
} finally {
  stopCloud();
}
results.push(...(await independent));

const failedSuites = results.filter((r) => r.status !== 0).map((r) => r.suite);
const secs = Math.round((Date.now() - started) / 1000);
console.log(`suites: ${results.map((r) => `${r.suite} ${r.status === 0 ? 'ok' : 'FAILED'}`).join(', ')} (${secs} s)`);
for (const k of ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo']) console.log(`ℹ ${k} ${totals[k]}`);
console.log(`ℹ duration_ms ${Date.now() - started}`);
console.log(`${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
process.exit(failedSuites.length ? 1 : 0);
