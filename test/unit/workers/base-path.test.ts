// setBasePath() and how a worker is started from it: directly on the page's origin, through a
// same-origin blob: module that imports it from anywhere else (a CDN). Worker, Blob URLs and
// location are small fakes here; test/e2e/package-consumers.test.ts runs the real thing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { getBasePath, setBasePath, startModuleWorker } from '../../../workers/base-path.ts';

const started: Array<{ url: string; options: WorkerOptions | undefined }> = [];
const blobs = new Map<string, Blob>();
const revoked: string[] = [];
const saved = { Worker: globalThis.Worker, location: globalThis.location, create: URL.createObjectURL, revoke: URL.revokeObjectURL };

before(() => {
  Object.assign(globalThis, {
    Worker: class {
      constructor(url: string | URL, options?: WorkerOptions) {
        started.push({ url: String(url), options });
      }
    },
    location: { origin: 'https://console.example', href: 'https://console.example/project/images/' },
  });
  URL.createObjectURL = (b: Blob) => {
    const u = `blob:https://console.example/${blobs.size}`;
    blobs.set(u, b);
    return u;
  };
  URL.revokeObjectURL = (u: string) => void revoked.push(u);
});
after(() => {
  Object.assign(globalThis, { Worker: saved.Worker, location: saved.location });
  URL.createObjectURL = saved.create;
  URL.revokeObjectURL = saved.revoke;
});

test('setBasePath resolves against the page and always ends with a slash', { timeout: 5_000 }, () => {
  assert.equal(getBasePath('https://fallback.example/assets/'), 'https://fallback.example/assets/', 'unset: the fallback');
  setBasePath('../static/image-inspector');
  assert.equal(getBasePath('https://fallback.example/assets/'), 'https://console.example/project/static/image-inspector/');
  setBasePath(new URL('https://cdn.example/npm/image-inspector@0.1.0/lib/assets/'));
  assert.equal(getBasePath(), 'https://cdn.example/npm/image-inspector@0.1.0/lib/assets/');
});

test('a same-origin worker starts directly; another origin goes through a blob: module importing it', { timeout: 5_000 }, async () => {
  started.length = 0;
  startModuleWorker(new URL('https://console.example/static/qemu-img-worker.js'), 'qemu-img');
  assert.deepEqual(started[0], { url: 'https://console.example/static/qemu-img-worker.js', options: { type: 'module', name: 'qemu-img' } });

  startModuleWorker(new URL('https://cdn.example/lib/assets/qemu-img-worker.js'), 'qemu-img');
  const { url, options } = started[1]!;
  assert.match(url, /^blob:https:\/\/console\.example\//, 'the worker itself is same-origin');
  assert.deepEqual(options, { type: 'module', name: 'qemu-img' });
  const source = await blobs.get(url)!.text();
  assert.equal(source, 'import "https://cdn.example/lib/assets/qemu-img-worker.js";\n', 'a static import of the real worker');
  assert.deepEqual(revoked, [url], 'the blob: URL does not outlive the start');
});
