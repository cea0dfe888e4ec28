// Faults of a page conversion, in real Chromium, each checked for its own sentence, nothing left
// in OPFS, and an app that keeps working (the next inspection and the next conversion): the tab
// closed mid-run (its partial output deleted at the next load, which says so, before any other
// conversion), the source removed from disk mid-run, and the storage quota shrunk mid-run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openApp, chooseFiles, waitForOutcomes, waitForIdle } from './helpers/app-page.ts';
import { appFixture } from './helpers/app-fixture.ts';
import { OPFS_FILES, opfsFiles, stubSaveDialog } from './helpers/opfs.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

const fx = appFixture(5681);
let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'ii-convert-faults-'));
  // Seconds to convert, sparse on the host.
  for (const n of ['closed', 'gone']) {
    execFileSync(NATIVE_QEMU_IMG, ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', join(work, `${n}.vmdk`), '2G']);
  }
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const card = (page: Page, name: string) => page.locator(`li.card[data-name="${name}"]`).first();
const small = () => join(fx.corpus.base.dir, 'small.vdi');

/** The app still inspects a new file, and converts it (verified) into OPFS. */
async function keepsWorking(page: Page, inspectedBefore: number): Promise<void> {
  await chooseFiles(page, [small()]);
  await waitForOutcomes(page, inspectedBefore + 1);
  await waitForIdle(page);
  const c = card(page, 'small.vdi');
  await c.locator('button.convert-button').click();
  await c.locator('.convert[data-status=done], .convert[data-status=failed]').waitFor({ timeout: 60_000 });
  assert.match(await c.locator('.convert-status').innerText(), /Verified/);
}

async function runningWithOutput(page: Page, name: string, output: string): Promise<void> {
  const c = card(page, name);
  await c.locator('button.convert-button').click();
  await c.locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });
  await page.waitForFunction(OPFS_FILES + `.then((f) => f.some((x) => x.endsWith('/${output}')), () => false)`, undefined, {
    timeout: 30_000,
  });
}

test('a tab closed mid-run: the next load deletes its partial output before any conversion, and says so', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    const doomed = await app.context.newPage();
    await doomed.goto(fx.server.origin);
    await chooseFiles(doomed, [join(work, 'closed.vmdk'), join(work, 'closed-flat.vmdk')]);
    await waitForIdle(doomed);
    await runningWithOutput(doomed, 'closed.vmdk', 'closed.qcow2');
    await doomed.close();

    // A fresh load of the app, no conversion asked for.
    await app.page.reload();
    const notice = app.page.locator('image-inspector .leftover-notice');
    await notice.waitFor({ timeout: 30_000 });
    assert.match(
      await notice.innerText(),
      /^A conversion was still running when its tab was closed: its partial output \(closed\.qcow2, [\d.]+ [KMG]?i?B\) was deleted from the browser’s storage\./,
    );
    assert.deepEqual(await opfsFiles(app.page), [], 'nothing left of the closed tab');
    await notice.locator('button.leftover-dismiss').click();
    assert.equal(await notice.count(), 0, 'dismissed');

    await keepsWorking(app.page, 0);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('the finished outputs of a tab closed without clearing: deleted at the next load, and said so', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    const other = await app.context.newPage();
    await other.goto(fx.server.origin);
    await chooseFiles(other, [small()]);
    await waitForIdle(other);
    await card(other, 'small.vdi').locator('button.convert-button').click();
    await card(other, 'small.vdi').locator('.convert[data-status=done]').waitFor({ timeout: 60_000 });
    await other.close();

    const next = await app.context.newPage();
    await next.goto(fx.server.origin);
    const notice = next.locator('image-inspector .leftover-notice');
    await notice.waitFor({ timeout: 30_000 });
    assert.match(
      await notice.innerText(),
      /^Conversion outputs a closed tab had left in the browser’s storage \(small\.qcow2, [\d.]+ [KMG]?i?B\) were deleted; convert again to get them back\./,
    );
    assert.deepEqual(await opfsFiles(next), []);
    // The page that lives on was not told about what it never had to do with: its load found nothing.
    assert.equal(await app.page.locator('image-inspector .leftover-notice').count(), 0);
  } finally {
    await app.close();
  }
});

test('a live tab’s running conversion is never swept by another tab’s load', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await chooseFiles(app.page, [join(work, 'closed.vmdk'), join(work, 'closed-flat.vmdk')]);
    await waitForIdle(app.page);
    await runningWithOutput(app.page, 'closed.vmdk', 'closed.qcow2');
    const other = await app.context.newPage();
    await other.goto(fx.server.origin);
    await other.locator('image-inspector').waitFor();
    const c = card(app.page, 'closed.vmdk');
    await c.locator('.convert[data-status=done], .convert[data-status=failed]').waitFor({ timeout: 120_000 });
    assert.match(await c.locator('.convert-status').innerText(), /Verified/);
    assert.equal(await other.locator('image-inspector .leftover-notice').count(), 0);
    assert.equal((await opfsFiles(other)).length, 1, 'the live tab keeps its output');
  } finally {
    await app.close();
  }
});

