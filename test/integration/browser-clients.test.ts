// The same core clients and the hash/upload workers in real Chromium against the real cloud:
// CORS as configured by cloud.sh, worker upload with hashes, cancel, and the CORS / network
// failure messages a browser gets (an origin the cloud does not allow, a host that is down).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { OpenStackError, type AuthConfig } from '../../src/core/openstack/index.ts';
import { startClientsServer } from './pages/clients-server.ts';
import type { PageResult } from './pages/clients-page.ts';
import {
  deleteImages,
  makeRandomFile,
  passwordConfig,
  readCloud,
  signIn,
  uniqueName,
  type CloudJson,
  type TestFile,
} from './helpers/cloud.ts';

const PORT = 5595; // allowed by cloud.sh's CORS list on 127.0.0.1 only, refused as localhost
let cloud: CloudJson;
let server: Awaited<ReturnType<typeof startClientsServer>>;
let browser: Browser;
let file: TestFile;
const created: string[] = [];

async function openPage(origin: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(origin + server.pagePath);
  await page.waitForFunction(() => 'clients' in window, undefined, { timeout: 180_000 }); // Vite's first bundling
  await page.locator('#file').setInputFiles(file.path);
  return page;
}

function call<T>(page: Page, fn: string, ...args: unknown[]): Promise<PageResult<T>> {
  return page.evaluate(
    ([f, a]) =>
      (window as unknown as Record<string, Record<string, (...x: unknown[]) => Promise<unknown>>>).clients[f as string](
        ...(a as unknown[]),
      ),
    [fn, args] as const,
  ) as Promise<PageResult<T>>;
}

before(async () => {
  cloud = readCloud();
  file = await makeRandomFile(96 * 1024 * 1024, 'browser.raw');
  server = await startClientsServer(PORT);
  browser = await launchChromium();
});

after(async () => {
  const { glance } = await signIn(readCloud());
  await deleteImages(glance, created);
  await browser?.close();
  await server?.close();
  await file?.cleanup();
});

describe('clients and workers in Chromium (real Keystone and Glance)', () => {
  test('sign in, upload through the upload worker with hashes, active and equal', async () => {
    const page = await openPage(server.origin);
    const signed = await call<{ user: string; glanceUrl: string }>(page, 'signIn', passwordConfig(cloud));
    assert.ok(signed.ok, JSON.stringify(signed));
    assert.equal(signed.user, 'demo');
    assert.equal(signed.glanceUrl, cloud.glance.url);
    const img = await call<{ id: string }>(page, 'createImage', uniqueName('browser'));
    assert.ok(img.ok, JSON.stringify(img));
    created.push(img.id);
    const up = await call<{
      digests: { sha512: string; md5: string; size: number };
      status: string;
      size: number;
      checksum: string;
      osHash: string;
      progressCalls: number;
      maxRate: number;
      maxHashedWhileSending: number;
    }>(page, 'upload', img.id, {});
    assert.ok(up.ok, JSON.stringify(up));
    assert.equal(up.status, 'active');
    assert.equal(up.digests.sha512, file.sha512);
    assert.equal(up.digests.md5, file.md5);
    assert.equal(up.osHash, file.sha512);
    assert.equal(up.checksum, file.md5);
    assert.equal(up.size, file.size);
    assert.ok(up.progressCalls > 2, `progress reported ${up.progressCalls} times`);
    assert.ok(up.maxRate > 0, 'a transfer rate was measured');
    assert.ok(up.maxHashedWhileSending > 0, 'hashing progress reported while sending');
    await page.close();
  });

  test('glance-direct through the upload worker (XHR) with hashing alongside in a hash worker', async () => {
    const page = await openPage(server.origin);
    assert.ok((await call(page, 'signIn', passwordConfig(cloud))).ok);
    const img = await call<{ id: string }>(page, 'createImage', uniqueName('browser-gd'));
    assert.ok(img.ok);
    created.push(img.id);
    const up = await call<{ status: string; osHash: string }>(page, 'upload', img.id, { method: 'glance-direct' });
    assert.ok(up.ok, JSON.stringify(up));
    assert.equal(up.status, 'active');
    assert.equal(up.osHash, file.sha512);
    await page.close();
  });

  test('hash worker equals node:crypto', async () => {
    const page = await openPage(server.origin);
    const r = await call<{ digests: { sha512: string; md5: string; size: number }; progressCalls: number }>(page, 'hashInWorker');
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.digests, { sha512: file.sha512, md5: file.md5, size: file.size });
    assert.ok(r.progressCalls >= 1);
    await page.close();
  });

  test('two hash workers (sha512 | md5) equal node:crypto, and hold() keeps them waiting', async () => {
    const page = await openPage(server.origin);
    const r = await call<{ digests: { sha512: string; md5: string; size: number }; hashedWhileHeld: number }>(page, 'hashInWorker', 2);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.digests, { sha512: file.sha512, md5: file.md5, size: file.size });
    // a held worker reads its first slice, then waits before hashing it: nothing hashed yet
    assert.equal(r.hashedWhileHeld, 0);
    await page.close();
  });

  test('cancel stops the transfer and deletes the image when asked', async () => {
    const page = await openPage(server.origin);
    assert.ok((await call(page, 'signIn', passwordConfig(cloud))).ok);
    const img = await call<{ id: string }>(page, 'createImage', uniqueName('browser-cancel'));
    assert.ok(img.ok);
    created.push(img.id);
    const up = await call(page, 'upload', img.id, { abortAfterBytes: 8 * 1024 * 1024 });
    assert.equal(up.ok, false);
    if (up.ok) return;
    assert.equal(up.kind, 'aborted', up.message);
    assert.match(up.message, /cancelled.*deleted/i);
    const { glance } = await signIn(cloud);
    await assert.rejects(glance.getImage(img.id), (e: unknown) => e instanceof OpenStackError && e.kind === 'not-found');
    await page.close();
  });

  test('an origin the cloud does not allow gets "CORS" with the exact settings to add', async () => {
    const page = await openPage(`http://localhost:${PORT}`);
    const r = await call(page, 'signIn', passwordConfig(cloud));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.kind, 'cors', r.message);
    assert.ok(
      r.message.startsWith(`CORS: ${cloud.keystone.url} is reachable but does not allow this page (http://localhost:${PORT})`),
      r.message,
    );
    assert.match(r.corsSettings ?? '', /\[cors\]\nallowed_origin = http:\/\/localhost:5595\n/);
    assert.match(r.corsSettings ?? '', /allow_headers = .*X-Auth-Token/);
    assert.match(r.corsSettings ?? '', /expose_headers = X-Subject-Token,Location,OpenStack-Image-Import-Methods/);
    await page.close();
  });

  test('a Keystone that is down is a network failure in the browser too', async () => {
    const page = await openPage(server.origin);
    const cfg: AuthConfig = { ...passwordConfig(cloud), authUrl: 'http://127.0.0.1:5599/v3' };
    const r = await call(page, 'signIn', cfg);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.kind, 'network', r.message);
    assert.match(r.message, /Could not reach http:\/\/127\.0\.0\.1:5599/);
    await page.close();
  });
});
