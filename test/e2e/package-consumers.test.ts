// The packed npm package used the three ways other consoles use it: a plain HTML page loading it
// from another origin (a CDN) with an import map, a Vite app and a webpack build (Horizon's stack)
// that import 'image-inspector' and copy its assets/ folder. Each page has a strict CSP; each
// must receive `image-inspected` for a real qcow2 inspected by the package's own worker and wasm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { launchChromium } from '../helpers/browser.ts';
import { ensureAppCorpus, type AppCorpus } from './helpers/app-corpus.ts';
import { packAndInstall, type PackedPackage } from './helpers/packed-package.ts';
import { serveStatic, type StaticServer } from './helpers/static-server.ts';
import { REPO_ROOT } from './helpers/serve-dist.ts';

const PAGE_PORT = 5670;
const CDN_PORT = 5671;
const VITE_PORT = 5672;
const WEBPACK_PORT = 5673;

let pkg: PackedPackage;
let corpus: AppCorpus;
let browser: Browser;
const servers: StaticServer[] = [];

before(
  async () => {
    corpus = ensureAppCorpus();
    pkg = packAndInstall();
    browser = await launchChromium();
  },
  { timeout: 180_000 },
);
after(
  async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    pkg?.remove();
  },
  { timeout: 60_000 },
);

/** The consumer code of the bundled apps: what docs/element.md tells a bundling app to write. */
const BUNDLED_MAIN = `import { setBasePath } from 'image-inspector';
setBasePath('./image-inspector/');
`;
const APP_HTML = (script: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>consumer</title>
<script type="module" src="${script}"></script></head>
<body><h1>A console</h1><image-inspector declared-format="qcow2"></image-inspector></body></html>`;

function csp(extra: { script?: string[]; worker?: string[]; connect?: string[] } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${(extra.script ?? []).join(' ')}`,
    `worker-src 'self' ${(extra.worker ?? []).join(' ')}`,
    `connect-src 'self' ${(extra.connect ?? []).join(' ')}`,
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

async function serve(port: number, mounts: Record<string, string>, headers?: Record<string, string>): Promise<StaticServer> {
  const s = await serveStatic(port, { mounts, ...(headers ? { headers } : {}) });
  servers.push(s);
  return s;
}

interface Outcome {
  detail: { format: string | null; info: { format?: string } | null; safety: { safe: boolean; findings: unknown[] } };
  csp: string[];
  problems: string[];
  requests: string[];
}

/** Opens the page, picks small.qcow2 in the element and returns the image-inspected detail. */
async function inspectIn(url: string): Promise<Outcome> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    // Failed loads are checked by URL below (the browser's own /favicon.ico probe is no problem).
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`HTTP ${r.status()} ${r.url()}`);
    });
    context.on('request', (r) => requests.push(r.url()));
    await page.addInitScript(() => {
      const w = window as unknown as { __inspected: unknown[]; __csp: string[] };
      w.__inspected = [];
      w.__csp = [];
      document.addEventListener('image-inspected', (e) => w.__inspected.push((e as CustomEvent).detail));
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(url);
    await page.waitForFunction(() => !!customElements.get('image-inspector'), null, { timeout: 20_000 });
    await page.locator('image-inspector #files').setInputFiles([join(corpus.base.dir, 'small.qcow2')]);
    page.on('worker', (w) => w.on('console', (m) => problems.push(`worker console: ${m.text()}`)));
    await page
      .waitForFunction(() => (window as unknown as { __inspected: unknown[] }).__inspected.length > 0, null, { timeout: 30_000 })
      .catch(async (e: unknown) => {
        const shown = await page.locator('image-inspector').evaluate((el) => el.shadowRoot?.textContent ?? '');
        throw new Error(`no image-inspected: ${String(e)}\n${problems.join('\n')}\n${requests.join('\n')}\nthe element shows: ${shown}`);
      });
    const { inspected, violations } = await page.evaluate(() => {
      const w = window as unknown as { __inspected: unknown[]; __csp: string[] };
      return { inspected: w.__inspected, violations: w.__csp };
    });
    return { detail: inspected[0] as Outcome['detail'], csp: violations, problems, requests };
  } finally {
    await context.close();
  }
}

function assertInspected(o: Outcome, where: string): void {
  assert.equal(o.detail.format, 'qcow2', `${where}: the safety core read the qcow2`);
  assert.equal(
    o.detail.info?.format,
    'qcow2',
    `${where}: qemu-img (the package's worker and wasm) ran: ${JSON.stringify(o.detail.safety.findings)}`,
  );
  assert.equal(o.detail.safety.safe, true);
  assert.deepEqual(o.csp, [], `${where}: no CSP violation`);
  assert.deepEqual(o.problems, [], `${where}: no page error`);
}

test('the tarball: every export and its types exist, lib/ names no TypeScript, Lit is not bundled', { timeout: 30_000 }, () => {
  const manifest = JSON.parse(readFileSync(join(pkg.installed, 'package.json'), 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
    customElements: string;
  };
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
      const path = file.replace('*', 'qemu-img-worker.js');
      assert.ok(existsSync(join(pkg.installed, path)), `${subpath} → ${path} is in the tarball`);
    }
  }
  assert.ok(existsSync(join(pkg.installed, manifest.customElements)), 'custom-elements.json is in the tarball');
  const lib = join(pkg.installed, 'lib');
  const js = readdirSync(lib, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.js') && !f.startsWith('assets'));
  assert.ok(js.length > 10);
  for (const f of js) {
    const code = readFileSync(join(lib, f), 'utf8');
    assert.doesNotMatch(code, /from\s*["'][^"']+\.ts["']|import\(["'][^"']+\.ts["']\)/, `${f} imports no .ts`);
    assert.doesNotMatch(code, /class ReactiveElement|lit-html\$/, `${f} carries no copy of Lit`);
  }
});

