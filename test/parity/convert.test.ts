// Conversions each way between all writable formats: the wasm's outputs must be identical in
// content by NATIVE `qemu-img compare`, native's outputs by the WASM `compare`. Plus the sparse
// 8 GiB image with data across 2 GiB and 4 GiB (emscripten 3.1.6's 32-bit offset bugs) and
// streaming -p progress.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createReadStream, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { ensureCorpus, WRITABLE_FORMATS, type CorpusImage } from '../corpus/generate.ts';
import { native, wasm, tempDir, describeRun, assertOk } from './helpers.ts';
import { shutdownQemuImg } from '../../workers/qemu-img/node.ts';
import type { RunProgress } from '../../workers/qemu-img/types.ts';

const corpus = ensureCorpus();
const work = tempDir('convert');
after(async () => {
  await shutdownQemuImg();
  work.remove();
});

const IDENTICAL = 'Images are identical.\n';

async function wasmConvertNativeCompare(src: CorpusImage, target: string, out: string, extra: string[] = []) {
  const w = await wasm(['convert', '-f', src.format, '-O', target, ...extra, src.path, out]);
  assertOk(w, `wasm convert ${src.id} -> ${target}`);
  const c = native(['compare', '-f', src.format, '-F', target, src.path, out]);
  assert.equal(c.exitCode, 0, describeRun(`native compare ${src.id} vs wasm's ${target}`, c));
  assert.match(c.stdout, /Images are identical\.\n$/);
}

async function nativeConvertWasmCompare(src: CorpusImage, target: string, out: string, extra: string[] = []) {
  assertOk(native(['convert', '-f', src.format, '-O', target, ...extra, src.path, out]), `native convert ${src.id} -> ${target}`);
  const c = await wasm(['compare', '-f', src.format, '-F', target, src.path, out]);
  assert.equal(c.exitCode, 0, describeRun(`wasm compare ${src.id} vs native's ${target}`, c));
  assert.ok(c.stdout.endsWith(IDENTICAL), c.stdout);
}

describe('conversion matrix (small image: data spanning several convert buffers, unaligned)', () => {
  for (const from of WRITABLE_FORMATS) {
    test(`${from} -> every writable format, both ways`, async () => {
      const src = corpus.matrixSources[from];
      for (const to of WRITABLE_FORMATS) {
        await wasmConvertNativeCompare(src, to, join(work.dir, `w-${from}-to.${to}`));
        await nativeConvertWasmCompare(src, to, join(work.dir, `n-${from}-to.${to}`));
      }
    });
  }

  test('every VMDK subformat and qcow2 variant as output, verified by native compare', async () => {
    const src = corpus.matrixSources.raw;
    for (const sub of ['monolithicSparse', 'monolithicFlat', 'twoGbMaxExtentSparse', 'twoGbMaxExtentFlat', 'streamOptimized']) {
      await wasmConvertNativeCompare(src, 'vmdk', join(work.dir, `w-sub-${sub}.vmdk`), ['-o', `subformat=${sub}`]);
    }
    await wasmConvertNativeCompare(src, 'qcow2', join(work.dir, 'w-compressed.qcow2'), ['-c']);
    await wasmConvertNativeCompare(src, 'qcow2', join(work.dir, 'w-compat010.qcow2'), ['-o', 'compat=0.10']);
    await wasmConvertNativeCompare(src, 'qcow2', join(work.dir, 'w-extl2.qcow2'), ['-o', 'extended_l2=on,cluster_size=128k']);
    await wasmConvertNativeCompare(src, 'vpc', join(work.dir, 'w-fixed.vpc'), ['-o', 'subformat=fixed']);
    await wasmConvertNativeCompare(src, 'vhdx', join(work.dir, 'w-fixed.vhdx'), ['-o', 'subformat=fixed']);
    await wasmConvertNativeCompare(src, 'vdi', join(work.dir, 'w-static.vdi'), ['-o', 'static=on']);
  });

  test('every corpus variant as input, converted by the wasm to qcow2', async () => {
    for (const img of corpus.images.filter((i) => i.base !== 'big')) {
      const out = join(work.dir, `w-in-${img.id}.qcow2`);
      const n = native(['convert', '-f', img.format, '-O', 'qcow2', img.path, `${out}.native`]);
      if (n.exitCode !== 0) {
        // Native cannot read it either (a 0-byte VMDK): the wasm must say the same.
        const w = await wasm(['convert', '-f', img.format, '-O', 'qcow2', img.path, out]);
        assert.equal(w.exitCode, n.exitCode);
        assert.equal(w.stderr, n.stderr);
        continue;
      }
      await wasmConvertNativeCompare(img, 'qcow2', out);
    }
  });

  test('convert options: -n onto an existing target, --target-is-zero, -W -m 4, -S 0, -o cluster_size', async () => {
    const src = corpus.matrixSources.qcow2;
    const pre = join(work.dir, 'opt-n.qcow2');
    assertOk(native(['create', '-q', '-f', 'qcow2', pre, '24M']), 'native create');
    const n = await wasm(['convert', '-n', '--target-is-zero', '-f', 'qcow2', '-O', 'qcow2', src.path, pre]);
    assertOk(n, 'wasm convert -n --target-is-zero');
    assertOk(native(['compare', '-f', 'qcow2', '-F', 'qcow2', src.path, pre]), 'native compare -n');
    await wasmConvertNativeCompare(src, 'raw', join(work.dir, 'opt-W.raw'), ['-W', '-m', '4']);
    await wasmConvertNativeCompare(src, 'raw', join(work.dir, 'opt-S0.raw'), ['-S', '0']);
    await wasmConvertNativeCompare(src, 'qcow2', join(work.dir, 'opt-cs.qcow2'), ['-o', 'cluster_size=4096,preallocation=metadata']);
  });

  test('qcow2 output: same guest content (compare -s), same size and the same bytes as native qemu-img output', async () => {
    const src = corpus.matrixSources.raw;
    const w = join(work.dir, 'bytes-w.qcow2');
    const n = join(work.dir, 'bytes-n.qcow2');
    assertOk(await wasm(['convert', '-f', 'raw', '-O', 'qcow2', src.path, w]), 'wasm convert');
    assertOk(native(['convert', '-f', 'raw', '-O', 'qcow2', src.path, n]), 'native convert');
    const c = native(['compare', '-s', '-f', 'qcow2', '-F', 'qcow2', n, w]);
    assertOk(c, 'strict compare');
    assert.equal(statSync(w).size, statSync(n).size);
    const sha = async (path: string) => {
      const h = createHash('sha256');
      await pipeline(createReadStream(path), h);
      return h.digest('hex');
    };
    assert.equal(await sha(w), await sha(n), 'the files are byte-identical');
  });
});

