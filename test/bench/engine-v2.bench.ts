// `npm run bench -- engine-v2`: issue 13's speed section. Engine v1 (QEMU 7.2 on emscripten 3.1.6,
// what wasm/dist held before v2 shipped: taken from git history into a cache), engine v2
// (wasm/dist, QEMU 10.2.2 on emscripten 3.1.69) and, when built, v2's threads flavour side by side
// in one run, each against native qemu-img of its own version (7.2 from the PATH; 10.2.2 from
// scripts/setup/native-qemu.sh). Each engine runs in a child process of its own (the runner reads
// IMAGE_INSPECTOR_WASM_DIR once per thread). The children run the runner precompiled by esbuild, as
// the CLI ships it (dist-cli/, built by scripts/build-cli.mjs), so the cold start is a user's, not tsx compiling
// TypeScript in the thread; each case has one discarded warm-up run (V8 tiers the hot wasm
// functions up during the first), reported on its own line.
//   IMAGE_INSPECTOR_V1_REV      git revision whose wasm/dist is v1 (default: the last v1 commit)
//   IMAGE_INSPECTOR_THREADS_DIR threads build (default wasm/dist/threads, else /var/tmp/ii-v2/work/out-threads;
//                               'none': no threads column)
//   IMAGE_INSPECTOR_WRITE_BEHIND 0: the Node runner writes synchronously (default: a helper thread, write-behind.ts)
//   BENCH_RUNS                  best of n (default 2)
import { spawnSync, execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestOf } from '../helpers/best-of.ts';
import { ensureBenchImages } from './qemu-img.bench.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(tmpdir(), 'image-inspector-bench');
const out = join(dir, 'out-v2');

interface Images {
  raw: string;
  qcow2: string;
  holeRaw: string;
  holeQcow2: string;
  sparse8g: string;
}

/** The bench images plus the "second half a hole" variants (what `truncate` makes). */
function images(): Images {
  const base = ensureBenchImages();
  const holeRaw = join(dir, 'bench-1g-hole.raw');
  if (!existsSync(holeRaw) || statSync(holeRaw).size !== GiB) {
    const src = openSync(base.raw, 'r');
    const dst = openSync(holeRaw, 'w');
    const buf = Buffer.alloc(8 * MiB);
    for (let at = 0; at < GiB / 2; at += buf.length) {
      readSync(src, buf, 0, buf.length, at);
      writeSync(dst, buf, 0, buf.length, at);
    }
    ftruncateSync(dst, GiB);
    closeSync(src);
    closeSync(dst);
  }
  const holeQcow2 = join(dir, 'bench-1g-hole.qcow2');
  if (!existsSync(holeQcow2)) execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', holeRaw, holeQcow2]);
  return { raw: base.raw, qcow2: base.qcow2, holeRaw, holeQcow2, sparse8g: base.sparse8g };
}

function cases(img: Images): Array<[string, string[]]> {
  return [
    ['info qcow2 (warm)', ['info', '-f', 'qcow2', img.qcow2]],
    ['raw -> qcow2 (2nd half written zeros)', ['convert', '-f', 'raw', '-O', 'qcow2', img.raw, join(out, 'a.qcow2')]],
    ['qcow2 -> raw (2nd half zeros)', ['convert', '-f', 'qcow2', '-O', 'raw', img.qcow2, join(out, 'b.raw')]],
    ['raw -> qcow2 (2nd half a hole)', ['convert', '-f', 'raw', '-O', 'qcow2', img.holeRaw, join(out, 'c.qcow2')]],
    ['qcow2 -> raw (2nd half unallocated)', ['convert', '-f', 'qcow2', '-O', 'raw', img.holeQcow2, join(out, 'd.raw')]],
    ['8 GiB sparse raw -> qcow2', ['convert', '-f', 'raw', '-O', 'qcow2', img.sparse8g, join(out, 'e.qcow2')]],
  ];
}

type Times = Record<string, number>;

