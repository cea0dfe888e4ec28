// The app as a keyboard and screen-reader user meets it, in the BUILT app against the local
// Keystone and Glance: axe-core finds no serious or critical violation on any view in English and
// Japanese (screenshots of every Japanese view kept in test-results/), and a keyboard-only walk
// goes inspect → convert → sign in → create → upload with the focus always where the user is.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './helpers/serve-dist.ts';
import { appFixture } from './helpers/app-fixture.ts';
import { openApp, chooseFiles, waitForOutcomes, waitForIdle } from './helpers/app-page.ts';
import { cleanupImages, imagesNamed, loadCloud, nodeGlance, type CloudJson } from './helpers/cloud-env.ts';
import { form, signInWithPassword, waitCreateOutcome, waitSignedIn } from './helpers/cloud-ui.ts';
import { assertFocusKept, focusRing, focused, tabTo, waitFocus, type Focused } from './helpers/keyboard.ts';
import type { GlanceClient } from '../../src/core/openstack/glance.ts';

const fx = appFixture(5677);
const RESULTS = join(REPO_ROOT, 'test-results');
const PREFIX = `e2e-a11y-${process.pid}-`;
let cloud: CloudJson;
let glance: GlanceClient;

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  cloud = loadCloud();
  ({ glance } = await nodeGlance('demo'));
});

after(async () => {
  if (glance) await cleanupImages(glance, PREFIX);
});

/** Serious and critical axe violations of the whole page (open shadow roots included). */
async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  // axe names a node inside a shadow root by a list of selectors (host, then inside): some must be
  // there, or the
  // check never looked inside the elements
  const inShadow = [...r.passes, ...r.violations].some((rule) => rule.nodes.some((n) => n.target.some((t) => Array.isArray(t))));
  if (!inShadow) return ['axe checked no node inside a shadow root'];
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}

