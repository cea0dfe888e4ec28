// `npm run bench -- qemu-img-browser`: the qemu-img worker client in headless Chromium, a 1 GiB
// disk-backed File in and OPFS out, next to the browser's own I/O ceiling measured in the same page
// (the File read by 16 MiB slices with FileReaderSync + the same bytes written to OPFS through a
// sync access handle). Target from issue 3: each conversion <= 1.5x that ceiling.
import { bestOf } from '../helpers/best-of.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join, basename } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRunnerServer, launchProfileChromium } from '../e2e/pages/runner-server.ts';
import type { PageRun } from '../e2e/pages/runner-page.ts';
import { ensureBenchImages } from './qemu-img.bench.ts';

const PORT = 5320;
const RUNS = Number(process.env.BENCH_RUNS ?? 2);

interface RunnerApi {
  run(args: string[], inputs: string[], outputs: Array<{ name: string; opfsPath: string }>): Promise<PageRun>;
  ioCeiling(name: string): Promise<{ bytes: number; readMs: number; writeMs: number; totalMs: number }>;
  removeOpfs(path: string): Promise<void>;
  clearOpfs(): Promise<void>;
}

const failures: string[] = [];
const fmt = (ms: number) => (Number.isNaN(ms) ? 'FAILED' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

function nativeMs(args: string[]): number {
  const t = performance.now();
  const r = spawnSync('qemu-img', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(String(r.stderr));
  return performance.now() - t;
}

async function main() {
  const img = ensureBenchImages();
  const store = mkdtempSync(join(tmpdir(), 'ii-bench-browser-'));
  const server = await startRunnerServer(PORT, store);
  // An on-disk profile, as users have: incognito keeps OPFS in memory (and caps files at 2 GiB).
  const profile = mkdtempSync(join(tmpdir(), 'ii-bench-profile-'));
  const browser = await launchProfileChromium(profile);
  try {
    const page = await browser.newPage();
    await page.goto(server.pageUrl);
    await page.waitForFunction(() => 'runner' in window);
    await page.locator('#files').setInputFiles([img.raw, img.qcow2, img.vmdk]);
    const call = <K extends keyof RunnerApi>(k: K, ...a: Parameters<RunnerApi[K]>) =>
      page.evaluate(
        ([key, args]) => {
          const r = (window as unknown as { runner: Record<string, (...x: unknown[]) => unknown> }).runner;
          return r[key as string]!(...(args as unknown[]));
        },
        [k, a] as const,
      ) as Promise<Awaited<ReturnType<RunnerApi[K]>>>;
    await call('clearOpfs');

    const raw = basename(img.raw);
    const qcow2 = basename(img.qcow2);
    const vmdk = basename(img.vmdk);
    // Ceiling first and last: page cache and OPFS state drift over a long run.
    const ceilings: number[] = [];
    const ceiling = async () => {
      const c = await call('ioCeiling', raw);
      ceilings.push(c.totalMs);
      console.error(
        `  I/O ceiling: ${fmt(c.totalMs)} (read ${fmt(c.readMs)}, OPFS write ${fmt(c.writeMs)}, ${(c.bytes / 1048576 / (c.totalMs / 1000)).toFixed(0)} MB/s)`,
      );
      return c;
    };
    const first = await ceiling();

    const once = async (args: string[], inputs: string[], outName?: string) => {
      const outputs = outName ? [{ name: outName, opfsPath: `bench/${outName}` }] : [];
      const r = await call('run', args, inputs, outputs);
      if (process.env.BENCH_VERBOSE) console.error(`    ${args[0]} ${fmt(r.wallMs)} io ${JSON.stringify(r.result.io)}`);
      if (outName) await call('removeOpfs', `bench/${outName}`);
      if (r.result.exitCode !== 0) {
        failures.push(`${args.join(' ')}: exit ${r.result.exitCode}: ${r.result.stderr.trim()}`);
        return NaN;
      }
      return r.wallMs;
    };

    const t0 = performance.now();
    await once(['--version'], []);
    const coldMs = performance.now() - t0; // worker start + wasm fetch + compile + first instance

    const cases: Array<[string, string[], string[], string | undefined, string[], number]> = [
      ['info (qcow2, warm)', ['info', '-f', 'qcow2', `/in/${qcow2}`], [qcow2], undefined, ['info', '-f', 'qcow2', img.qcow2], 5],
      [
        'convert raw -> qcow2',
        ['convert', '-f', 'raw', '-O', 'qcow2', `/in/${raw}`, '/out/a.qcow2'],
        [raw],
        'a.qcow2',
        ['convert', '-f', 'raw', '-O', 'qcow2', img.raw, join(store, 'a.qcow2')],
        RUNS,
      ],
      [
        'convert qcow2 -> raw',
        ['convert', '-f', 'qcow2', '-O', 'raw', `/in/${qcow2}`, '/out/b.raw'],
        [qcow2],
        'b.raw',
        ['convert', '-f', 'qcow2', '-O', 'raw', img.qcow2, join(store, 'b.raw')],
        RUNS,
      ],
      [
        'convert raw -> vmdk streamOptimized',
        ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', `/in/${raw}`, '/out/c.vmdk'],
        [raw],
        'c.vmdk',
        ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', img.raw, join(store, 'c.vmdk')],
        1,
      ],
      [
        'convert vmdk (streamOptimized) -> qcow2',
        ['convert', '-f', 'vmdk', '-O', 'qcow2', `/in/${vmdk}`, '/out/d.qcow2'],
        [vmdk],
        'd.qcow2',
        ['convert', '-f', 'vmdk', '-O', 'qcow2', img.vmdk, join(store, 'd.qcow2')],
        RUNS,
      ],
    ];
    const rows: Array<[string, number, number]> = [];
    for (const [name, args, inputs, outName, nativeArgs, n] of cases) {
      const w = await bestOf(n, () => once(args, inputs, outName));
      const nat = Math.min(...Array.from({ length: Math.min(n, 2) }, () => nativeMs(nativeArgs)));
      rows.push([name, w, nat]);
      console.error(`  ${name}: browser ${fmt(w)}, native ${fmt(nat)}`);
    }
    await ceiling();
    const ceil = Math.min(...ceilings);

    console.log(
      `\n| Chromium, 1 GiB File in, OPFS out | browser wasm | ratio to I/O ceiling (${fmt(ceil)}) | native (same files) | target |`,
    );
    console.log('|---|---|---|---|---|');
    for (const [name, w, nat] of rows) {
      const target = name.startsWith('info')
        ? `<= 50 ms: ${w <= 50 ? 'met' : 'MISSED'}`
        : `<= 1.5x ceiling: ${w / ceil <= 1.5 ? 'met' : 'MISSED'}`;
      console.log(`| ${name} | ${fmt(w)} | ${name.startsWith('info') ? '—' : `${(w / ceil).toFixed(2)}x`} | ${fmt(nat)} | ${target} |`);
    }
    console.log(`\n| browser figure | value |\n|---|---|`);
    console.log(
      `| I/O ceiling: read 1 GiB File by 16 MiB slices + write it to OPFS | ${fmt(ceil)} (${(first.bytes / 1048576 / (ceil / 1000)).toFixed(0)} MB/s) |`,
    );
    console.log(`| of which FileReaderSync read / OPFS write (first measurement) | ${fmt(first.readMs)} / ${fmt(first.writeMs)} |`);
    console.log(`| worker cold start (worker + wasm fetch + compile + first run) | ${fmt(coldMs)} |`);
    if (failures.length) console.log(`\nFAILED runs:\n${failures.join('\n')}`);
    console.log(
      `\n(${new Date().toISOString()}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} cores)`,
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(store, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
