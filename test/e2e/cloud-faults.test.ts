// Faults through the cloud panel UI against the real local Keystone and Glance: cancel, unsafe or
// mismatched formats, Glance's size cap (413), Glance dying mid-upload, a token expiring during an
// upload. Each must give one plain sentence and leave nothing the user cannot see and clean up.
// Uploads are throttled (Chromium's network emulation, RATE): a 96 MiB file then takes about 6 s,
// a wide window to act mid-upload for a fraction of the CPU a file large enough to be slow costs;
// the size cap is lowered for its own test (Glance restarted with it) for the same reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Dialog, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { serveDist, type DistServer } from './helpers/serve-dist.ts';
import { cleanupImages, cloudSh, imagesNamed, loadCloud, nodeGlance, type CloudJson } from './helpers/cloud-env.ts';
import { digests, makeQcow2, makeRaw, tempDir } from './helpers/cloud-images.ts';
import { authenticate } from '../../src/core/openstack/keystone.ts';
import {
  type CloudPage,
  fill,
  form,
  openCloudTab,
  openCreate,
  openSignedIn,
  signInWithPassword,
  throttleUploads,
  waitCreateOutcome,
  waitProgress,
  waitSignedIn,
  waitValue,
} from './helpers/cloud-ui.ts';
import type { GlanceClient } from '../../src/core/openstack/glance.ts';

const PREFIX = `e2e-fault-${process.pid}-`;
let browser: Browser;
let server: DistServer;
let tmp: ReturnType<typeof tempDir>;
let cloud: CloudJson;
let glance: GlanceClient;
let ui: CloudPage;
let page: Page;
const MiB = 1024 * 1024;
/** The upload rate of the test pages: 96 MiB in about 6 s. */
const RATE = 16 * MiB;
/** Glance's image_size_cap while the size-cap test runs. */
const LOW_CAP = 64 * MiB;
let large: { path: string; size: number }; // slow enough (throttled) to interrupt
let slowToo: { path: string; size: number }; // as slow, for the token and closed-tab tests
let tooLarge: { path: string; size: number }; // above LOW_CAP
let qcow: { path: string; size: number };
let backed: { path: string; size: number };

async function chooseFile(path: string, format: string, name: string): Promise<void> {
  await openCreate(page);
  await page.locator(form('input#file')).setInputFiles(path);
  await waitValue(page.locator(form('select#disk_format')), format);
  await fill(page, form('input#name'), name);
  // these faults are Glance's: large files would default to object storage where the cloud has it
  await page.locator(form('select#method')).selectOption('direct');
}

const create = () => page.locator(form('button[data-action=create]')).click();

function glanceFiles(): string[] {
  const dir = join(loadCloud().stateDir, 'images');
  return existsSync(dir) ? readdirSync(dir) : [];
}

before(async () => {
  cloud = loadCloud();
  ({ glance } = await nodeGlance('demo'));
  await cleanupImages(glance, 'e2e-fault-');
  tmp = tempDir();
  large = makeRaw(tmp.dir, 'large.raw', 96);
  tooLarge = makeRaw(tmp.dir, 'too-large.raw', 80);
  slowToo = makeRaw(tmp.dir, 'slow-too.raw', 96);
  qcow = makeQcow2(tmp.dir, 'small.qcow2', 16, 1);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'small.qcow2', '-F', 'qcow2', join(tmp.dir, 'backed.qcow2')]);
  backed = { path: join(tmp.dir, 'backed.qcow2'), size: 0 };
  server = await serveDist(5653);
  browser = await launchChromium();
  ui = await openCloudTab(browser, server.origin);
  page = ui.page;
  await throttleUploads(page, RATE);
  await signInWithPassword(page, cloud, cloud.users.demo);
  await waitSignedIn(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (glance) await cleanupImages(glance, PREFIX).catch(() => undefined);
  tmp?.remove();
});

