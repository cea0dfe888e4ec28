// Faults against the real services: Glance killed mid-upload, the size cap and the storage quota
// (413), and expired tokens (Keystone restarted with a short token lifetime). The bytes go through
// the upload engine in the CLI's Node environment, the path the page and the CLI ship. Each
// restart is undone at the end so later suites see the cloud as `cloud.sh start` left it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GlanceClient, KeystoneSession, OpenStackError } from '../../src/core/openstack/index.ts';
import type { BodyTransport } from '../../src/core/upload/index.ts';
import { nodeHttpTransport } from '../../src/cli/node-http-transport.ts';
import {
  cloudCommand,
  deleteImages,
  makeRandomFile,
  passwordConfig,
  readCloud,
  signIn,
  uniqueName,
  type CloudJson,
  type TestFile,
} from './helpers/cloud.ts';
import { tempStateDir, uploadIntoImage } from './helpers/upload-env.ts';

let cloud: CloudJson;
const MiB = 1024 * 1024;
let file: TestFile;
/** Files the size of the old tests' slices (the engine hashes the file it is given, by path). */
let file16: TestFile;
let file8: TestFile;
let file4: TestFile;
let state: Awaited<ReturnType<typeof tempStateDir>>;
const created: string[] = [];

before(async () => {
  cloud = readCloud();
  file = await makeRandomFile(128 * MiB, 'faults.raw');
  file16 = await makeRandomFile(16 * MiB, 'faults16.raw');
  file8 = await makeRandomFile(8 * MiB, 'faults8.raw');
  file4 = await makeRandomFile(4 * MiB, 'faults4.raw');
  state = await tempStateDir('glance-faults');
});

/** Back to the settings of `cloud.sh start` (overrides of a restart are not saved). */
function restoreGlance() {
  cloud = cloudCommand(['restart', 'glance'], { GLANCE_IMAGE_SIZE_CAP: '', GLANCE_USER_STORAGE_QUOTA: '' });
}

after(async () => {
  const { glance } = await signIn(readCloud());
  await deleteImages(glance, created);
  for (const f of [file, file16, file8, file4]) await f?.cleanup();
  await state?.cleanup();
});

/** Glance puts the image back to queued after a refused upload, sometimes a moment later. */
async function settledStatus(glance: GlanceClient, id: string): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const s = (await glance.getImage(id)).status;
    if (s !== 'saving') return s;
    await new Promise((r) => setTimeout(r, 250));
  }
  return (await glance.getImage(id)).status;
}

async function newImage(glance: GlanceClient, name: string) {
  const img = await glance.createImage({ name: uniqueName(name), disk_format: 'raw', container_format: 'bare' });
  created.push(img.id);
  return img;
}

