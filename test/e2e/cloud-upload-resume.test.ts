// Resume in real Chromium against the real s3api: a page reload mid-upload lists the unfinished
// upload, Resume (the file picked again) continues without re-sending a stored part; Pause and
// Resume in the same page; Delete of an unfinished upload aborts it and removes its parts. What
// is stored is checked from Swift's side (s3api keeps parts in "<bucket>+segments"). Uploads are
// throttled by Chromium's network emulation so that "mid-upload" is a wide window. A file picked
// with a handle comes back after a reload from the FileSystemFileHandle kept in IndexedDB: the
// handle is a real one of an OPFS file (navigator.storage.getDirectory()), handed to the app by
// showOpenFilePicker, so that the app stores and reopens it by its own code path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { serveDist, type DistServer } from './helpers/serve-dist.ts';
import { cleanupImages, imagesNamed, loadCloud, nodeGlance, type CloudJson } from './helpers/cloud-env.ts';
import { digests, makeRaw, tempDir } from './helpers/cloud-images.ts';
import {
  type CloudPage,
  fill,
  form,
  openCreate,
  openSignedIn,
  releaseThrottle,
  signInWithPassword,
  throttleUploads,
  waitCreateOutcome,
  waitSignedIn,
  waitValue,
} from './helpers/cloud-ui.ts';
import { listContainer, removeContainer, swiftOf, type ListedSegment, type SwiftJson } from './helpers/object-store.ts';
import { screenshot } from './helpers/screenshots.ts';
import type { GlanceClient } from '../../src/core/openstack/glance.ts';
import type { KeystoneSession } from '../../src/core/openstack/keystone.ts';

const PREFIX = `e2e-resume-${process.pid}-`;
const BUCKET = `e2e-res-${process.pid}`;
const MiB = 1024 * 1024;
/** Small parts keep the file (and Glance's import of it) small; the engine's own choice is 32 MiB. */
const PART_SIZE = '8M';
const PART_MIB = 8;
/** The throttle: 10 parts take about 8 s, a wide window for acting mid-upload. */
const RATE = 10 * MiB;
let browser: Browser;
let server: DistServer;
let tmp: ReturnType<typeof tempDir>;
let cloud: CloudJson;
let swift: SwiftJson;
let glance: GlanceClient;
let session: KeystoneSession;
let file: { path: string; size: number };
let want: { sha512: string; md5: string };
const buckets: string[] = [];

before(async () => {
  cloud = loadCloud();
  swift = swiftOf(cloud);
  ({ glance, session } = await nodeGlance('demo'));
  await cleanupImages(glance, 'e2e-resume-');
  tmp = tempDir();
  file = makeRaw(tmp.dir, 'resume.raw', 80); // 10 parts of the 8 MiB typed in the form (PART_SIZE)
  want = await digests(file.path);
  server = await serveDist(5657);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (glance) await cleanupImages(glance, PREFIX);
  if (session) for (const b of buckets) for (const c of [b, `${b}+segments`]) await removeContainer(session, swift.storageUrls.demo, c);
  tmp?.remove();
});

function signedIn(): Promise<CloudPage> {
  return openSignedIn(browser, server.origin, cloud, cloud.users.demo);
}

async function startS3(page: Page, name: string, bucket: string): Promise<void> {
  buckets.push(bucket);
  await openCreate(page);
  await page.locator(form('input#file')).setInputFiles(file.path);
  await waitValue(page.locator(form('select#disk_format')), 'raw');
  await fill(page, form('input#name'), name);
  await page.locator(form('select#method')).selectOption('s3');
  await fill(page, form('input#bucket'), bucket);
  await page.locator(form('select#ec2')).selectOption(swift.s3.credentials.demo.access);
  await fill(page, form('input#part-size'), PART_SIZE);
  await page.locator(form('button[data-action=create]')).click();
}

