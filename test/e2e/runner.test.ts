// The qemu-img worker client in real Chromium: disk-backed Files in (as a user's picker gives them),
// OPFS files out, read back out of the browser and verified by NATIVE qemu-img; abort and crash
// leave the worker usable.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { ensureCorpus } from '../corpus/generate.ts';
import { startRunnerServer, type RunnerServer } from './pages/runner-server.ts';
import type { PageRun } from './pages/runner-page.ts';
import type { OpfsOutput } from '../../workers/qemu-img/types.ts';

const PORT = 5310;
const corpus = ensureCorpus();
const store = mkdtempSync(join(tmpdir(), 'ii-runner-e2e-'));
let server: RunnerServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

function native(args: string[]) {
  return spawnSync('qemu-img', args, { encoding: 'utf8' });
}

async function run(args: string[], inputs: string[], outputs: OpfsOutput[] = [], opts: { timeoutMs?: number; abortAfterBytesWritten?: number } = {}) {
  return page.evaluate(
    ([a, i, o, op]) => (window as unknown as { runner: { run: (...x: unknown[]) => Promise<PageRun> } }).runner.run(a, i, o, op),
    [args, inputs, outputs, opts] as const,
  );
}

async function fetchOut(opfsPath: string, name: string): Promise<string> {
  const size = await page.evaluate(
    ([p, to]) => (window as unknown as { runner: { uploadOpfs: (p: string, to: string) => Promise<number> } }).runner.uploadOpfs(p, to),
    [opfsPath, `/__store/${encodeURIComponent(name)}`] as const,
  );
  const file = join(store, name);
  assert.equal(statSync(file).size, size);
  return file;
}

before(async () => {
  server = await startRunnerServer(PORT, store);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.pageUrl);
  await page.waitForFunction(() => 'runner' in window);
  const small = corpus.matrixSources;
  const vmdk = corpus.images.find((i) => i.id === 'small.vmdk-twoGbMaxExtentSparse')!;
  const hostile = corpus.hostile.find((h) => h.id === 'no-extents.vmdk')!;
  await page.locator('#files').setInputFiles([
    small.raw.path,
    small.qcow2.path,
    vmdk.path,
    vmdk.path.replace(/\.vmdk$/, '-s001.vmdk'),
    hostile.path,
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(store, { recursive: true, force: true });
});

describe('qemu-img worker client in Chromium', () => {
  test('Blob in -> OPFS out: raw -> qcow2 and qcow2 -> vmdk, verified by native compare', async () => {
    const raw = basename(corpus.matrixSources.raw.path);
    const r = await run(['convert', '-p', '-f', 'raw', '-O', 'qcow2', `/in/${raw}`, '/out/a.qcow2'], [raw], [{ name: 'a.qcow2', opfsPath: 'e2e/a.qcow2' }]);
    assert.equal(r.result.exitCode, 0, r.result.stderr);
    assert.ok(r.progressEvents > 0, 'no progress events');
    assert.equal(r.lastProgress?.percent, 100);
    assert.ok(r.lastProgress!.bytesRead >= 10 * 1024 * 1024, JSON.stringify(r.lastProgress));
    const out = await fetchOut('e2e/a.qcow2', 'a.qcow2');
    const c = native(['compare', '-f', 'raw', '-F', 'qcow2', corpus.matrixSources.raw.path, out]);
    assert.equal(c.status, 0, c.stdout + c.stderr);

    const q = basename(corpus.matrixSources.qcow2.path);
    const r2 = await run(['convert', '-f', 'qcow2', '-O', 'vmdk', '-o', 'subformat=streamOptimized', `/in/${q}`, '/out/b.vmdk'], [q], [
      { name: 'b.vmdk', opfsPath: 'e2e/b.vmdk' },
    ]);
    assert.equal(r2.result.exitCode, 0, r2.result.stderr);
    const out2 = await fetchOut('e2e/b.vmdk', 'b.vmdk');
    const c2 = native(['compare', '-f', 'qcow2', '-F', 'vmdk', corpus.matrixSources.qcow2.path, out2]);
    assert.equal(c2.status, 0, c2.stdout + c2.stderr);
  });

  test('multi-file VMDK mounted side by side: info equals native', async () => {
    const vmdk = corpus.images.find((i) => i.id === 'small.vmdk-twoGbMaxExtentSparse')!;
    const d = basename(vmdk.path);
    const extent = basename(vmdk.path.replace(/\.vmdk$/, '-s001.vmdk'));
    const r = await run(['info', '-f', 'vmdk', '--output=json', `/in/${d}`], [d, extent]);
    assert.equal(r.result.exitCode, 0, r.result.stderr);
    const w = JSON.parse(r.result.stdout);
    const n = JSON.parse(native(['info', '-f', 'vmdk', '--output=json', vmdk.path]).stdout);
    assert.equal(w['virtual-size'], n['virtual-size']);
    assert.deepEqual(w['format-specific'].data.extents.map((e: { 'virtual-size': number }) => e['virtual-size']),
      n['format-specific'].data.extents.map((e: { 'virtual-size': number }) => e['virtual-size']));
    assert.equal(w['format-specific'].data['create-type'], 'twoGbMaxExtentSparse');
  });

  test('abort mid-conversion: failure "aborted", then the next run works', async () => {
    const raw = basename(corpus.matrixSources.raw.path);
    const r = await run(['convert', '-p', '-f', 'raw', '-O', 'qcow2', '-c', `/in/${raw}`, '/out/c.qcow2'], [raw], [{ name: 'c.qcow2', opfsPath: 'e2e/c.qcow2' }], {
      abortAfterBytesWritten: 1,
    });
    assert.equal(r.result.failure, 'aborted', JSON.stringify(r.result));
    // Same output path again: the terminated worker's OPFS lock must not block the next run.
    const r2 = await run(['convert', '-f', 'raw', '-O', 'qcow2', `/in/${raw}`, '/out/c.qcow2'], [raw], [{ name: 'c.qcow2', opfsPath: 'e2e/c.qcow2' }]);
    assert.equal(r2.result.exitCode, 0, r2.result.stderr);
    const out = await fetchOut('e2e/c.qcow2', 'c.qcow2');
    assert.equal(native(['compare', '-f', 'raw', '-F', 'qcow2', corpus.matrixSources.raw.path, out]).status, 0);
  });

  test('a crashing input ends as "crashed" and leaves the worker usable', async () => {
    const h = corpus.hostile.find((x) => x.id === 'no-extents.vmdk')!;
    const name = basename(h.path);
    const r = await run(['info', '-f', 'vmdk', `/in/${name}`], [name]);
    assert.equal(r.result.failure, 'crashed');
    assert.equal(r.result.exitCode, 134);
    assert.match(r.result.stderr, /num_extents/);
    const q = basename(corpus.matrixSources.qcow2.path);
    const ok = await run(['check', '-f', 'qcow2', `/in/${q}`], [q]);
    assert.equal(ok.result.exitCode, 0, ok.result.stderr);
    assert.equal(ok.result.stdout, native(['check', '-f', 'qcow2', corpus.matrixSources.qcow2.path]).stdout);
    assert.deepEqual(pageErrors, []);
  });
});
