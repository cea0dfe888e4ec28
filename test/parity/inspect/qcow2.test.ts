// qcow2 rules, re-expressed from Glance's and oslo.utils' tests: backing file, external data
// file, unknown incompatible feature bits, versions; plus truncation and extended L2.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { unknownIncompatibleBits } from '../../../src/core/inspect/formats/qcow.ts';
import { be32, codes, cut, inspectBytes, inspectPath, MiB, patch, qemuCreate, read, sh, workdir } from './helpers.ts';

const dir = workdir();

describe('qcow2 safety checks (oslo.utils test_qcow2_safety_checks)', () => {
  test('a plain qcow2 is safe', async () => {
    const r = await inspectPath(qemuCreate(dir, 'plain.qcow2', 'qcow2', 5 * MiB));
    assert.equal(r.safe, true);
    assert.equal(r.details.qcow2?.version, 3);
  });

  test('a backing file makes it unsafe, and names the file', async () => {
    const backing = join(dir, 'backing.raw');
    writeFileSync(backing, 'foobar');
    const path = qemuCreate(dir, 'child.qcow2', 'qcow2', 5 * MiB, {}, ['-b', backing, '-F', 'raw']);
    const r = await inspectPath(path);
    assert.equal(r.safe, false);
    assert.deepEqual(codes(r, 'error'), ['qcow2.backing-file']);
    assert.equal(r.details.qcow2?.backingFile, backing);
    // info never follows a backing file; check and map would.
    assert.equal(r.qemuAccess, 'info-only');
  });

  test('an external data file makes it unsafe and qemu-img must not open it', async () => {
    const path = qemuCreate(dir, 'datafile.qcow2', 'qcow2', 5 * MiB, { data_file: join(dir, 'data.raw'), data_file_raw: 'on' });
    const r = await inspectPath(path);
    assert.equal(r.safe, false);
    assert.ok(codes(r, 'error').includes('qcow2.data-file'));
    assert.equal(r.details.qcow2?.externalDataFile, true);
    assert.equal(r.qemuAccess, 'none');
    assert.equal(r.qemuSafe, false);
  });

  test('extended L2 entries (incompatible bit 4) are unknown to oslo.utils, so unsafe', async () => {
    const r = await inspectPath(qemuCreate(dir, 'l2.qcow2', 'qcow2', 5 * MiB, { extended_l2: 'on' }));
    assert.equal(r.details.qcow2?.extendedL2, true);
    assert.deepEqual(codes(r, 'error'), ['qcow2.unknown-features']);
  });

  test('zstd compression type (bit 3) is known and safe', async () => {
    const r = await inspectPath(qemuCreate(dir, 'zstd.qcow2', 'qcow2', 5 * MiB, { compression_type: 'zstd' }));
    assert.equal(r.details.qcow2?.compressionType, 'zstd');
    assert.equal(r.safe, true);
  });

  test('a non-qcow2 file is not taken for one', async () => {
    const r = await inspectBytes(new TextEncoder().encode('foobar'), { declaredFormat: 'qcow2' });
    assert.equal(r.detected, 'raw');
    assert.ok(codes(r, 'error').includes('format.mismatch'));
  });
});

