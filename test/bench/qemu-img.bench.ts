// `npm run bench -- qemu-img.bench`: the wasm qemu-img in Node against native qemu-img 7.2 on the
// same files in the same run. Prints one table; targets from issue 3: convert <= 1.5x native,
// info <= 50 ms warm, peak RSS < 300 MB whatever the image size.
import { bestOf } from '../helpers/best-of.ts';
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, readFileSync, rmSync, openSync, closeSync, writeSync, ftruncateSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomFillSync } from 'node:crypto';
import { runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';
import { wasmDistDir } from '../../workers/qemu-img/node-protocol.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const dir = join(tmpdir(), 'image-inspector-bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const repo = fileURLToPath(new URL('../../', import.meta.url));

/** 1 GiB raw: 512 MiB random then 512 MiB of written zeros (allocated, so both sides read them). */
export function ensureBenchImages(): { raw: string; qcow2: string; vmdk: string; sparse8g: string } {
  mkdirSync(dir, { recursive: true });
  const raw = join(dir, 'bench-1g.raw');
  if (!existsSync(raw) || statSync(raw).size !== GiB) {
    const fd = openSync(raw, 'w');
    const buf = Buffer.alloc(8 * MiB);
    for (let at = 0; at < GiB; at += buf.length) {
      if (at < GiB / 2) randomFillSync(buf);
      else buf.fill(0);
      writeSync(fd, buf, 0, buf.length, at);
    }
    closeSync(fd);
  }
  const qcow2 = join(dir, 'bench-1g.qcow2');
  if (!existsSync(qcow2)) execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
  const vmdk = join(dir, 'bench-1g-stream.vmdk');
  if (!existsSync(vmdk)) execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, vmdk]);
  const sparse8g = join(dir, 'bench-8g-sparse.raw');
  if (!existsSync(sparse8g)) {
    const fd = openSync(sparse8g, 'w');
    ftruncateSync(fd, 8 * GiB);
    const data = randomFillSync(Buffer.alloc(4 * MiB));
    for (const at of [0, 2 * GiB - 2 * MiB, 4 * GiB - 2 * MiB, 8 * GiB - 4 * MiB]) writeSync(fd, data, 0, data.length, at);
    closeSync(fd);
  }
  return { raw, qcow2, vmdk, sparse8g };
}

function nativeTime(args: string[]): number {
  const t = performance.now();
  const r = spawnSync('qemu-img', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`native qemu-img ${args.join(' ')}: ${r.stderr}`);
  return ms;
}

const failures: string[] = [];

/** A failing wasm run is reported in the table (NaN) rather than ending the benchmark. */
async function wasmTime(args: string[]): Promise<number> {
  const t = performance.now();
  const r = await runQemuImg(args);
  const ms = performance.now() - t;
  if (r.exitCode !== 0) {
    failures.push(`wasm qemu-img ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr.trim()}`);
    return NaN;
  }
  return ms;
}

