// Faults against the real services: Glance killed mid-upload, the size cap and the storage quota
// (413), and expired tokens (Keystone restarted with a short token lifetime). Each restart is
// undone at the end so later suites see the cloud as `cloud.sh start` left it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GlanceClient, KeystoneSession, OpenStackError, fetchUploadTransport, uploadImageFile } from '../../src/core/openstack/index.ts';
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

let cloud: CloudJson;
let file: TestFile;
const created: string[] = [];

before(async () => {
  cloud = readCloud();
  file = await makeRandomFile(128 * 1024 * 1024, 'faults.raw');
});

/** Back to the settings of `cloud.sh start` (overrides of a restart are not saved). */
function restoreGlance() {
  cloud = cloudCommand(['restart', 'glance'], { GLANCE_IMAGE_SIZE_CAP: '', GLANCE_USER_STORAGE_QUOTA: '' });
}

after(async () => {
  const { glance } = await signIn(readCloud());
  await deleteImages(glance, created);
  await file?.cleanup();
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
      uploadImageFile(glance, img.id, file.blob, {
        transport: fetchUploadTransport(),
        onProgress: (p) => {
          if (!killed && p.sentBytes >= 16 * 1024 * 1024) {
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
    await assert.rejects(
      uploadImageFile(glance, img.id, file.blob.slice(0, 16 * 1024 * 1024), { transport: fetchUploadTransport() }),
      (e: unknown) => {
        assert.ok(e instanceof OpenStackError, String(e));
        assert.equal(e.kind, 'too-large');
        assert.equal(e.status, 413);
        assert.match(e.message, /too large for this cloud/);
        assert.match(e.message, /size cap or your storage quota/);
        return true;
      },
    );
    assert.equal(await settledStatus(glance, img.id), 'queued');
    // under the cap, the same image takes the data
    const small = file.blob.slice(0, 4 * 1024 * 1024);
    const { image } = await uploadImageFile(glance, img.id, small, { transport: fetchUploadTransport() });
    assert.equal(image.size, 4 * 1024 * 1024);
  });

  test("storage quota exceeded: 413 with Glance's reason", async (t) => {
    cloud = cloudCommand(['restart', 'glance'], { GLANCE_USER_STORAGE_QUOTA: '6MB', GLANCE_IMAGE_SIZE_CAP: '' });
    t.after(restoreGlance);
    assert.equal(cloud.glance.userStorageQuota, '6MB');
    const { glance } = await signIn(cloud);
    const img = await newImage(glance, 'quota');
    await assert.rejects(
      uploadImageFile(glance, img.id, file.blob.slice(0, 16 * 1024 * 1024), { transport: fetchUploadTransport() }),
      (e: unknown) => {
        assert.ok(e instanceof OpenStackError, String(e));
        assert.equal(e.kind, 'too-large');
        assert.match(e.detail ?? '', /quota/i);
        return true;
      },
    );
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

    // upload with an expired token: Glance's 401 comes before the body is read; renew and resend
    const { image } = await uploadImageFile(glancePw, img.id, file.blob.slice(0, 8 * 1024 * 1024), { transport: fetchUploadTransport() });
    assert.equal(image.status, 'active');
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
