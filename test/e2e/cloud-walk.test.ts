// The Cloud view as a user walks it, in the built app against the real local Keystone and Glance:
// a stale sign-in error goes when a clouds.yaml is loaded; a second "Upload to the cloud…" resets
// the form and says so (not after a finished upload: nothing typed was lost); what was typed
// survives a visit to the list; a rejected file is said once (no garbled double message after Create);
// rows have actions, delete asks with the image's name and reports it by name; upload progress is
// honest at its end; narrow columns keep whole words; the privacy note is not under the form; the
// file is chosen through the form's own button (the browser's input, hidden, would say "No file chosen").
// Screenshots of each view are kept under test-results/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { serveDist, type DistServer } from './helpers/serve-dist.ts';
import { CLOUD_ROOT, cleanupImages, imagesNamed, loadCloud, nodeGlance, type CloudJson } from './helpers/cloud-env.ts';
import { makeQcow2, tempDir } from './helpers/cloud-images.ts';
import {
  fill,
  form,
  openImage,
  openCloudTab,
  openSignedIn,
  signInWithPassword,
  waitCreateOutcome,
  waitSignedIn,
  waitValue,
  type CloudPage,
} from './helpers/cloud-ui.ts';
import { screenshot } from './helpers/screenshots.ts';
import type { GlanceClient } from '../../src/core/openstack/glance.ts';

const PREFIX = `e2e-walk-${process.pid}-`;
const T = { timeout: 120_000 };
let browser: Browser;
let server: DistServer;
let tmp: ReturnType<typeof tempDir>;
let cloud: CloudJson;
let glance: GlanceClient;
let ui: CloudPage;
let page: Page;
let first: string;
let second: string;
let backed: string;

before(async () => {
  cloud = loadCloud();
  ({ glance } = await nodeGlance('demo'));
  tmp = tempDir();
  first = makeQcow2(tmp.dir, 'first.qcow2', 1, 1).path;
  second = makeQcow2(tmp.dir, 'second.qcow2', 2, 2).path;
  backed = join(tmp.dir, 'backed.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', first, backed]);
  server = await serveDist(5661);
  browser = await launchChromium();
  ui = await openCloudTab(browser, server.origin);
  page = ui.page;
}, T);

after(async () => {
  await browser?.close();
  await server?.close();
  if (glance) await cleanupImages(glance, PREFIX);
  tmp?.remove();
});

async function offerFromInspector(path: string, name: string): Promise<void> {
  await page.locator('#tab-inspect').click();
  await page.locator('image-inspector #files').setInputFiles(path);
  const card = page.locator(`image-inspector li.card[data-name="${name}"][data-phase=done]`);
  await card.waitFor({ timeout: 60_000 });
  await card.locator('button.upload').click();
  await page.locator(form('input#name')).waitFor();
}

describe('cloud view: signing in', () => {
  test('a "Could not reach" error goes when a clouds.yaml fills the form', T, async () => {
    assert.equal(await page.locator('#about').isVisible(), false, 'the inspect privacy panel is not under the Cloud view');
    await page.locator('[data-role=cloud-privacy]').waitFor();
    await signInWithPassword(page, { ...cloud, keystone: { ...cloud.keystone, authUrl: 'http://127.0.0.1:5659/v3' } }, cloud.users.demo);
    const err = page.locator('cloud-sign-in [data-role=sign-in-error]');
    await err.filter({ hasText: /Could not reach/ }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'cloud-sign-in-error');
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator('cloud-sign-in button[data-action=pick-credentials]').click(),
    ]);
    await chooser.setFiles(`${CLOUD_ROOT}/.cloud/clouds.yaml`);
    await page.locator('cloud-sign-in [data-role=credentials-name]', { hasText: '(read from clouds.yaml)' }).waitFor();
    await page.locator('cloud-sign-in select#cloud').waitFor();
    await err.waitFor({ state: 'detached', timeout: 10_000 });
    await signInWithPassword(page, cloud, cloud.users.demo);
    await waitSignedIn(page);
    // a fresh cloud has no image yet: the empty state; a used one lists its images
    await page.locator('cloud-images-table tr.row, cloud-images-table [data-role=empty]').first().waitFor({ timeout: 20_000 });
    await screenshot(page, 'cloud-images');
  });
});

