// One voice per card, in the built app: the advice box follows what the conversion plan allows,
// no finding's fix offers what the card refuses, a rejected file's upload button says why, files
// that are no disk get a warning, a polyglot ISO is explained as two formats, and sizes are the
// ones a browser can know. One page, one selection of every such file (a few seconds in all).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { openApp, chooseFiles, waitForOutcomes, waitForIdle, readCards, type AppPage, type CardView } from './helpers/app-page.ts';
import { appFixture } from './helpers/app-fixture.ts';
import { screenshot } from './helpers/screenshots.ts';

const fx = appFixture(5631);
const T = { timeout: 120_000 };

let scratch: string;
let app: AppPage;
let cards: CardView[];

function card(page: Page, name: string): Locator {
  return page.locator(`image-inspector li.card[data-name="${name}"]`);
}

function byName(name: string): CardView {
  const c = cards.find((x) => x.name === name);
  assert.ok(c, `a card for ${name}`);
  return c;
}

describe('the cards of a dozen good and hostile files', () => {
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ii-e2e-advice-'));
    const hostile = (id: string) => fx.corpus.base.hostile.find((h) => h.id === id)!.path;
    writeFileSync(join(scratch, 'notes.txt'), 'these are notes, not a disk.\n');
    writeFileSync(join(scratch, 'empty.img'), '');
    writeFileSync(join(scratch, 'sparse.raw'), '');
    truncateSync(join(scratch, 'sparse.raw'), 2 * 1024 ** 3);
    // an ISO whose system area carries a qcow2 header (oslo.utils' test_bad_iso_qcow2)
    const iso = Buffer.from(readFileSync(fx.corpus.iso));
    readFileSync(join(fx.corpus.base.dir, 'small.qcow2')).copy(iso, 0, 0, 512);
    writeFileSync(join(scratch, 'two-formats.iso'), iso);
    for (const f of ['small-twoGbMaxExtentSparse.vmdk', 'small-twoGbMaxExtentSparse-s001.vmdk'])
      copyFileSync(join(fx.corpus.base.dir, f), join(scratch, f));
    app = await openApp(fx.browser, fx.server.origin);
    const files = [
      hostile('truncated.qcow2'),
      hostile('no-extents.vmdk'),
      hostile('escaping-extent.vmdk'),
      join(fx.corpus.base.dir, 'overlay.qcow2'),
      join(scratch, 'notes.txt'),
      join(scratch, 'empty.img'),
      join(scratch, 'sparse.raw'),
      join(scratch, 'two-formats.iso'),
      join(scratch, 'small-twoGbMaxExtentSparse.vmdk'),
      join(scratch, 'small-twoGbMaxExtentSparse-s001.vmdk'),
      join(fx.corpus.base.dir, 'small.qcow2'),
    ];
    await chooseFiles(app.page, files);
    await waitForOutcomes(app.page, files.length - 1, 90_000);
    await waitForIdle(app.page, 90_000);
    cards = await readCards(app.page);
  }, T);

  after(async () => {
    await app?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe('advice never contradicts itself', () => {
    test('a truncated qcow2: no convert control until "I know the data is incomplete" is ticked', T, async () => {
      const c = card(app.page, 'truncated.qcow2');
      assert.equal(byName('truncated.qcow2').safe, 'false');
      assert.equal(await c.locator('.convert.advised').count(), 0, 'no highlighted "convert it here"');
      assert.equal(await c.locator('[part=convert-button]').count(), 0, 'no convert control');
      assert.equal(await c.locator('[data-refusal=incomplete]').count(), 1, 'says the file is incomplete');
      assert.doesNotMatch(byName('truncated.qcow2').text, /convert it here|can do the conversion here/i);
      await c.locator('[data-action=acknowledge-incomplete]').check();
      await c.locator('[part=convert-button]').waitFor();
      assert.equal(await c.locator('.convert.advised').count(), 0, 'still not advised after the acknowledgement');
    });

    test('fuzzer-found and hostile descriptors: refused unless overridden, no fix offering a conversion', T, async () => {
      for (const name of ['no-extents.vmdk', 'escaping-extent.vmdk']) {
        const v = byName(name);
        assert.equal(await card(app.page, name).locator('[data-refusal=not-opened]').count(), 1, `${name}: refused`);
        assert.doesNotMatch(v.text, /can do the conversion here|convert it here/i, `${name}: no contradicting fix`);
      }
    });

    test('a backing-file qcow2: the fix and the advice both say "where its parent is"', T, async () => {
      const v = byName('overlay.qcow2');
      assert.equal(await card(app.page, 'overlay.qcow2').locator('[data-refusal=needs-parent]').count(), 1);
      assert.doesNotMatch(v.text, /convert it here if you provide/i);
      assert.match(v.text, /where its backing file is/);
    });

    test('a split VMDK with all its extents: no "select the descriptor together with its extent files"', T, async () => {
      const v = byName('small-twoGbMaxExtentSparse.vmdk');
      assert.doesNotMatch(v.text, /select the descriptor together with its extent files/i);
      assert.equal(await card(app.page, 'small-twoGbMaxExtentSparse.vmdk').locator('.convert.advised').count(), 1);
    });

    test('rejected files: the upload button is disabled and says why; an accepted one is enabled', T, async () => {
      const split = card(app.page, 'small-twoGbMaxExtentSparse.vmdk');
      assert.equal(await split.locator('button.upload').isDisabled(), true);
      assert.match((await split.locator('[data-role=upload-blocked]').textContent()) ?? '', /convert it first/);
      assert.match(
        (await card(app.page, 'no-extents.vmdk').locator('[data-role=upload-blocked]').textContent()) ?? '',
        /safety checks keep qemu-img away from it/,
      );
      // a truncated file can be converted behind the acknowledgement: the reason must not deny it
      const cut = (await card(app.page, 'truncated.qcow2').locator('[data-role=upload-blocked]').textContent()) ?? '';
      assert.match(cut, /incomplete: get the complete file, or convert what is there/);
      assert.doesNotMatch(cut, /cannot be converted/);
      assert.equal(await card(app.page, 'small.qcow2').locator('button.upload').isDisabled(), false);
      assert.equal(await card(app.page, 'small.qcow2').locator('[data-role=upload-blocked]').count(), 0);
    });
  });

  describe('what a file is', () => {
    test('a 29-byte text file and an empty file: accepted as raw, with a "not a bootable disk" warning', T, async () => {
      const text = byName('notes.txt');
      assert.equal(text.safe, 'true', 'the verdict stays honest');
      assert.ok(text.findings.includes('image.not-a-disk'));
      assert.match(text.text, /does not look like a bootable disk/);
      const empty = byName('empty.img');
      assert.equal(empty.safe, 'true');
      assert.ok(empty.findings.includes('image.empty'));
      assert.match(empty.text, /does not look like a bootable disk/);
    });

    test('an ISO with a qcow2 header is explained as two formats at once, not as a cut-short file', T, async () => {
      const v = byName('two-formats.iso');
      assert.equal(v.safe, 'false');
      assert.ok(v.findings.includes('format.multiple'));
      assert.ok(!v.findings.includes('image.truncated'));
      assert.match(v.text, /two formats at once/);
      assert.doesNotMatch(v.text, /incomplete download or copy/);
    });

    test('sizes: "File size" is the length the browser knows; a sparse raw does not claim 100 % data', T, async () => {
      const sparse = byName('sparse.raw');
      assert.equal(sparse.fields['file-size']?.value, String(2 * 1024 ** 3));
      assert.equal(sparse.fields['actual-size'], undefined, 'no qemu-img "disk size" from a browser');
      assert.equal(sparse.fields['allocated'], undefined, 'no data percentage for raw data');
      assert.doesNotMatch(sparse.text, /100(\.0)? %/);
      assert.match(sparse.text, /holes are not visible to a browser/);
      assert.ok(!/Disk size/.test(byName('small.qcow2').text), 'no "Disk size" label anywhere');
      await screenshot(app.page, 'inspect-advice');
    });

    test('narrow cards wrap between words, never inside one ("streamOptimize d")', T, async () => {
      await app.page.setViewportSize({ width: 560, height: 900 });
      try {
        const broken = await app.page.locator('image-inspector').evaluate((el) => {
          const out: string[] = [];
          for (const cell of (el as HTMLElement).shadowRoot!.querySelectorAll('td, dd')) {
            const text = cell.textContent?.trim() ?? '';
            if (!/^[A-Za-z][A-Za-z0-9]*$/.test(text)) continue;
            const r = document.createRange();
            r.selectNodeContents(cell);
            if (new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1) out.push(text);
          }
          return out;
        });
        assert.deepEqual(broken, [], 'single words split over lines');
      } finally {
        await app.page.setViewportSize({ width: 1200, height: 900 });
      }
    });
  });
});
