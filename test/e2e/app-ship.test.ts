// The static site as a host serves it: dist/ under a sub-path (/tools/image-inspector/) of a plain
// static server that sends no header of its own (the page's <meta> CSP is all the policy there
// is). The first load stays within the JavaScript budget and fetches no wasm; inspect and convert
// work; offline after one visit too; an update published meanwhile is offered, held back while a
// conversion runs and applied only when the user clicks and nothing runs (another tab with a job
// running reloads only once it ends). A file shared to the app
// (share_target: a multipart POST the service worker answers) is inspected and not kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { ensureAppCorpus, type AppCorpus } from './helpers/app-corpus.ts';
import { chooseFiles, cspViolations, openApp, readCards, waitForIdle, waitForOutcomes, type AppPage } from './helpers/app-page.ts';
import { DIST_DIR } from './helpers/serve-dist.ts';
import { serveStatic, type StaticServer } from './helpers/static-server.ts';

const PORT = 5665;
const PREFIX = '/tools/image-inspector/';
/** Issue 12: the app shell's JavaScript before any wasm, gzip. */
const FIRST_LOAD_JS_BUDGET = 100 * 1024;

let corpus: AppCorpus;
let browser: Browser;
let server: StaticServer | undefined;
let work: string;
let app: AppPage;

async function serve(dir: string): Promise<void> {
  await server?.close();
  server = await serveStatic(PORT, { mounts: { [PREFIX]: dir } });
}

before(
  async () => {
    corpus = ensureAppCorpus();
    work = mkdtempSync(join(tmpdir(), 'ii-ship-e2e-'));
    // The next version: the same site with a changed service worker (what a deploy publishes).
    cpSync(DIST_DIR, join(work, 'next'), { recursive: true });
    appendFileSync(join(work, 'next', 'sw.js'), '\n// next version\n');
    cpSync(DIST_DIR, join(work, 'after-next'), { recursive: true });
    appendFileSync(join(work, 'after-next', 'sw.js'), '\n// the version after that\n');
    // Sparse on the host; converting it takes seconds, long enough to publish an update meanwhile.
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', join(work, 'slow.vmdk'), '2G']);
    await serve(DIST_DIR);
    browser = await launchChromium();
  },
  { timeout: 120_000 },
);
after(
  async () => {
    await app?.close();
    await browser?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

const url = () => `${server!.origin}${PREFIX.slice(0, -1)}`;
const inner = (page: Page) => page.locator('image-inspector');
const card = (page: Page, name: string) => inner(page).locator(`li.card[data-name="${name}"]`);

async function convertSmall(page: Page): Promise<void> {
  const before = await page.evaluate(() => (window as unknown as { __shipConverted?: number }).__shipConverted ?? 0);
  await page.evaluate(() => {
    const w = window as unknown as { __shipConverted?: number; __shipListening?: boolean };
    if (w.__shipListening) return;
    w.__shipListening = true;
    document.addEventListener('image-converted', () => (w.__shipConverted = (w.__shipConverted ?? 0) + 1));
  });
  await card(page, 'small.qcow2').locator('select.convert-target').selectOption('raw');
  await card(page, 'small.qcow2').locator('button.convert-button').click();
  await page.waitForFunction((n) => ((window as unknown as { __shipConverted?: number }).__shipConverted ?? 0) > n, before, {
    timeout: 60_000,
  });
}

test(
  'at a sub-path, no special headers: first load within budget and without wasm; inspect and convert',
  { timeout: 120_000 },
  async () => {
    app = await openApp(browser, url());
    const { page } = app;
    assert.ok(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'), 'the strict CSP is in the page');
    // Budget: every script the page loaded before a file is chosen, gzip-compressed as a host would.
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    const scripts = loaded.filter((p) => /\.m?js$/.test(p));
    assert.ok(scripts.length > 0, 'the app loaded its scripts from the sub-path');
    const gzipBytes = scripts.reduce(
      (sum, p) => sum + gzipSync(readFileSync(join(DIST_DIR, p.slice(PREFIX.length))), { level: 9 }).length,
      0,
    );
    assert.ok(gzipBytes <= FIRST_LOAD_JS_BUDGET, `first-load JavaScript is ${gzipBytes} bytes gzip (budget ${FIRST_LOAD_JS_BUDGET})`);
    assert.deepEqual(
      loaded.filter((p) => /\.wasm$|qemu-img|\/ja-[^/]*\.js$/.test(p)),
      [],
      'no wasm, glue or Japanese strings before a file is chosen (in English)',
    );
    await chooseFiles(page, [join(corpus.base.dir, 'small.qcow2')]);
    await waitForOutcomes(page, 1);
    await waitForIdle(page);
    await convertSmall(page);
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(app.problems, []);
    console.log(`# first-load JavaScript: ${gzipBytes} bytes gzip in ${scripts.length} files`);

    // In Japanese, the strings are loaded (and only then).
    const ja = await openApp(browser, url(), '?lang=ja');
    try {
      await ja.page.waitForFunction(() => document.documentElement.lang === 'ja', null, { timeout: 20_000 });
      const jaLoaded = await ja.page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
      assert.equal(jaLoaded.filter((p) => /\/ja-[^/]*\.js$/.test(p)).length, 1, 'the Japanese strings, for Japanese');
    } finally {
      await ja.close();
    }
  },
);

test('offline after one visit: reload, inspect and convert', { timeout: 120_000 }, async () => {
  const { page, context } = app;
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The first visit installs the worker; it controls the page from the next load on.
  await page.reload();
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30_000 });
  await context.setOffline(true);
  try {
    await page.reload();
    await inner(page).waitFor();
    await chooseFiles(page, [join(corpus.base.dir, 'small.qcow2')]);
    await waitForOutcomes(page, 1);
    await waitForIdle(page);
    await convertSmall(page);
  } finally {
    await context.setOffline(false);
  }
  assert.deepEqual(await cspViolations(page), []);
});

test('a file shared to the app (share_target POST through the service worker) is inspected, not kept', { timeout: 60_000 }, async () => {
  const { page } = app;
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30_000 });
  const action = new URL('share-target', page.url().endsWith('/') ? page.url() : `${page.url()}/`).href;
  // What the operating system's share sheet sends: a multipart POST navigation from outside the
  // app, which its worker answers. Not from the app's own page: its CSP says form-action 'none'.
  await page.goto('about:blank');
  await page.setContent(
    `<form method="post" enctype="multipart/form-data" action="${action}"><input type="file" name="files" id="share-files"></form>`,
  );
  await page.locator('#share-files').setInputFiles(join(corpus.base.dir, 'small.qcow2'));
  await page.locator('form').evaluate((f) => (f as HTMLFormElement).submit());
  // The app drops the redirect's ?shared=1, so a reload does not look for a share again.
  await page.waitForURL((u) => u.pathname === PREFIX && !u.searchParams.has('shared'), { timeout: 20_000 });
  const { inspected, errors } = await waitForOutcomes(page, 1);
  await waitForIdle(page);
  assert.deepEqual([inspected.length, errors.length], [1, 0], 'the shared file was inspected');
  const cards = await readCards(page);
  assert.deepEqual(
    cards.map((c) => [c.name, c.phase, c.safe]),
    [['small.qcow2', 'done', 'true']],
    'its card shows the verdict',
  );
  const kept = await page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('image-inspector-share');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const count = db.transaction('shared').objectStore('shared').count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );
  assert.equal(kept, 0, 'the kept copy is deleted once the page took it');
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(app.problems, []);
});

