// SEEK_DATA / SEEK_HOLE in the engine (wasm/patches/qemu-0006): a sparse raw output the runner
// wrote is known hole by hole (extents.ts), and qemu-img's block-status now asks, so a whole
// `compare` of it reads only its data. Measured in bytes the engine read, not in time.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { native, wasm, tempDir, describeRun } from './helpers.ts';
import { shutdownQemuImg } from '../../workers/qemu-img/node.ts';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const DATA = 1 * MiB;

describe('holes of a raw output the runner wrote', { timeout: 120_000 }, () => {
  const work = tempDir('seek');
  const src = join(work.dir, 'in.qcow2');
  const out = join(work.dir, 'out.raw');
  before(() => {
    const raw = join(work.dir, 'in.raw');
    const fd = openSync(raw, 'w');
    ftruncateSync(fd, SIZE);
    writeSync(fd, randomBytes(DATA), 0, DATA, 32 * MiB);
    closeSync(fd);
    const n = native(['convert', '-f', 'raw', '-O', 'qcow2', raw, src]);
    assert.equal(n.exitCode, 0, describeRun('native convert', n));
  });
  after(async () => {
    await shutdownQemuImg();
    work.remove();
  });

  test('compare skips them: the data is read, the holes are not', async () => {
    const converted = await wasm(['convert', '-f', 'qcow2', '-O', 'raw', src, out]);
    assert.equal(converted.exitCode, 0, describeRun('wasm convert', converted));
    const extents = converted.written?.[out];
    assert.ok(extents, `the run reports what it wrote to ${out}: ${JSON.stringify(converted.written)}`);
    assert.ok(extents.ranges.length > 0, 'the output has data');

    const args = ['compare', '-f', 'raw', '-F', 'qcow2', out, src];
    const blind = await wasm(args);
    assert.equal(blind.exitCode, 0, describeRun('wasm compare without extents', blind));
    const knowing = await wasm(args, { knownExtents: converted.written });
    assert.equal(knowing.exitCode, 0, describeRun('wasm compare with extents', knowing));
    assert.equal(knowing.stdout, native(args).stdout, 'same verdict as native');

    // Without the extents every byte of the raw side is data (Node's fs knows no holes).
    const blindRead = blind.io?.bytesRead ?? NaN;
    const knowingRead = knowing.io?.bytesRead ?? NaN;
    assert.ok(blindRead >= SIZE, `without extents: ${blindRead} bytes read`);
    assert.ok(knowingRead < 4 * DATA, `with extents: ${knowingRead} bytes read, ${DATA} of data`);
  });

  test('map reports the holes like native does for the same file', async () => {
    const converted = await wasm(['convert', '-f', 'qcow2', '-O', 'raw', src, out]);
    assert.equal(converted.exitCode, 0, describeRun('wasm convert', converted));
    const args = ['map', '--output=json', '-f', 'raw', out];
    const w = await wasm(args, { knownExtents: converted.written });
    assert.equal(w.exitCode, 0, describeRun('wasm map', w));
    const n = native(args);
    assert.deepEqual(JSON.parse(w.stdout), JSON.parse(n.stdout));
  });
});
