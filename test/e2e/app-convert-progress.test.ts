// What a user sees of a conversion beyond its outcome, in real Chromium: the command line shown
// for a disk inside an OVA runs as shown with native qemu-img; the verification's figures are its
// own (not the conversion's rate and "0:00 left"); and Cancel is answered at once (Chromium lets a
// terminated worker run on for up to 2 s: its progress must not keep the bar moving meanwhile).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openApp, chooseFiles, waitForOutcomes, waitForIdle } from './helpers/app-page.ts';
import { appFixture } from './helpers/app-fixture.ts';
import { OPFS_FILES, converted, fetchOpfs, opfsFiles, recordConversions } from './helpers/opfs.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

const fx = appFixture(5608);

let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'ii-convert-progress-e2e-'));
  // 1 GiB virtual, 96 MiB of random data (sparse on the host): a streamOptimized VMDK of it takes
  // seconds (compression), long enough to cancel mid-way.
  const raw = join(work, 'data.raw');
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', raw, '1G']);
  execFileSync('dd', ['if=/dev/urandom', `of=${raw}`, 'bs=1M', 'count=96', 'seek=100', 'conv=notrunc', 'status=none']);
  execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, join(work, 'data.qcow2')]);
  rmSync(raw);
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const card = (page: Page, name: string) => page.locator(`li.card[data-name="${name}"]`);

/** Starts collecting every text the progress line of the card shows, in order. */
async function recordProgressTexts(page: Page): Promise<void> {
  await page.locator('image-inspector').evaluate((el) => {
    const w = window as unknown as { __progress: string[] };
    w.__progress = [];
    const root = (el as HTMLElement).shadowRoot!;
    new MutationObserver(() => {
      for (const p of root.querySelectorAll('.convert-progress-text')) {
        const t = p.textContent?.trim() ?? '';
        if (t && w.__progress[w.__progress.length - 1] !== t) w.__progress.push(t);
      }
    }).observe(root, { subtree: true, childList: true, characterData: true });
  });
}

const progressTexts = (page: Page) => page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);

test('a disk inside an OVA: the command shown runs with native qemu-img as shown, and gives the same disk', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await recordConversions(app.page);
    await chooseFiles(app.page, [fx.corpus.ova]);
    await waitForOutcomes(app.page, 1);
    await waitForIdle(app.page);
    const ova = card(app.page, 'appliance.ova');
    assert.equal(await ova.locator('select.convert-target').inputValue(), 'qcow2');
    const shown = (await ova.locator('.convert-command code').innerText()).trim();
    assert.match(shown, /^qemu-img convert -p --image-opts -O qcow2 -o compat=1\.1 driver=vmdk,file\.driver=raw,file\.offset=\d+,/);
    await ova.locator('button.convert-button').click();
    const [done] = await converted(app.page, 1);
    await waitForOutcomes(app.page, 2);
    const dir = join(work, 'ova');
    execFileSync('mkdir', ['-p', dir]);
    symlinkSync(fx.corpus.ova, join(dir, 'appliance.ova'));
    // Run as a user pastes it, in the OVA's folder.
    execFileSync('sh', ['-c', shown.replace(/^qemu-img /, `'${NATIVE_QEMU_IMG}' `)], { cwd: dir, stdio: 'pipe' });
    execFileSync(NATIVE_QEMU_IMG, ['compare', '-q', '-f', 'vmdk', '-F', 'qcow2', fx.corpus.ovaDisk, join(dir, 'appliance.qcow2')]);
    const page = join(work, 'page.qcow2');
    await fetchOpfs(app.page, done!.opfsPath, page);
    execFileSync(NATIVE_QEMU_IMG, ['compare', '-q', '-f', 'qcow2', '-F', 'qcow2', join(dir, 'appliance.qcow2'), page]);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('the verification shows its own figures: no rate or time left carried over from the conversion', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await chooseFiles(app.page, [join(work, 'data.qcow2')]);
    await waitForOutcomes(app.page, 1);
    await waitForIdle(app.page);
    await recordProgressTexts(app.page);
    const c = card(app.page, 'data.qcow2');
    await c.locator('select.convert-target').selectOption('vmdk');
    await c.locator('button.convert-button').click();
    await c.locator('.convert[data-status=done]').waitFor({ timeout: 120_000 });
    const texts = await progressTexts(app.page);
    const converting = texts.filter((t) => t.startsWith('Converting'));
    assert.ok(
      converting.some((t) => /\/s · /.test(t)),
      `the conversion (seconds long) showed a rate: ${converting.join(' | ')}`,
    );
    const verifying = texts.filter((t) => t.startsWith('Verifying'));
    assert.ok(verifying.length > 0, texts.join(' | '));
    // The first figures of a phase cannot know a rate (< 0.5 s) nor the time left (< 1.5 s).
    assert.match(verifying[0]!, /^Verifying the output against the source \(qemu-img compare\): \d+ % · .* · estimating the time left…$/);
    assert.doesNotMatch(verifying[0]!, /\/s · /, 'no rate yet');
    assert.ok(!verifying.some((t) => /: 0 % .* 0:00 left/.test(t)), `never "0:00 left" at 0 %: ${verifying.join(' | ')}`);
    assert.ok(!verifying.some((t) => / written/.test(t)), `a verification writes nothing: ${verifying.join(' | ')}`);
    assert.ok(
      converting.some((t) => / written/.test(t)),
      'the conversion says what it wrote',
    );
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('Cancel is answered at once: the figures stop, the button is spent, then the partial output is gone', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await chooseFiles(app.page, [join(work, 'data.qcow2')]);
    await waitForOutcomes(app.page, 1);
    await waitForIdle(app.page);
    const c = card(app.page, 'data.qcow2');
    await c.locator('select.convert-target').selectOption('vmdk');
    await c.locator('button.convert-button').click();
    await c.locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });
    await app.page.waitForFunction(OPFS_FILES + `.then((files) => files.some((f) => f.endsWith('/data.vmdk')), () => false)`, undefined, {
      timeout: 30_000,
    });
    await recordProgressTexts(app.page);
    await c.locator('button.convert-cancel').click();
    const text = c.locator('.convert-progress-text');
    await assert.doesNotReject(
      text.filter({ hasText: 'Cancelling: stopping qemu-img and deleting the partial output…' }).waitFor({ timeout: 1000 }),
      'said at once',
    );
    assert.equal(await c.locator('button.convert-cancel').getAttribute('aria-disabled'), 'true');
    await c.locator('.convert[data-status=cancelled]').waitFor({ timeout: 30_000 });
    const after = await progressTexts(app.page);
    const i = after.findIndex((t) => t.startsWith('Cancelling'));
    assert.ok(i >= 0, after.join(' | '));
    assert.ok(
      after.slice(i + 1).every((t) => t.startsWith('Cancelling')),
      `no figures after Cancel: ${after.slice(i).join(' | ')}`,
    );
    assert.equal((await c.locator('.convert-status').innerText()).trim(), 'Conversion cancelled; its partial output was deleted.');
    assert.deepEqual(await opfsFiles(app.page), []);
    // The card can convert again.
    assert.equal(await c.locator('button.convert-button').isEnabled(), true);
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});
