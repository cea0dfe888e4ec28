// The create form after a failed attempt, in real Chromium against the real Keystone, Glance and
// Swift: the image the failure left (queued, no data) is reused only by the same source with the
// same details, and the form says so; anything else gets its own image and is told what became of
// the empty one (never renamed into another upload). And a paused object-storage upload shows the
// same stored parts in the form as in "Unfinished uploads" (both read from its resume state).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { serveDist, type DistServer } from './helpers/serve-dist.ts';
import { cleanupImages, imagesNamed, loadCloud, nodeGlance, type CloudJson } from './helpers/cloud-env.ts';
import { digests, makeQcow2, makeRaw, tempDir } from './helpers/cloud-images.ts';
import { type CloudPage, fill, form, openCreate, openSignedIn, throttleUploads, waitCreateOutcome, waitValue } from './helpers/cloud-ui.ts';
import { listContainer, removeContainer, swiftOf, type SwiftJson } from './helpers/object-store.ts';
import type { GlanceClient } from '../../src/core/openstack/glance.ts';
import type { KeystoneSession } from '../../src/core/openstack/keystone.ts';

const PREFIX = `e2e-retry-${process.pid}-`;
const CONTAINER = `e2e-retry-${process.pid}`;
/** TEST-NET-1: never in the local Glance's allowed_hosts, so the import is refused after the image exists. */
const FILTERED_URL = 'http://192.0.2.1:8080/disk.qcow2';
const MiB = 1024 * 1024;
let browser: Browser;
let server: DistServer;
let tmp: ReturnType<typeof tempDir>;
let cloud: CloudJson;
let swift: SwiftJson;
let glance: GlanceClient;
let session: KeystoneSession;
let ui: CloudPage;
let page: Page;
let small: { path: string; size: number };
let parted: { path: string; size: number };

before(async () => {
  cloud = loadCloud();
  swift = swiftOf(cloud);
  ({ glance, session } = await nodeGlance('demo'));
  await cleanupImages(glance, 'e2e-retry-');
  tmp = tempDir();
  small = makeQcow2(tmp.dir, 'small.qcow2', 16, 1);
  parted = makeRaw(tmp.dir, 'parted.raw', 80);
  server = await serveDist(5676);
  browser = await launchChromium();
  ui = await openSignedIn(browser, server.origin, cloud, cloud.users.demo);
  page = ui.page;
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (glance) await cleanupImages(glance, PREFIX);
  if (session) for (const c of [CONTAINER, `${CONTAINER}_segments`]) await removeContainer(session, swift.storageUrls.demo, c);
  tmp?.remove();
});

async function failFilteredImport(name: string): Promise<string> {
  await openCreate(page);
  await page.locator(form('input[name=source][value=url]')).check();
  await fill(page, form('input#url'), FILTERED_URL);
  await fill(page, form('input#name'), name);
  await page.locator(form('select#disk_format')).selectOption('qcow2');
  await page.locator(form('button[data-action=create]')).click();
  const out = await waitCreateOutcome(page);
  assert.ok(!out.ok, out.text);
  assert.match(out.text, /import filters refuse/);
  const [img] = await imagesNamed(glance, name);
  assert.ok(img, 'the refused import left its image');
  assert.match((await page.locator(form('[data-role=pending]')).textContent()) ?? '', new RegExp(img.id));
  return img.id;
}

const checkLines = async () => (await page.locator(form('[data-role=checks] li')).allTextContents()).map((t) => t.trim());

