// The app page as a whole: language switch (Japanese), the strict CSP, the offline PWA, and a
// screenshot kept in test-results/ for people to look at.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/serve-dist.ts';
import { openApp, chooseFiles, waitForOutcomes, waitForIdle, cspViolations, deepText } from './helpers/app-page.ts';
import { nativeInfo } from './helpers/native.ts';
import { appFixture } from './helpers/app-fixture.ts';

const fx = appFixture(5604);

const RESULTS = join(REPO_ROOT, 'test-results');

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
});

test('the page carries the strict CSP and loads without violations', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    const csp = await app.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.ok(csp, 'a CSP meta tag');
    for (const d of [
      "default-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
    ]) {
      assert.ok(csp.includes(d), `CSP has ${d}`);
    }
    assert.ok(!csp.includes('unsafe-inline'), 'no unsafe-inline');
    await app.page.locator('#tab-cloud').click();
    // The cloud panel is loaded on first use of its tab, and nothing is fetched from any cloud.
    await app.page.waitForFunction(() => !!customElements.get('cloud-panel'));
    await app.page.locator('cloud-panel').waitFor();
    await app.page.locator('#tab-inspect').click();
    assert.deepEqual(
      app.requests.filter((u) => !u.startsWith(fx.server.origin)),
      [],
      'no request to another host',
    );
    // qemu-img is lazy: no worker and no wasm in the page until a file is chosen.
    assert.equal(app.page.workers().length, 0, 'no qemu-img worker yet');
    const pageResources = await app.page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    assert.deepEqual(
      pageResources.filter((n) => /qemu-img|\.wasm/.test(n)),
      [],
      'the page itself never loads the wasm or its glue',
    );
    await chooseFiles(app.page, [`${fx.corpus.base.dir}/small.qcow2`]);
    await waitForOutcomes(app.page, 1);
    assert.equal(app.page.workers().length, 1, 'one worker, created by the first file');
    assert.deepEqual(await cspViolations(app.page), []);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('language switch shows Japanese, results included; screenshots kept', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await chooseFiles(app.page, [`${fx.corpus.base.dir}/small.qcow2`, `${fx.corpus.base.dir}/small-streamOptimized.vmdk`, fx.corpus.gzip]);
    await waitForOutcomes(app.page, 3);
    await waitForIdle(app.page);
    await app.page.screenshot({ path: join(RESULTS, 'app-en.png'), fullPage: true });
    const english = await deepText(app.page);
    assert.match(english, /Everything stays on this machine/);

    await app.page.locator('#lang').selectOption('ja');
    await app.page.getByText('すべてこのマシンの中で完結します').waitFor();
    const japanese = await deepText(app.page);
    assert.match(japanese, /仮想サイズ/, 'result cards are translated too');
    assert.doesNotMatch(japanese, /Virtual size/);
    assert.match(japanese, /gzip で圧縮されています/, 'findings are translated by their code');
    assert.doesNotMatch(japanese, /This file is gzip-compressed/);
    assert.equal(await app.page.evaluate(() => document.documentElement.lang), 'ja');
    await app.page.screenshot({ path: join(RESULTS, 'app-ja.png'), fullPage: true });

    // The choice is remembered (a preference, not a secret: the only thing kept in localStorage).
    await app.page.reload();
    await app.page.getByText('すべてこのマシンの中で完結します').waitFor();
    const stored = await app.page.evaluate(() => Object.keys(localStorage));
    assert.deepEqual(stored, ['image-inspector.lang']);
  } finally {
    await app.close();
  }
});

test('offline PWA: after the first visit the app, its worker and the wasm load without a network', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    const manifest = await app.page.locator('link[rel="manifest"]').getAttribute('href');
    assert.ok(manifest, 'a web app manifest is linked');
    await app.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // The service worker precaches on install; wait until it controls the page.
    await app.page.reload();
    await app.page.waitForFunction(() => !!navigator.serviceWorker.controller);
    await app.context.setOffline(true);
    await fx.server.close();
    await app.page.reload();
    await app.page.locator('image-inspector').waitFor();
    await chooseFiles(app.page, [`${fx.corpus.base.dir}/small.vdi`]);
    const { inspected, errors } = await waitForOutcomes(app.page, 1);
    assert.deepEqual(errors, []);
    assert.equal((inspected[0] as { format: string }).format, 'vdi', 'qemu-img ran offline');
  } finally {
    await app.close();
    await fx.restartServer();
  }
});

