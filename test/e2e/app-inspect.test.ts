// The built app in real Chromium inspects a corpus made by native qemu-img: what the card shows and
// the image-inspected event's detail must equal native `qemu-img info --output=json`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openApp, chooseFiles, waitForOutcomes, readCards, waitForIdle, cspViolations, type AppPage } from './helpers/app-page.ts';
import { nativeInfo, comparableInfo } from './helpers/native.ts';
import { appFixture } from './helpers/app-fixture.ts';

const fx = appFixture(5601);

interface Detail {
  file: string;
  format: string;
  virtualSize: number;
  info: Record<string, unknown> | null;
  safety: { safe: boolean; findings: Array<{ code: string; severity: string; message: string; fix: string }> };
  suggested: Record<string, unknown>;
}

async function inspect(paths: string[], expected: number): Promise<{ app: AppPage; details: Detail[] }> {
  const app = await openApp(fx.browser, fx.server.origin);
  await chooseFiles(app.page, paths);
  const { inspected, errors } = await waitForOutcomes(app.page, expected);
  assert.deepEqual(errors, [], 'no image-inspect-error');
  await waitForIdle(app.page);
  return { app, details: inspected as Detail[] };
}

describe('single-file images: shown values and event detail equal native qemu-img info', () => {
  const cases: Array<[string, string]> = [
    ['small.qcow2', 'qcow2'],
    ['small.qcow2-compat010', 'qcow2'],
    ['small-streamOptimized.vmdk', 'vmdk'],
    ['small-monolithicSparse.vmdk', 'vmdk'],
    ['small.vdi', 'vdi'],
    ['small.vpc', 'vpc'],
    ['small.vhdx', 'vhdx'],
    ['small.raw', 'raw'],
  ];
  test('qcow2, vmdk (streamOptimized, monolithicSparse), vdi, vhd, vhdx, raw in one selection', async () => {
    const paths = cases.map(([f]) => `${fx.corpus.base.dir}/${f}`);
    const { app, details } = await inspect(paths, cases.length);
    try {
      const cards = await readCards(app.page);
      assert.equal(cards.length, cases.length);
      for (const [file, format] of cases) {
        const native = nativeInfo(`${fx.corpus.base.dir}/${file}`, format);
        const d = details.find((x) => x.file === file);
        assert.ok(d, `an image-inspected event for ${file}`);
        assert.deepEqual(comparableInfo(d.info), comparableInfo(native), `${file}: detail.info equals native info`);
        assert.equal(d.format, native['format'], `${file}: detail.format`);
        assert.equal(d.virtualSize, native['virtual-size'], `${file}: detail.virtualSize`);
        const card = cards.find((c) => c.name === file)!;
        assert.equal(card.phase, 'done');
        assert.equal(card.fields['format']?.text, native['format'], `${file}: shown format`);
        assert.equal(Number(card.fields['virtual-size']?.value), native['virtual-size'], `${file}: shown virtual size`);
        assert.ok(card.fields['virtual-size']!.text.includes(Number(native['virtual-size']).toLocaleString('en')), `${file}: shown bytes`);
        if (native['cluster-size'] !== undefined) {
          assert.equal(Number(card.fields['cluster-size']?.value), native['cluster-size'], `${file}: shown cluster size`);
        }
        const compat = (native['format-specific'] as { data?: { compat?: string } } | undefined)?.data?.compat;
        if (compat) assert.equal(card.fields['compat']?.text, compat, `${file}: shown compat`);
        assert.equal(card.safe, String(d.safety.safe), `${file}: shown verdict matches the detail`);
        assert.deepEqual(
          card.findings,
          d.safety.findings.map((f) => f.code),
          `${file}: findings shown`,
        );
        for (const [k, v] of Object.entries(d.suggested)) {
          assert.equal(card.properties[k], String(v), `${file}: suggested ${k} shown`);
        }
        const json = await app.page.locator(`image-inspector li.card[data-name="${file}"] details.json pre`).textContent();
        assert.deepEqual(JSON.parse(json ?? ''), d, `${file}: the card's JSON is the event detail`);
      }
      assert.deepEqual(await cspViolations(app.page), [], 'no CSP violations');
      assert.deepEqual(app.problems, [], 'no page errors');
      const foreign = app.requests.filter((u) => !u.startsWith(fx.server.origin));
      assert.deepEqual(foreign, [], 'the page contacted no other host');
    } finally {
      await app.close();
    }
  });

  test('ISO 9660 is inspected as raw and suggested as iso', async () => {
    const { app, details } = await inspect([fx.corpus.iso], 1);
    try {
      const native = nativeInfo(fx.corpus.iso, 'raw');
      assert.deepEqual(comparableInfo(details[0]!.info), comparableInfo(native));
      assert.equal(details[0]!.suggested['disk_format'], 'iso');
    } finally {
      await app.close();
    }
  });
});