describe('cloud panel: the image a failed attempt left', () => {
  test('another source and name next: a new image of its own, and the form says the empty one was deleted', async () => {
    const left = await failFilteredImport(`${PREFIX}url`);
    const name = `${PREFIX}file`;
    await page.locator(form('input[name=source][value=file]')).check();
    await page.locator(form('input#file')).setInputFiles(small.path);
    await waitValue(page.locator(form('select#disk_format')), 'qcow2');
    await fill(page, form('input#name'), name);
    await page.locator(form('select#method')).selectOption('direct');
    await page.locator(form('button[data-action=create]')).click();
    const out = await waitCreateOutcome(page);
    assert.ok(out.ok, out.text);
    const [img] = await imagesNamed(glance, name);
    assert.ok(img, 'the file has its image');
    assert.notEqual(img.id, left, 'the file did not go into the image made for the URL (renamed)');
    assert.equal(img.os_hash_value, (await digests(small.path)).sha512);
    await assert.rejects(glance.getImage(left), (e: Error & { kind?: string }) => e.kind === 'not-found');
    assert.ok(
      (await checkLines()).some((l) => l.includes(`The image ${left} the last attempt left queued`) && /deleted/.test(l)),
      (await checkLines()).join('\n'),
    );
  });

  test('the same source and details again: the image is reused, and the form says so', async () => {
    const name = `${PREFIX}again`;
    const left = await failFilteredImport(name);
    await page.locator(form('button[data-action=create]')).click();
    const out = await waitCreateOutcome(page);
    assert.ok(!out.ok, out.text);
    const lines = await checkLines();
    assert.ok(
      lines.some((l) => l.includes(`the image ${left} that the last attempt created and left queued`)),
      lines.join('\n'),
    );
    const images = await imagesNamed(glance, name);
    assert.deepEqual(
      images.map((i) => i.id),
      [left],
      'one image, the same',
    );
    await page.locator(form('button[data-action=discard-pending]')).click();
    await page.locator(form('[data-role=pending]')).waitFor({ state: 'detached', timeout: 20_000 });
  });
});

describe('cloud panel: a paused object-storage upload', () => {
  test('the form and "Unfinished uploads" show the same stored parts, paused right as parts are stored', async () => {
    const name = `${PREFIX}pause`;
    const cdp = await throttleUploads(page, 8 * MiB);
    try {
      await openCreate(page);
      await page.locator(form('input[name=source][value=file]')).check();
      await page.locator(form('input#file')).setInputFiles(parted.path);
      await waitValue(page.locator(form('select#disk_format')), 'raw');
      await fill(page, form('input#name'), name);
      await page.locator(form('select#method')).selectOption('swift');
      await fill(page, form('input#container'), CONTAINER);
      // 16 segments of 5 MiB (Swift's minimum here), 2 at a time: stored in pairs a few ms apart, and
      // after two pauses most are still to send (8 at a time, the second pause could come once the
      // last wave was all stored: nothing left to pause, the run went on to register)
      await fill(page, form('input#part-size'), '5M');
      await fill(page, form('input#parallel'), '2');
      const segmentStored = () =>
        page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes(`/${CONTAINER}_segments/`) && r.ok(), {
          timeout: 120_000,
        });
      let stored = segmentStored();
      await page.locator(form('button[data-action=create]')).click();
      for (let round = 1; round <= 2; round++) {
        await stored;
        await page.locator(form('button[data-action=pause]')).click();
        await page.locator(form('[data-phase=paused]')).waitFor({ timeout: 30_000 });
        const item = page.locator('cloud-panel [data-role=unfinished] li');
        await item.waitFor({ timeout: 20_000 });
        await new Promise((r) => setTimeout(r, 1000)); // anything late would have arrived by now
        const partsText = (await page.locator(form('[data-role=parts]')).textContent()) ?? '';
        const inForm = Number(/parts (\d+) of 16 stored/.exec(partsText)?.[1] ?? NaN);
        const listText = (await item.textContent()) ?? '';
        const inList = Number(/stored, (\d+) of 16 parts/.exec(listText)?.[1] ?? NaN);
        assert.equal(inForm, inList, `round ${round}: form "${partsText}", list "${listText}"`);
        assert.ok(inForm > 0, `round ${round}: the form shows stored parts ("${partsText}")`);
        const progressText = (await page.locator(form('[data-role=progress-text]')).textContent()) ?? '';
        const bytes = /— ([\d.]+ MiB) of 80\.0 MiB stored/.exec(progressText)?.[1];
        assert.ok(bytes && listText.includes(`: ${bytes} stored, `), `round ${round}: "${progressText}" and "${listText}"`);
        stored = segmentStored();
        if (round < 2) await page.locator(form('button[data-action=resume]')).click();
      }
      stored.catch(() => undefined);
      // nothing to register (no TempURL key here): Cancel deletes what was stored
      await page.locator(form('button[data-action=cancel]')).click();
      const said = page.locator(form('[data-role=error]'));
      await said.waitFor({ timeout: 30_000 });
      assert.equal((await said.textContent())?.trim(), 'Upload cancelled: the stored parts and the resume state were deleted.');
      // and the list no longer offers what is gone
      await page.locator('cloud-panel [data-role=unfinished]').waitFor({ state: 'detached', timeout: 30_000 });
      assert.deepEqual(await listContainer(session, swift.storageUrls.demo, `${CONTAINER}_segments`), [], 'no segment left');
    } finally {
      await cdp.detach();
    }
  });
});