test('a plain HTML page loads the packed element from another origin (a CDN) with an import map', { timeout: 90_000 }, async () => {
  const cdn = await serve(
    CDN_PORT,
    { '/npm/image-inspector/': pkg.installed, '/npm/': join(REPO_ROOT, 'node_modules') },
    // What a CDN sends: the page's origin differs, so modules, the worker and the wasm need CORS.
    { 'Access-Control-Allow-Origin': '*' },
  );
  const npm = `${cdn.origin}/npm`;
  const importMap = JSON.stringify({
    imports: {
      lit: `${npm}/lit/index.js`,
      'lit/': `${npm}/lit/`,
      'lit-html': `${npm}/lit-html/lit-html.js`,
      'lit-html/': `${npm}/lit-html/`,
      'lit-element/': `${npm}/lit-element/`,
      '@lit/reactive-element': `${npm}/@lit/reactive-element/reactive-element.js`,
      '@lit/reactive-element/': `${npm}/@lit/reactive-element/`,
      '@lit/localize': `${npm}/@lit/localize/lit-localize.js`,
      '@lit/localize/': `${npm}/@lit/localize/`,
      comlink: `${npm}/comlink/dist/esm/comlink.mjs`,
      // the guest checklist reads /etc/cloud/cloud.cfg (YAML) in the page
      'js-yaml': `${npm}/js-yaml/dist/js-yaml.mjs`,
    },
  });
  const hash = createHash('sha256').update(importMap).digest('base64');
  const pageDir = join(pkg.dir, 'plain-page');
  mkdirSync(pageDir, { recursive: true });
  writeFileSync(
    join(pageDir, 'index.html'),
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>plain page</title>
<script type="importmap">${importMap}</script>
<script type="module" src="${npm}/image-inspector/lib/src/elements/image-inspector-define.js"></script>
</head><body><image-inspector></image-inspector></body></html>`,
  );
  // The CSP docs/element.md gives for a CDN: the CDN in script-src, connect-src (the wasm) and
  // worker-src (a worker's static imports are fetched as "worker"), and blob: for the trampoline.
  const site = await serve(
    PAGE_PORT,
    { '/': pageDir },
    {
      'Content-Security-Policy': csp({ script: [`'sha256-${hash}'`, cdn.origin], worker: ['blob:', cdn.origin], connect: [cdn.origin] }),
    },
  );
  const o = await inspectIn(`${site.origin}/`);
  assertInspected(o, 'CDN page');
  assert.ok(
    o.requests.includes(`${npm}/image-inspector/lib/assets/qemu-img.wasm`),
    'the wasm came from the CDN, next to the module (the default base path)',
  );
  assert.deepEqual(
    site.requests.filter((r) => r !== '/favicon.ico'),
    ['/'],
    'the page origin served only the page',
  );
});

test('a Vite app installs the tarball, imports image-inspector and copies its assets', { timeout: 120_000 }, async () => {
  const app = join(pkg.dir, 'vite-app');
  mkdirSync(join(app, 'public'), { recursive: true });
  writeFileSync(join(app, 'package.json'), '{ "name": "vite-consumer", "private": true, "type": "module" }\n');
  writeFileSync(join(app, 'index.html'), APP_HTML('./main.js'));
  writeFileSync(join(app, 'main.js'), BUNDLED_MAIN);
  cpSync(join(pkg.installed, 'lib', 'assets'), join(app, 'public', 'image-inspector'), { recursive: true });
  await viteBuild({ root: app, configFile: false, base: './', logLevel: 'error', build: { outDir: join(app, 'dist'), target: 'es2022' } });
  const site = await serve(VITE_PORT, { '/tools/': join(app, 'dist') }, { 'Content-Security-Policy': csp() });
  assertInspected(await inspectIn(`${site.origin}/tools/`), 'Vite app');
  assert.ok(site.requests.includes('/tools/image-inspector/qemu-img.wasm'));
});

test('a webpack build installs the tarball, imports image-inspector and copies its assets', { timeout: 120_000 }, async () => {
  const app = join(pkg.dir, 'webpack-app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), '{ "name": "webpack-consumer", "private": true }\n');
  writeFileSync(join(app, 'src', 'index.js'), BUNDLED_MAIN);
  const out = join(app, 'dist');
  const stats = await new Promise<webpack.Stats>((resolve, reject) =>
    webpack(
      {
        mode: 'production',
        context: app,
        entry: './src/index.js',
        output: { path: out, filename: 'main.js' },
        devtool: false,
        performance: { hints: false },
      },
      (err, s) => (err || !s ? reject(err ?? new Error('webpack: no stats')) : resolve(s)),
    ),
  );
  assert.equal(stats.hasErrors(), false, stats.toString({ all: false, errors: true }));
  writeFileSync(join(out, 'index.html'), APP_HTML('./main.js'));
  cpSync(join(pkg.installed, 'lib', 'assets'), join(out, 'image-inspector'), { recursive: true });
  const site = await serve(WEBPACK_PORT, { '/': out }, { 'Content-Security-Policy': csp() });
  assertInspected(await inspectIn(`${site.origin}/`), 'webpack build');
  assert.ok(site.requests.includes('/image-inspector/qemu-img.wasm'));
});
