// Conversion in the built app, in real Chromium: a monolithicFlat VMDK (Glance rejects the layout,
// the fix is to convert) becomes a qcow2 in OPFS that the app inspects as a new, safe card; the
// output read back from OPFS equals the source for native `qemu-img compare`. A conversion
// cancelled mid-way leaves no OPFS file, the next one works, and clearing deletes the outputs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openApp, chooseFiles, waitForOutcomes, readCards, waitForIdle, cspViolations } from './helpers/app-page.ts';
import { appFixture } from './helpers/app-fixture.ts';
import { OPFS_FILES, converted, fetchOpfs, opfsFiles, recordConversions } from './helpers/opfs.ts';

const fx = appFixture(5606);

let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ii-convert-e2e-'));
  // Large enough that a conversion is still running when Cancel is clicked (seconds), sparse on
  // the host so it costs no disk.
  execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', join(work, 'slow.vmdk'), '2G']);
});
after(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const card = (page: Page, name: string) => page.locator(`li.card[data-name="${name}"]`);

/** The corpus's monolithicFlat VMDK converted to qcow2 in `page`: the output's card, once it offers Save as…. */
async function convertedForSaving(page: Page) {
  await chooseFiles(page, [
    join(fx.corpus.base.dir, 'small-monolithicFlat.vmdk'),
    join(fx.corpus.base.dir, 'small-monolithicFlat-flat.vmdk'),
  ]);
  await waitForIdle(page);
  await card(page, 'small-monolithicFlat.vmdk').locator('button.convert-button').click();
  const out = card(page, 'small-monolithicFlat.qcow2');
  await out.locator('button.save').waitFor({ timeout: 60_000 });
  return out;
}

test('monolithicFlat VMDK → qcow2: safe new card, equal to the source; cancel leaves nothing; clear deletes', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  const { page } = app;
  try {
    await recordConversions(page);
    const src = join(fx.corpus.base.dir, 'small-monolithicFlat.vmdk');
    await chooseFiles(page, [src, join(fx.corpus.base.dir, 'small-monolithicFlat-flat.vmdk')]);
    await waitForOutcomes(page, 1);
    await waitForIdle(page);
    const [before] = await readCards(page);
    assert.equal(before?.safe, 'false', 'Glance rejects a monolithicFlat VMDK');

    // The fix is to convert: the control is the prominent one, qcow2 preselected.
    const source = card(page, 'small-monolithicFlat.vmdk');
    await source.locator('.convert.advised').waitFor();
    assert.equal(await source.locator('select.convert-target').inputValue(), 'qcow2');
    await source.locator('button.convert-button').click();

    const [first] = await converted(page, 1);
    assert.deepEqual(
      { source: first!.source, target: first!.target, outputName: first!.outputName },
      { source: 'small-monolithicFlat.vmdk', target: 'qcow2', outputName: 'small-monolithicFlat.qcow2' },
    );
    await waitForOutcomes(page, 2);
    await waitForIdle(page);
    const out = (await readCards(page)).find((c) => c.name === 'small-monolithicFlat.qcow2');
    assert.ok(out, 'the output is inspected as a new card');
    assert.equal(out.safe, 'true', out.text);
    assert.equal(out.properties['disk_format'], 'qcow2');
    assert.match(out.text, /small-monolithicFlat\.vmdk/, 'says what it was converted from');
    assert.equal(await card(page, 'small-monolithicFlat.qcow2').locator('button.save').count(), 1, 'offers Save as…');
    assert.equal(await card(page, 'small-monolithicFlat.qcow2').locator('button.upload').count(), 1, 'offers the upload');

    const host = join(work, 'out.qcow2');
    assert.equal(await fetchOpfs(page, first!.opfsPath, host), first!.size);
    execFileSync('qemu-img', ['compare', '-q', '-f', 'vmdk', '-F', 'qcow2', src, host]);
    assert.equal(
      JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-f', 'qcow2', host], { encoding: 'utf8' }))['format'],
      'qcow2',
    );

    // Cancel mid-way: the worker is stopped and the partial output deleted.
    await chooseFiles(page, [join(work, 'slow.vmdk'), join(work, 'slow-flat.vmdk')]);
    await waitForOutcomes(page, 3);
    await waitForIdle(page);
    const slow = card(page, 'slow.vmdk');
    await slow.locator('button.convert-button').click();
    await slow.locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });
    // "running" shows before the worker has opened its output: wait until the file exists.
    await page.waitForFunction(OPFS_FILES + `.then((files) => files.some((f) => f.endsWith('/slow.qcow2')), () => false)`, undefined, {
      timeout: 30_000,
    });
    assert.equal(await slow.locator('.convert').getAttribute('data-status'), 'running', 'still running when cancelled');
    await slow.locator('button.convert-cancel').click();
    await slow
      .locator('.convert[data-status=cancelled], .convert[data-status=failed], .convert[data-status=done]')
      .waitFor({ timeout: 30_000 });
    assert.equal(await slow.locator('.convert').getAttribute('data-status'), 'cancelled', await slow.locator('.convert').innerText());
    assert.deepEqual(await opfsFiles(page), [first!.opfsPath], 'only the finished output is left');

    // The next conversion (a fresh worker) works: the same source to a streamOptimized VMDK.
    await source.locator('select.convert-target').selectOption('vmdk');
    await source.locator('button.convert-button').click();
    const [, second] = await converted(page, 2);
    assert.equal(second!.outputName, 'small-monolithicFlat-converted.vmdk');
    await waitForOutcomes(page, 4);
    await waitForIdle(page);
    const vmdk = (await readCards(page)).find((c) => c.name === 'small-monolithicFlat-converted.vmdk');
    assert.equal(vmdk?.safe, 'true', vmdk?.text);
    assert.equal(vmdk?.properties['disk_format'], 'vmdk');
    const hostVmdk = join(work, 'out.vmdk');
    await fetchOpfs(page, second!.opfsPath, hostVmdk);
    execFileSync('qemu-img', ['compare', '-q', '-f', 'vmdk', '-F', 'vmdk', src, hostVmdk]);

    // Clearing the results deletes every output from OPFS.
    await page.locator('image-inspector button.clear').click();
    // Polled while the removal runs: a folder vanishing mid-walk (NotFoundError) means "not yet".
    await page.waitForFunction(OPFS_FILES + `.then((files) => files.length === 0, () => false)`, undefined, { timeout: 10_000 });
    assert.deepEqual(await opfsFiles(page), []);
    assert.deepEqual(app.problems, []);
    assert.deepEqual(await cspViolations(page), []);
  } finally {
    await app.close();
  }
});

