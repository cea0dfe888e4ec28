// `npm run bench -- inspect-browser`: time from "file chosen" to "verdict shown" (and to "qemu-img
// info shown") in Chromium on the built app, cold (fresh browser context: worker not started, wasm
// not compiled) and warm (same page, next file), next to native `qemu-img info` on the same file.
// Targets: warm verdict <= 200 ms, cold verdict <= 1 s.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { serveDist, REPO_ROOT } from '../e2e/helpers/serve-dist.ts';
import { openApp, waitForIdle } from '../e2e/helpers/app-page.ts';
import { ensureAppCorpus } from '../e2e/helpers/app-corpus.ts';

const WARM_RUNS = 5;
const NATIVE_RUNS = 10;
const PORT = 5640;

interface Timing {
  verdict: number;
  info: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function nativeInfoMs(path: string, format: string): number {
  const times: number[] = [];
  for (let i = 0; i < NATIVE_RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync('qemu-img', ['info', '--output=json', '-f', format, path]);
    if (r.status !== 0) throw new Error(`native qemu-img info failed on ${path}: ${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/** Chooses one file and measures in the page: change event → verdict element → info shown. */
async function timeOne(page: Page, path: string): Promise<Timing> {
  await page.locator('image-inspector').evaluate((el) => {
    const root = (el as HTMLElement).shadowRoot!;
    const w = window as unknown as { __bench: { t0?: number; verdict?: number; info?: number }; __benchCards: number };
    w.__benchCards = root.querySelectorAll('li.card').length;
    w.__bench = {};
    // Capture on the shadow root runs before the element's own change handler.
    root.addEventListener('change', () => (w.__bench.t0 = performance.now()), { capture: true, once: true });
    const obs = new MutationObserver(() => {
      const card = root.querySelectorAll('li.card')[w.__benchCards];
      if (!card) return;
      if (w.__bench.verdict === undefined && card.querySelector('[data-safe]')) w.__bench.verdict = performance.now();
      if (w.__bench.info === undefined && (card.querySelector('dd[data-field="format"]') || card.querySelector('div.error'))) {
        w.__bench.info = performance.now();
        obs.disconnect();
      }
    });
    obs.observe(root, { subtree: true, childList: true, attributes: true });
  });
  await page.locator('image-inspector #files').setInputFiles([path]);
  const r = await page.waitForFunction(
    () => {
      const b = (window as unknown as { __bench: { t0?: number; verdict?: number; info?: number } }).__bench;
      return b.t0 !== undefined && b.verdict !== undefined && b.info !== undefined ? { ...b } : null;
    },
    undefined,
    { timeout: 120_000 },
  );
  const b = (await r.jsonValue()) as { t0: number; verdict: number; info: number };
  // Let check and map finish so that the next run starts with an idle worker.
  await waitForIdle(page, 120_000);
  return { verdict: b.verdict - b.t0, info: b.info - b.t0 };
}

async function main(): Promise<void> {
  // Measure what the sources build today, in a private directory (not a stale or shared dist/).
  const outDir = mkdtempSync(join(tmpdir(), 'ii-bench-dist-'));
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const corpus = ensureAppCorpus();
  const files: Array<[string, string, string]> = [
    ['small.qcow2', join(corpus.base.dir, 'small.qcow2'), 'qcow2'],
    ['streamOptimized.vmdk', join(corpus.base.dir, 'small-streamOptimized.vmdk'), 'vmdk'],
    ['small.vhdx', join(corpus.base.dir, 'small.vhdx'), 'vhdx'],
    ['big.qcow2 (8 GiB)', join(corpus.base.dir, 'big.qcow2'), 'qcow2'],
    ['big.raw (8 GiB sparse)', join(corpus.base.dir, 'big.raw'), 'raw'],
  ];
  const server = await serveDist(PORT, outDir);
  let browser: Browser | undefined;
  const rows: string[][] = [];
  try {
    browser = await launchChromium();
    for (const [label, path, format] of files) {
      const native = nativeInfoMs(path, format);
      // Cold: a fresh context (no compiled wasm, no worker, nothing cached).
      const cold = await openApp(browser, server.origin);
      const c = await timeOne(cold.page, path);
      const warm: Timing[] = [];
      for (let i = 0; i < WARM_RUNS; i++) warm.push(await timeOne(cold.page, path));
      await cold.close();
      const wv = median(warm.map((w) => w.verdict));
      const wi = median(warm.map((w) => w.info));
      rows.push([
        label,
        native.toFixed(1),
        c.verdict.toFixed(0),
        c.info.toFixed(0),
        wv.toFixed(0),
        wi.toFixed(0),
        `${(wi / native).toFixed(1)}x`,
        `${c.verdict <= 1000 ? 'ok' : 'MISS'} / ${wv <= 200 ? 'ok' : 'MISS'}`,
      ]);
    }
  } finally {
    await browser?.close();
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
  const head = [
    'file',
    'native info ms',
    'cold verdict ms',
    'cold info ms',
    'warm verdict ms',
    'warm info ms',
    'warm info / native',
    'targets cold≤1s / warm≤200ms',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(`(warm = median of ${WARM_RUNS} runs in the same page; native = median of ${NATIVE_RUNS} runs)`);
}

await main();