test('the source removed from disk mid-run: said so, nothing left, the app keeps working', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    const flat = join(work, 'gone-flat.vmdk');
    await chooseFiles(app.page, [join(work, 'gone.vmdk'), flat]);
    await waitForOutcomes(app.page, 1);
    await waitForIdle(app.page);
    await runningWithOutput(app.page, 'gone.vmdk', 'gone.qcow2');
    rmSync(flat);
    const c = card(app.page, 'gone.vmdk');
    await c.locator('.convert[data-status=failed], .convert[data-status=done]').waitFor({ timeout: 60_000 });
    assert.equal(
      (await c.locator('.convert-status').innerText()).trim(),
      'The source file changed or was removed on disk during the conversion; the partial output was deleted. Choose the file again.',
    );
    await app.page.waitForFunction(OPFS_FILES + `.then((f) => f.length === 0, () => false)`, undefined, { timeout: 20_000 });
    await keepsWorking(app.page, 1);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('the quota shrunk mid-run: said so, nothing left; with room again the app converts and inspects', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    // The estimate says there is room, but writes fail (the origin's quota shrunk through CDP,
    // which navigator.storage.estimate() does not reflect — like a disk filling up meanwhile).
    const cdp = await app.context.newCDPSession(app.page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: fx.server.origin, quotaSize: 64 * 1024 });
    await chooseFiles(app.page, [
      join(fx.corpus.base.dir, 'small-monolithicFlat.vmdk'),
      join(fx.corpus.base.dir, 'small-monolithicFlat-flat.vmdk'),
    ]);
    await waitForOutcomes(app.page, 1);
    await waitForIdle(app.page);
    const c = card(app.page, 'small-monolithicFlat.vmdk');
    await c.locator('button.convert-button').click();
    await c.locator('.convert[data-status=failed], .convert[data-status=done]').waitFor({ timeout: 60_000 });
    assert.match(await c.locator('.convert-status').innerText(), /^The browser’s storage ran out of room during the conversion \(.+\)\.$/);
    assert.deepEqual(await opfsFiles(app.page), []);
    assert.equal(await app.page.locator('li.card').count(), 1, 'no output card');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: fx.server.origin });
    await keepsWorking(app.page, 1);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('Convert to a file…, the source removed mid-run: said so truly (nothing written into the chosen file), the new file removed', async () => {
  execFileSync(NATIVE_QEMU_IMG, ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', join(work, 'gone2.vmdk'), '2G']);
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await stubSaveDialog(app.page);
    const flat = join(work, 'gone2-flat.vmdk');
    await chooseFiles(app.page, [join(work, 'gone2.vmdk'), flat]);
    await waitForOutcomes(app.page, 1);
    await waitForIdle(app.page);
    const c = card(app.page, 'gone2.vmdk');
    await c.locator('button.convert-file-button').click();
    await c.locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });
    await app.page.waitForFunction(OPFS_FILES + `.then((f) => f.includes('chosen/gone2.qcow2'), () => false)`, undefined, {
      timeout: 30_000,
    });
    rmSync(flat);
    await c.locator('.convert[data-status=failed], .convert[data-status=done]').waitFor({ timeout: 60_000 });
    assert.equal(
      (await c.locator('.convert-status').innerText()).trim(),
      'The source file changed or was removed on disk during the conversion; nothing was written into the file you chose (a new, empty file the save dialog created was removed). Choose the file again.',
    );
    await app.page.waitForFunction(OPFS_FILES + `.then((f) => f.length === 0, () => false)`, undefined, { timeout: 20_000 });
    await keepsWorking(app.page, 1);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('a tab closed during Convert to a file…: the next load says the chosen file got nothing, and leaves the file alone', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    const doomed = await app.context.newPage();
    await doomed.goto(fx.server.origin);
    await stubSaveDialog(doomed);
    await chooseFiles(doomed, [join(work, 'closed.vmdk'), join(work, 'closed-flat.vmdk')]);
    await waitForIdle(doomed);
    const c = card(doomed, 'closed.vmdk');
    await c.locator('button.convert-file-button').click();
    await c.locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });
    await doomed.waitForFunction(`(${OPFS_FILES}).then((f) => f.includes('chosen/closed.qcow2'), () => false)`, undefined, {
      timeout: 30_000,
    });
    await doomed.close();

    await app.page.reload();
    const notice = app.page.locator('image-inspector .leftover-notice');
    await notice.waitFor({ timeout: 30_000 });
    assert.equal(
      (await notice.innerText()).replace(/\s*Dismiss$/, '').trim(),
      'A conversion into the file you chose (closed.qcow2) was still running when its tab was closed: nothing was written into it, so a file the save dialog created is empty. Delete it, or convert again.',
    );
    // The user's file is theirs: still there, and empty as the sentence says.
    const size = await app.page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('chosen');
      return (await (await dir.getFileHandle('closed.qcow2')).getFile()).size;
    });
    assert.equal(size, 0);
    // Said once: the next load has nothing to say.
    await app.page.reload();
    await app.page.locator('image-inspector').waitFor();
    await app.page.waitForTimeout(4000);
    assert.equal(await notice.count(), 0);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});