describe('cloud panel faults', () => {
  test('a file whose content is not the chosen format is refused before any byte is sent', async () => {
    const name = `${PREFIX}mismatch`;
    await chooseFile(qcow.path, 'qcow2', name);
    await page.locator(form('select#disk_format')).selectOption('raw');
    await create();
    const out = await waitCreateOutcome(page);
    assert.equal(out.ok, false);
    assert.match(out.text, /content is qcow2 but the format is set to raw: Glance rejects such a mismatch, so set the format to qcow2\./);
    assert.equal((await imagesNamed(glance, name)).length, 0, 'no image was created');
  });

  test('an unsafe file (qcow2 with a backing file) is refused before any byte is sent', async () => {
    const name = `${PREFIX}backed`;
    await openCreate(page);
    await page.locator(form('input#file')).setInputFiles(backed.path);
    await fill(page, form('input#name'), name);
    await page.locator(form('select#disk_format')).selectOption('qcow2');
    await create();
    const out = await waitCreateOutcome(page);
    assert.equal(out.ok, false);
    assert.match(out.text, /^Safety check failed: .*backing.*Convert it/s);
    assert.equal((await imagesNamed(glance, name)).length, 0, 'no image was created');
  });

  test('cancel stops the transfer and deletes the image', async () => {
    const name = `${PREFIX}cancel`;
    await chooseFile(large.path, 'raw', name);
    await create();
    const pct = await waitProgress(page, 1);
    assert.ok(pct < 100, `cancel must come mid-transfer (at ${pct}%)`);
    const [img] = await imagesNamed(glance, name);
    assert.ok(img, 'the image was created before the transfer');
    await page.locator(form('button[data-action=cancel]')).click();
    const out = await waitCreateOutcome(page);
    assert.equal(out.ok, false);
    assert.match(out.text, new RegExp(`Upload cancelled: the transfer was stopped and the image ${img.id} was deleted\\.`));
    await assert.rejects(glance.getImage(img.id), (e: Error & { kind?: string }) => e.kind === 'not-found');
    // and no data of it is left in the store, nor does it turn up later (Horizon's cancel let it go active)
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(!glanceFiles().some((f) => f.startsWith(img.id)), 'no stored data');
    assert.equal((await imagesNamed(glance, name)).length, 0);
  });

  test('Glance stopped mid-upload: a plain sentence, then the retry replaces the stuck image', async () => {
    const name = `${PREFIX}glance-down`;
    await chooseFile(large.path, 'raw', name);
    await create();
    await waitProgress(page, 10);
    const [stuck] = await imagesNamed(glance, name);
    process.kill(loadCloud().glance.pid, 'SIGKILL');
    const out = await waitCreateOutcome(page);
    assert.equal(out.ok, false);
    assert.match(
      out.text,
      /Could not reach http:\/\/127\.0\.0\.1:\d+ while (uploading the image data|reading the image): the connection failed or dropped\./,
    );
    assert.match(out.text, new RegExp(`The unfinished image ${stuck.id} is kept`));
    cloudSh(['restart', 'glance']);
    ({ glance } = await nodeGlance('demo'));
    const want = await digests(large.path);
    await create();
    const again = await waitCreateOutcome(page);
    assert.ok(again.ok, again.text);
    const images = await imagesNamed(glance, name);
    assert.equal(images.length, 1, 'the stuck image was cleaned up, no duplicate');
    assert.notEqual(images[0].id, stuck.id);
    assert.equal(images[0].status, 'active');
    assert.equal(images[0].os_hash_value, want.sha512);
  });
});