describe('faults (real Keystone and Glance)', () => {
  test('Glance killed mid-upload: a clear network message, the image stays visible and can be deleted', async () => {
    const { glance } = await signIn(cloud);
    const img = await newImage(glance, 'killed');
    let killed = false;
    await assert.rejects(
      uploadIntoImage(glance, img.id, file, {
        stateDir: state.dir,
        onProgress: (p) => {
          if (!killed && p.sentBytes >= 16 * MiB) {
            killed = true;
            process.kill(cloud.glance.pid, 'SIGKILL');
          }
        },
      }),
      (e: unknown) => {
        assert.ok(e instanceof OpenStackError, String(e));
        assert.equal(e.kind, 'network');
        assert.match(e.message, /Could not reach http:\/\/127\.0\.0\.1:\d+ while uploading the image data/);
        assert.match(e.message, /stays in the list/);
        assert.equal(e.imageId, img.id);
        return true;
      },
    );
    assert.ok(killed, 'the upload was interrupted by killing Glance');
    // while Glance is down, every call says so plainly
    await assert.rejects(glance.getImage(img.id), (e: unknown) => e instanceof OpenStackError && e.kind === 'network');
    cloud = cloudCommand(['start']); // brings the missing Glance back
    const left = await glance.getImage(img.id);
    assert.ok(['saving', 'queued'].includes(left.status), `left "${left.status}"`);
    const listed = await glance.listImages({ name: left.name ?? '' });
    assert.deepEqual(
      listed.images.map((i) => i.id),
      [img.id],
      'visible in the list',
    );
    await glance.deleteImage(img.id);
    await assert.rejects(glance.getImage(img.id), (e: unknown) => e instanceof OpenStackError && e.kind === 'not-found');
  });

  test('image size cap: 413 with a plain message, the image is left queued for retry or cleanup', async (t) => {
    cloud = cloudCommand(['restart', 'glance'], { GLANCE_IMAGE_SIZE_CAP: String(8 * 1024 * 1024) });
    t.after(restoreGlance);
    assert.equal(cloud.glance.imageSizeCap, 8 * 1024 * 1024);
    const { glance } = await signIn(cloud);
    const img = await newImage(glance, 'cap');
    await assert.rejects(uploadIntoImage(glance, img.id, file16, { stateDir: state.dir }), (e: unknown) => {
      assert.ok(e instanceof OpenStackError, String(e));
      assert.equal(e.kind, 'too-large');
      assert.equal(e.status, 413);
      assert.equal(e.imageId, img.id);
      assert.match(e.message, new RegExp(`The image ${img.id} stays in the list without data`));
      assert.match(e.message, /too large for this cloud/);
      assert.match(e.message, /size cap or your storage quota/);
      return true;
    });
    assert.equal(await settledStatus(glance, img.id), 'queued');
    // under the cap, the same image takes the data
    const { image } = await uploadIntoImage(glance, img.id, file4, { stateDir: state.dir });
    assert.ok(image, 'the engine returns the image');
    assert.equal(image.status, 'active');
    assert.equal(image.size, 4 * MiB);
    assert.equal(image.os_hash_value, file4.sha512);
  });

  test("storage quota exceeded: 413 with Glance's reason", async (t) => {
    cloud = cloudCommand(['restart', 'glance'], { GLANCE_USER_STORAGE_QUOTA: '6MB', GLANCE_IMAGE_SIZE_CAP: '' });
    t.after(restoreGlance);
    assert.equal(cloud.glance.userStorageQuota, '6MB');
    const { glance } = await signIn(cloud);
    const img = await newImage(glance, 'quota');
    await assert.rejects(uploadIntoImage(glance, img.id, file16, { stateDir: state.dir }), (e: unknown) => {
      assert.ok(e instanceof OpenStackError, String(e));
      assert.equal(e.kind, 'too-large');
      assert.equal(e.status, 413);
      assert.match(e.detail ?? '', /quota/i);
      assert.match(e.message, /too large for this cloud/);
      assert.equal(e.imageId, img.id);
      return true;
    });
    assert.equal(await settledStatus(glance, img.id), 'queued');
  });

  test('expired tokens: a password session renews (also after a 401 mid-flow), a token session says sign in again', async (t) => {
    cloud = cloudCommand(['restart', 'keystone'], { KEYSTONE_TOKEN_EXPIRATION: '6' });
    t.after(() => {
      cloudCommand(['restart', 'keystone'], { KEYSTONE_TOKEN_EXPIRATION: '' });
    });
    assert.equal(cloud.keystone.tokenExpirationSeconds, 6);
    // a clock one minute slow: the session believes its token is fresh and sends it expired
    const slowClock = () => Date.now() - 60_000;
    const pw = await KeystoneSession.signIn(passwordConfig(cloud), { now: slowClock });
    const fresh = await KeystoneSession.signIn(passwordConfig(cloud), { renewMarginMs: 0 });
    const pwToken = pw.token.value;
    const tok = await KeystoneSession.signIn({ authUrl: cloud.keystone.authUrl, auth: { type: 'token', token: pwToken } });
    const lifetime = pw.token.expiresAt.getTime() - pw.token.issuedAt.getTime();
    assert.ok(lifetime <= 6_000, `short lifetime, got ${lifetime} ms`);
    const glancePw = GlanceClient.fromSession(pw);
    const img = await newImage(glancePw, 'expiry');
    await new Promise((r) => setTimeout(r, Math.max(0, pw.token.expiresAt.getTime() - Date.now()) + 1500));

    // upload with an expired token: Glance's 401 comes before the body is read; renew and resend.
    // The engine reads the image first (that 401 renews the token), so the PUT waits until the
    // renewed token has expired too: the PUT itself then meets the 401 and resends from the start.
    const real = nodeHttpTransport();
    const putStatuses: number[] = [];
    const lateTransport: BodyTransport = {
      async send(r) {
        if (putStatuses.length === 0)
          await new Promise((res) => setTimeout(res, Math.max(0, pw.token.expiresAt.getTime() - Date.now()) + 1500));
        const answer = await real.send(r);
        putStatuses.push(answer.status);
        return answer;
      },
    };
    const out = await uploadIntoImage(glancePw, img.id, file8, { stateDir: state.dir, transport: lateTransport });
    assert.deepEqual(putStatuses, [401, 204], 'the PUT met a 401, then was resent with a renewed token');
    assert.equal(out.image?.status, 'active');
    assert.equal(out.image?.os_hash_value, file8.sha512);
    // the refused attempt's bytes count as sent (they were), but Glance refused before reading the body
    assert.ok(out.bytesSent >= 8 * MiB && out.bytesSent < 16 * MiB, `sent ${out.bytesSent} bytes`);
    assert.notEqual(pw.token.value, pwToken, 'renewed after the 401');

    // renewal before use when the clock is right
    const before = fresh.token.value;
    await GlanceClient.fromSession(fresh).getImage(img.id);
    assert.notEqual(fresh.token.value, before);

    // an existing-token session cannot renew: a specific message
    await assert.rejects(GlanceClient.fromSession(tok).getImage(img.id), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.kind, 'token-expired');
      assert.match(e.message, /expired at .*Sign in again/);
      return true;
    });
  });
});