test('dropping a file on the drop zone inspects it', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    const bytes = readFileSync(fx.corpus.htmlBacking).toString('base64');
    await app.page.locator('image-inspector').evaluate((el, b64) => {
      const zone = (el as HTMLElement).shadowRoot!.querySelector('[part~="drop-zone"]')!;
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.qcow2'));
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, bytes);
    const { inspected } = await waitForOutcomes(app.page, 1);
    const d = inspected[0] as { file: string; format: string; info: { 'backing-filename'?: string } };
    assert.equal(d.file, 'dropped.qcow2');
    assert.equal(d.format, 'qcow2');
    assert.equal(d.info['backing-filename'], nativeInfo(fx.corpus.htmlBacking, 'qcow2')['backing-filename']);
    await app.page.locator('image-inspector button.clear').click();
    assert.equal(await app.page.locator('image-inspector li.card').count(), 0, 'Clear results empties the list');
  } finally {
    await app.close();
  }
});

test('"Upload to the cloud…" on a card hands the file and its inspection to the cloud panel', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await chooseFiles(app.page, [`${fx.corpus.base.dir}/small.qcow2`]);
    await waitForOutcomes(app.page, 1);
    await waitForIdle(app.page);
    await app.page.locator('image-inspector button.upload').click();
    await app.page.locator('cloud-panel').waitFor();
    const offer = await app.page.locator('cloud-panel').evaluate((el) => {
      const o = (el as unknown as { offer: { file: File; result: { format: string; suggested: Record<string, unknown> } } | null }).offer;
      return o && { name: o.file.name, size: o.file.size, format: o.result.format, diskFormat: o.result.suggested['disk_format'] };
    });
    assert.deepEqual(offer, {
      name: 'small.qcow2',
      size: statSync(`${fx.corpus.base.dir}/small.qcow2`).size,
      format: 'qcow2',
      diskFormat: 'qcow2',
    });
    assert.equal(await app.page.locator('#tab-cloud').getAttribute('aria-selected'), 'true');
  } finally {
    await app.close();
  }
});

test('switching tabs keeps the cloud panel mounted (its session and any upload live in it)', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await app.page.locator('#tab-cloud').click();
    await app.page.locator('cloud-panel').waitFor();
    // Mark this very element instance; a re-created panel would not carry the mark.
    await app.page.locator('cloud-panel').evaluate((el) => el.setAttribute('data-instance', 'first'));
    await app.page.locator('#tab-inspect').click();
    await app.page.locator('image-inspector').waitFor();
    assert.equal(await app.page.locator('cloud-panel').isVisible(), false, 'hidden while Inspect is shown');
    await app.page.locator('#tab-cloud').click();
    assert.equal(await app.page.locator('cloud-panel').getAttribute('data-instance'), 'first');
    assert.equal(await app.page.locator('cloud-panel').isVisible(), true);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

/** Elements (shadow roots included) that end right of the viewport with no scrolling box around them. */
const SIDEWAYS = `(() => {
  const out = [];
  const vw = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement ?? el.getRootNode().host; p; p = p.parentElement ?? p.getRootNode().host) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      const b = el.getBoundingClientRect();
      if (b.width > 0 && b.right > vw + 1 && !scrolls(el)) out.push(el.tagName.toLowerCase() + ' "' + (el.textContent ?? '').trim().slice(0, 30) + '"');
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return { scrollWidth: document.documentElement.scrollWidth, vw, out: out.slice(0, 5) };
})()`;

test('360 px wide (a phone): the cards, their property tables and VMDK facts fit; nothing scrolls sideways', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await app.page.setViewportSize({ width: 360, height: 800 });
    const b = fx.corpus.base.dir;
    // long unbroken values: createType="twoGbMaxExtentSparse", extent file names, an OVA's sources
    await chooseFiles(app.page, [
      `${b}/small-twoGbMaxExtentSparse.vmdk`,
      `${b}/small-twoGbMaxExtentSparse-s001.vmdk`,
      `${b}/small-streamOptimized.vmdk`,
      fx.corpus.ova,
    ]);
    await waitForOutcomes(app.page, 3);
    await waitForIdle(app.page);
    const got = (await app.page.evaluate(SIDEWAYS)) as { scrollWidth: number; vw: number; out: string[] };
    assert.deepEqual(got.out, [], 'no element sticks out to the right');
    assert.equal(got.scrollWidth, got.vw, 'the page does not scroll sideways');
    const prop = app.page.locator('image-inspector tr[data-property=vmware_disktype]').first();
    assert.ok((await prop.boundingBox())!.width <= 360, 'a property row fits');
  } finally {
    await app.close();
  }
});