describe('feature flag and version vectors (oslo.utils test_qcow2_feature_flag_checks)', () => {
  const header = (version: number, set: Record<number, number> = {}) => {
    const b = new Uint8Array(512);
    b.set([0x51, 0x46, 0x49, 0xfb]);
    b.set(be32(version), 4);
    b.set(be32(16), 20); // cluster bits
    for (const [o, v] of Object.entries(set)) b[Number(o)] = v;
    return b;
  };
  const unknown = async (b: Uint8Array) => codes(await inspectBytes(b)).includes('qcow2.unknown-features');

  test('no flags on v3 is fine', async () => assert.equal(await unknown(header(3)), false));
  test('a flag in the highest-order byte is unknown', async () => assert.equal(await unknown(header(3, { 0x48: 0x01 })), true));
  test('the dirty bit (lowest bit) is known', async () => {
    const r = await inspectBytes(header(3, { 0x4f: 0x01 }));
    assert.equal(codes(r).includes('qcow2.unknown-features'), false);
    assert.equal(r.details.qcow2?.dirty, true);
    assert.ok(codes(r, 'warning').includes('qcow2.dirty'));
  });
  test('bit 7 of the lowest byte is unassigned, so unknown', async () => assert.equal(await unknown(header(3, { 0x4f: 0x80 })), true));
  test('version 1 is refused (as the obsolete qcow format)', async () => {
    const r = await inspectBytes(header(1));
    assert.equal(r.detected, 'qcow');
    assert.deepEqual(codes(r, 'error'), ['qcow.v1']);
  });
  test('version 4 is refused', async () => assert.ok(codes(await inspectBytes(header(4))).includes('qcow2.version')));
  test('version 2 has no feature fields: the same bytes are not read as flags', async () => {
    const r = await inspectBytes(header(2, { 0x48: 0x01, 0x4f: 0x80 }));
    assert.equal(codes(r).includes('qcow2.unknown-features'), false);
    assert.equal(codes(r).includes('qcow2.version'), false);
  });
  test('future-flag arithmetic (oslo.utils test_qcow2_future_flags): bits below the known count pass', () => {
    assert.deepEqual(unknownIncompatibleBits(1n << 8n, 12), []);
    assert.deepEqual(unknownIncompatibleBits((1n << 8n) | (1n << 9n), 12), []);
    assert.deepEqual(unknownIncompatibleBits(1n << 16n, 12), [16]);
    assert.deepEqual(unknownIncompatibleBits(0b1111n), []);
    assert.deepEqual(unknownIncompatibleBits(0b10000n), [4]);
  });
});

describe('truncation and absurd headers', () => {
  test('a qcow2 cut before its L1 table is truncated', async () => {
    const path = qemuCreate(dir, 'cut.qcow2', 'qcow2', 64 * MiB);
    const l1 = Number(new DataView(read(path).buffer).getBigUint64(40, false));
    cut(path, l1 + 4); // inside the L1 table
    const r = await inspectPath(path);
    assert.equal(r.safe, false);
    const f = r.findings.find((x) => x.code === 'image.truncated');
    assert.ok(f, JSON.stringify(r.findings));
    assert.equal(f.params?.fileSize, l1 + 4);
  });

  test('a qcow2 whose data was cut off (header and L1 intact) is truncated', async () => {
    const raw = join(dir, 'data.raw');
    sh('dd', ['if=/dev/urandom', `of=${raw}`, 'bs=1M', 'count=8', 'status=none']);
    const path = join(dir, 'data.qcow2');
    sh('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, path]);
    assert.equal((await inspectPath(path)).safe, true);
    cut(path, 300 * 1024);
    const r = await inspectPath(path);
    assert.ok(codes(r, 'error').includes('image.truncated'), JSON.stringify(r.findings));
  });

  test('an L1 table larger than qemu allows is refused before qemu sees it', async () => {
    const path = qemuCreate(dir, 'bigl1.qcow2', 'qcow2', 5 * MiB);
    patch(path, 36, be32(0x10000000));
    assert.ok(codes(await inspectPath(path), 'error').includes('qcow2.header-invalid'));
  });

  test('a cluster size outside 512 B..2 MiB is refused', async () => {
    const path = qemuCreate(dir, 'cbits.qcow2', 'qcow2', 5 * MiB);
    patch(path, 20, be32(30));
    assert.ok(codes(await inspectPath(path), 'error').includes('qcow2.header-invalid'));
  });

  test('the corrupt bit is a warning, not a rejection (Glance does not check it)', async () => {
    const path = qemuCreate(dir, 'corrupt.qcow2', 'qcow2', 5 * MiB);
    patch(path, 0x4f, [0x02]);
    const r = await inspectPath(path);
    assert.equal(r.safe, true);
    assert.ok(codes(r, 'warning').includes('qcow2.corrupt-flag'));
  });
});
