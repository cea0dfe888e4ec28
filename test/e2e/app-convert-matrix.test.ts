// Conversions with options in the built app, in real Chromium: every corpus format is converted
// once and every target is written once, each with representative options; the output is read
// back out of the browser and native qemu-img says it equals the source and has the options the
// UI showed. Then: two conversions at once, each in a worker of its own, while a file added
// meanwhile is inspected at once; a cancel at 30 % leaves nothing; refused options are explained
// before starting; the progress is honest (never "0 B/s" or a time left before one is known).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { openApp, chooseFiles, waitForOutcomes, readCards, waitForIdle } from './helpers/app-page.ts';
import { appFixture } from './helpers/app-fixture.ts';
import { OPFS_FILES, converted, fetchOpfs, opfsFiles, recordConversions } from './helpers/opfs.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';
import { runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';
import { probeEngineFeatures } from '../../workers/qemu-img/features.ts';

const fx = appFixture(5618);
let work: string;
let ENGINE_FEATURES = { zstd: false };

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ii-convert-matrix-'));
  ENGINE_FEATURES = await probeEngineFeatures((args) => runQemuImg(args), join(work, 'probe.qcow2'));
  await shutdownQemuImg();
  // Slow enough to be seen running (seconds), sparse on the host so it costs no disk.
  for (const n of ['slow-a', 'slow-b', 'slow-c']) {
    execFileSync(NATIVE_QEMU_IMG, ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', join(work, `${n}.vmdk`), '2G']);
  }
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The first card of that name: the source (outputs may share a source's name, e.g. small.raw →
 *  small.qcow2 while small.qcow2 is a source too, and are added after it). */
const card = (page: Page, name: string) => page.locator(`li.card[data-name="${name}"]`).first();
const info = (format: string, file: string) =>
  JSON.parse(execFileSync(NATIVE_QEMU_IMG, ['info', '--output=json', '-f', format, file], { encoding: 'utf8' })) as {
    format: string;
    'virtual-size': number;
    'cluster-size'?: number;
    'format-specific'?: { data?: Record<string, unknown> };
  };

interface Case {
  file: string;
  format: string;
  target: string;
  /** Option controls to set: select value, or true/false for a checkbox. */
  set: Record<string, string | boolean>;
  /** What the shown command line must hold. */
  command: RegExp;
  /** Native qemu-img's driver name of the output. */
  driver: string;
  check(host: string, fields: Record<string, { value: string | null; text: string }>): void;
  /** Suggested properties the output card must show. */
  properties?: Record<string, string>;
}

const CASES: Case[] = [
  {
    file: 'small.raw',
    format: 'raw',
    target: 'qcow2',
    set: { compress: true, cluster_size: '262144', compression_type: 'zlib' },
    command: /-O qcow2 -c -W -o compat=1\.1,compression_type=zlib,cluster_size=262144 small\.raw small\.qcow2$/,
    driver: 'qcow2',
    check(host, fields) {
      const i = info('qcow2', host);
      assert.equal(i['cluster-size'], 262144);
      assert.equal(i['format-specific']?.data?.['compression-type'], 'zlib');
      assert.equal(fields['cluster-size']?.value, '262144', 'the UI shows the cluster size native reads');
      assert.equal(fields['compression-type']?.text, 'zlib');
    },
  },
  {
    file: 'small.vpc',
    format: 'vpc',
    target: 'qcow2',
    set: { compat: '0.10' },
    command: /-f vpc -O qcow2 -o compat=0\.10 small\.vpc small\.qcow2$/,
    driver: 'qcow2',
    check(host, fields) {
      assert.equal(info('qcow2', host)['format-specific']?.data?.['compat'], '0.10');
      assert.equal(fields['compat']?.text, '0.10');
    },
  },
  {
    file: 'small.qcow2',
    format: 'qcow2',
    target: 'vmdk',
    set: { subformat: 'monolithicSparse', adapter_type: 'lsilogic' },
    command: /-O vmdk -o subformat=monolithicSparse,adapter_type=lsilogic small\.qcow2 small\.vmdk$/,
    driver: 'vmdk',
    check(host, fields) {
      assert.equal(info('vmdk', host)['format-specific']?.data?.['create-type'], 'monolithicSparse');
      assert.match(
        readFileSync(host)
          .subarray(0, 64 * 1024)
          .toString('latin1'),
        /ddb\.adapterType = "lsilogic"/,
      );
      assert.equal(fields['vmdk-create-type']?.text, 'monolithicSparse');
      assert.equal(fields['vmdk-adapter-type']?.text, 'lsilogic');
    },
  },
  {
    file: 'small.vhdx',
    format: 'vhdx',
    target: 'vhd',
    set: { subformat: 'fixed', force_size: true },
    command: /-f vhdx -O vpc -o subformat=fixed,force_size=on small\.vhdx small\.vhd$/,
    driver: 'vpc',
    check(host) {
      assert.equal(info('vpc', host)['virtual-size'], 24 * 1024 * 1024, 'force_size keeps the exact virtual size');
    },
  },
  {
    file: 'small-streamOptimized.vmdk',
    format: 'vmdk',
    target: 'vhdx',
    set: { block_size: String(8 * 1024 * 1024) },
    command: /-O vhdx -o subformat=dynamic,block_size=8388608 small-streamOptimized\.vmdk small-streamOptimized\.vhdx$/,
    driver: 'vhdx',
    check(host) {
      assert.equal(info('vhdx', host).format, 'vhdx');
    },
    // The VMDK descriptor's adapter (ide) told the bus; the VHDX output cannot, the source can.
    properties: { hw_disk_bus: 'ide', disk_format: 'vhdx' },
  },
  {
    file: 'small.vdi',
    format: 'vdi',
    target: 'raw',
    set: { zero_detection: false },
    command: /-f vdi -O raw -S 0 small\.vdi small\.raw$/,
    driver: 'raw',
    check(host) {
      assert.equal(info('raw', host)['virtual-size'], 24 * 1024 * 1024);
    },
  },
  {
    file: 'small.raw',
    format: 'raw',
    target: 'vdi',
    set: { static: true },
    command: /-O vdi -o static=on small\.raw small\.vdi$/,
    driver: 'vdi',
    check(host) {
      assert.ok(readFileSync(host).length >= 24 * 1024 * 1024, 'a static VDI holds the whole disk');
    },
  },
];

async function setOptions(c: Locator, set: Case['set']): Promise<void> {
  await c.locator('details.convert-options > summary').click();
  for (const [name, value] of Object.entries(set)) {
    const control = c.locator(`[data-option="${name}"]`);
    if (typeof value === 'boolean') await control.setChecked(value);
    else await control.selectOption(value);
  }
}

test('each corpus format to a target with options: native qemu-img compares equal and reads the options the UI shows', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  const { page } = app;
  try {
    await recordConversions(page);
    const files = [...new Set(CASES.map((c) => c.file))];
    await chooseFiles(
      page,
      files.map((f) => join(fx.corpus.base.dir, f)),
    );
    await waitForOutcomes(page, files.length);
    await waitForIdle(page);
    // Never the source's own format by default.
    assert.equal(await card(page, 'small.qcow2').locator('select.convert-target').inputValue(), 'raw');
    assert.equal(await card(page, 'small.vdi').locator('select.convert-target').inputValue(), 'qcow2');

    let n = 0;
    for (const k of CASES) {
      const label = `${k.file} → ${k.target}`;
      const source = card(page, k.file);
      await source.locator('select.convert-target').selectOption(k.target);
      await setOptions(source, k.set);
      assert.match(await source.locator('.convert-command code').innerText(), k.command, label);
      await source.locator('button.convert-button').click();
      const out = (await converted(page, ++n))[n - 1]!;
      await source.locator('.convert[data-status=done]').waitFor({ timeout: 60_000 });
      const status = await source.locator('.convert-status').innerText();
      assert.match(status, /Took \d+:\d\d/, `${label}: the run's figures (${status})`);
      assert.match(status, /Verified: qemu-img compare finds it equal to the source\./, label);
      assert.doesNotMatch(status, /0 B\/s/, label);
      assert.match(await source.locator('dl.convert-sizes').innerText(), /Output file/, label);
      await waitForIdle(page);
      const view = (await readCards(page)).filter((c) => c.name === out.outputName).at(-1);
      assert.ok(view, `${label}: the output is inspected`);
      assert.equal(view.safe, 'true', `${label}: ${view.text}`);
      const host = join(work, `${n}-${out.outputName}`);
      assert.equal(await fetchOpfs(page, out.opfsPath, host), out.size);
      execFileSync(NATIVE_QEMU_IMG, ['compare', '-q', '-f', k.format, '-F', k.driver, join(fx.corpus.base.dir, k.file), host]);
      k.check(host, view.fields);
      for (const [key, value] of Object.entries(k.properties ?? {})) assert.equal(view.properties[key], value, `${label}: ${key}`);
      // The new card is where the user is taken: focused (and so scrolled into view).
      const focused = await page
        .locator('image-inspector')
        .evaluate((el) => (el.shadowRoot?.activeElement as HTMLElement | null)?.dataset['cardId'] ?? null);
      const ids = await page
        .locator(`li.card[data-name="${out.outputName}"]`)
        .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['cardId']));
      assert.equal(focused, ids.at(-1), `${label}: the output card has the focus`);
    }
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('refused options are explained before starting, and Convert waits for a valid choice', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  try {
    await chooseFiles(app.page, [join(fx.corpus.base.dir, 'small.vdi')]);
    await waitForIdle(app.page);
    const source = card(app.page, 'small.vdi');
    await setOptions(source, { compress: true, preallocation: 'full' });
    assert.match(await source.locator('.convert-problems').innerText(), /Compression and preallocation \(full\) cannot be used together/);
    assert.equal(await source.locator('button.convert-button').isDisabled(), true);
    await source.locator('[data-option="preallocation"]').selectOption('');
    assert.equal(await source.locator('.convert-problems').count(), 0);
    assert.equal(await source.locator('button.convert-button').isDisabled(), false);
    // zstd is offered exactly when the engine has it: the page asks the wasm with the CLI's probe,
    // and so does this test (in Node, the same wasm/dist).
    await source.locator('[data-option="compression_type"]').selectOption('zstd');
    if (ENGINE_FEATURES.zstd) {
      assert.equal(await source.locator('.convert-problems').count(), 0);
      assert.match(await source.locator('.convert-command').innerText(), /compression_type=zstd/);
    } else {
      await source.locator('.convert-problems').waitFor();
      assert.match(
        await source.locator('.convert-problems').innerText(),
        /This build of qemu-img has no zstd support: choose zlib compression/,
      );
      assert.equal(await source.locator('button.convert-button').isDisabled(), true);
    }
    await source.locator('[data-option="compression_type"]').selectOption('zlib');
    assert.equal(await source.locator('.convert-problems').count(), 0);
  } finally {
    await app.close();
  }
});

test('two conversions at once, each in its own worker; a file added meanwhile is inspected at once; cancel at 30 % leaves nothing', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  const { page } = app;
  try {
    await chooseFiles(
      page,
      ['slow-a', 'slow-b'].flatMap((n) => [join(work, `${n}.vmdk`), join(work, `${n}-flat.vmdk`)]),
    );
    await waitForOutcomes(page, 2);
    await waitForIdle(page);
    const a = card(page, 'slow-a.vmdk');
    const b = card(page, 'slow-b.vmdk');
    const workersBefore = page.workers().length;
    await a.locator('button.convert-button').click();
    await b.locator('button.convert-button').click();
    await a.locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });
    await b.locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });
    assert.ok(page.workers().length >= workersBefore + 2, `a worker per conversion (${workersBefore} → ${page.workers().length})`);
    const early = await a.locator('.convert-progress-text').innerText();
    assert.doesNotMatch(early, /\b0 B\/s|—/, `honest at the start: ${early}`);

    // Inspection is not queued behind the conversions.
    const t0 = Date.now();
    await chooseFiles(page, [join(fx.corpus.base.dir, 'small.qcow2')]);
    await waitForOutcomes(page, 3);
    const inspectMs = Date.now() - t0;
    assert.equal(await a.locator('.convert').getAttribute('data-status'), 'running', `inspected in ${inspectMs} ms while converting`);

    // Cancel A at 30 %: its worker stops and its partial output goes; B goes on to the end.
    await page.waitForFunction(
      () => {
        const root =
          document.querySelector('ii-app')?.shadowRoot?.querySelector('image-inspector')?.shadowRoot ??
          document.querySelector('image-inspector')?.shadowRoot;
        const bar = root?.querySelector<HTMLProgressElement>('li.card[data-name="slow-a.vmdk"] progress');
        return (bar?.value ?? 0) >= 30;
      },
      undefined,
      { timeout: 60_000 },
    );
    const mid = await a.locator('.convert-progress-text').innerText();
    assert.match(mid, /\d+(\.\d+)? [KMG]iB\/s/, `a rate once measured: ${mid}`);
    assert.match(mid, /\d+:\d\d left/, `a time left once measured: ${mid}`);
    await a.locator('button.convert-cancel').click();
    await a.locator('.convert[data-status=cancelled]').waitFor({ timeout: 30_000 });
    await b.locator('.convert[data-status=done]').waitFor({ timeout: 120_000 });
    await waitForIdle(page);
    await page.waitForFunction(OPFS_FILES + `.then((f) => f.length === 1 && f[0].endsWith('/slow-b.qcow2'), () => false)`, undefined, {
      timeout: 20_000,
    });
    assert.equal((await opfsFiles(page)).length, 1, 'only the finished output is left');
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});

