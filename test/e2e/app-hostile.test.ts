// Hostile input in the built app: metadata carrying HTML is shown as text, and a qemu-img crash on
// one file leaves that card with an error while the next file is inspected normally.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTML_PAYLOAD } from './helpers/app-corpus.ts';
import { openApp, chooseFiles, waitForOutcomes, readCards, waitForIdle, cspViolations } from './helpers/app-page.ts';
import { nativeInfo, comparableInfo } from './helpers/native.ts';
import { appFixture } from './helpers/app-fixture.ts';
import { NATIVE_QEMU_IMG, ENGINE_REFUSES_NO_EXTENTS } from '../helpers/engine.ts';

const fx = appFixture(5602);

let scratch: string;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'ii-e2e-hostile-'));
});
after(async () => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Elements inside the inspector's shadow root that only markup from an image could have made. */
async function injectedElements(page: import('playwright-core').Page): Promise<number> {
  return page
    .locator('image-inspector')
    .evaluate((el) => (el as HTMLElement).shadowRoot!.querySelectorAll('img, b, script, iframe').length);
}

describe('metadata is rendered as text, never as HTML', () => {
  test('qcow2 backing file name, VMDK ddb.adapterType and a file name carrying markup', async () => {
    const htmlName = join(scratch, '<b>bold.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', htmlName, '1M']);
    const app = await openApp(fx.browser, fx.server.origin);
    try {
      await chooseFiles(app.page, [fx.corpus.htmlBacking, fx.corpus.htmlAdapter, fx.corpus.htmlAdapterExtent, htmlName]);
      await waitForOutcomes(app.page, 3);
      await waitForIdle(app.page);
      const cards = await readCards(app.page);
      assert.equal(cards.length, 3);
      const backing = cards.find((c) => c.name === 'html-backing.qcow2')!;
      assert.equal(backing.fields['backing-filename']?.text, `${HTML_PAYLOAD}.qcow2`, 'backing file shown literally');
      assert.ok(backing.text.includes(`${HTML_PAYLOAD}.qcow2`));
      const adapter = cards.find((c) => c.name === 'html-adapter.vmdk')!;
      assert.equal(adapter.fields['vmdk-adapter-type']?.text, HTML_PAYLOAD, 'ddb.adapterType shown literally');
      assert.ok(
        cards.some((c) => c.name === '<b>bold.qcow2'),
        'file name shown literally',
      );
      assert.equal(await injectedElements(app.page), 0, 'no element was created from metadata');
      await assert.doesNotReject(app.page.getByText(`${HTML_PAYLOAD}.qcow2`).first().waitFor({ state: 'visible' }));
      assert.deepEqual(await cspViolations(app.page), [], 'nothing even tried to load');
    } finally {
      await app.close();
    }
  });
});

describe('a qemu-img crash on one file leaves the next file working', () => {
  test('VMDK whose only extent is RDONLY: qemu-img fails in the worker (v1 aborts, v2 refuses it); the next file is inspected', async () => {
    const nativeRun = spawnSync(NATIVE_QEMU_IMG, ['info', '-f', 'vmdk', fx.corpus.readonlyExtent], { encoding: 'utf8' });
    assert.equal(nativeRun.signal, 'SIGABRT', 'native qemu-img (7.2 and 10.2.2) aborts on it');
    const good = `${fx.corpus.base.dir}/small.qcow2`;
    const app = await openApp(fx.browser, fx.server.origin);
    try {
      await chooseFiles(app.page, [fx.corpus.readonlyExtent, fx.corpus.readonlyExtentData, good]);
      const { inspected, errors } = await waitForOutcomes(app.page, 2);
      await waitForIdle(app.page);
      const cards = await readCards(app.page);
      assert.equal(cards.length, 2, 'the extent belongs to its descriptor');
      const bad = cards.find((c) => c.name === 'readonly-extent.vmdk')!;
      assert.equal(bad.safe, 'false', 'not safe: qemu-img cannot read it');
      assert.equal(bad.phase, 'done', 'a crash of qemu-img is a result, as in the CLI');
      assert.ok(bad.findings.includes('qemu.info-failed'), 'the crash is shown as a finding');
      assert.deepEqual(errors, [], 'no image-inspect-error');
      const badDetail = (inspected as Array<{ file: string; safety: { findings: Array<{ code: string; message: string }> } }>).find(
        (d) => d.file === 'readonly-extent.vmdk',
      )!;
      // Engine v2's VMDK patch turns native's abort into an error at open (the extent list is empty).
      assert.match(
        badDetail.safety.findings.find((f) => f.code === 'qemu.info-failed')!.message,
        ENGINE_REFUSES_NO_EXTENTS ? /no extents/ : /crashed/,
      );
      const ok = cards.find((c) => c.name === 'small.qcow2')!;
      assert.equal(ok.phase, 'done');
      const detail = (inspected as Array<{ file: string; info: unknown }>).find((d) => d.file === 'small.qcow2')!;
      assert.deepEqual(comparableInfo(detail.info), comparableInfo(nativeInfo(good, 'qcow2')), 'the next file is inspected normally');
      assert.deepEqual(app.problems, [], 'no uncaught page error');
    } finally {
      await app.close();
    }
  });

  test('a descriptor without extents is refused by the safety core and never reaches qemu-img', async () => {
    const noExtents = fx.corpus.base.hostile.find((h) => h.id === 'no-extents.vmdk')!.path;
    const app = await openApp(fx.browser, fx.server.origin);
    try {
      await chooseFiles(app.page, [noExtents]);
      const { inspected } = await waitForOutcomes(app.page, 1);
      await waitForIdle(app.page);
      const [card] = await readCards(app.page);
      assert.equal(card!.safe, 'false');
      assert.ok(card!.findings.includes('vmdk.no-extents'));
      assert.equal((inspected[0] as { info: unknown }).info, null);
    } finally {
      await app.close();
    }
  });
});
