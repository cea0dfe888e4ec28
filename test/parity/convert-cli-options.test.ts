// Every option combination checkConvertOptions refuses is refused by native qemu-img too (with the
// same argv convertArgs builds), and the combinations it lets through convert natively. So the
// page and the CLI never refuse what qemu-img would do, nor start what it would refuse.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { checkConvertOptions } from '../../src/core/convert/check.ts';
import { convertArgs } from '../../src/core/convert/command.ts';
import { defaultConvertOptions, qemuDriverOf, type ConvertOptions, type ConvertTarget } from '../../src/core/convert/options.ts';
import { probeEngineFeatures } from '../../workers/qemu-img/features.ts';
import { runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';
import { native, tempDir, describeRun } from './helpers.ts';

const work = tempDir('convert-options');
after(async () => {
  await shutdownQemuImg();
  work.remove();
});
const src = join(work.dir, 'src.raw');
writeFileSync(src, Buffer.alloc(1024 * 1024, 7));

type Edit = (o: ConvertOptions) => void;
const MiB = 1024 * 1024;
// Refusals are checked with the features the native reference has (Debian's 7.2 and the 10.2.2
// reference built with the wasm's driver set both have zstd today): asked of it, never assumed.
const NATIVE_FEATURES = await probeEngineFeatures(
  async (args) => ({ ...native(args), durationMs: 0 }),
  join(work.dir, 'native-probe.qcow2'),
);

const REFUSED: Array<[string, ConvertTarget, Edit, string]> = [
  ['raw -c', 'raw', (o) => (o.compress = true), 'compress-unsupported'],
  ['vhd -c', 'vhd', (o) => (o.compress = true), 'compress-unsupported'],
  ['vhdx -c', 'vhdx', (o) => (o.compress = true), 'compress-unsupported'],
  ['vdi static -c', 'vdi', (o) => ((o.compress = true), (o.vdi.static = true)), 'compress-unsupported'],
  ['vmdk monolithicFlat -c', 'vmdk', (o) => ((o.compress = true), (o.vmdk.subformat = 'monolithicFlat')), 'compress-flat-vmdk'],
  ['vmdk twoGbMaxExtentFlat -c', 'vmdk', (o) => ((o.compress = true), (o.vmdk.subformat = 'twoGbMaxExtentFlat')), 'compress-flat-vmdk'],
  [
    'qcow2 -c preallocation=metadata',
    'qcow2',
    (o) => ((o.compress = true), (o.qcow2.preallocation = 'metadata')),
    'compress-preallocation',
  ],
  ['qcow2 -c preallocation=full', 'qcow2', (o) => ((o.compress = true), (o.qcow2.preallocation = 'full')), 'compress-preallocation'],
  ['qcow2 compat=0.10 lazy_refcounts', 'qcow2', (o) => (o.qcow2 = { compat: '0.10', lazyRefcounts: true }), 'compat-lazy-refcounts'],
  ['qcow2 compat=0.10 zstd', 'qcow2', (o) => (o.qcow2 = { compat: '0.10', compressionType: 'zstd' }), 'compat-compression-type'],
  ['qcow2 cluster_size=1000', 'qcow2', (o) => (o.qcow2.clusterSize = 1000), 'cluster-size'],
  ['qcow2 cluster_size=256', 'qcow2', (o) => (o.qcow2.clusterSize = 256), 'cluster-size'],
  ['qcow2 cluster_size=4M', 'qcow2', (o) => (o.qcow2.clusterSize = 4 * MiB), 'cluster-size'],
  ['vhdx block_size=3M', 'vhdx', (o) => (o.vhdx.blockSize = 3 * MiB), 'block-size'],
  ['vmdk hwversion with compat6', 'vmdk', (o) => ((o.vmdk.hwversion = '6'), (o.extra = [['compat6', 'on']])), 'hwversion-compat6'],
];

const ZSTD_2M: [string, ConvertTarget, Edit] = [
  'qcow2 -c zstd 2M clusters',
  'qcow2',
  (o) => ((o.compress = true), (o.qcow2 = { compat: '1.1', compressionType: 'zstd', clusterSize: 2 * MiB })),
];
// A reference without zstd must refuse zstd output, and so must our check (with the same reason).
if (!NATIVE_FEATURES.zstd) REFUSED.push([...ZSTD_2M, 'zstd-unavailable']);

const ACCEPTED: Array<[string, ConvertTarget, Edit]> = [
  ['qcow2 defaults', 'qcow2', () => {}],
  ...(NATIVE_FEATURES.zstd ? [ZSTD_2M] : []),
  ['qcow2 compat=0.10 zlib', 'qcow2', (o) => (o.qcow2 = { compat: '0.10', compressionType: 'zlib' })],
  [
    'qcow2 falloc + lazy refcounts, 512 B clusters',
    'qcow2',
    (o) => (o.qcow2 = { compat: '1.1', preallocation: 'falloc', lazyRefcounts: true, clusterSize: 512 }),
  ],
  ['raw preallocation=full, -S 0', 'raw', (o) => ((o.raw.preallocation = 'full'), (o.zeroDetection = false))],
  ['raw preallocation=falloc', 'raw', (o) => (o.raw.preallocation = 'falloc')],
  [
    'vmdk monolithicSparse -c lsilogic',
    'vmdk',
    (o) => ((o.compress = true), (o.vmdk = { subformat: 'monolithicSparse', adapterType: 'lsilogic' })),
  ],
  [
    'vmdk streamOptimized legacyESX hwversion 4',
    'vmdk',
    (o) => (o.vmdk = { subformat: 'streamOptimized', adapterType: 'legacyESX', hwversion: '4' }),
  ],
  ['vhd fixed force_size', 'vhd', (o) => (o.vhd = { subformat: 'fixed', forceSize: true })],
  ['vhdx fixed 4M blocks', 'vhdx', (o) => (o.vhdx = { subformat: 'fixed', blockSize: 4 * MiB })],
  ['vhdx block_size=1000 (clamped to 1 MiB)', 'vhdx', (o) => (o.vhdx.blockSize = 1000)],
  ['vdi static', 'vdi', (o) => (o.vdi.static = true)],
];

function nativeConvert(name: string, target: ConvertTarget, o: ConvertOptions) {
  const out = join(work.dir, `${name.replace(/\W+/g, '_')}.${target}`);
  const args = convertArgs({ path: src, format: 'raw' }, { path: out }, target, o);
  const r = native(args);
  rmSync(out, { force: true });
  return r;
}

describe('option refusals match native qemu-img', { timeout: 60_000 }, () => {
  test('each refused combination: our code, and native qemu-img refuses it too', () => {
    for (const [name, target, edit, code] of REFUSED) {
      const o = defaultConvertOptions();
      edit(o);
      // Asking for zstd from an engine without it is a second, independent reason.
      const expected = o.qcow2.compressionType === 'zstd' && !NATIVE_FEATURES.zstd ? [code, 'zstd-unavailable'] : [code];
      assert.deepEqual(
        checkConvertOptions(target, o, NATIVE_FEATURES)
          .map((p) => p.code)
          .sort(),
        [...new Set(expected)].sort(),
        name,
      );
      const r = nativeConvert(name, target, o);
      assert.notEqual(r.exitCode, 0, describeRun(`native accepted "${name}"`, r));
    }
  });

  test('each accepted combination: no problem, and native qemu-img converts it', () => {
    for (const [name, target, edit] of ACCEPTED) {
      const o = defaultConvertOptions();
      edit(o);
      assert.deepEqual(checkConvertOptions(target, o, NATIVE_FEATURES), [], name);
      const r = nativeConvert(name, target, o);
      assert.equal(r.exitCode, 0, describeRun(`native refused "${name}"`, r));
    }
  });

  // What the check lets through must also run in the wasm (preallocation=falloc needs
  // posix_fallocate, which emscripten's NODEFS lacked: ENOTSUP where native succeeds).
  test('each accepted combination converts with the wasm engine too, to what native reads as the source', async () => {
    const features = await probeEngineFeatures((args) => runQemuImg(args, { timeoutMs: 30_000 }), join(work.dir, 'probe-w.qcow2'));
    for (const [name, target, edit] of ACCEPTED) {
      const o = defaultConvertOptions();
      edit(o);
      if (checkConvertOptions(target, o, features).length) continue; // an engine without zstd refuses it first
      const out = join(work.dir, `wasm-${name.replace(/\W+/g, '_')}.${target}`);
      const w = await runQemuImg(convertArgs({ path: src, format: 'raw' }, { path: out }, target, o), { timeoutMs: 30_000 });
      assert.equal(w.exitCode, 0, `wasm refused "${name}": ${w.stderr}`);
      const c = native(['compare', '-f', 'raw', '-F', qemuDriverOf(target), src, out]);
      assert.equal(c.exitCode, 0, describeRun(`native compare "${name}"`, c));
      rmSync(out, { force: true });
    }
  });

  test('zstd: the probe tells the wasm engine apart, and the wasm agrees with it', async () => {
    const features = await probeEngineFeatures((args) => runQemuImg(args, { timeoutMs: 30_000 }), join(work.dir, 'probe.qcow2'));
    const o = defaultConvertOptions();
    o.qcow2.compressionType = 'zstd';
    const out = join(work.dir, 'zstd.qcow2');
    const w = await runQemuImg(convertArgs({ path: src, format: 'raw' }, { path: out }, 'qcow2', o), { timeoutMs: 30_000 });
    assert.equal(w.exitCode === 0, features.zstd, w.stderr);
    assert.equal(
      checkConvertOptions('qcow2', o, features).some((p) => p.code === 'zstd-unavailable'),
      !features.zstd,
    );
  });
});