test('Japanese: the conversion control and outcome are translated', async () => {
  const app = await openApp(fx.browser, fx.server.origin, '?lang=ja');
  try {
    await chooseFiles(app.page, [
      join(fx.corpus.base.dir, 'small-monolithicFlat.vmdk'),
      join(fx.corpus.base.dir, 'small-monolithicFlat-flat.vmdk'),
    ]);
    await waitForOutcomes(app.page, 1);
    await waitForIdle(app.page);
    const source = card(app.page, 'small-monolithicFlat.vmdk');
    assert.equal((await source.locator('button.convert-button').innerText()).trim(), '変換…');
    await source.locator('button.convert-button').click();
    await waitForOutcomes(app.page, 2);
    await waitForIdle(app.page);
    assert.match(await source.locator('.convert-status').innerText(), /small-monolithicFlat\.qcow2 に変換しました/);
    assert.match(await card(app.page, 'small-monolithicFlat.qcow2').innerText(), /から変換したイメージです/);
  } finally {
    await app.close();
  }
});

test('too little room in the browser storage: said plainly before the conversion, nothing left (during: app-convert-faults)', async () => {
  // Before: a 64 GiB disk (sparse on the host) whose qcow2 would need more than the browser has.
  execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', join(work, 'huge.vmdk'), '64G']);
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    const { quota } = await app.page.evaluate(() => navigator.storage.estimate());
    assert.ok(quota !== undefined && quota < 64 * 2 ** 30, `this check needs a quota below 64 GiB (got ${quota})`);
    await chooseFiles(app.page, [join(work, 'huge.vmdk'), join(work, 'huge-flat.vmdk')]);
    await waitForOutcomes(app.page, 1);
    await waitForIdle(app.page);
    const huge = card(app.page, 'huge.vmdk');
    await huge.locator('button.convert-button').click();
    await huge.locator('.convert[data-status=failed]').waitFor({ timeout: 60_000 });
    assert.match(
      await huge.locator('.convert-status').innerText(),
      /^Not enough room in the browser’s storage: the output needs up to [\d.,]+ GiB, [\d.,]+ [GMK]iB are free\./,
    );
    assert.deepEqual(await opfsFiles(app.page), [], 'nothing written');
  } finally {
    await app.close();
  }
});