describe('cloud panel: a tab closed mid-upload', () => {
  test('the browser asks first; after the close a new tab shows the image and cleans it up', async () => {
    const name = `${PREFIX}closed-tab`;
    const first = await openSignedIn(browser, server.origin, cloud, cloud.users.demo);
    const p = first.page;
    await openCreate(p);
    await throttleUploads(p, RATE);
    await p.locator(form('input#file')).setInputFiles(slowToo.path);
    await waitValue(p.locator(form('select#disk_format')), 'raw');
    await fill(p, form('input#name'), name);
    await p.locator(form('select#method')).selectOption('direct');
    await p.locator(form('button[data-action=create]')).click();
    const pct = await waitProgress(p, 3);
    assert.ok(pct < 100, `the tab must close mid-transfer (at ${pct}%)`);
    const [img] = await imagesNamed(glance, name);
    assert.ok(img, 'the image was created before the transfer');
    // beforeunload: the browser asks before a tab with a running upload closes
    const dialog = new Promise<Dialog>((resolve) => p.once('dialog', resolve));
    const closed = p.waitForEvent('close');
    await p.close({ runBeforeUnload: true });
    const d = await dialog;
    assert.equal(d.type(), 'beforeunload');
    await d.accept();
    await closed;
    await first.close();
    // Glance notices the dropped connection; the image is left without data (queued) or stuck (saving)
    let left = await glance.getImage(img.id);
    for (let i = 0; i < 40 && left.status === 'saving'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      left = await glance.getImage(img.id);
    }
    assert.ok(['queued', 'saving'].includes(left.status), `left ${left.status}`);
    // a new tab: sign in, the image is in the list and offered for clean-up
    const second = await openSignedIn(browser, server.origin, cloud, cloud.users.demo);
    try {
      const q = second.page;
      await q.locator(`cloud-images-table tr[data-id="${img.id}"]`).waitFor({ timeout: 20_000 });
      const offer = q.locator('cloud-images-table [part=orphans]');
      await offer.waitFor({ timeout: 20_000 });
      assert.match((await offer.textContent()) ?? '', /interrupted upload/);
      await q.locator('cloud-images-table button[data-action=clean-orphans]').click();
      await q
        .locator('cloud-panel [data-role=panel-notice]')
        .filter({ hasText: /Deleted \d+ image\(s\)/ })
        .waitFor({ timeout: 20_000 });
      await assert.rejects(glance.getImage(img.id), (e: Error & { kind?: string }) => e.kind === 'not-found');
      assert.equal((await imagesNamed(glance, name)).length, 0);
    } finally {
      await second.close();
    }
  });
});

describe('cloud panel: image size cap', () => {
  before(() => {
    cloudSh(['restart', 'glance'], { GLANCE_IMAGE_SIZE_CAP: String(LOW_CAP) });
  });
  after(() => {
    cloudSh(['restart', 'glance']); // back to the settings the cloud was started with
  });

  test("over the size cap: Glance's 413 is one sentence; the retry with a smaller file replaces the empty image and says so", async () => {
    const name = `${PREFIX}cap`;
    await chooseFile(tooLarge.path, 'raw', name);
    await create();
    const out = await waitCreateOutcome(page);
    assert.equal(out.ok, false);
    assert.match(out.text, /too large for this cloud .*exceeds the image size cap or your storage quota/s);
    assert.match(out.text, /The unfinished image [0-9a-f-]{36} is kept: "Create and upload" again reuses or replaces it, or delete it\./);
    const first = await imagesNamed(glance, name);
    assert.equal(first.length, 1);
    assert.equal(first[0].status, 'queued');
    // retry with a file that fits: it gets an image of its own, the empty one made for the other file goes
    const want = await digests(qcow.path);
    await page.locator(form('input#file')).setInputFiles(qcow.path);
    await waitValue(page.locator(form('select#disk_format')), 'qcow2');
    await create();
    const again = await waitCreateOutcome(page);
    assert.ok(again.ok, again.text);
    const checks = await page.locator(form('[data-role=checks] li')).allTextContents();
    assert.ok(
      checks.some((c) => c.includes(`The image ${first[0].id} the last attempt left queued was made for too-large.raw`)),
      checks.join('\n'),
    );
    const after = await imagesNamed(glance, name);
    assert.equal(after.length, 1, 'no second image of the same name');
    assert.notEqual(after[0].id, first[0].id, 'the image made for the other file was not renamed into this one');
    assert.equal(after[0].status, 'active');
    assert.equal(after[0].disk_format, 'qcow2');
    assert.equal(after[0].os_hash_value, want.sha512);
  });
});

