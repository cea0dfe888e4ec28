// The threads flavour in Node, as the CLI runs it: `convert -c -W` goes to wasm/dist/threads with
// two pthreads per core (at most 4) for qcow2's compression pool, and its output is what native reads back
// (zlib and zstd, a source larger than the pool's work queue); every other command stays on the
// no-threads build with no pthread.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { native, tempDir, assertOk } from './helpers.ts';
import { runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';
import { poolThreadsFor } from '../../workers/qemu-img/runner.ts';
import { wasmThreadsDir } from '../../workers/qemu-img/node-protocol.ts';

const MiB = 1024 * 1024;

describe('threads flavour (Node)', { timeout: 120_000 }, () => {
  const work = tempDir('threads');
  const src = join(work.dir, 'in.raw');
  before(() => {
    // 8 MiB of compressible text, 4 MiB random (stored uncompressed: compression does not pay),
    // 4 MiB of zeros (skipped), 8 MiB of text again: 384 clusters of 64 KiB.
    const fd = openSync(src, 'w');
    writeSync(fd, Buffer.alloc(8 * MiB, 'threads flavour '), 0, 8 * MiB, 0);
    writeSync(fd, randomBytes(4 * MiB), 0, 4 * MiB, 8 * MiB);
    writeSync(fd, Buffer.alloc(4 * MiB), 0, 4 * MiB, 12 * MiB);
    writeSync(fd, Buffer.alloc(8 * MiB, 'and more text '), 0, 8 * MiB, 16 * MiB);
    closeSync(fd);
  });
  after(async () => {
    await shutdownQemuImg();
    work.remove();
  });

  test('wasm/dist ships it', () => {
    assert.ok(wasmThreadsDir(), 'no threads build beside the no-threads one');
  });

  for (const type of ['zlib', 'zstd']) {
    test(`convert -c -W (${type}) runs on pthreads; native compare identical, check clean`, async () => {
      const out = join(work.dir, `w-${type}.qcow2`);
      const args = ['convert', '-c', '-W', '-f', 'raw', '-O', 'qcow2', '-o', `compression_type=${type}`, src, out];
      const r = await runQemuImg(args);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.pthreads, poolThreadsFor(args, availableParallelism()));
      assert.ok((r.pthreads ?? 0) >= 1);
      assertOk(native(['compare', '-f', 'raw', '-F', 'qcow2', src, out]), 'native compare');
      assertOk(native(['check', out]), 'native check');
      assert.ok(statSync(out).size < 12 * MiB, `${statSync(out).size} bytes: the text was not compressed`);
      const info = JSON.parse(native(['info', '--output=json', out]).stdout);
      assert.equal(info['format-specific'].data['compression-type'], type);
    });
  }

  test('convert -c without -W and info: no pthread', async () => {
    const out = join(work.dir, 'w-inorder.qcow2');
    const c = await runQemuImg(['convert', '-c', '-f', 'raw', '-O', 'qcow2', src, out]);
    assert.equal(c.exitCode, 0, c.stderr);
    assert.equal(c.pthreads, undefined);
    assertOk(native(['compare', '-f', 'raw', '-F', 'qcow2', src, out]), 'native compare');
    const i = await runQemuImg(['info', out]);
    assert.equal(i.exitCode, 0, i.stderr);
    assert.equal(i.pthreads, undefined);
  });

  test('a failing convert -c -W ends with native status and message, and the next one works', async () => {
    const bad = await runQemuImg(['convert', '-c', '-W', '-f', 'qcow2', '-O', 'qcow2', src, join(work.dir, 'bad.qcow2')]);
    const n = native(['convert', '-c', '-W', '-f', 'qcow2', '-O', 'qcow2', src, join(work.dir, 'bad-n.qcow2')]);
    assert.equal(bad.exitCode, n.exitCode);
    assert.match(bad.stderr, /Image is not in qcow2 format/);
    const out = join(work.dir, 'after.qcow2');
    const ok = await runQemuImg(['convert', '-c', '-W', '-f', 'raw', '-O', 'qcow2', src, out]);
    assert.equal(ok.exitCode, 0, ok.stderr);
    assertOk(native(['compare', '-f', 'raw', '-F', 'qcow2', src, out]), 'native compare');
  });
});