/** Child: one engine (IMAGE_INSPECTOR_WASM_DIR), every case, JSON on stdout. */
/** The Node runner as the CLI ships it: scripts/build-cli.mjs (npm's `prepare`) builds it. */
function precompiledRunner(): string {
  execFileSync(process.execPath, [join(repo, 'scripts/build-cli.mjs')], { stdio: 'inherit' });
  return join(repo, 'dist-cli/node/runner.mjs');
}

type NodeRunner = typeof import('../../workers/qemu-img/node.ts');

async function child(): Promise<void> {
  const runner = process.env.BENCH_RUNNER;
  if (!runner) throw new Error('BENCH_RUNNER: the precompiled runner is not set');
  const { runQemuImg, shutdownQemuImg } = (await import(runner)) as NodeRunner;
  const img = images();
  const times: Times = {};
  const time = async (args: string[]) => {
    const t = performance.now();
    const r = await runQemuImg(args);
    if (r.exitCode !== 0) throw new Error(`wasm qemu-img ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
    return performance.now() - t;
  };
  const t0 = performance.now();
  await time(['--version']);
  times['cold start (thread + glue + compile + first run)'] = performance.now() - t0;
  for (const [name, args] of cases(img)) {
    times[`first run: ${name}`] = await time(args);
    times[name] = await bestOf(name.startsWith('info') ? RUNS * 3 : RUNS, () => time(args));
  }
  await shutdownQemuImg();
  process.stdout.write(JSON.stringify(times));
}

function nativeTimes(qemuImg: string, img: Images): Times {
  const times: Times = {};
  for (const [name, args] of cases(img)) {
    let best = Infinity;
    for (let i = 0; i < (name.startsWith('info') ? RUNS * 3 : RUNS); i++) {
      const t = performance.now();
      const r = spawnSync(qemuImg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) throw new Error(`${qemuImg} ${args.join(' ')}: ${r.stderr}`);
      best = Math.min(best, performance.now() - t);
    }
    times[name] = best;
  }
  return times;
}

function engineTimes(wasmDir: string, runner: string): Times {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child'], {
    cwd: repo,
    env: { ...process.env, IMAGE_INSPECTOR_WASM_DIR: wasmDir, BENCH_RUNNER: runner },
    encoding: 'utf8',
    maxBuffer: 16 * MiB,
  });
  if (r.status !== 0) throw new Error(`engine ${wasmDir}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Times;
}

/** The honest floor for the 8 GiB sparse case: reading 8 GiB through Node's fs. */
function nodeReadMs(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(4 * MiB);
  const t = performance.now();
  let at = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, at);
    if (n <= 0) break;
    at += n;
  }
  closeSync(fd);
  return performance.now() - t;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/** The last commit whose wasm/dist is engine v1 (QEMU 7.2). */
const V1_REV = process.env.IMAGE_INSPECTOR_V1_REV ?? '1713d7d';

/** v1's two artifacts, extracted from git history once into the toolchain cache. */
function v1Dist(): string {
  const dir = join(process.env.II_V2_DIR ?? '/var/tmp/ii-v2', `v1-dist-${V1_REV}`);
  for (const name of ['qemu-img.mjs', 'qemu-img.wasm']) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, execFileSync('git', ['-C', repo, 'show', `${V1_REV}:wasm/dist/${name}`], { maxBuffer: 64 * MiB }));
  }
  return dir;
}

function threadsDir(): string | undefined {
  if (process.env.IMAGE_INSPECTOR_THREADS_DIR === 'none') return undefined;
  const candidates = [process.env.IMAGE_INSPECTOR_THREADS_DIR, join(repo, 'wasm/dist/threads'), '/var/tmp/ii-v2/work/out-threads'];
  return candidates.find((d) => d && existsSync(join(d, 'qemu-img.wasm')));
}