describe('cloud view: the create form never carries stale state', () => {
  test('a second offer resets name, fields and checks, and says so since the user had typed', T, async () => {
    await offerFromInspector(first, 'first.qcow2');
    await waitValue(page.locator(form('input#name')), 'first');
    await fill(page, form('input#name'), `${PREFIX}typed-for-first`);
    await fill(page, form('input#architecture'), 'aarch64');
    await offerFromInspector(second, 'second.qcow2');
    await waitValue(page.locator(form('input#name')), 'second');
    assert.equal(await page.locator(form('input#architecture')).inputValue(), '', 'no field of the first offer stays');
    await waitValue(page.locator(form('input#min_disk')), '2');
    assert.match((await page.locator(form('[data-role=file-name]')).textContent()) ?? '', /second\.qcow2/);
    const note = (await page.locator(form('[data-role=form-reset]')).textContent()) ?? '';
    assert.match(note, /second\.qcow2.*first\.qcow2 was cleared/);
    assert.equal(await page.locator(form('[data-role=checks]')).count(), 0, 'no checklist of the previous file');
    assert.equal(await page.locator(form('[data-role=error]')).count(), 0);
    await screenshot(page, 'cloud-create');
  });

  test('the upload ends with honest progress: everything stored, no "0 B/s, 0 s left"', T, async () => {
    const name = `${PREFIX}second`;
    await fill(page, form('input#name'), name);
    await page.locator(form('button[data-action=create]')).click();
    const out = await waitCreateOutcome(page);
    assert.ok(out.ok, out.text);
    const progress = (await page.locator(form('[data-role=progress-text]')).textContent()) ?? '';
    assert.match(progress, /^100% — all .* stored\.$/);
    assert.doesNotMatch(progress, /0 B\/s|0 s left|— left/);
    const checks = await page.locator(form('[data-role=checks] li')).allTextContents();
    assert.ok(checks.length > 0 && checks.every((c) => c.startsWith('✓')), checks.join('\n'));
    assert.equal((await imagesNamed(glance, name)).length, 1);
  });

  test('after a finished upload the next offer starts a clean form with no "what you had typed was cleared" note', T, async () => {
    await offerFromInspector(first, 'first.qcow2');
    await waitValue(page.locator(form('input#name')), 'first');
    // what was typed for second.qcow2 went into its image: nothing was lost, nothing to warn about
    assert.equal(await page.locator(form('[data-role=form-reset]')).count(), 0, 'no reset note after a success');
    assert.equal(await page.locator(form('[data-role=success]')).count(), 0, 'the previous success is gone');
  });

  test('what was typed in the create form survives a look at the images list ("Images", then "Create image")', T, async () => {
    await fill(page, form('input#name'), `${PREFIX}kept`);
    await fill(page, form('input#architecture'), 'x86_64');
    await page.locator(form('select#method')).selectOption('glance-direct');
    await page.locator('cloud-panel button[data-action=show-list]').click();
    await page.locator('cloud-images-table').waitFor();
    await page.locator('cloud-panel button[data-action=show-create]').click();
    assert.equal(await page.locator(form('input#name')).inputValue(), `${PREFIX}kept`);
    assert.equal(await page.locator(form('input#architecture')).inputValue(), 'x86_64');
    assert.equal(
      await page.locator(form('select#method')).inputValue(),
      'glance-direct',
      'the upload method too (a paused upload resumes by it)',
    );
    assert.match((await page.locator(form('[data-role=file-name]')).textContent()) ?? '', /first\.qcow2/);
    await page.locator(form('select#method')).selectOption('direct');
  });

  test('360 px wide: every field and button of the create form fits in it, none squeezed to a sliver', T, async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    try {
      await page.locator('cloud-panel button[data-action=show-create]').click();
      await page.locator(form('select#method')).selectOption('s3');
      const bad = await page.locator(form('')).evaluate((el) => {
        const root = (el as HTMLElement).shadowRoot!;
        const box = root.querySelector('form')!.getBoundingClientRect();
        return [
          ...root.querySelectorAll<HTMLElement>('input:not([type=checkbox]):not([type=radio]):not([type=file]), select, textarea, button'),
        ]
          .map((c) => ({ c, r: c.getBoundingClientRect() }))
          .filter(({ c, r }) => r.width > 0 && (r.right > box.right + 1 || (c.tagName !== 'BUTTON' && r.width < 60)))
          .map(
            ({ c, r }) =>
              `${c.tagName.toLowerCase()}#${c.id} ${Math.round(r.width)}px wide, right ${Math.round(r.right)} > ${Math.round(box.right)}`,
          );
      });
      assert.deepEqual(bad, []);
      await page.locator(form('select#method')).selectOption('direct');
    } finally {
      await page.setViewportSize({ width: 1300, height: 1000 });
    }
  });

  test('a rejected file is said once in the form, before and after Create, never garbled', T, async () => {
    await page.locator('cloud-panel button[data-action=show-create]').click();
    // the form's own button stands for the hidden file input: the chooser opens from it
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator(form('button#pick-file')).click()]);
    await chooser.setFiles(backed);
    assert.match((await page.locator(form('[data-role=file-name]')).textContent()) ?? '', /^backed\.qcow2 \(/);
    const before = page.locator(form('[data-role=verdict-blocked]'));
    await before.waitFor({ timeout: 30_000 });
    assert.match((await before.textContent()) ?? '', /Glance would reject backed\.qcow2 as it is: .*backing.*Convert it first/s);
    await fill(page, form('input#name'), `${PREFIX}backed`);
    await page.locator(form('select#disk_format')).selectOption('qcow2');
    await page.locator(form('button[data-action=create]')).click();
    const out = await waitCreateOutcome(page);
    assert.equal(out.ok, false);
    assert.match(out.text, /^Safety check failed: .*backing.*Convert it first/s);
    assert.doesNotMatch(out.text, /\.\.|\. \./, 'no doubled full stop');
    const all = await page.locator(form('')).evaluate((el) => (el as HTMLElement).shadowRoot!.textContent ?? '');
    assert.equal(all.split('Safety check failed').length - 1, 1, 'said once');
    assert.equal(await before.count(), 0, 'the note before Create gives way to the error');
    assert.equal((await imagesNamed(glance, `${PREFIX}backed`)).length, 0);
  });
});

