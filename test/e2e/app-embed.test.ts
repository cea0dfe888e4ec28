// The embeddable build: another page (a stand-in for Horizon) loads dist/image-inspector.js with a
// plain <script type="module">, sets attributes, themes the element by ::part and custom
// properties, and listens for the events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nativeInfo, comparableInfo } from './helpers/native.ts';
import { appFixture } from './helpers/app-fixture.ts';

const fx = appFixture(5605);

const EMBED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>embedding page</title>
<link rel="stylesheet" href="./embed-theme.css">
<script type="module" src="./image-inspector.js"></script>
</head><body>
<h1>Some dashboard</h1>
<image-inspector id="ii" declared-format="vmdk" lang="ja" compact></image-inspector>
<image-inspector id="plain"></image-inspector>
<script type="module" src="./embed-listen.js"></script>
</body></html>`;

// The embedding page's own files (served by the test, as Horizon would serve its own).
const THEME = `image-inspector { --image-inspector-accent: rgb(200, 0, 120); }
image-inspector::part(card) { border-width: 3px; }`;
const LISTEN = `window.__events = [];
for (const type of ['image-inspected', 'image-inspect-error'])
  document.body.addEventListener(type, (e) => window.__events.push({ type, detail: e.detail }));`;

test('dist/image-inspector.js works in another page: attributes in, events out, ::part theming', async () => {
  const context = await fx.browser.newContext();
  try {
    const files: Record<string, [string, string]> = {
      '/embed.html': [EMBED_PAGE, 'text/html'],
      '/embed-theme.css': [THEME, 'text/css'],
      '/embed-listen.js': [LISTEN, 'text/javascript'],
    };
    await context.route(`${fx.server.origin}/embed*`, (route) => {
      const f = files[new URL(route.request().url()).pathname]!;
      return route.fulfill({ body: f[0], contentType: f[1] });
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${fx.server.origin}/embed.html`);
    await page.waitForFunction(() => !!customElements.get('image-inspector'));
    const path = `${fx.corpus.base.dir}/small.qcow2`;
    await page.locator('#ii #files').setInputFiles([path]);
    await page.waitForFunction(() => (window as unknown as { __events: unknown[] }).__events.length > 0);
    const events = await page.evaluate(() => (window as unknown as { __events: Array<{ type: string; detail: unknown }> }).__events);
    assert.equal(events[0]!.type, 'image-inspected', 'the event bubbles out of the element to the page');
    const detail = events[0]!.detail as { info: unknown; safety: { safe: boolean; findings: Array<{ code: string }> } };
    assert.deepEqual(comparableInfo(detail.info), comparableInfo(nativeInfo(path, 'qcow2')));
    // declared-format="vmdk" on a qcow2 is Glance's format mismatch.
    assert.equal(detail.safety.safe, false);
    assert.ok(detail.safety.findings.some((f) => f.code === 'format.mismatch'));
    // lang="ja" applies; compact hides the detail sections.
    const card = page.locator('#ii li.card');
    await card.locator('[data-safe]').waitFor();
    assert.match(await card.innerText(), /Glance/);
    assert.match(await card.innerText(), /拒否/);
    assert.equal(await card.locator('.sections').isVisible(), false, 'compact: no detail tables');
    // lang is the element's own: a second inspector on the same page stays in the page's English.
    assert.match(await page.locator('#plain [part="drop-zone"]').innerText(), /Drop disk images here/);
    assert.doesNotMatch(await page.locator('#ii [part="drop-zone"]').innerText(), /Drop disk images here/);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    // Theming from outside: ::part and a custom property.
    const style = await card.evaluate((el) => {
      const s = getComputedStyle(el);
      const button = (el.getRootNode() as ShadowRoot).querySelector('button')!;
      return { border: s.borderTopWidth, accent: getComputedStyle(button).backgroundColor };
    });
    assert.equal(style.border, '3px');
    assert.equal(style.accent, 'rgb(200, 0, 120)');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// Two elements on one page share the page's OPFS folder: each conversion needs a path of its own,