describe('multi-file and packaged images', () => {
  test('twoGbMaxExtentSparse and monolithicFlat: descriptor and extents chosen together make one card', async () => {
    const files = ['small-twoGbMaxExtentSparse.vmdk', 'small-monolithicFlat.vmdk'];
    const native = files.map((f) => nativeInfo(`${fx.corpus.base.dir}/${f}`, 'vmdk'));
    const extentFiles = native.flatMap((n) =>
      (n['format-specific'] as { data: { extents: Array<{ filename: string }> } }).data.extents.map((e) => e.filename),
    );
    assert.ok(extentFiles.length >= 2, 'native lists the extents');
    const { app, details } = await inspect([...files.map((f) => `${fx.corpus.base.dir}/${f}`), ...extentFiles], files.length);
    try {
      const cards = await readCards(app.page);
      assert.deepEqual(cards.map((c) => c.name).sort(), [...files].sort(), 'extents are not cards of their own');
      for (const [i, f] of files.entries()) {
        const d = details.find((x) => x.file === f)!;
        assert.deepEqual(comparableInfo(d.info), comparableInfo(native[i]), `${f}: info equals native`);
        const card = cards.find((c) => c.name === f)!;
        for (const e of extentFiles.filter((x) => basename(x).startsWith(f.replace(/\.vmdk$/, '')))) {
          assert.ok(card.text.includes(basename(e)), `${f}: card lists extent ${basename(e)}`);
        }
      }
    } finally {
      await app.close();
    }
  });

  test('a folder chosen with the folder picker: the descriptor finds its extents inside it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ii-e2e-folder-'));
    try {
      const native = nativeInfo(`${fx.corpus.base.dir}/small-twoGbMaxExtentSparse.vmdk`, 'vmdk');
      const extents = (native['format-specific'] as { data: { extents: Array<{ filename: string }> } }).data.extents.map((e) => e.filename);
      for (const f of [`${fx.corpus.base.dir}/small-twoGbMaxExtentSparse.vmdk`, ...extents, `${fx.corpus.base.dir}/small.vdi`]) {
        copyFileSync(f, join(folder, basename(f)));
      }
      const app = await openApp(fx.browser, fx.server.origin);
      try {
        await app.page.locator('image-inspector #folder').setInputFiles(folder);
        const { inspected, errors } = await waitForOutcomes(app.page, 2);
        assert.deepEqual(errors, []);
        const d = (inspected as Detail[]).find((x) => x.file === 'small-twoGbMaxExtentSparse.vmdk')!;
        assert.deepEqual(comparableInfo(d.info), comparableInfo(native));
        assert.ok((inspected as Detail[]).some((x) => x.file === 'small.vdi'));
      } finally {
        await app.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a descriptor chosen without its extents names the missing files', async () => {
    const app = await openApp(fx.browser, fx.server.origin);
    try {
      await chooseFiles(app.page, [`${fx.corpus.base.dir}/small-twoGbMaxExtentSparse.vmdk`]);
      await waitForOutcomes(app.page, 1);
      await waitForIdle(app.page);
      const [card] = await readCards(app.page);
      const native = nativeInfo(`${fx.corpus.base.dir}/small-twoGbMaxExtentSparse.vmdk`, 'vmdk');
      for (const e of (native['format-specific'] as { data: { extents: Array<{ filename: string }> } }).data.extents) {
        assert.ok(card!.text.includes(basename(e.filename)), `names the missing ${basename(e.filename)}`);
      }
      assert.equal(card!.safe, 'false');
    } finally {
      await app.close();
    }
  });

  test('OVA: the disk inside is inspected in place and the OVF hardware is suggested', async () => {
    const { app, details } = await inspect([fx.corpus.ova], 1);
    try {
      const d = details[0]!;
      const native = nativeInfo(fx.corpus.ovaDisk, 'vmdk');
      assert.deepEqual(comparableInfo(d.info), comparableInfo(native), 'info of the disk inside equals native on the extracted disk');
      assert.equal(d.suggested['container_format'], 'ova');
      assert.equal(d.suggested['disk_format'], 'vmdk');
      assert.equal(String(d.suggested['min_ram']), '2048');
      const [card] = await readCards(app.page);
      assert.ok(card!.text.includes('disk1.vmdk'), 'the card names the disk inside');
    } finally {
      await app.close();
    }
  });

  test('gzip-compressed image is recognised and explained, not fed to qemu-img', async () => {
    const { app, details } = await inspect([fx.corpus.gzip], 1);
    try {
      const d = details[0]!;
      assert.equal(d.safety.safe, false);
      assert.ok(
        d.safety.findings.some((f) => /gzip|compress/i.test(f.code)),
        'a compression finding',
      );
      assert.equal(d.info, null, 'qemu-img did not read the compressed bytes as an image');
      const [card] = await readCards(app.page);
      assert.match(card!.text, /gzip/i);
      const inner = await app.page.locator('image-inspector .inner-format').getAttribute('data-inner-format');
      assert.equal(inner, 'qcow2', 'says what is inside the gzip (from its first decompressed bytes)');
    } finally {
      await app.close();
    }
  });
});
