// The pure-TS safety verdict (bounded reads through a Node file handle) and the whole
// `image-inspector inspect` (verdict + wasm qemu-img info/check/map), each next to native
// `qemu-img info` on the same file, measured in this run. Printed as ratios.
import { spawnSync } from 'node:child_process';
import { ensureCorpus } from '../corpus/generate.ts';
import { fileSource } from '../../src/cli/node-byte-source.ts';
import { inspectFile } from '../../src/cli/inspect-command.ts';
import { inspectSafety } from '../../src/core/inspect/safety.ts';
import { runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';

const RUNS = 7;
const corpus = ensureCorpus();
const ids = [
  'small.qcow2',
  'big.qcow2',
  'small.vmdk-streamOptimized',
  'big.vmdk-monolithicSparse',
  'small.vhdx',
  'big.vdi',
  'small.vpc',
  'big.raw',
];

async function median(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const rows: string[][] = [['image', 'native info ms', 'verdict ms', 'verdict/native', 'inspect (wasm) ms', 'inspect/native']];
for (const id of ids) {
  const img = corpus.images.find((i) => i.id === id)!;
  const native = await median(() => spawnSync('qemu-img', ['info', '--output=json', '-f', img.format, img.path]));
  const verdict = await median(async () => {
    const src = await fileSource(img.path);
    try {
      await inspectSafety(src);
    } finally {
      await src.close();
    }
  });
  await inspectFile(img.path, undefined, (a, o) => runQemuImg(a, o)); // warm the worker thread
  const full = await median(() => inspectFile(img.path, undefined, (a, o) => runQemuImg(a, o)));
  rows.push([id, native.toFixed(1), verdict.toFixed(2), (verdict / native).toFixed(3), full.toFixed(1), (full / native).toFixed(2)]);
}
await shutdownQemuImg();
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c]!)).join('  '));
console.log(`(median of ${RUNS} runs; "inspect" = verdict + wasm qemu-img info, check and map)`);
