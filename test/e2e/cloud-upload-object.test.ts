// Object-storage uploads from the BUILT app in real Chromium against the real local Swift, its
// s3api and Glance (scripts/cloud/cloud.sh with CLOUD_WITH_SWIFT=1): Swift SLO and S3 multipart
// each end in an active image whose os_hash_value is the local sha512, and what Swift holds is
// checked from Node (manifest, segments, none left after a delete).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { serveDist, type DistServer } from './helpers/serve-dist.ts';
import { cleanupImages, imagesNamed, loadCloud, nodeGlance, type CloudJson } from './helpers/cloud-env.ts';
import { digests, makeRaw, tempDir } from './helpers/cloud-images.ts';
import { type CloudPage, fill, form, openCreate, openSignedIn, waitCreateOutcome, waitValue } from './helpers/cloud-ui.ts';
import {
  deleteEc2Credential,
  listContainer,
  removeContainer,
  setAccountTempUrlKey,
  swiftOf,
  type SwiftJson,
} from './helpers/object-store.ts';
import type { GlanceClient } from '../../src/core/openstack/glance.ts';
import type { KeystoneSession } from '../../src/core/openstack/keystone.ts';

const PREFIX = `e2e-obj-${process.pid}-`;
const CONTAINER = `e2e-ub-${process.pid}`;
const TEMPURL_KEY = `e2e-key-${process.pid}`;
let browser: Browser;
let server: DistServer;
let tmp: ReturnType<typeof tempDir>;
let cloud: CloudJson;
let swift: SwiftJson;
let glance: GlanceClient;
let session: KeystoneSession;
let ui: CloudPage;
let page: Page;
let file: { path: string; size: number };
let want: { sha512: string; md5: string };

before(async () => {
  cloud = loadCloud();
  swift = swiftOf(cloud);
  ({ glance, session } = await nodeGlance('demo'));
  await cleanupImages(glance, 'e2e-obj-');
  tmp = tempDir();
  file = makeRaw(tmp.dir, 'object.raw', 96); // 3 parts of 32 MiB (the engine's choice)
  want = await digests(file.path);
  await setAccountTempUrlKey(session, swift.storageUrls.demo, TEMPURL_KEY);
  server = await serveDist(5656);
  browser = await launchChromium();
  ui = await openSignedIn(browser, server.origin, cloud, cloud.users.demo);
  page = ui.page;
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (glance) await cleanupImages(glance, PREFIX);
  if (session) {
    for (const c of [
      CONTAINER,
      `${CONTAINER}_segments`,
      `${CONTAINER}-s3`,
      `${CONTAINER}-s3+segments`,
      `${CONTAINER}-s3del`,
      `${CONTAINER}-s3del+segments`,
    ])
      await removeContainer(session, swift.storageUrls.demo, c);
  }
  tmp?.remove();
});

async function chooseObjectUpload(name: string, method: 'swift' | 's3', path = file.path): Promise<void> {
  await openCreate(page);
  await page.locator(form('input#file')).setInputFiles(path);
  await waitValue(page.locator(form('select#disk_format')), 'raw');
  await fill(page, form('input#name'), name);
  await page.locator(form('select#method')).selectOption(method);
}

/** An S3 upload of `path` into `bucket` with demo's listed EC2 credentials. */
async function chooseS3Upload(name: string, bucket: string, path: string): Promise<void> {
  await chooseObjectUpload(name, 's3', path);
  await fill(page, form('input#bucket'), bucket);
  await page.locator(form('select#ec2')).selectOption(swift.s3.credentials.demo.access);
}