test('outputs of a tab closed without clearing are swept by the next conversion in another tab', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  const pair = [join(fx.corpus.base.dir, 'small-monolithicFlat.vmdk'), join(fx.corpus.base.dir, 'small-monolithicFlat-flat.vmdk')];
  try {
    const convertIn = async (page: Page) => {
      await chooseFiles(page, pair);
      await waitForIdle(page);
      const source = card(page, 'small-monolithicFlat.vmdk');
      await source.locator('button.convert-button').click();
      await source.locator('.convert[data-status=done]').waitFor({ timeout: 60_000 });
    };
    const pageA = await app.context.newPage();
    await pageA.goto(fx.server.origin);
    await convertIn(pageA);
    const left = await opfsFiles(pageA);
    assert.equal(left.length, 1, 'tab A wrote its output');
    await pageA.close();

    await convertIn(app.page);
    const now = await opfsFiles(app.page);
    assert.equal(now.length, 1, `only this tab's output is left: ${now.join(', ')}`);
    assert.notEqual(now[0], left[0]);
  } finally {
    await app.close();
  }
});

test('Save as… without the File System Access API: a download of the OPFS file, equal to the source', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    // Browsers without showSaveFilePicker (Firefox, Safari) take the <a download> path.
    await app.page.evaluate(() => {
      delete (window as unknown as { showSaveFilePicker?: unknown }).showSaveFilePicker;
    });
    const src = join(fx.corpus.base.dir, 'small-monolithicFlat.vmdk');
    const out = await convertedForSaving(app.page);
    const [download] = await Promise.all([app.page.waitForEvent('download'), out.locator('button.save').click()]);
    assert.equal(download.suggestedFilename(), 'small-monolithicFlat.qcow2');
    const saved = join(work, 'saved.qcow2');
    await download.saveAs(saved);
    execFileSync('qemu-img', ['compare', '-q', '-f', 'vmdk', '-F', 'qcow2', src, saved]);
  } finally {
    await app.close();
  }
});

test('Save as… through the save dialog: the file is written, and the card says when it is all there', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    // A headless browser shows no dialog: the chosen file is an OPFS handle, as a dialog returns one.
    await app.page.evaluate(() => {
      (window as unknown as { showSaveFilePicker: () => Promise<FileSystemFileHandle> }).showSaveFilePicker = async () =>
        (await navigator.storage.getDirectory()).getFileHandle('chosen.qcow2', { create: true });
    });
    const src = join(fx.corpus.base.dir, 'small-monolithicFlat.vmdk');
    const out = await convertedForSaving(app.page);
    await out.locator('button.save').click();
    await out.getByText(/^Saved as chosen\.qcow2 \([\d.]+ [KM]iB\)\.$/).waitFor({ timeout: 30_000 });
    const saved = join(work, 'chosen.qcow2');
    await fetchOpfs(app.page, 'chosen.qcow2', saved);
    execFileSync('qemu-img', ['compare', '-q', '-f', 'vmdk', '-F', 'qcow2', src, saved]);
  } finally {
    await app.close();
  }
});

test('Save as… when the browser refuses the save dialog: a download instead, and the card says why', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    // What Chromium throws without a user activation left, or under a policy.
    await app.page.evaluate(() => {
      (window as unknown as { showSaveFilePicker: () => Promise<never> }).showSaveFilePicker = () =>
        Promise.reject(new DOMException('Must be handling a user gesture to show a file picker.', 'SecurityError'));
    });
    const out = await convertedForSaving(app.page);
    const [download] = await Promise.all([app.page.waitForEvent('download'), out.locator('button.save').click()]);
    assert.equal(download.suggestedFilename(), 'small-monolithicFlat.qcow2');
    await download.cancel();
    assert.match(await out.innerText(), /The browser refused the save dialog \(SecurityError: Must be handling a user gesture/);
  } finally {
    await app.close();
  }
});