function rssOfCli(args: string[]): { ms: number; rssMiB: number } {
  // Runs the CLI path (in-process wasm), as a user's `npx image-inspector qemu-img` does.
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'test/bench/qemu-img-rss-child.ts'), ...args], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const ms = performance.now() - t;
  const report = JSON.parse((r.output[3] as string) || '{}') as { code?: number; maxRssKiB?: number };
  if (report.code !== 0) failures.push(`CLI ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, rssMiB: (report.maxRssKiB ?? 0) / 1024 };
}

function nativeRss(args: string[]): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'qemu-img', ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const kib = Number(r.stderr.trim().split('\n').at(-1));
  return Number.isFinite(kib) ? kib / 1024 : undefined;
}

const fmt = (ms: number) => (Number.isNaN(ms) ? 'FAILED' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

async function main() {
  const img = ensureBenchImages();
  const out = join(dir, 'out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);

  // Cold load: what a fresh process pays before qemu-img can run (thread start, glue import, wasm
  // compile, first instance), and the CLI's whole start-up versus native's.
  const coldStart = performance.now();
  await wasmTime(['--version']);
  const coldMs = performance.now() - coldStart;
  const cliVersion = await bestOf(RUNS, () => {
    const t = performance.now();
    spawnSync(process.execPath, [join(repo, 'bin/image-inspector.mjs'), 'qemu-img', '--version'], { stdio: 'ignore' });
    return performance.now() - t;
  });
  const tsxOnly = await bestOf(RUNS, () => {
    const t = performance.now();
    spawnSync(process.execPath, ['--input-type=module', '-e', "import { register } from 'tsx/esm/api'; register();"], {
      cwd: repo,
      stdio: 'ignore',
    });
    return performance.now() - t;
  });
  const nodeBare = await bestOf(RUNS, () => {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    return performance.now() - t;
  });
  const nativeVersion = await bestOf(RUNS, () => nativeTime(['--version']));

  const rows: Array<[string, number, number]> = [];
  const cases: Array<[string, string[], number]> = [
    ['info (qcow2, warm)', ['info', '-f', 'qcow2', img.qcow2], RUNS * 3],
    ['convert raw -> qcow2', ['convert', '-f', 'raw', '-O', 'qcow2', img.raw, join(out, 'a.qcow2')], RUNS],
    ['convert qcow2 -> raw', ['convert', '-f', 'qcow2', '-O', 'raw', img.qcow2, join(out, 'b.raw')], RUNS],
    [
      'convert raw -> vmdk streamOptimized',
      ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', img.raw, join(out, 'c.vmdk')],
      1,
    ],
    ['convert vmdk (streamOptimized) -> qcow2', ['convert', '-f', 'vmdk', '-O', 'qcow2', img.vmdk, join(out, 'd.qcow2')], RUNS],
    ['convert 8 GiB sparse raw -> qcow2', ['convert', '-f', 'raw', '-O', 'qcow2', img.sparse8g, join(out, 'e.qcow2')], 1],
  ];
  for (const [name, args, n] of cases) {
    const nat = await bestOf(n, () => nativeTime(args));
    const w = await bestOf(n, () => wasmTime(args));
    rows.push([name, w, nat]);
    console.error(`  ${name}: wasm ${fmt(w)}, native ${fmt(nat)}`);
  }
  await shutdownQemuImg();

  const rss1g = rssOfCli(['convert', '-f', 'raw', '-O', 'qcow2', img.raw, join(out, 'r1.qcow2')]);
  const rss8g = rssOfCli(['convert', '-f', 'raw', '-O', 'qcow2', img.sparse8g, join(out, 'r8.qcow2')]);
  const rssInfo = rssOfCli(['info', '-f', 'qcow2', img.qcow2]);
  const nRss1g = nativeRss(['convert', '-f', 'raw', '-O', 'qcow2', img.raw, join(out, 'n1.qcow2')]);
  const nRss8g = nativeRss(['convert', '-f', 'raw', '-O', 'qcow2', img.sparse8g, join(out, 'n8.qcow2')]);

  const wasmFile = join(wasmDistDir(), 'qemu-img.wasm');
  const wasmBytes = readFileSync(wasmFile);
  const glueBytes = readFileSync(join(wasmDistDir(), 'qemu-img.mjs'));

  console.log('\n| operation (1 GiB image: 512 MiB random + 512 MiB zeros) | wasm (Node) | native | ratio | target |');
  console.log('|---|---|---|---|---|');
  for (const [name, w, n] of rows) {
    const target = name.startsWith('info') ? `<= 50 ms warm: ${w <= 50 ? 'met' : 'MISSED'}` : `<= 1.5x: ${w / n <= 1.5 ? 'met' : 'MISSED'}`;
    console.log(`| ${name} | ${fmt(w)} | ${fmt(n)} | ${(w / n).toFixed(2)}x | ${target} |`);
  }
  console.log(
    `| CLI \`qemu-img --version\` (process start to exit) | ${fmt(cliVersion)} | ${fmt(nativeVersion)} | ${(cliVersion / nativeVersion).toFixed(1)}x | |`,
  );
  console.log('\n| other figure | value |');
  console.log('|---|---|');
  console.log(`| module cold load in a fresh runner (thread + glue + compile + first run) | ${fmt(coldMs)} |`);
  console.log(`| of the CLI start: bare \`node -e 0\` / node + tsx register() | ${fmt(nodeBare)} / ${fmt(tsxOnly)} |`);
  console.log(
    `| qemu-img.wasm size (gzip -9) | ${(wasmBytes.length / MiB).toFixed(2)} MiB (${(gzipSync(wasmBytes, { level: 9 }).length / MiB).toFixed(2)} MiB) |`,
  );
  console.log(`| qemu-img.mjs glue size | ${(glueBytes.length / 1024).toFixed(0)} KiB |`);
  const nr = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(0)} MB`);
  console.log(`| peak RSS, CLI info qcow2 | ${rssInfo.rssMiB.toFixed(0)} MB |`);
  console.log(`| peak RSS, CLI convert 1 GiB raw -> qcow2 (native) | ${rss1g.rssMiB.toFixed(0)} MB (${nr(nRss1g)}) |`);
  console.log(
    `| peak RSS, CLI convert 8 GiB sparse raw -> qcow2 (native) | ${rss8g.rssMiB.toFixed(0)} MB (${nr(nRss8g)}) — target < 300 MB: ${rss8g.rssMiB < 300 ? 'met' : 'MISSED'} |`,
  );
  rmSync(out, { recursive: true, force: true });
  if (failures.length) console.log(`\nFAILED runs:\n${failures.join('\n')}`);
  console.log(
    `\n(${new Date().toISOString()}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores)`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
