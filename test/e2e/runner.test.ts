// The qemu-img worker client in real Chromium: disk-backed Files in (as a user's picker gives them),
// OPFS files out, read back out of the browser and verified by NATIVE qemu-img; abort and crash
// leave the worker usable.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, openSync, readSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { ensureCorpus } from '../corpus/generate.ts';
import { startRunnerServer, launchProfileChromium, fetchOpfsOutput, type RunnerServer } from './pages/runner-server.ts';
import type { PageRun } from './pages/runner-page.ts';
import type { CompareResult } from '../../workers/qemu-img/compare-types.ts';
import type { OpfsOutput } from '../../workers/qemu-img/types.ts';
import { NATIVE_QEMU_IMG, ENGINE_REFUSES_NO_EXTENTS, NO_EXTENTS_MESSAGE } from '../helpers/engine.ts';

const PORT = 5310;
const corpus = ensureCorpus();
const store = mkdtempSync(join(tmpdir(), 'ii-runner-e2e-'));
// 64 MiB, its first half random, its second zeros; and a copy with one byte changed at 40 MiB + 7.
const halfZero = join(store, 'half-zero.raw');
const changed = join(store, 'half-zero-changed.raw');
{
  const b = Buffer.alloc(64 * 1024 * 1024);
  randomFillSync(b, 0, b.length / 2);
  writeFileSync(halfZero, b);
  b[40 * 1024 * 1024 + 7] = 1;
  writeFileSync(changed, b);
}
const profile = mkdtempSync(join(tmpdir(), 'ii-runner-profile-'));
let server: RunnerServer;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

function native(args: string[]) {
  return spawnSync(NATIVE_QEMU_IMG, args, { encoding: 'utf8' });
}

async function run(
  args: string[],
  inputs: string[],
  outputs: OpfsOutput[] = [],
  opts: { timeoutMs?: number; abortAfterBytesWritten?: number } = {},
) {
  return page.evaluate(
    ([a, i, o, op]) => (window as unknown as { runner: { run: (...x: unknown[]) => Promise<PageRun> } }).runner.run(a, i, o, op),
    [args, inputs, outputs, opts] as const,
  );
}

const fetchOut = (opfsPath: string, name: string) => fetchOpfsOutput(page, store, opfsPath, name);

before(async () => {
  server = await startRunnerServer(PORT, store);
  context = await launchProfileChromium(profile);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.pageUrl);
  await page.waitForFunction(() => 'runner' in window);
  const small = corpus.matrixSources;
  const vmdk = corpus.images.find((i) => i.id === 'small.vmdk-twoGbMaxExtentSparse')!;
  const hostile = corpus.hostile.find((h) => h.id === 'no-extents.vmdk')!;
  await page
    .locator('#files')
    .setInputFiles([
      corpus.images.find((i) => i.id === 'big.raw')!.path,
      corpus.images.find((i) => i.id === 'big.qcow2')!.path,
      small.raw.path,
      small.qcow2.path,
      vmdk.path,
      vmdk.path.replace(/\.vmdk$/, '-s001.vmdk'),
      hostile.path,
      halfZero,
      changed,
    ]);
});