describe('sparse 8 GiB image, data across 2 GiB and 4 GiB', () => {
  const big = (id: string) => {
    const i = corpus.images.find((x) => x.id === id);
    assert.ok(i, id);
    return i;
  };
  before(() => assert.equal(statSync(big('big.raw').path).size, 8 * 1024 ** 3));

  test('raw -> qcow2 -> raw round trip by the wasm, verified natively', async () => {
    const q = join(work.dir, 'big-w.qcow2');
    await wasmConvertNativeCompare(big('big.raw'), 'qcow2', q);
    const back = join(work.dir, 'big-w.raw');
    await wasmConvertNativeCompare({ ...big('big.qcow2'), path: q }, 'raw', back);
    assert.equal(statSync(back).size, 8 * 1024 ** 3);
  });

  test('multi-extent VMDK, VHDX, VDI, QED sources (extents cross 2 GiB) -> qcow2 by the wasm', async () => {
    for (const id of ['big.vmdk-twoGbMaxExtentSparse', 'big.vmdk-monolithicSparse', 'big.vhdx', 'big.vdi', 'big.qed']) {
      await wasmConvertNativeCompare(big(id), 'qcow2', join(work.dir, `big-w-${id}.qcow2`));
    }
  });

  test('raw -> twoGbMaxExtentSparse VMDK and vhdx by the wasm, verified natively', async () => {
    await wasmConvertNativeCompare(big('big.qcow2'), 'vmdk', join(work.dir, 'big-w.vmdk'), ['-o', 'subformat=twoGbMaxExtentSparse']);
    await wasmConvertNativeCompare(big('big.qcow2'), 'vhdx', join(work.dir, 'big-w.vhdx'));
  });

  test('native big outputs verified by the wasm compare', async () => {
    await nativeConvertWasmCompare(big('big.qcow2'), 'vmdk', join(work.dir, 'big-n.vmdk'));
    await nativeConvertWasmCompare(big('big.vmdk-twoGbMaxExtentSparse'), 'qcow2', join(work.dir, 'big-n.qcow2'));
  });

  test('-p progress streams like native and is reported through onProgress', async () => {
    const src = big('big.qcow2');
    const seen: RunProgress[] = [];
    const out = join(work.dir, 'big-p.vhdx');
    const w = await wasm(['convert', '-p', '-f', 'qcow2', '-O', 'vhdx', src.path, out], { onProgress: (p) => seen.push(p) });
    assertOk(w, 'wasm convert -p');
    const n = native(['convert', '-p', '-f', 'qcow2', '-O', 'vhdx', src.path, join(work.dir, 'big-p-native.vhdx')]);
    assertOk(n, 'native convert -p');
    // Same progress lines, "\r"-terminated, byte for byte.
    assert.equal(w.stdout, n.stdout);
    assert.match(w.stdout, /\(100\.00\/100%\)\r\n$/);
    assert.ok(seen.length > 0, 'no progress events');
    const last = seen.at(-1)!;
    assert.equal(last.percent, 100);
    assert.ok(last.bytesRead > 0 && last.bytesWritten > 0, JSON.stringify(last));
  });
});