/** Waits until the progress view says at least `n` parts are stored. */
async function waitParts(page: Page, n: number, timeoutMs = 120_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text =
      (await page
        .locator(form('[data-role=parts]'))
        .textContent({ timeout: timeoutMs })
        .catch(() => '')) ?? '';
    const done = Number(/parts (\d+) of/.exec(text)?.[1] ?? 0);
    if (done >= n) return done;
    if (Date.now() > end) throw new Error(`only ${done} parts stored: "${text}"`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The parts s3api holds for the bucket (`<key>/<upload id>/<part number>`; not the upload's marker object). */
const segments = async (bucket: string) =>
  ((await listContainer(session, swift.storageUrls.demo, `${bucket}+segments`)) as ListedSegment[]).filter((s) => /\/\d+$/.test(s.name));

async function imageOf(name: string) {
  const [img] = await imagesNamed(glance, name);
  assert.ok(img, `an image named ${name}`);
  return img;
}

describe('cloud panel: resuming object-storage uploads', { timeout: 600_000 }, () => {
  test('a reload mid-upload lists it; Resume with the file picked again sends only the missing parts', async () => {
    const name = `${PREFIX}reload`;
    const bucket = `${BUCKET}-reload`;
    const ui = await signedIn();
    try {
      await throttleUploads(ui.page, RATE);
      await startS3(ui.page, name, bucket);
      await waitParts(ui.page, 4);
      await ui.page.reload();
      const before = await segments(bucket);
      assert.ok(before.length >= 4 && before.length < 10, `parts stored before the reload: ${before.length}`);
      await ui.page.locator('#tab-cloud').click();
      await signInWithPassword(ui.page, cloud, cloud.users.demo);
      await waitSignedIn(ui.page);
      const item = ui.page.locator('cloud-panel [data-role=unfinished] li');
      await item.waitFor({ timeout: 20_000 });
      assert.match((await item.textContent()) ?? '', /resume\.raw \(80\.0 MiB\) to S3/);
      await item.locator('button[data-action=resume-unfinished]').click();
      const pick = item.locator('button[data-action=pick-resume-file]');
      assert.equal((await pick.textContent())?.trim(), 'Choose "resume.raw" again…');
      await screenshot(ui.page, 'cloud-unfinished');
      const [chooser] = await Promise.all([ui.page.waitForEvent('filechooser'), pick.click()]);
      await chooser.setFiles(file.path);
      const out = await waitCreateOutcome(ui.page, 300_000);
      assert.ok(out.ok, out.text);
      const sent = Number(/Resumed: ([\d.]+) MiB sent this time/.exec(out.text)?.[1] ?? NaN);
      assert.match(out.text, /MiB were already stored\./);
      assert.ok(sent <= file.size / MiB - 4 * PART_MIB, `sent ${sent} MiB after resuming, of ${file.size / MiB}`);
      const img = await imageOf(name);
      assert.equal(img.status, 'active');
      assert.equal(img.os_hash_value, want.sha512);
      // the parts stored before the reload were not written again (same objects, same times)
      const afterParts = new Map((await segments(bucket)).map((s) => [s.name, s]));
      for (const s of before) assert.equal(afterParts.get(s.name)?.last_modified, s.last_modified, `${s.name} was not re-sent`);
      assert.equal(afterParts.size, 10, 'the resumed run kept the part size typed before the reload');
      assert.equal(await ui.page.locator('cloud-panel [data-role=unfinished] li').count(), 0, 'nothing left unfinished');
    } finally {
      await ui.close();
    }
  });

  test('a file picked with a handle is reopened from IndexedDB after a reload: Resume needs no picking', async () => {
    const name = `${PREFIX}handle`;
    const bucket = `${BUCKET}-handle`;
    buckets.push(bucket);
    const ui = await signedIn();
    try {
      // the test file copied into this origin's OPFS, and the picker answering with its handle
      await ui.page.evaluate(() => {
        const i = document.createElement('input');
        i.type = 'file';
        i.id = 'opfs-source';
        document.body.append(i);
      });
      await ui.page.locator('#opfs-source').setInputFiles(file.path);
      await ui.page.evaluate(async () => {
        const f = (document.getElementById('opfs-source') as HTMLInputElement).files![0]!;
        const dir = await navigator.storage.getDirectory();
        const w = await (await dir.getFileHandle('resume.raw', { create: true })).createWritable();
        await w.write(f);
        await w.close();
        (window as unknown as { showOpenFilePicker: () => Promise<FileSystemFileHandle[]> }).showOpenFilePicker = async () => [
          await (await navigator.storage.getDirectory()).getFileHandle('resume.raw'),
        ];
      });
      await throttleUploads(ui.page, RATE);
      await openCreate(ui.page);
      await ui.page.locator(form('button[data-action=pick-with-handle]')).click();
      await waitValue(ui.page.locator(form('select#disk_format')), 'raw');
      await fill(ui.page, form('input#name'), name);
      await ui.page.locator(form('select#method')).selectOption('s3');
      await fill(ui.page, form('input#bucket'), bucket);
      await ui.page.locator(form('select#ec2')).selectOption(swift.s3.credentials.demo.access);
      await fill(ui.page, form('input#part-size'), PART_SIZE);
      await ui.page.locator(form('button[data-action=create]')).click();
      await waitParts(ui.page, 4);
      await ui.page.reload(); // the picker stub is gone: only IndexedDB's handle can bring the file back
      const before = await segments(bucket);
      assert.ok(before.length >= 4 && before.length < 10, `parts stored before the reload: ${before.length}`);
      await ui.page.locator('#tab-cloud').click();
      await signInWithPassword(ui.page, cloud, cloud.users.demo);
      await waitSignedIn(ui.page);
      const item = ui.page.locator('cloud-panel [data-role=unfinished] li');
      await item.waitFor({ timeout: 20_000 });
      await item.locator('button[data-action=resume-unfinished]').click();
      const listError = ui.page.locator('cloud-panel [data-role=unfinished-error]');
      const out = await Promise.race([
        waitCreateOutcome(ui.page, 300_000),
        listError
          .waitFor({ timeout: 300_000 })
          .then(async () => ({ ok: false, text: `unfinished list: ${await listError.textContent()}` })),
      ]);
      assert.ok(out.ok, out.text);
      const sent = Number(/Resumed: ([\d.]+) MiB sent this time/.exec(out.text)?.[1] ?? NaN);
      assert.match(out.text, /MiB were already stored\./);
      assert.ok(sent <= file.size / MiB - 4 * PART_MIB, `sent ${sent} MiB after resuming, of ${file.size / MiB}`);
      const img = await imageOf(name);
      assert.equal(img.status, 'active');
      assert.equal(img.os_hash_value, want.sha512);
      const afterParts = new Map((await segments(bucket)).map((s) => [s.name, s]));
      for (const s of before) assert.equal(afterParts.get(s.name)?.last_modified, s.last_modified, `${s.name} was not re-sent`);
    } finally {
      await ui.close(); // the context's OPFS goes with it
    }
  });

  test('a file that is not the one of the unfinished upload is refused before any part is reused', async () => {
    const name = `${PREFIX}wrongfile`;
    const bucket = `${BUCKET}-wrong`;
    const ui = await signedIn();
    try {
      await throttleUploads(ui.page, RATE);
      await startS3(ui.page, name, bucket);
      await waitParts(ui.page, 1);
      await ui.page.locator(form('button[data-action=pause]')).click();
      await ui.page.locator(form('[data-phase=paused]')).waitFor({ timeout: 30_000 });
      const item = ui.page.locator('cloud-panel [data-role=unfinished] li');
      await item.locator('button[data-action=resume-unfinished]').click();
      const other = makeRaw(tmp.dir, 'other.raw', 80);
      await item.locator('input[name=resume-file]').setInputFiles(other.path);
      const err = ui.page.locator('cloud-panel [data-role=unfinished-error]');
      await err.waitFor({ timeout: 10_000 });
      assert.match((await err.textContent()) ?? '', /was of "resume\.raw", not "other\.raw": choose that file/);
      // and Delete, once confirmed, aborts it: its parts go, the list empties, the page says so
      const storedBefore = (await segments(bucket)).length;
      await item.locator('button[data-action=delete-unfinished]').click();
      const confirm = item.locator('[data-role=unfinished-delete-confirm]');
      assert.match(
        (await confirm.textContent()) ?? '',
        /Delete the \d+ parts \(.* MiB\) this upload stored\? Resuming is then impossible\./,
      );
      assert.equal((await segments(bucket)).length, storedBefore, 'nothing deleted before the confirmation');
      await screenshot(ui.page, 'cloud-unfinished-delete');
      await confirm.locator('button[data-action=confirm-delete-unfinished]').click();
      await ui.page.locator('cloud-panel [data-role=unfinished]').waitFor({ state: 'detached', timeout: 30_000 });
      assert.match(
        (await ui.page.locator('cloud-panel [data-role=unfinished-notice]').textContent()) ?? '',
        /Deleted the unfinished upload of "resume\.raw" and the \d+ parts it had stored\./,
      );
      assert.deepEqual(
        (await segments(bucket)).map((s) => s.name),
        [],
        'no part left after Delete',
      );
      assert.equal((await imagesNamed(glance, name)).length, 0, 'no image was registered');
    } finally {
      await ui.close();
    }
  });

  test('Pause keeps the stored parts; Resume in the same page finishes and verifies', async () => {
    const name = `${PREFIX}pause`;
    const bucket = `${BUCKET}-pause`;
    const ui = await signedIn();
    try {
      const cdp = await throttleUploads(ui.page, RATE);
      await startS3(ui.page, name, bucket);
      await waitParts(ui.page, 4);
      await ui.page.locator(form('button[data-action=pause]')).click();
      await ui.page.locator(form('[data-phase=paused]')).waitFor({ timeout: 30_000 });
      const paused = await segments(bucket);
      assert.ok(paused.length >= 4 && paused.length < 10, `parts stored while paused: ${paused.length}`);
      await releaseThrottle(cdp);
      await ui.page.locator(form('button[data-action=resume]')).click();
      const out = await waitCreateOutcome(ui.page, 300_000);
      assert.ok(out.ok, out.text);
      assert.match(out.text, /Resumed: /);
      const img = await imageOf(name);
      assert.equal(img.status, 'active');
      assert.equal(img.os_hash_value, want.sha512);
      const now = new Map((await segments(bucket)).map((s) => [s.name, s]));
      for (const s of paused) assert.equal(now.get(s.name)?.last_modified, s.last_modified, `${s.name} was not re-sent`);
    } finally {
      await ui.close();
    }
  });
});