async function main(): Promise<void> {
  const v1Dir = v1Dist();
  const v2Dir = join(repo, 'wasm/dist');
  const v2Native = NATIVE_QEMU_IMG;
  const thDir = threadsDir();
  const img = images();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const runner = precompiledRunner();
  const n72 = nativeTimes('qemu-img', img);
  const v1 = engineTimes(v1Dir, runner);
  const n102 = nativeTimes(v2Native, img);
  const v2 = engineTimes(v2Dir, runner);
  const th = thDir ? engineTimes(thDir, runner) : undefined;
  const read8g = bestOf(RUNS, () => nodeReadMs(img.sparse8g));

  const target: Record<string, (w: number, n: number) => string> = {
    'info qcow2 (warm)': (w) => `<= 12 ms: ${w <= 12 ? 'met' : 'MISSED'}`,
    'raw -> qcow2 (2nd half written zeros)': (w, n) => `<= 1.3x: ${w / n <= 1.3 ? 'met' : 'MISSED'}`,
    'qcow2 -> raw (2nd half zeros)': (w, n) => `<= 1.3x: ${w / n <= 1.3 ? 'met' : 'MISSED'}`,
    'raw -> qcow2 (2nd half a hole)': (w, n) => `<= 2x: ${w / n <= 2 ? 'met' : 'MISSED'}`,
    'qcow2 -> raw (2nd half unallocated)': (w, n) => `<= 2x: ${w / n <= 2 ? 'met' : 'MISSED'}`,
  };
  console.log(
    '\n| operation (Node) | native 7.2 | v1 (7.2, em 3.1.6) | ratio | native 10.2.2 | v2 (10.2.2, em 3.1.69) | ratio | v2 threads | ratio | target (v2) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const thCell = (name: string, n: number) => (th?.[name] === undefined ? ' | ' : `${fmt(th[name])} | ${(th[name] / n).toFixed(2)}x`);
  for (const [name] of cases(img)) {
    const t = target[name]?.(v2[name]!, n102[name]!) ?? '';
    console.log(
      `| ${name} | ${fmt(n72[name]!)} | ${fmt(v1[name]!)} | ${(v1[name]! / n72[name]!).toFixed(2)}x | ${fmt(n102[name]!)} | ${fmt(v2[name]!)} | ${(v2[name]! / n102[name]!).toFixed(2)}x | ${thCell(name, n102[name]!)} | ${t} |`,
    );
  }
  const r8 = await read8g;
  const s8 = '8 GiB sparse raw -> qcow2';
  console.log(
    `| 8 GiB sparse: reading 8 GiB through Node fs (floor) | | ${fmt(r8)} | ${(v1[s8]! / r8).toFixed(2)}x of it | | | ${(v2[s8]! / r8).toFixed(2)}x of it | | | <= 3x: ${v2[s8]! / r8 <= 3 ? 'met' : 'MISSED'} |`,
  );
  const cold = 'cold start (thread + glue + compile + first run)';
  console.log(
    `| ${cold} | | ${fmt(v1[cold]!)} | | | ${fmt(v2[cold]!)} | | ${th ? fmt(th[cold]!) : ''} | | <= 210 ms: ${v2[cold]! <= 210 ? 'met' : 'MISSED'} |`,
  );
  console.log(
    `| first run of each case (before V8 has tiered the wasm up; discarded above), v1 / v2 | | ${cases(img)
      .map(([name]) => `${name}: ${fmt(v1[`first run: ${name}`]!)} / ${fmt(v2[`first run: ${name}`]!)}`)
      .join('; ')} | | | | | | | |`,
  );
  const size = (d: string) => {
    const w = readFileSync(join(d, 'qemu-img.wasm'));
    return `${(w.length / MiB).toFixed(2)} MiB (gzip -9 ${(gzipSync(w, { level: 9 }).length / MiB).toFixed(2)} MiB), glue ${(statSync(join(d, 'qemu-img.mjs')).size / 1024).toFixed(0)} KiB`;
  };
  console.log(`| qemu-img.wasm size | | ${size(v1Dir)} | | | ${size(v2Dir)} | | ${thDir ? size(thDir) : ''} | | |`);
  rmSync(out, { recursive: true, force: true });
  console.log(
    `\n(${new Date().toISOString()}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores, best of ${RUNS})`,
  );
}

if (process.argv.includes('--child')) await child();
else await main();
