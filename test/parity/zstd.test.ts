// qcow2 with compression_type=zstd (libzstd from Debian bookworm in the wasm, the native
// reference configured with --enable-zstd): the wasm writes it, native verifies it, both describe
// it alike, and the wasm reads what native wrote.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { native, wasm, tempDir, describeRun, assertOk, withoutActualSize } from './helpers.ts';
import { probeEngineFeatures } from '../../workers/qemu-img/features.ts';
import { shutdownQemuImg } from '../../workers/qemu-img/node.ts';

const MiB = 1024 * 1024;

describe('qcow2 compression_type=zstd', { timeout: 120_000 }, () => {
  const work = tempDir('zstd');
  const src = join(work.dir, 'in.raw');
  before(() => {
    // 4 MiB of compressible text-like data, 2 MiB of random, 2 MiB of zeros.
    const fd = openSync(src, 'w');
    writeSync(fd, Buffer.alloc(4 * MiB, 'image-inspector zstd '), 0, 4 * MiB, 0);
    writeSync(fd, randomBytes(2 * MiB), 0, 2 * MiB, 4 * MiB);
    writeSync(fd, Buffer.alloc(2 * MiB), 0, 2 * MiB, 6 * MiB);
    closeSync(fd);
  });
  after(async () => {
    await shutdownQemuImg();
    work.remove();
  });

  test('the engine and the native reference both have it (feature probe)', async () => {
    const w = await probeEngineFeatures((args) => wasm(args), join(work.dir, 'probe-w.qcow2'));
    const n = await probeEngineFeatures(async (args) => ({ ...native(args), durationMs: 0 }), join(work.dir, 'probe-n.qcow2'));
    assert.deepEqual(w, { zstd: true });
    assert.deepEqual(n, { zstd: true });
  });

  test('wasm convert -c -o compression_type=zstd: native compare, info identical to native', async () => {
    const out = join(work.dir, 'w.qcow2');
    const w = await wasm(['convert', '-c', '-f', 'raw', '-O', 'qcow2', '-o', 'compression_type=zstd', src, out]);
    assertOk(w, 'wasm convert zstd');
    assertOk(native(['compare', '-f', 'raw', '-F', 'qcow2', src, out]), 'native compare');
    assertOk(native(['check', out]), 'native check');
    const info = ['info', '--output=json', out];
    const wi = await wasm(info);
    assertOk(wi, 'wasm info');
    const ni = native(info);
    assertOk(ni, 'native info');
    assert.deepEqual(withoutActualSize(JSON.parse(wi.stdout)), withoutActualSize(JSON.parse(ni.stdout)));
    assert.match(wi.stdout, /"compression-type": "zstd"/);

    // The same conversion by native writes the same clusters (same libzstd version, level).
    const nOut = join(work.dir, 'n.qcow2');
    assertOk(native(['convert', '-c', '-f', 'raw', '-O', 'qcow2', '-o', 'compression_type=zstd', src, nOut]), 'native convert zstd');
    const c = await wasm(['compare', '-f', 'qcow2', '-F', 'qcow2', nOut, out]);
    assert.equal(c.exitCode, 0, describeRun('wasm compare of native zstd output', c));
    assert.match(c.stdout, /Images are identical/);
  });
});