describe('cloud view: editing, refusals and the clean-up (as an operator meets them)', () => {
  const e = 'cloud-image-editor';
  const editError = () => page.locator(`${e} [data-role=edit-error]`);
  async function openEditor(id: string): Promise<void> {
    await openImage(page, id);
    await page.locator('cloud-image-details button[data-action=edit]').click();
    await page.locator(`${e} input#name`).waitFor();
  }

  test('a non-admin making an image public is refused in one sentence naming the policy; the last save notice is gone', T, async () => {
    const [img] = await imagesNamed(glance, `${PREFIX}second`);
    await openEditor(img.id);
    await fill(page, `${e} input#min_ram`, '256');
    await page.locator(`${e} button[data-action=save]`).click();
    const notice = page.locator('cloud-panel [data-role=panel-notice]');
    await notice.filter({ hasText: 'Saved 1 change(s)' }).waitFor({ timeout: 20_000 });
    await page.locator('cloud-image-details button[data-action=edit]').click();
    await page.locator(`${e} select#visibility`).waitFor();
    assert.equal(await notice.count(), 0, '"Saved 1 change(s)" of the last edit does not stand over this one');
    await page.locator(`${e} select#visibility`).selectOption('public');
    await page.locator(`${e} button[data-action=save]`).click();
    await editError().waitFor({ timeout: 20_000 });
    assert.equal(
      (await editError().textContent())?.trim(),
      "Only the cloud's administrators may make an image public here (Glance's publicize_image policy): choose another visibility, or ask the cloud operator to make it public.",
    );
    assert.equal(await notice.count(), 0);
    assert.equal((await glance.getImage(img.id)).visibility, img.visibility);
    await screenshot(page, 'cloud-edit-refused');
  });

  test('an os_glance_* key is refused in the editor before anything is sent (Glance reserves it)', T, async () => {
    const [img] = await imagesNamed(glance, `${PREFIX}second`);
    await openEditor(img.id);
    const patches: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => r.method() === 'PATCH' && patches.push(r.url());
    page.on('request', onRequest);
    try {
      await fill(page, `${e} input[name=meta-key]`, 'os_glance_mine');
      await fill(page, `${e} input[name=meta-value]`, 'x');
      await page.locator(`${e} button[data-action=add-meta]`).click();
      assert.equal(
        (await editError().textContent())?.trim(),
        `"os_glance_mine" is in Glance's reserved os_glance namespace: choose another property name.`,
      );
      // a core field typed as a key does not overwrite that field's box either
      await fill(page, `${e} input[name=meta-key]`, 'min_disk');
      await fill(page, `${e} input[name=meta-value]`, 'abc');
      await page.locator(`${e} button[data-action=add-meta]`).click();
      assert.match((await editError().textContent()) ?? '', /"min_disk" is a core image field/);
      assert.equal(await page.locator(`${e} input#min_disk`).inputValue(), String(img.min_disk));
      await page.locator(`${e} button[data-action=save]`).click();
      await page.locator(`${e} [data-role=edit-notice]`).filter({ hasText: 'Nothing changed.' }).waitFor();
      assert.deepEqual(patches, []);
    } finally {
      page.off('request', onRequest);
    }
  });

  test('a property removed elsewhere meanwhile: "changed elsewhere", not "not in a state that allows"', T, async () => {
    const img = await glance.createImage({
      name: `${PREFIX}concurrent`,
      disk_format: 'raw',
      container_format: 'bare',
      properties: { my_prop: 'v1' },
    });
    await page.locator('cloud-panel button[data-action=show-list]').click();
    await openEditor(img.id);
    await glance.updateImage(img.id, [{ op: 'remove', path: '/my_prop' }]);
    await fill(page, `${e} input[data-meta=my_prop]`, 'v2');
    await page.locator(`${e} button[data-action=save]`).click();
    await editError().waitFor({ timeout: 20_000 });
    const text = (await editError().textContent())?.trim() ?? '';
    assert.equal(
      text,
      'The image was changed elsewhere since it was opened here (Glance said: Property my_prop does not exist.): go back to it, refresh it and edit it again.',
    );
    await glance.deleteImage(img.id);
  });

  test("another project's image: deleting it is refused with whose it is, not a visibility hint", T, async () => {
    const { glance: admin } = await nodeGlance('admin');
    const pub = await admin.createImage({
      name: `${PREFIX}admin-public`,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'public',
    });
    try {
      await page.locator('cloud-panel button[data-action=show-list]').click();
      await openImage(page, pub.id);
      await page.locator('cloud-image-details button[data-action=delete]').click();
      await page.locator('cloud-image-details button[data-action=confirm-delete]').click();
      const err = page.locator('cloud-panel [data-role=panel-error]');
      await err.waitFor({ timeout: 20_000 });
      assert.equal(
        (await err.textContent())?.trim(),
        'This image belongs to another project: only its owner (or a cloud administrator) may change or delete it, so Glance refused deleting the image.',
      );
      assert.ok(await admin.getImage(pub.id));
    } finally {
      await admin.deleteImage(pub.id);
    }
  });

  test('the one-click clean-up of queued images leaves a protected one (a placeholder kept on purpose) alone', T, async () => {
    // as alt: the clean-up deletes every unprotected queued image of the project
    const { glance: alt } = await nodeGlance('alt');
    const keep = await alt.createImage({ name: `${PREFIX}placeholder`, disk_format: 'raw', container_format: 'bare', protected: true });
    const gone = await alt.createImage({ name: `${PREFIX}orphan`, disk_format: 'raw', container_format: 'bare' });
    const altUi = await openSignedIn(browser, server.origin, cloud, cloud.users.alt);
    try {
      const p = altUi.page;
      await p.locator(`cloud-images-table tr[data-id="${keep.id}"]`).waitFor({ timeout: 20_000 });
      const banner = p.locator('cloud-images-table [part=orphans]');
      const count = async () => Number(/^\s*(\d+)/.exec((await banner.textContent()) ?? '')?.[1]);
      const queued = (await alt.listAllImages({ status: 'queued' })).filter((i) => !i.protected && i.owner === cloud.users.alt.projectId);
      assert.equal(await count(), queued.length, 'the protected queued image is not counted');
      await p.locator('cloud-images-table button[data-action=clean-orphans]').click();
      await p
        .locator('cloud-panel [data-role=panel-notice]')
        .filter({ hasText: /that had no data/ })
        .waitFor({ timeout: 20_000 });
      const kept = await alt.getImage(keep.id);
      assert.equal(kept.protected, true, 'still protected: never unprotected behind the user’s back');
      await assert.rejects(alt.getImage(gone.id), (x: Error & { kind?: string }) => x.kind === 'not-found');
      assert.deepEqual(altUi.problems, []);
    } finally {
      await altUi.close();
      await cleanupImages(alt, PREFIX);
    }
  });
});