describe('cloud panel: uploads to object storage', { timeout: 300_000 }, () => {
  test('Swift SLO: segments in <container>_segments, a manifest, an active image with the local sha512', async () => {
    const name = `${PREFIX}swift`;
    await chooseObjectUpload(name, 'swift');
    await fill(page, form('input#container'), CONTAINER);
    await fill(page, form('input#tempurl-key'), TEMPURL_KEY);
    await page.locator(form('button[data-action=create]')).click();
    const out = await waitCreateOutcome(page, 240_000);
    assert.ok(out.ok, out.text);
    assert.match(out.text, new RegExp(`The object ${CONTAINER}/object\\.raw is kept in object storage`));
    const [img] = await imagesNamed(glance, name);
    assert.ok(img, 'the image exists');
    assert.equal(img.status, 'active');
    assert.equal(img.os_hash_value, want.sha512);
    assert.equal(img.checksum, want.md5);
    assert.equal(img.size, file.size);
    const manifest = await listContainer(session, swift.storageUrls.demo, CONTAINER);
    assert.deepEqual(
      manifest.map((o) => o.name),
      ['object.raw'],
    );
    const segments = await listContainer(session, swift.storageUrls.demo, `${CONTAINER}_segments`, 'object.raw/slo/');
    assert.equal(segments.length, 3, segments.map((s) => s.name).join(', '));
    assert.equal(
      segments.reduce((n, s) => n + s.bytes, 0),
      file.size,
    );
  });

  test('"Create new credentials" fills the S3 access and secret key with the credentials it created', async () => {
    await chooseObjectUpload(`${PREFIX}ec2`, 's3');
    const listed = await page.locator(form('select#ec2 option')).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    await page.locator(form('button[data-action=create-ec2]')).click();
    await page.locator(form('select#ec2 option')).nth(listed.length).waitFor({ state: 'attached', timeout: 20_000 });
    const access = await page.locator(form('select#ec2 option')).nth(listed.length).getAttribute('value');
    assert.ok(access && !listed.includes(access), 'a new credential is listed');
    try {
      await waitValue(page.locator(form('input#access')), access, 5_000);
      assert.equal(await page.locator(form('select#ec2')).inputValue(), access, 'and chosen');
      assert.notEqual(await page.locator(form('input#secret')).inputValue(), '', 'its secret is filled in');
    } finally {
      await deleteEc2Credential(session, cloud.keystone.authUrl, access);
    }
  });

  test("S3 multipart with the listed EC2 credentials and a part size typed in: a size below s3api's minimum is refused before anything is stored, 16 MiB parts two at a time give an active image with the local sha512", async () => {
    const name = `${PREFIX}s3`;
    await chooseObjectUpload(name, 's3');
    await fill(page, form('input#bucket'), `${CONTAINER}-s3`);
    await page.locator(form('select#ec2')).selectOption(swift.s3.credentials.demo.access);
    assert.equal(await page.locator(form('input#access')).inputValue(), swift.s3.credentials.demo.access);
    assert.equal(await page.locator(form('input#part-size')).getAttribute('placeholder'), '32.0 MiB', 'the size the engine would choose');
    // a size that makes many parts is warned of as it is typed (Glance imports them one by one)
    await fill(page, form('input#part-size'), '100K');
    assert.match((await page.locator(form('[data-role=many-parts]')).textContent()) ?? '', /^That makes 984 parts: /);
    await fill(page, form('input#part-size'), '1M');
    assert.equal(await page.locator(form('[data-role=many-parts]')).count(), 0, '96 parts: no warning');
    await page.locator(form('button[data-action=create]')).click();
    const refused = await waitCreateOutcome(page, 60_000);
    assert.ok(!refused.ok, refused.text);
    assert.match(refused.text, /The segment size 1 MiB is below the minimum of 5 MiB \(s3api \/info\): choose at least 5 MiB\./);
    assert.equal((await imagesNamed(glance, name)).length, 0, 'no image was created for it');
    assert.deepEqual(await listContainer(session, swift.storageUrls.demo, `${CONTAINER}-s3+segments`), [], 'no part was stored');
    await fill(page, form('input#part-size'), '16M');
    await fill(page, form('input#parallel'), '2');
    await page.locator(form('button[data-action=create]')).click();
    // the progress view names the parts in flight: never more than the 2 asked for
    let most = 0;
    const watch = setInterval(() => {
      void page
        .locator(form('[data-role=parts]'))
        .textContent({ timeout: 1000 })
        .then((t) => (most = Math.max(most, Number(/(\d+) in flight/.exec(t ?? '')?.[1] ?? 0))))
        .catch(() => undefined);
    }, 100);
    const out = await waitCreateOutcome(page, 240_000).finally(() => clearInterval(watch));
    assert.ok(out.ok, out.text);
    assert.ok(most >= 1 && most <= 2, `parts in flight seen: at most ${most}`);
    const [img] = await imagesNamed(glance, name);
    assert.ok(img, 'the image exists');
    assert.equal(img.status, 'active');
    assert.equal(img.os_hash_value, want.sha512);
    // s3api keeps the bucket as a Swift container and the parts in "<bucket>+segments"
    const objects = await listContainer(session, swift.storageUrls.demo, `${CONTAINER}-s3`);
    assert.deepEqual(
      objects.map((o) => o.name),
      ['object.raw'],
    );
    const parts = (await listContainer(session, swift.storageUrls.demo, `${CONTAINER}-s3+segments`)).filter((s) => /\/\d+$/.test(s.name));
    assert.equal(parts.length, 6, parts.map((s) => s.name).join(', '));
    assert.ok(
      parts.every((s) => s.bytes === 16 * 1024 * 1024),
      'every part is 16 MiB',
    );
  });

  test('S3 with the object deleted after the import: the image verified, the object and its parts gone', async () => {
    const name = `${PREFIX}s3-deleted`;
    const bucket = `${CONTAINER}-s3del`;
    const small = makeRaw(tmp.dir, 'deleted.raw', 24);
    const smallWant = await digests(small.path);
    await chooseS3Upload(name, bucket, small.path);
    await fill(page, form('input#part-size'), '8M');
    await page.locator(form('input#delete-object')).check();
    await page.locator(form('button[data-action=create]')).click();
    const out = await waitCreateOutcome(page, 240_000);
    assert.ok(out.ok, out.text);
    assert.match(out.text, new RegExp(`The object ${bucket}/deleted\\.raw was deleted from object storage once Glance had its copy\\.`));
    const [img] = await imagesNamed(glance, name);
    assert.equal(img?.status, 'active');
    assert.equal(img.os_hash_value, smallWant.sha512);
    assert.deepEqual(await listContainer(session, swift.storageUrls.demo, bucket), [], 'no object left in the bucket');
    assert.deepEqual(
      (await listContainer(session, swift.storageUrls.demo, `${bucket}+segments`)).filter((s) => /\/\d+$/.test(s.name)),
      [],
      'no part left',
    );
  });

  test('Glance refusing the import of the stored object: the error names the image it made, and "Delete it" deletes it', async () => {
    const name = `${PREFIX}s3-import-refused`;
    const bucket = `${CONTAINER}-s3del`;
    const small = makeRaw(tmp.dir, 'refused.raw', 8);
    await chooseS3Upload(name, bucket, small.path);
    // Glance answers the import (sent by the upload worker) as a cloud whose import is off would
    const imports = /\/v2\/images\/[^/]+\/import$/;
    await page.route(imports, (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 409,
            contentType: 'application/json',
            body: JSON.stringify({ code: 409, title: 'Conflict', message: 'Import method web-download is disabled here.' }),
            headers: { 'access-control-allow-origin': server.origin },
          })
        : route.continue(),
    );
    try {
      await page.locator(form('button[data-action=create]')).click();
      const out = await waitCreateOutcome(page, 120_000);
      assert.equal(out.ok, false, out.text);
      const [img] = await imagesNamed(glance, name);
      assert.ok(img, 'the image was made before the import');
      assert.match(out.text, new RegExp(`The unfinished image ${img.id} is kept`));
      const pending = page.locator(form('[data-role=pending]'));
      assert.match((await pending.textContent()) ?? '', new RegExp(img.id));
      await pending.locator('button[data-action=discard-pending]').click();
      await pending.waitFor({ state: 'detached', timeout: 20_000 });
      assert.equal((await imagesNamed(glance, name)).length, 0, 'Delete it deleted the image');
    } finally {
      await page.unroute(imports);
    }
  });

  test('clicked while the pick-time checksum pass runs: the parts it had hashed go unhashed, the image is still verified; the object deleted after the import as asked', async () => {
    const name = `${PREFIX}swift-early`;
    const big = makeRaw(tmp.dir, 'early.raw', 256); // 8 parts of 32 MiB: the pass needs seconds
    const bigWant = await digests(big.path);
    await openCreate(page);
    await page.locator(form('select#method')).selectOption('swift');
    await fill(page, form('input#container'), CONTAINER);
    await fill(page, form('input#tempurl-key'), TEMPURL_KEY);
    await page.locator(form('input#file')).setInputFiles(big.path);
    await waitValue(page.locator(form('select#disk_format')), 'raw');
    await fill(page, form('input#name'), name);
    await page.locator(form('input#delete-object')).check();
    // past the first part (12.5 %), before the end: the click holds the pass where it is
    const hashing = page.locator(form('[data-role=hash-progress]'));
    await page.waitForFunction(
      (el) => {
        const pct = Number(/(\d+)%/.exec(el?.textContent ?? '')?.[1] ?? 0);
        return pct >= 13 || el?.getAttribute('data-done') === 'true';
      },
      await hashing.elementHandle(),
      { timeout: 60_000 },
    );
    assert.equal(await hashing.getAttribute('data-done'), 'false', 'the pass was still running at the click');
    await page.locator(form('button[data-action=create]')).click();
    const out = await waitCreateOutcome(page, 240_000);
    assert.ok(out.ok, out.text);
    const checks = (await page.locator(form('[data-role=checks]')).textContent()) ?? '';
    const m = /(\d+) of the 8 parts were hashed when the file was picked/.exec(checks);
    assert.ok(m, checks);
    assert.ok(Number(m[1]) >= 1 && Number(m[1]) < 8, m[0]);
    const [img] = await imagesNamed(glance, name);
    assert.equal(img?.status, 'active');
    assert.equal(img.os_hash_value, bigWant.sha512);
    assert.equal(img.checksum, bigWant.md5);
    // Glance has its copy: the manifest and its 8 segments are gone, as the outcome says
    assert.match(out.text, new RegExp(`The object ${CONTAINER}/early\\.raw was deleted from object storage once Glance had its copy\\.`));
    assert.ok(!(await listContainer(session, swift.storageUrls.demo, CONTAINER)).some((o) => o.name === 'early.raw'), 'no manifest left');
    assert.deepEqual(await listContainer(session, swift.storageUrls.demo, `${CONTAINER}_segments`, 'early.raw/'), [], 'no segment left');
  });

  test('no secret reached localStorage, sessionStorage or the console', async () => {
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!stored.includes(swift.s3.credentials.demo.secret), 'the EC2 secret is not stored');
    assert.ok(!ui.consoleLines.some((l) => l.includes(swift.s3.credentials.demo.secret)), 'nor logged');
    const idb = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open('image-inspector-uploads');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const all = await new Promise<unknown[]>((res, rej) => {
        const r = db.transaction('states').objectStore('states').getAll();
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      db.close();
      return JSON.stringify(all);
    });
    assert.ok(!idb.includes(swift.s3.credentials.demo.secret), 'IndexedDB holds no EC2 secret');
    assert.ok(!/X-Auth-Token|gAAAA/.test(idb), 'IndexedDB holds no token');
  });
});
