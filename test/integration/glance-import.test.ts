// Interoperable image import through our client against the real Glance: glance-direct (stage,
// import) and web-download from a small HTTP server on 127.0.0.1, plus import failures.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GlanceClient, OpenStackError } from '../../src/core/openstack/index.ts';
import { deleteImages, makeRandomFile, readCloud, signIn, uniqueName, type CloudJson, type TestFile } from './helpers/cloud.ts';
import { tempStateDir, uploadIntoImage } from './helpers/upload-env.ts';

let cloud: CloudJson;
let glance: GlanceClient;
let file: TestFile;
let server: Server;
let base = '';
let state: Awaited<ReturnType<typeof tempStateDir>>;
const created: string[] = [];

before(async () => {
  cloud = readCloud();
  glance = (await signIn(cloud)).glance;
  file = await makeRandomFile(16 * 1024 * 1024, 'web.raw');
  state = await tempStateDir('glance-import');
  server = createServer((req, res) => {
    if (req.url === '/image.raw') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(file.size) });
      createReadStream(file.path).pipe(res);
    } else {
      res.writeHead(404).end('no such file');
    }
  });
  // test HTTP servers use 5590-5599
  for (let port = 5590; port <= 5599; port++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      break;
    } catch {
      continue; // port taken by another suite: try the next one
    }
  }
  assert.ok(server.listening, 'a free port in 5590-5599');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await deleteImages(glance, created);
  await new Promise((r) => server?.close(r));
  await file?.cleanup();
  await state?.cleanup();
});

async function create(name: string) {
  const img = await glance.createImage({ name: uniqueName(name), disk_format: 'raw', container_format: 'bare' });
  created.push(img.id);
  return img;
}

describe('Glance interoperable import (real Glance)', () => {
  test('glance-direct: stage then import reaches active with matching hashes', async () => {
    const img = await create('direct');
    const phases: string[] = [];
    const { image, ...digests } = await uploadIntoImage(glance, img.id, file, {
      via: 'glance-direct',
      stateDir: state.dir,
      onProgress: (p) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase);
      },
    });
    assert.deepEqual(phases, ['uploading', 'importing', 'verifying', 'done']);
    assert.ok(image, 'the engine returns the image');
    assert.equal(image.status, 'active');
    assert.equal(digests.sha512, file.sha512);
    assert.equal(image.os_hash_value, file.sha512);
    assert.equal(image.checksum, file.md5);
    assert.equal(image.size, file.size);
  });

  test('web-download from a local HTTP server reaches active with the file hashes', async () => {
    const img = await create('web');
    await glance.importImage(img.id, { name: 'web-download', uri: `${base}/image.raw` });
    const statuses = new Set<string>();
    const done = await glance.waitForImage(img.id, { timeoutMs: 120_000, intervalMs: 300, onStatus: (i) => statuses.add(i.status) });
    assert.equal(done.status, 'active');
    assert.equal(done.size, file.size);
    assert.equal(done.os_hash_value, file.sha512);
    assert.equal(done.checksum, file.md5);
    // the task record is closed a moment after the image turns active
    let tasks = await glance.imageTasks(img.id);
    for (let i = 0; i < 40 && !tasks.some((t) => t.status === 'success'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      tasks = await glance.imageTasks(img.id);
    }
    assert.ok(
      tasks.some((t) => t.type === 'api_image_import' && t.status === 'success'),
      JSON.stringify(tasks.map((t) => [t.type, t.status])),
    );
  });

  test('web-download of a missing URL fails clearly with the task message', async () => {
    const img = await create('web404');
    await glance.importImage(img.id, { name: 'web-download', uri: `${base}/missing.raw` });
    await assert.rejects(glance.waitForImage(img.id, { timeoutMs: 120_000, intervalMs: 300 }), (e: unknown) => {
      assert.ok(e instanceof OpenStackError, String(e));
      assert.equal(e.kind, 'import-failed');
      assert.match(e.message, /^The import failed/);
      assert.match(e.message, /delete it, or fix the source/);
      return true;
    });
    const after = await glance.getImage(img.id);
    assert.ok(['queued', 'importing'].includes(after.status), `left ${after.status}, visible for cleanup`);
  });

  test('a URL the import filters refuse is a plain 400 naming the filters', async () => {
    const img = await create('filtered');
    await assert.rejects(glance.importImage(img.id, { name: 'web-download', uri: 'ftp://127.0.0.1/x.raw' }), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.kind, 'bad-request');
      assert.match(e.message, /import filters|rejected the request/);
      return true;
    });
  });

  test('importing without staging first is a state conflict', async () => {
    const img = await create('nostage');
    await assert.rejects(glance.importImage(img.id, { name: 'glance-direct' }), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.ok(e.kind === 'conflict' || e.kind === 'bad-request', e.kind);
      return true;
    });
  });
});
