// The threads flavour in real Chromium: a cross-origin isolated page gets wasm/dist/threads (and
// nothing else), `convert -c -W` compresses on pthreads and the output is what native qemu-img
// reads back; every other command runs there too (no pthread for it), a failing command keeps
// its status, and a conversion aborted while its pthreads run leaves the worker usable.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureCorpus } from '../corpus/generate.ts';
import { startRunnerServer, launchProfileChromium, fetchOpfsOutput, type RunnerServer } from './pages/runner-server.ts';
import type { PageRun } from './pages/runner-page.ts';
import type { OpfsOutput } from '../../workers/qemu-img/types.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

const PORT = 5312;
const corpus = ensureCorpus();
const store = mkdtempSync(join(tmpdir(), 'ii-runner-threads-'));
const profile = mkdtempSync(join(tmpdir(), 'ii-runner-threads-profile-'));
const raw = corpus.matrixSources.raw;
let server: RunnerServer;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const native = (args: string[]) => spawnSync(NATIVE_QEMU_IMG, args, { encoding: 'utf8' });

function run(args: string[], outputs: OpfsOutput[] = [], opts: { abortAfterBytesWritten?: number } = {}): Promise<PageRun> {
  return page.evaluate(
    ([a, i, o, op]) => (window as unknown as { runner: { run: (...x: unknown[]) => Promise<PageRun> } }).runner.run(a, i, o, op),
    [args, [basename(raw.path)], outputs, opts] as const,
  );
}

const fetchOut = (opfsPath: string, name: string) => fetchOpfsOutput(page, store, opfsPath, name);

before(async () => {
  server = await startRunnerServer(PORT, store, { isolated: true });
  context = await launchProfileChromium(profile);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.pageUrl);
  await page.waitForFunction(() => 'runner' in window);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the page is not cross-origin isolated');
  await page.locator('#files').setInputFiles([raw.path]);
});

after(async () => {
  await context?.close();
  await server?.close();
  rmSync(store, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

describe('threads flavour in a cross-origin isolated page', { timeout: 120_000 }, () => {
  test('info runs on the threads build, and only its files are fetched', async () => {
    const r = await run(['info', '--output=json', '-f', 'raw', `/in/${basename(raw.path)}`]);
    assert.equal(r.result.exitCode, 0, r.result.stderr);
    assert.equal(r.result.pthreads, undefined);
    assert.equal(JSON.parse(r.result.stdout)['virtual-size'], statSync(raw.path).size);
    const engine = server.wasmRequests.filter((p) => /qemu-img[^/]*\.(mjs|wasm)$/.test(p));
    assert.ok(engine.length > 0, 'no engine file was fetched');
    assert.deepEqual(
      engine.filter((p) => !p.startsWith('/threads/')),
      [],
      `fetched outside dist/threads: ${engine.join(', ')}`,
    );
  });

  for (const type of ['zlib', 'zstd']) {
    test(`convert -c -W (${type}) on pthreads: native compare identical, check clean, clusters compressed`, async () => {
      const name = `c-${type}.qcow2`;
      const r = await run(
        [
          'convert',
          '-p',
          '-f',
          'raw',
          '-O',
          'qcow2',
          '-c',
          '-W',
          '-o',
          `compression_type=${type}`,
          `/in/${basename(raw.path)}`,
          `/out/${name}`,
        ],
        [{ name, opfsPath: `threads/${name}` }],
      );
      assert.equal(r.result.exitCode, 0, r.result.stderr);
      assert.ok((r.result.pthreads ?? 0) >= 1, `pthreads: ${r.result.pthreads}`);
      const out = await fetchOut(`threads/${name}`, name);
      const cmp = native(['compare', '-f', 'raw', '-F', 'qcow2', raw.path, out]);
      assert.equal(cmp.status, 0, cmp.stdout + cmp.stderr);
      assert.equal(native(['check', out]).status, 0);
      const info = JSON.parse(native(['info', '--output=json', out]).stdout);
      assert.equal(info['format-specific'].data['compression-type'], type);
      // Compressed clusters: the file holds less than the data it was given.
      const map: Array<{ data: boolean; length: number }> = JSON.parse(native(['map', '--output=json', '-f', 'raw', raw.path]).stdout);
      const data = map.filter((m) => m.data).reduce((n, m) => n + m.length, 0);
      assert.ok(statSync(out).size < data, `output ${statSync(out).size} bytes for ${data} bytes of data`);
    });
  }

  test('a failing command keeps its status; an abort while pthreads compress leaves the worker usable', async () => {
    const bad = await run(['info', '-f', 'qcow2', `/in/${basename(raw.path)}`]);
    assert.equal(bad.result.exitCode, 1);
    assert.match(bad.result.stderr, /qcow2|Image is not in qcow2 format/);
    const aborted = await run(
      ['convert', '-p', '-f', 'raw', '-O', 'qcow2', '-c', '-W', `/in/${basename(raw.path)}`, '/out/a.qcow2'],
      [{ name: 'a.qcow2', opfsPath: 'threads/a.qcow2' }],
      { abortAfterBytesWritten: 1 },
    );
    assert.equal(aborted.result.failure, 'aborted', JSON.stringify(aborted.result));
    const again = await run(
      ['convert', '-f', 'raw', '-O', 'qcow2', '-c', '-W', `/in/${basename(raw.path)}`, '/out/a.qcow2'],
      [{ name: 'a.qcow2', opfsPath: 'threads/a.qcow2' }],
    );
    assert.equal(again.result.exitCode, 0, again.result.stderr);
    const cmp = native(['compare', '-f', 'raw', '-F', 'qcow2', raw.path, await fetchOut('threads/a.qcow2', 'a.qcow2')]);
    assert.equal(cmp.status, 0, cmp.stdout + cmp.stderr);
    assert.deepEqual(pageErrors, []);
  });
});
