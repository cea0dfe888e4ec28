// The page's override of the safety checks for a local conversion (issue 9: "a hostile input:
// refused by the verdict; the user may override for a local conversion only, with the reason
// shown"), in real Chromium: files the checks keep qemu-img away from offer no convert control
// until the override is ticked. A monolithicFlat descriptor with a line Glance cannot place
// (qemu-img ignores it) then converts with its extent, and native `qemu-img compare` finds the
// output equal to it; a descriptor whose extent escapes to /etc/passwd fails with qemu-img's own
// sentence (the tab mounts only the chosen files) and leaves nothing in OPFS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openApp, chooseFiles, waitForOutcomes, waitForIdle, readCards } from './helpers/app-page.ts';
import { appFixture } from './helpers/app-fixture.ts';
import { converted, fetchOpfs, opfsFiles, recordConversions } from './helpers/opfs.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

const fx = appFixture(5609);
let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'ii-override-e2e-'));
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const card = (page: Page, name: string) => page.locator(`li.card[data-name="${name}"]`);

test('kept from qemu-img: converted only behind the override; an odd descriptor converts and verifies, an escaping extent fails and leaves nothing', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  const { page } = app;
  try {
    await recordConversions(page);
    const base = fx.corpus.base.dir;
    const odd = join(work, 'odd.vmdk');
    const descriptor = readFileSync(join(base, 'small-monolithicFlat.vmdk'), 'utf8');
    writeFileSync(
      odd,
      descriptor.replace('createType="monolithicFlat"\n', 'createType="monolithicFlat"\nthis line is no descriptor setting\n'),
    );
    const flat = join(work, 'small-monolithicFlat-flat.vmdk');
    copyFileSync(join(base, 'small-monolithicFlat-flat.vmdk'), flat);
    const escaping = fx.corpus.base.hostile.find((h) => h.id === 'escaping-extent.vmdk')!.path;
    await chooseFiles(page, [odd, flat]);
    await chooseFiles(page, [escaping]);
    await waitForOutcomes(page, 2);
    await waitForIdle(page);

    const lone = card(page, 'odd.vmdk');
    assert.equal(await lone.locator('[data-refusal=not-opened]').count(), 1, 'the reason is shown');
    assert.match((await lone.locator('[data-role=upload-blocked]').textContent()) ?? '', /safety checks keep qemu-img away from it/);
    assert.equal(await lone.locator('button.convert-button').count(), 0, 'no convert control before the override');
    await lone.locator('[data-action=override-safety]').check();
    // The override is for a conversion on this machine: the file itself still goes nowhere.
    assert.equal(await lone.locator('button.upload').isDisabled(), true, 'no upload of an overridden file');
    await lone.locator('button.convert-button').click();
    const [done] = await converted(page, 1);
    assert.equal(done!.source, 'odd.vmdk');
    assert.match((await lone.locator('.convert-ran code').textContent()) ?? '', /^qemu-img convert -p -f vmdk -O qcow2 /);
    const host = join(work, 'odd.qcow2');
    await fetchOpfs(page, done!.opfsPath, host);
    execFileSync(NATIVE_QEMU_IMG, ['compare', '-q', '-f', 'vmdk', '-F', 'qcow2', odd, host]);
    await waitForOutcomes(page, 3);
    await waitForIdle(page);
    const out = (await readCards(page)).find((c) => c.name === done!.outputName);
    assert.equal(out?.safe, 'true', 'the output is inspected again, and Glance would take it');

    const hostile = card(page, 'escaping-extent.vmdk');
    await hostile.locator('[data-action=override-safety]').check();
    await hostile.locator('button.convert-button').click();
    await hostile.locator('.convert[data-status=failed]').waitFor({ timeout: 60_000 });
    const said = (await hostile.locator('.convert-status').textContent()) ?? '';
    assert.match(said, /Could not open|No such file|extent/i, said);
    assert.deepEqual(await opfsFiles(page), [done!.opfsPath], 'nothing left of the failed run');
    assert.equal((await converted(page, 1)).length, 1, 'no image-converted for the failed run');
  } finally {
    await app.close();
  }
});