test('the source changed on disk mid-run: said so, nothing left, the next conversion works', async () => {
  const app = await openApp(fx.browser, fx.server.origin);
  const { page } = app;
  try {
    const flat = join(work, 'slow-c-flat.vmdk');
    await chooseFiles(page, [join(work, 'slow-c.vmdk'), flat, join(fx.corpus.base.dir, 'small.vdi')]);
    await waitForOutcomes(page, 2);
    await waitForIdle(page);
    const c = card(page, 'slow-c.vmdk');
    await c.locator('button.convert-button').click();
    await c.locator('.convert[data-status=running]').waitFor({ timeout: 60_000 });
    // A new modification time is what the browser checks: every later read of the File fails.
    utimesSync(flat, new Date(), new Date(Date.now() + 60_000));
    await c.locator('.convert[data-status=failed]').waitFor({ timeout: 60_000 });
    assert.match(await c.locator('.convert-status').innerText(), /^The source file changed or was removed on disk during the conversion/);
    await page.waitForFunction(OPFS_FILES + `.then((f) => f.length === 0, () => false)`, undefined, { timeout: 20_000 });

    const next = card(page, 'small.vdi');
    await next.locator('button.convert-button').click();
    await next.locator('.convert[data-status=done]').waitFor({ timeout: 60_000 });
    assert.deepEqual(app.problems, []);
  } finally {
    await app.close();
  }
});