describe('cloud view: signing out', () => {
  test("sign out, then another user signs in: nothing of the first user's create form stays (file, fields, S3 secret)", T, async () => {
    const other = await openSignedIn(browser, server.origin, cloud, cloud.users.demo);
    try {
      const p = other.page;
      await p.locator('cloud-panel button[data-action=show-create]').click();
      const [chooser] = await Promise.all([p.waitForEvent('filechooser'), p.locator(form('button#pick-file')).click()]);
      await chooser.setFiles(first);
      await fill(p, form('input#name'), `${PREFIX}demo-only`);
      await fill(p, form('input#architecture'), 'aarch64');
      await p.locator(form('select#method')).selectOption('s3');
      await fill(p, form('input#secret'), 'typed-ec2-secret');
      await p.locator('cloud-panel button[data-action=sign-out]').click();
      await signInWithPassword(p, cloud, cloud.users.alt);
      assert.match(await waitSignedIn(p), /Signed in as alt in project alt/);
      await p.locator('cloud-panel button[data-action=show-create]').click();
      await p.locator(form('input#name')).waitFor();
      assert.equal(await p.locator(form('input#name')).inputValue(), '');
      assert.equal(await p.locator(form('input#architecture')).inputValue(), '');
      assert.equal((await p.locator(form('[data-role=file-name]')).textContent())?.trim(), 'No file chosen');
      assert.equal(await p.locator(form('select#method')).inputValue(), 'direct');
      assert.equal(await p.locator(form('input#secret')).count(), 0, 'no S3 fields (and no secret) carried over');
      assert.equal(
        await p.locator(form('[data-role=form-reset]')).count(),
        0,
        'no "what you had typed was cleared" note for the next user',
      );
      // the shared Keystone may drop a kept-alive connection (the sign-in retries it) and the revoked
      // token's last requests may be refused: nothing else
      const transport = /net::ERR_INVALID_HTTP_RESPONSE|net::ERR_ABORTED|status of 401/;
      assert.deepEqual(
        other.problems.filter((x) => !transport.test(x)),
        [],
      );
    } finally {
      await other.close();
    }
  });
});