after(async () => {
  await context?.close();
  await server?.close();
  rmSync(store, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

/** Bytes of a host file read in Node: the reference, independent of the code under test. */
function hostBytes(path: string, start: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(length);
    assert.equal(readSync(fd, b, 0, length, start), length);
    return b;
  } finally {
    closeSync(fd);
  }
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('qemu-img worker client in Chromium', () => {
  test('positions beyond 4 GiB: a File read at 4 GiB, an 8 GiB OPFS output written at 2/4/8 GiB', async () => {
    const bigRaw = corpus.images.find((i) => i.id === 'big.raw')!.path;
    const bigQcow2 = corpus.images.find((i) => i.id === 'big.qcow2')!.path;
    // The raw driver's offset/size options make qemu-img read only [4 GiB - 1 MiB, 4 GiB + 1 MiB).
    const at = 4 * GiB - MiB;
    const dd = await run(
      [
        'convert',
        '--image-opts',
        `driver=raw,offset=${at},size=${2 * MiB},file.driver=file,file.filename=/in/${basename(bigRaw)}`,
        '-O',
        'raw',
        '/out/dd.raw',
      ],
      [basename(bigRaw)],
      [{ name: 'dd.raw', opfsPath: 'e2e/dd.raw' }],
    );
    assert.equal(dd.result.exitCode, 0, dd.result.stderr);
    assert.ok(dd.result.io!.bytesRead < 64 * MiB, `read ${dd.result.io!.bytesRead} bytes of an 8 GiB file for 2 MiB`);
    const got = readFileSync(await fetchOut('e2e/dd.raw', 'dd.raw'));
    assert.ok(got.equals(hostBytes(bigRaw, at, 2 * MiB)), 'bytes around 4 GiB differ');

    // qcow2 (data at 2 GiB, 4 GiB, 6 GiB, end) -> 8 GiB raw in OPFS.
    const conv = await run(
      ['convert', '-f', 'qcow2', '-O', 'raw', `/in/${basename(bigQcow2)}`, '/out/big.raw'],
      [basename(bigQcow2)],
      [{ name: 'big.raw', opfsPath: 'e2e/big.raw' }],
    );
    assert.equal(conv.result.exitCode, 0, conv.result.stderr);
    for (const [i, start] of [2 * GiB - MiB - 512, 4 * GiB - MiB + 512, 8 * GiB - MiB].entries()) {
      const name = `slice${i}.bin`;
      const size = await page.evaluate(
        ([p, s, e, to]) =>
          (
            window as unknown as { runner: { uploadOpfsSlice: (p: string, s: number, e: number, to: string) => Promise<number> } }
          ).runner.uploadOpfsSlice(p, s, e, to),
        ['e2e/big.raw', start, start + 2 * MiB, `/__store/${name}`] as const,
      );
      assert.equal(size, 8 * GiB);
      assert.ok(
        readFileSync(join(store, name)).equals(hostBytes(bigRaw, start, Math.min(2 * MiB, 8 * GiB - start))),
        `OPFS bytes at ${start} differ`,
      );
    }
    await page.evaluate(() => (window as unknown as { runner: { clearOpfs: () => Promise<void> } }).runner.clearOpfs());
  });

  test('incognito (in-memory OPFS, 2 GiB per file): an 8 GiB output fails with "File too large", never silently', async () => {
    const browser: Browser = await launchChromium();
    try {
      const p = await browser.newPage();
      await p.goto(server.pageUrl);
      await p.waitForFunction(() => 'runner' in window);
      const bigQcow2 = corpus.images.find((i) => i.id === 'big.qcow2')!.path;
      await p.locator('#files').setInputFiles([bigQcow2]);
      const r = await p.evaluate(
        ([a, i, o]) => (window as unknown as { runner: { run: (...x: unknown[]) => Promise<PageRun> } }).runner.run(a, i, o),
        [
          ['convert', '-f', 'qcow2', '-O', 'raw', `/in/${basename(bigQcow2)}`, '/out/big.raw'],
          [basename(bigQcow2)],
          [{ name: 'big.raw', opfsPath: 'big.raw' }],
        ] as const,
      );
      assert.equal(r.result.exitCode, 1, JSON.stringify(r.result));
      assert.equal(r.result.failure, undefined);
      assert.match(r.result.stderr, /File too large/);
    } finally {
      await browser.close();
    }
  });

  test('Blob in -> OPFS out: raw -> qcow2 and qcow2 -> vmdk, verified by native compare', async () => {
    const raw = basename(corpus.matrixSources.raw.path);
    const r = await run(
      ['convert', '-p', '-f', 'raw', '-O', 'qcow2', `/in/${raw}`, '/out/a.qcow2'],
      [raw],
      [{ name: 'a.qcow2', opfsPath: 'e2e/a.qcow2' }],
    );
    assert.equal(r.result.exitCode, 0, r.result.stderr);
    assert.ok(r.progressEvents > 0, 'no progress events');
    assert.equal(r.lastProgress?.percent, 100);
    assert.ok(r.lastProgress!.bytesRead >= 10 * 1024 * 1024, JSON.stringify(r.lastProgress));
    const out = await fetchOut('e2e/a.qcow2', 'a.qcow2');
    const c = native(['compare', '-f', 'raw', '-F', 'qcow2', corpus.matrixSources.raw.path, out]);
    assert.equal(c.status, 0, c.stdout + c.stderr);

    const q = basename(corpus.matrixSources.qcow2.path);
    const r2 = await run(
      ['convert', '-f', 'qcow2', '-O', 'vmdk', '-o', 'subformat=streamOptimized', `/in/${q}`, '/out/b.vmdk'],
      [q],
      [{ name: 'b.vmdk', opfsPath: 'e2e/b.vmdk' }],
    );
    assert.equal(r2.result.exitCode, 0, r2.result.stderr);
    const out2 = await fetchOut('e2e/b.vmdk', 'b.vmdk');
    const c2 = native(['compare', '-f', 'qcow2', '-F', 'vmdk', corpus.matrixSources.qcow2.path, out2]);
    assert.equal(c2.status, 0, c2.stdout + c2.stderr);
  });

  test("the worker's verification: identical, and one changed byte (where the output has a hole) found at its sector", async () => {
    const r = await run(
      ['convert', '-f', 'raw', '-O', 'qcow2', `/in/${basename(halfZero)}`, '/out/hz.qcow2'],
      [basename(halfZero)],
      [{ name: 'hz.qcow2', opfsPath: 'e2e/hz.qcow2' }],
    );
    assert.equal(r.result.exitCode, 0, r.result.stderr);
    const compare = (name: string) =>
      page.evaluate(
        ([n]) =>
          (window as unknown as { runner: { compare: (...x: unknown[]) => Promise<CompareResult> } }).runner.compare(
            { name: n, format: 'raw' },
            { opfsPath: 'e2e/hz.qcow2', format: 'qcow2' },
          ),
        [name] as const,
      );
    const same = await compare(basename(halfZero));
    assert.equal(same.error, undefined);
    assert.deepEqual(
      { identical: same.outcome?.identical, method: same.outcome?.method, runs: same.outcome?.runs },
      { identical: true, method: 'full', runs: 1 },
    );
    // All 64 MiB of the source (a Blob knows no holes) and the output's 32 MiB of data.
    assert.ok(same.outcome!.bytesRead >= 96 * MiB, `${same.outcome!.bytesRead} bytes read`);
    const diff = await compare(basename(changed));
    assert.deepEqual(
      { identical: diff.outcome?.identical, at: diff.outcome?.mismatchOffset, runs: diff.outcome?.runs },
      { identical: false, at: 40 * MiB, runs: 1 },
    );
    // The reference agrees: native compare of the same files finds the same offset. The output
    // is still readable as a File (the read-only handles changed nothing).
    const out = await fetchOut('e2e/hz.qcow2', 'hz.qcow2');
    assert.match(native(['compare', '-f', 'raw', '-F', 'qcow2', changed, out]).stdout, new RegExp(`offset ${40 * MiB}!`));
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
    assert.deepEqual(
      w['format-specific'].data.extents.map((e: { 'virtual-size': number }) => e['virtual-size']),
      n['format-specific'].data.extents.map((e: { 'virtual-size': number }) => e['virtual-size']),
    );
    assert.equal(w['format-specific'].data['create-type'], 'twoGbMaxExtentSparse');
  });

  test('abort mid-conversion: failure "aborted", then the next run works', async () => {
    const raw = basename(corpus.matrixSources.raw.path);
    const r = await run(
      ['convert', '-p', '-f', 'raw', '-O', 'qcow2', '-c', `/in/${raw}`, '/out/c.qcow2'],
      [raw],
      [{ name: 'c.qcow2', opfsPath: 'e2e/c.qcow2' }],
      {
        abortAfterBytesWritten: 1,
      },
    );
    assert.equal(r.result.failure, 'aborted', JSON.stringify(r.result));
    // Same output path again: the terminated worker's OPFS lock must not block the next run.
    const r2 = await run(
      ['convert', '-f', 'raw', '-O', 'qcow2', `/in/${raw}`, '/out/c.qcow2'],
      [raw],
      [{ name: 'c.qcow2', opfsPath: 'e2e/c.qcow2' }],
    );
    assert.equal(r2.result.exitCode, 0, r2.result.stderr);
    const out = await fetchOut('e2e/c.qcow2', 'c.qcow2');
    assert.equal(native(['compare', '-f', 'raw', '-F', 'qcow2', corpus.matrixSources.raw.path, out]).status, 0);
  });

  test('an input native crashes on ends as "crashed" (v1) or a clear error (v2), and the worker stays usable', async () => {
    const h = corpus.hostile.find((x) => x.id === 'no-extents.vmdk')!;
    const name = basename(h.path);
    const r = await run(['info', '-f', 'vmdk', `/in/${name}`], [name]);
    if (ENGINE_REFUSES_NO_EXTENTS) {
      assert.equal(r.result.failure, undefined, r.result.stderr);
      assert.equal(r.result.exitCode, 1);
      assert.equal(r.result.stderr, `qemu-img: Could not open '/in/${name}': ${NO_EXTENTS_MESSAGE}\n`);
    } else {
      assert.equal(r.result.failure, 'crashed');
      assert.equal(r.result.exitCode, 134);
      assert.match(r.result.stderr, /num_extents/);
    }
    const q = basename(corpus.matrixSources.qcow2.path);
    const ok = await run(['check', '-f', 'qcow2', `/in/${q}`], [q]);
    assert.equal(ok.result.exitCode, 0, ok.result.stderr);
    assert.equal(ok.result.stdout, native(['check', '-f', 'qcow2', corpus.matrixSources.qcow2.path]).stdout);
    assert.deepEqual(pageErrors, []);
  });

  test('a page that is not cross-origin isolated fetched the no-threads build only', async () => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const engine = server.wasmRequests.filter((p) => /qemu-img[^/]*\.(mjs|wasm)$/.test(p));
    assert.ok(engine.length > 0, 'no engine file was fetched');
    assert.deepEqual(
      engine.filter((p) => p.startsWith('/threads/')),
      [],
    );
  });
});