async function setLanguage(page: Page, lang: 'en' | 'ja'): Promise<void> {
  await page.locator('#lang').selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  // the elements re-render on the locale change: let them settle before reading the page
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** axe in both languages; the Japanese view is kept as a screenshot. */
async function checkView(page: Page, view: string, problems: string[]): Promise<void> {
  for (const lang of ['en', 'ja'] as const) {
    await setLanguage(page, lang);
    const t0 = Date.now();
    for (const v of await seriousViolations(page)) problems.push(`${view} [${lang}] ${v}`);
    if (process.env.A11Y_TIMING) console.log(`axe ${view} ${lang}: ${Date.now() - t0} ms`);
    if (lang === 'ja') await page.screenshot({ path: join(RESULTS, `a11y-ja-${view}.png`), fullPage: true });
  }
}

test('axe: no serious or critical violation on any view, in English and Japanese', { timeout: 240_000 }, async () => {
  const image = await glance.createImage({ name: `${PREFIX}listed`, disk_format: 'qcow2', container_format: 'bare' });
  const app = await openApp(fx.browser, fx.server.origin);
  const { page } = app;
  const problems: string[] = [];
  try {
    const base = fx.corpus.base.dir;
    await chooseFiles(page, [
      `${base}/small.qcow2`,
      fx.corpus.gzip,
      `${base}/small-monolithicFlat.vmdk`,
      `${base}/small-monolithicFlat-flat.vmdk`,
    ]);
    await waitForOutcomes(page, 3);
    await waitForIdle(page);
    await checkView(page, 'inspect', problems);

    await page.locator('#tab-cloud').click();
    await page.locator('cloud-sign-in').waitFor();
    await checkView(page, 'cloud-sign-in', problems);

    await setLanguage(page, 'en');
    await signInWithPassword(page, cloud, cloud.users.demo);
    await waitSignedIn(page);
    await page.locator(`cloud-images-table tr[data-id="${image.id}"]`).waitFor({ timeout: 20_000 });
    await checkView(page, 'cloud-list', problems);

    await page.locator(`cloud-images-table tr[data-id="${image.id}"]`).click();
    await page.locator('cloud-image-details dd[data-key=id]').waitFor();
    await checkView(page, 'cloud-details', problems);

    await page.locator('cloud-image-details button[data-action=edit]').click();
    await page.locator('cloud-image-editor').waitFor();
    await checkView(page, 'cloud-edit', problems);

    await page.locator('cloud-panel button[data-action=show-create]').click();
    await page.locator(form('input#name')).waitFor();
    await checkView(page, 'cloud-create', problems);

    assert.deepEqual(problems, []);
    assert.ok(statSync(join(RESULTS, 'a11y-ja-cloud-create.png')).size > 10_000, 'the Japanese screenshots are kept');
  } finally {
    await app.close();
  }
});

const isCard = (name: string) => (f: Focused) => f.tag === 'li' && f.data['name'] === name;

test(
  'keyboard only: inspect → convert → sign in → create → upload, the focus always visible and never lost',
  { timeout: 240_000 },
  async () => {
    const name = `${PREFIX}keyboard`;
    const app = await openApp(fx.browser, fx.server.origin);
    const { page } = app;
    // Playwright turns on file-chooser interception asynchronously when the first listener is
    // added: started at the Enter, it raced the chooser the Enter opens. Start it now.
    const chooser = page.waitForEvent('filechooser', { timeout: 120_000 });
    // awaited at the Enter below; if an earlier step fails first, its rejection is not a second one
    chooser.catch(() => undefined);
    try {
      // The two views are one Tab stop (the tabs pattern): Tab goes from the selected tab straight on.
      const tab = await tabTo(page, 'the Inspect tab', (f) => f.id === 'tab-inspect');
      assert.equal(tab.role, 'tab');
      const ring = await focusRing(page);
      assert.equal(ring.style, 'solid');
      assert.ok(ring.width >= 2 && ring.contrast >= 3, `focus ring on the header: ${JSON.stringify(ring)}`);
      await page.keyboard.press('Tab');
      assert.notEqual((await focused(page)).id, 'tab-cloud', 'the unselected tab is no Tab stop');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('ArrowRight');
      await waitFocus(page, 'the Cloud tab', (f) => f.id === 'tab-cloud');
      assert.equal(await page.locator('#tab-cloud').getAttribute('aria-selected'), 'true');
      await page.keyboard.press('Home');
      await waitFocus(page, 'the Inspect tab (Home)', (f) => f.id === 'tab-inspect');
      await page.keyboard.press('End');
      await waitFocus(page, 'the Cloud tab (End)', (f) => f.id === 'tab-cloud');
      await page.keyboard.press('ArrowLeft');
      await waitFocus(page, 'the Inspect tab (ArrowLeft)', (f) => f.id === 'tab-inspect');
      assert.equal(await page.locator('#panel-inspect').isVisible(), true);

      // Inspect: "Choose files…" is reached by Tab with a visible ring, and Enter on it opens the
      // file chooser (the files are handed to it as the OS picker would).
      await tabTo(page, '"Choose files…"', (f) => f.tag === 'button' && f.text === 'Choose files…');
      const inspectorRing = await focusRing(page);
      assert.ok(inspectorRing.style === 'solid' && inspectorRing.width >= 2 && inspectorRing.contrast >= 3, JSON.stringify(inspectorRing));
      const base = fx.corpus.base.dir;
      await page.keyboard.press('Enter');
      const picker = await chooser;
      assert.equal(picker.isMultiple(), true, 'the chooser takes several files (a VMDK and its extent)');
      await picker.setFiles([`${base}/small-monolithicFlat.vmdk`, `${base}/small-monolithicFlat-flat.vmdk`]);
      await waitForOutcomes(page, 1);
      await waitForIdle(page);
      const live = page.locator('image-inspector [role=status][aria-live=polite]').first();
      assert.match(
        (await live.textContent()) ?? '',
        /small-monolithicFlat\.vmdk: Glance would reject this image/,
        'the verdict is announced',
      );

      // Convert: the button by keyboard; the focus follows to the result card as it appears.
      await tabTo(page, '"Convert…"', (f) => f.classes.includes('convert-button'));
      await page.keyboard.press('Enter');
      await assertFocusKept(page, 'when the conversion started');
      await waitFocus(page, 'the converted card', isCard('small-monolithicFlat.qcow2'), 60_000);
      await waitForOutcomes(page, 2);
      await waitForIdle(page);
      assert.equal(await page.locator('image-inspector progress').count(), 0, 'no progress bar left');
      const inView = await page
        .locator('image-inspector li.card[data-name="small-monolithicFlat.qcow2"]')
        .evaluate((el) => el.getBoundingClientRect().top < innerHeight);
      assert.ok(inView, 'the result card is scrolled into view');

      // Upload to the cloud: the Cloud view takes the focus, signed out it shows the sign-in form.
      await tabTo(page, '"Upload to the cloud…" of the result', (f) => f.classes.includes('upload'));
      assert.match((await focused(page)).path, /image-inspector/);
      await page.keyboard.press('Enter');
      await waitFocus(page, 'the Cloud view', (f) => f.id === 'panel-cloud');
      await page.locator('cloud-sign-in').waitFor();
      const type = async (id: string, value: string) => {
        await tabTo(page, `#${id}`, (f) => f.id === id);
        await page.keyboard.press('ControlOrMeta+A');
        await page.keyboard.type(value);
      };
      const u = cloud.users.demo;
      await type('authUrl', cloud.keystone.authUrl);
      await type('username', u.username);
      await type('userDomain', u.userDomainName);
      await type('password', u.password);
      await type('projectName', u.projectName);
      await type('projectDomain', u.projectDomainName);
      await tabTo(page, '"Sign in"', (f) => f.data['action'] === 'sign-in');
      await page.keyboard.press('Enter');
      await waitSignedIn(page);
      await waitFocus(page, 'the signed-in view', (f) => f.data['role'] === 'whoami');

      // Create and upload the converted image, all by keyboard; the outcome takes the focus.
      await page.locator(form('input#name')).waitFor();
      await type('name', name);
      await tabTo(page, '"Create and upload"', (f) => f.data['action'] === 'create');
      await page.keyboard.press('Enter');
      await assertFocusKept(page, 'while uploading');
      const outcome = await waitCreateOutcome(page, 120_000);
      assert.ok(outcome.ok, outcome.text);
      await waitFocus(page, 'the upload outcome', (f) => f.data['role'] === 'success');
      const [created] = await imagesNamed(glance, name);
      assert.equal(created?.status, 'active');
      assert.equal(created?.disk_format, 'qcow2');
      assert.deepEqual(app.problems, []);
    } finally {
      await app.close();
    }
  },
);