describe('cloud view: a region the catalog lacks', () => {
  test('the header shows that region as chosen (so another can be picked), and no "no images yet" under the error', T, async () => {
    const other = await openCloudTab(browser, server.origin);
    try {
      const p = other.page;
      await fill(p, 'cloud-sign-in input#region', 'RegionTwo');
      await signInWithPassword(p, cloud, cloud.users.demo);
      await waitSignedIn(p);
      const err = p.locator('cloud-panel [data-role=panel-error]');
      await err.waitFor({ timeout: 20_000 });
      assert.match((await err.textContent()) ?? '', /no public "image" endpoint in region RegionTwo/);
      const region = p.locator('cloud-panel select[name=region]');
      assert.equal(await region.inputValue(), 'RegionTwo', 'not RegionOne shown while RegionTwo failed');
      await p.locator('cloud-images-table [data-role=list-failed]').waitFor();
      assert.equal(await p.locator('cloud-images-table [data-role=empty]').count(), 0, 'not "No images in this project yet"');
      await screenshot(p, 'cloud-region-missing');
      await region.selectOption(cloud.region);
      await p.locator('cloud-images-table tr.row, cloud-images-table [data-role=empty]').first().waitFor({ timeout: 20_000 });
      assert.equal(await err.count(), 0);
      assert.deepEqual(other.problems, []);
    } finally {
      await other.close();
    }
  });
});