test(
  'an update published meanwhile is offered, held while a conversion runs, applied on the user’s word',
  { timeout: 180_000 },
  async () => {
    const { page } = app;
    await page.reload();
    await inner(page).waitFor();
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await chooseFiles(page, [join(work, 'slow.vmdk'), join(work, 'slow-flat.vmdk')]);
    await waitForOutcomes(page, 1);
    await waitForIdle(page);
    await card(page, 'slow.vmdk').locator('button.convert-button').click();
    await card(page, 'slow.vmdk').locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });

    await serve(join(work, 'next'));
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    const apply = page.locator('#update-apply');
    await apply.waitFor({ timeout: 60_000 });
    assert.equal(await apply.isDisabled(), true, 'cannot be applied while the conversion runs');
    assert.match(await page.locator('#update').innerText(), /wait until the running/);
    assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'no reload');
    assert.equal(await card(page, 'slow.vmdk').locator('.convert').getAttribute('data-status'), 'running', 'the conversion goes on');

    await card(page, 'slow.vmdk').locator('button.convert-cancel').click();
    await page.waitForFunction(
      () => {
        const b = document.querySelector('ii-app')?.shadowRoot?.querySelector<HTMLButtonElement>('#update-apply');
        return b && !b.disabled;
      },
      null,
      { timeout: 30_000 },
    );
    assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'still no reload');
    await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), apply.click()]);
    await inner(page).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), undefined, 'reloaded');
    const waiting = await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
    assert.equal(waiting, false, 'the new version is the active one');
    assert.equal(await page.locator('#update').count(), 0);
  },
);

test(
  '“Update now” in one tab does not reload another tab while its conversion runs; that tab reloads once idle',
  { timeout: 180_000 },
  async () => {
    const a = app.page;
    const b = await a.context().newPage();
    try {
      await b.goto(`${url()}/`);
      await inner(b).waitFor();
      await b.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
      await chooseFiles(b, [join(work, 'slow.vmdk'), join(work, 'slow-flat.vmdk')]);
      await waitForIdle(b);
      await card(b, 'slow.vmdk').locator('button.convert-button').click();
      await card(b, 'slow.vmdk').locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });

      await serve(join(work, 'after-next'));
      await a.evaluate(async () => {
        await (await navigator.serviceWorker.getRegistration())?.update();
      });
      const apply = a.locator('#update-apply:not([disabled])');
      await apply.waitFor({ timeout: 60_000 });
      // this tab runs nothing, so it may update; the other one must not be reloaded under its job
      await Promise.all([a.waitForEvent('load', { timeout: 30_000 }), apply.click()]);
      await inner(a).waitFor();
      await a.waitForTimeout(2000);
      const sameDocument = () => b.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument);
      assert.equal(await sameDocument(), true, 'the busy tab was not reloaded');
      assert.equal(await card(b, 'slow.vmdk').locator('.convert').getAttribute('data-status'), 'running', 'its conversion goes on');

      // once it runs nothing any more, it takes the new version
      await Promise.all([b.waitForEvent('load', { timeout: 30_000 }), card(b, 'slow.vmdk').locator('button.convert-cancel').click()]);
      await inner(b).waitFor();
      assert.equal(await sameDocument(), undefined, 'reloaded once idle');
    } finally {
      await b.close();
    }
  },
);