describe('cloud panel: storage quota', () => {
  before(() => {
    cloudSh(['restart', 'glance'], { GLANCE_USER_STORAGE_QUOTA: '1MB' });
  });
  after(() => {
    cloudSh(['restart', 'glance']); // back to the settings the cloud was started with
  });

  test('quota exceeded: one sentence, and the queued image is offered for deletion', async () => {
    ({ glance } = await nodeGlance('demo'));
    const name = `${PREFIX}quota`;
    await chooseFile(qcow.path, 'qcow2', name);
    await create();
    const out = await waitCreateOutcome(page);
    assert.equal(out.ok, false);
    assert.match(out.text, /too large for this cloud .*storage quota/s);
    const [img] = await imagesNamed(glance, name);
    assert.ok(img, 'the image is kept for the user to see');
    assert.notEqual(img.status, 'active');
    await page.locator(form('button[data-action=discard-pending]')).click();
    await page
      .locator('cloud-panel [data-role=panel-notice]')
      .filter({ hasText: new RegExp(`Deleted the image ${img.id}`) })
      .waitFor({ timeout: 20_000 });
    await assert.rejects(glance.getImage(img.id), (e: Error & { kind?: string }) => e.kind === 'not-found');
  });
});

describe('cloud panel: tokens expiring during an upload', () => {
  const LIFETIME = 16;
  before(() => {
    cloudSh(['restart', 'keystone'], { KEYSTONE_TOKEN_EXPIRATION: String(LIFETIME) });
  });
  after(() => {
    // a plain restart goes back to the lifetime the cloud was started with
    cloudSh(['restart', 'keystone']);
  });

  test('a password session renews its token itself and the upload succeeds', async () => {
    await page.locator('cloud-panel button[data-action=sign-out]').click();
    const issued = Date.now();
    await signInWithPassword(page, cloud, cloud.users.demo);
    const before = await waitSignedIn(page);
    const name = `${PREFIX}renew`;
    await chooseFile(large.path, 'raw', name);
    // start when the token has ~6.5 s left (renewal starts at 5 s): it runs out around the transfer
    await new Promise((r) => setTimeout(r, Math.max(0, issued + (LIFETIME - 6.5) * 1000 - Date.now())));
    await create();
    const out = await waitCreateOutcome(page);
    assert.ok(out.ok, out.text);
    const afterText = (await page.locator('cloud-panel [data-role=whoami]').textContent()) ?? '';
    assert.notEqual(afterText, before, 'the token was renewed (new expiry shown)');
    const [img] = await imagesNamed(glance, name);
    assert.equal(img.status, 'active');
  });

  test('an existing token that expires mid-upload: one sentence, sign in again, the retry verifies without resending', async () => {
    const c = loadCloud();
    const u = c.users.demo;
    const t = await authenticate({
      authUrl: c.keystone.authUrl,
      auth: { type: 'password', username: u.username, password: u.password, userDomainName: u.userDomainName },
      scope: { projectName: u.projectName, projectDomainName: u.projectDomainName },
    });
    await page.locator('cloud-panel button[data-action=sign-out]').click();
    await page.locator('cloud-sign-in select#method').selectOption('token');
    await fill(page, 'cloud-sign-in input#authUrl', c.keystone.authUrl);
    await fill(page, 'cloud-sign-in input#token', t.value);
    await fill(page, 'cloud-sign-in input#projectName', u.projectName);
    await page.locator('cloud-sign-in button[data-action=sign-in]').click();
    await waitSignedIn(page);
    const name = `${PREFIX}token`;
    await chooseFile(slowToo.path, 'raw', name);
    // start with 3 s left: enough to create the image, less than sending 96 MiB takes (about 6 s)
    const left = t.expiresAt.getTime() - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, left - 3000)));
    await create();
    const err = page.locator('cloud-sign-in [data-role=sign-in-error]');
    await err.waitFor({ timeout: 120_000 });
    assert.match((await err.textContent()) ?? '', /token you signed in with expired at .*Sign in again/);
    const [img] = await imagesNamed(glance, name);
    assert.ok(img, 'the image is visible to the user after signing in again');
    // sign in with the password; the create form kept its values and the unfinished image
    await signInWithPassword(page, cloud, cloud.users.demo);
    await waitSignedIn(page);
    assert.match((await page.locator(form('[data-role=pending]')).textContent()) ?? '', new RegExp(img.id));
    await create();
    const out = await waitCreateOutcome(page);
    assert.ok(out.ok, out.text);
    const images = await imagesNamed(glance, name);
    assert.equal(images.length, 1);
    assert.equal(images[0].id, img.id);
    assert.equal(images[0].status, 'active');
  });
});
