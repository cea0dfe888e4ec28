// `npm run bench -- convert-verify`: what verification costs next to the conversion it checks, on
// the sparse case of issue 9 (a 127 GiB dynamic VHD holding 64 MiB of data, converted to raw), in
// Node, with native qemu-img on the same files for reference. Target: verify <= convert. Also a
// plain `compare` of an 8 GiB raw output (every zero read), the cost the range compare avoids.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareOnHost, prewarmQemuImg, runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

const GiB = 1024 ** 3;
const dir = join(tmpdir(), 'image-inspector-bench');

/** Where the 16 × 4 MiB of data sit: spread evenly over the disk, or 15 near its start (partition
 *  table, file-system metadata, files) and one at its end (a backup GPT or superblock). */
const LAYOUTS = {
  spread: (size: number, i: number) => Math.floor((size / 16) * i) + 4096 * i,
  clustered: (size: number, i: number) => (i < 15 ? i * 6 * 1024 ** 2 : size - 8 * 1024 ** 2),
};

/** A dynamic VHD of `size` with 16 × 4 MiB of data. */
function sparseVhd(name: string, size: number, layout: keyof typeof LAYOUTS): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  if (existsSync(path)) return path;
  execFileSync(NATIVE_QEMU_IMG, ['create', '-q', '-f', 'vpc', '-o', 'subformat=dynamic', path, String(size)]);
  const writes = Array.from({ length: 16 }, (_, i) => ['-c', `write -P ${i + 1} ${LAYOUTS[layout](size, i)} 4M`]).flat();
  execFileSync('qemu-io', ['-f', 'vpc', ...writes, path], { stdio: 'ignore' });
  return path;
}

function nativeMs(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(NATIVE_QEMU_IMG, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`native ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t;
}

async function measure(vhd: string, virtualGiB: number, layout: string, plainCompare: boolean) {
  const out = join(dir, `verify-out-${virtualGiB}g-${layout}.raw`);
  rmSync(out, { force: true });
  const nConvert = nativeMs(['convert', '-f', 'vpc', '-O', 'raw', vhd, out]);
  const nCompare = nativeMs(['compare', '-f', 'vpc', '-F', 'raw', vhd, out]);
  // Best of 2 of each (this machine is shared: single runs swing by up to 2x).
  let wConvert = Infinity;
  let wVerify = Infinity;
  let v: Awaited<ReturnType<typeof compareOnHost>> | undefined;
  let t = 0;
  for (let round = 0; round < 2; round++) {
    rmSync(out, { force: true });
    t = performance.now();
    const c = await runQemuImg(['convert', '-p', '-f', 'vpc', '-O', 'raw', vhd, out]);
    wConvert = Math.min(wConvert, performance.now() - t);
    if (c.exitCode !== 0) throw new Error(`wasm convert: ${c.stderr}`);
    t = performance.now();
    v = await compareOnHost({
      source: { path: vhd, format: 'vpc' },
      output: { path: out, format: 'raw' },
      outputExtents: c.written?.[out],
    });
    wVerify = Math.min(wVerify, performance.now() - t);
    if (!v.identical) throw new Error(`verify: ${v.message}`);
  }
  if (!v) throw new Error('no verification ran');
  let wPlain = NaN;
  if (plainCompare) {
    t = performance.now();
    const p = await runQemuImg(['compare', '-f', 'vpc', '-F', 'raw', vhd, out]);
    wPlain = performance.now() - t;
    if (p.exitCode !== 0) throw new Error(`plain compare: ${p.stderr}`);
  }
  rmSync(out, { force: true });
  return {
    virtualGiB,
    nConvert,
    nCompare,
    layout,
    wConvert,
    wVerify,
    method: `${v.method}, ${v.runs} run(s), ${(v.bytesRead / 2 ** 20).toFixed(0)} MiB read`,
    wPlain,
  };
}

// As `image-inspector convert` does: the verification's two threads start before the conversion.
prewarmQemuImg(2);
const s = (ms: number) => (Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(2)} s`);
const rows = [
  await measure(sparseVhd('verify-127g-spread.vhd', 127 * GiB, 'spread'), 127, 'spread', false),
  await measure(sparseVhd('verify-127g-clustered.vhd', 127 * GiB, 'clustered'), 127, 'clustered', false),
  await measure(sparseVhd('verify-8g-spread.vhd', 8 * GiB, 'spread'), 8, 'spread', true),
];
await shutdownQemuImg();
console.log(
  `dynamic VHD (16 x 4 MiB of data) -> raw, Node, wasm vs native; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
);
console.log(
  'virtual, data      | native convert | native compare | wasm convert | wasm verify (compare.ts)          | verify/convert | plain wasm compare',
);
for (const r of rows) {
  console.log(
    `${String(r.virtualGiB).padStart(4)} GiB, ${r.layout.padEnd(9)} | ${s(r.nConvert).padStart(14)} | ${s(r.nCompare).padStart(14)} | ${s(r.wConvert).padStart(12)} | ${`${s(r.wVerify)} (${r.method})`.padEnd(34)} | ${(r.wVerify / r.wConvert).toFixed(2).padStart(14)} | ${s(r.wPlain)}`,
  );
}
const worst = Math.max(...rows.map((r) => r.wVerify / r.wConvert));
console.log(`target verify <= convert: ${worst <= 1 ? 'met' : 'NOT met'} (worst ratio ${worst.toFixed(2)})`);