// or the second element's output replaces the first's and clearing one deletes the other's.
const TWO_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>two inspectors</title>
<script type="module" src="./image-inspector.js"></script>
</head><body>
<image-inspector id="a"></image-inspector>
<image-inspector id="b"></image-inspector>
<script type="module" src="./embed-converted.js"></script>
</body></html>`;
const CONVERTED = `window.__converted = [];
document.addEventListener('image-converted', (e) => window.__converted.push({ id: e.target.id, ...e.detail }));`;

async function embeddingPage(files: Record<string, [string, string]>) {
  const context = await fx.browser.newContext();
  await context.route(`${fx.server.origin}/embed*`, (route) => {
    const f = files[new URL(route.request().url()).pathname]!;
    return route.fulfill({ body: f[0], contentType: f[1] });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

test('two elements on one page convert the same file: each keeps its own output, clearing one leaves the other', async () => {
  const { context, page, problems } = await embeddingPage({
    '/embed-two.html': [TWO_PAGE, 'text/html'],
    '/embed-converted.js': [CONVERTED, 'text/javascript'],
  });
  try {
    await page.goto(`${fx.server.origin}/embed-two.html`);
    await page.waitForFunction(() => !!customElements.get('image-inspector'));
    const path = `${fx.corpus.base.dir}/small.qcow2`;
    type Converted = { id: string; opfsPath: string; size: number };
    const converted = () => page.evaluate(() => (window as unknown as { __converted: Converted[] }).__converted);
    for (const [n, id] of ['a', 'b'].entries()) {
      await page.locator(`#${id} #files`).setInputFiles([path]);
      await page.locator(`#${id} button.convert-button`).first().click({ timeout: 60_000 });
      await page.waitForFunction((k) => (window as unknown as { __converted: unknown[] }).__converted.length > k, n, { timeout: 60_000 });
    }
    const [a, b] = await converted();
    assert.equal(a!.id, 'a');
    assert.equal(b!.id, 'b');
    assert.notEqual(a!.opfsPath, b!.opfsPath, 'two elements never write the same OPFS path');
    await page.locator('#a [part="clear-button"]').click();
    // b's output is still there, whole, after a's results (and outputs) are cleared.
    const sizeOf = (p: string) =>
      page.evaluate(async (opfsPath) => {
        const parts = opfsPath.split('/');
        const name = parts.pop()!;
        try {
          let dir = await navigator.storage.getDirectory();
          for (const d of parts) dir = await dir.getDirectoryHandle(d);
          return (await (await dir.getFileHandle(name)).getFile()).size;
        } catch (e) {
          if ((e as DOMException).name !== 'NotFoundError') throw e;
          return -1;
        }
      }, p);
    for (let t = Date.now(); (await sizeOf(a!.opfsPath)) !== -1;) {
      assert.ok(Date.now() - t < 30_000, "a's output is deleted by its Clear results");
      await page.waitForTimeout(100);
    }
    assert.equal(await sizeOf(b!.opfsPath), b!.size, "clearing a leaves b's output");
    assert.equal(await page.locator('#b li.card').count(), 2, 'b keeps its cards');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// Frameworks move elements (a keyed list reordered, a modal re-parenting its content): a move must