describe('cloud view: the images table', () => {
  test('details and editor of an image: delete in red, named in its confirmation', T, async () => {
    const [img] = await imagesNamed(glance, `${PREFIX}second`);
    assert.ok(img, 'uploaded above');
    await openImage(page, img.id);
    const d = 'cloud-image-details';
    assert.equal(await page.locator(`${d} button[data-action=delete]`).evaluate((b) => getComputedStyle(b).color), 'rgb(180, 35, 24)');
    await screenshot(page, 'cloud-details');
    await page.locator(`${d} button[data-action=delete]`).click();
    assert.equal((await page.locator(`${d} button[data-action=confirm-delete]`).textContent())?.trim(), `Delete "${PREFIX}second"`);
    await page.locator(`${d} button[data-action=cancel-delete]`).click();
    await page.locator(`${d} button[data-action=edit]`).click();
    await page.locator('cloud-image-editor').waitFor();
    await screenshot(page, 'cloud-edit');
  });

  test('a queued image (no data yet) shows its size as a dash, not " (—)"', T, async () => {
    const img = await glance.createImage({ name: `${PREFIX}queued`, disk_format: 'raw', container_format: 'bare' });
    await openImage(page, img.id);
    assert.equal((await page.locator('cloud-image-details dd[data-key=size]').textContent())?.trim(), '—');
    assert.equal((await page.locator('cloud-image-details dd[data-key=virtual_size]').textContent())?.trim(), '—');
    await glance.deleteImage(img.id);
  });

  test('row actions: delete in red asks with the image name and reports the deletion by name', T, async () => {
    const name = `${PREFIX}row-delete`;
    const img = await glance.createImage({ name, disk_format: 'raw', container_format: 'bare' });
    await page.locator('cloud-panel button[data-action=show-list]').click();
    const row = page.locator(`cloud-images-table tr[data-id="${img.id}"]`);
    await row.waitFor({ timeout: 20_000 });
    const del = row.locator('button[data-action=delete-row]');
    const color = await del.evaluate((b) => getComputedStyle(b).color);
    assert.equal(color, 'rgb(180, 35, 24)', 'the destructive action is red');
    await del.click();
    const confirm = page.locator('cloud-images-table [data-role=row-delete-confirm]');
    assert.match((await confirm.textContent()) ?? '', new RegExp(`Delete the image "${name}"\\?`));
    await screenshot(page, 'cloud-delete-confirm');
    await confirm.locator('button[data-action=confirm-row-delete]').click();
    const notice = page.locator('cloud-panel [data-role=panel-notice]');
    await notice.filter({ hasText: `Deleted the image "${name}".` }).waitFor({ timeout: 20_000 });
    assert.doesNotMatch((await notice.textContent()) ?? '', new RegExp(img.id));
  });

  test('narrow columns wrap between words, never inside one', T, async () => {
    await page.setViewportSize({ width: 640, height: 900 });
    try {
      const broken = await page.locator('cloud-images-table').evaluate((el) => {
        const out: string[] = [];
        for (const td of (el as HTMLElement).shadowRoot!.querySelectorAll('td')) {
          const text = td.textContent?.trim() ?? '';
          // words only: ids and hyphenated names may wrap at their own break points
          if (!/^[A-Za-z][A-Za-z0-9]*$/.test(text) || !td.firstChild || td.classList.contains('owner')) continue;
          const r = document.createRange();
          r.selectNodeContents(td);
          const lines = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
          if (lines.size > 1) out.push(text);
        }
        return out;
      });
      assert.deepEqual(broken, [], 'single words split over lines');
    } finally {
      await page.setViewportSize({ width: 1300, height: 1000 });
    }
  });

  test('a list Glance cannot give: the error, a "Try again", never "no images yet"; Try again lists them', T, async () => {
    const list = /\/v2\/images\?/;
    // Glance answering 503 to the listing alone (what a restarting glance-api does), CORS-readable
    await page.route(list, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'text/plain',
        body: 'Service Unavailable',
        headers: { 'access-control-allow-origin': server.origin },
      }),
    );
    try {
      await page.locator('cloud-panel button[data-action=show-list]').click();
      const failed = page.locator('cloud-images-table [data-role=list-failed]');
      await failed.waitFor({ timeout: 20_000 });
      assert.match((await failed.textContent()) ?? '', /The image list could not be read\./);
      assert.equal(await page.locator('cloud-images-table [data-role=empty]').count(), 0, 'not "No images in this project yet"');
      assert.equal(await page.locator('cloud-images-table tr.row').count(), 0, 'no outdated rows under the error');
    } finally {
      await page.unroute(list);
    }
    await page.locator('cloud-images-table button[data-action=retry-list]').click();
    await page.locator('cloud-images-table tr.row').first().waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('cloud-images-table [data-role=list-failed]').count(), 0);
  });

  test('an empty list shows what to do, not "0 of 0"', T, async () => {
    const text = await page.evaluate(async () => {
      const t = document.createElement('cloud-images-table') as HTMLElement & { images: unknown[]; updateComplete: Promise<unknown> };
      t.images = [];
      document.body.append(t);
      await t.updateComplete;
      const s = t.shadowRoot!.textContent ?? '';
      t.remove();
      return s;
    });
    assert.match(text, /No images in this project yet/);
    assert.doesNotMatch(text, /0 of 0/);
  });

  test('the page reported no errors but the provoked ones', () => {
    const provoked = /net::ERR_CONNECTION_REFUSED|net::ERR_FAILED|net::ERR_ABORTED|status of 40[1349]|status of 503/;
    assert.deepEqual(
      ui.problems.filter((p) => !provoked.test(p)),
      [],
    );
  });
});