// not stop an inspection. Taken out for good (an SPA's route change), the element must stop and
// leave no qemu-img worker behind, even when it is removed while a file is on its way to qemu-img.
const MOVE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>moving inspector</title>
<script type="module" src="./image-inspector.js"></script>
</head><body>
<div id="one"><image-inspector id="m"></image-inspector></div>
<div id="two"></div>
<script type="module" src="./embed-listen.js"></script>
</body></html>`;

test('a moved element goes on inspecting; a removed one stops and leaves no worker', async () => {
  const { context, page, problems } = await embeddingPage({
    '/embed-move.html': [MOVE_PAGE, 'text/html'],
    '/embed-listen.js': [LISTEN, 'text/javascript'],
  });
  try {
    let alive = 0;
    page.on('worker', (w) => {
      alive++;
      w.on('close', () => alive--);
    });
    await page.goto(`${fx.server.origin}/embed-move.html`);
    await page.waitForFunction(() => !!customElements.get('image-inspector'));
    const events = () =>
      page.evaluate(
        () => (window as unknown as { __events: Array<{ type: string; detail: { message?: string; info?: unknown } }> }).__events,
      );
    await page.locator('#m #files').setInputFiles([`${fx.corpus.base.dir}/big.qcow2`]);
    // qemu-img is reading it when the element moves to another parent
    await page.locator('#m li.card').getByText('Reading with qemu-img').waitFor({ timeout: 60_000 });
    await page.evaluate(() => document.querySelector('#two')!.append(document.querySelector('#m')!));
    await page.waitForFunction(() => (window as unknown as { __events: unknown[] }).__events.length > 0, null, { timeout: 60_000 });
    const [moved] = await events();
    assert.equal(moved!.type, 'image-inspected', `the move did not stop the inspection: ${moved!.detail.message ?? ''}`);
    assert.ok(moved!.detail.info, 'qemu-img info is in the result');
    assert.ok(alive > 0, 'the inspection worker lives on');

    // Removed while the next file is on its way to qemu-img: the worker ends, no new one starts.
    await page.locator('#m #files').setInputFiles([`${fx.corpus.base.dir}/small.qcow2`]);
    await page.evaluate(() => document.querySelector('#m')!.remove());
    const start = Date.now();
    while (Date.now() - start < 4000) {
      await page.waitForTimeout(200);
      if (Date.now() - start > 2000) assert.equal(alive, 0, 'no qemu-img worker outlives the removed element');
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// lang="ja" is the element's own, and msg() answers in it only while the element renders: a note
// worded later (what a gzip file holds could not be read, a save's outcome) must still be Japanese
// on an English page.
test('lang="ja" on an English page: a note written after the render is Japanese too', async () => {
  const { context, page, problems } = await embeddingPage({
    '/embed-ja.html': [
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ja inspector</title>
<script type="module" src="./image-inspector.js"></script></head>
<body><image-inspector lang="ja"></image-inspector></body></html>`,
      'text/html',
    ],
  });
  try {
    await page.goto(`${fx.server.origin}/embed-ja.html`);
    await page.waitForFunction(() => !!customElements.get('image-inspector'));
    // a gzip header, then bytes no inflater accepts
    const broken = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]), Buffer.alloc(4096, 0xff)]);
    await page.locator('image-inspector #files').setInputFiles([{ name: 'broken.img.gz', mimeType: 'application/gzip', buffer: broken }]);
    const note = page.locator('image-inspector li.card .note').filter({ hasText: /gzip/ });
    await note.waitFor({ timeout: 30_000 });
    const text = await note.innerText();
    assert.match(text, /gzip ファイルの中身を読み取れませんでした/, text);
    assert.doesNotMatch(text, /What the gzip file holds/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// clear() (or "Clear results") while qemu-img reads a file: the card is gone, so the host must not
// hear of it afterwards (a late image-inspected would fill a form from a file the user put away).
test('cleared while qemu-img reads a file: no event for the cleared card, the next file works', async () => {
  const { context, page, problems } = await embeddingPage({
    '/embed-move.html': [MOVE_PAGE, 'text/html'],
    '/embed-listen.js': [LISTEN, 'text/javascript'],
  });
  try {
    await page.goto(`${fx.server.origin}/embed-move.html`);
    await page.waitForFunction(() => !!customElements.get('image-inspector'));
    const events = () =>
      page.evaluate(() => (window as unknown as { __events: Array<{ type: string; detail: { file: string } }> }).__events);
    await page.locator('#m #files').setInputFiles([`${fx.corpus.base.dir}/big.qcow2`]);
    await page.locator('#m li.card').getByText('Reading with qemu-img').waitFor({ timeout: 60_000 });
    await page.evaluate(() => document.querySelector('image-inspector')!.clear());
    await page.waitForTimeout(3000);
    assert.deepEqual(await events(), [], 'nothing is said of the cleared card');
    assert.equal(await page.evaluate(() => document.querySelector('image-inspector')!.busy), false);
    await page.locator('#m #files').setInputFiles([`${fx.corpus.base.dir}/small.qcow2`]);
    await page.waitForFunction(() => (window as unknown as { __events: unknown[] }).__events.length > 0, null, { timeout: 60_000 });
    const [next] = await events();
    assert.equal(next!.type, 'image-inspected');
    assert.equal(next!.detail.file, 'small.qcow2');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
