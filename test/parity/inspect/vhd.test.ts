// VHD, VHDX and VDI: structure, truncation and parent dependencies; the VHDX metadata bound
// (oslo.utils test_vhd_table_over_limit) keeps reads small however large the table claims to be.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { vhdVirtualSize } from '../../../src/core/inspect/formats/vhd.ts';
import { codes, cut, inspectPath, MiB, nativeInfo, patch, qemuCreate, read, sh, sizeOf, workdir } from './helpers.ts';

const dir = workdir();

describe('VHD', () => {
  test('a dynamic VHD cut short loses its closing footer: truncated', async () => {
    const path = qemuCreate(dir, 'cut.vhd', 'vpc', 64 * MiB);
    cut(path, sizeOf(path) - 512);
    const r = await inspectPath(path);
    assert.ok(codes(r, 'error').includes('image.truncated'));
  });
  test('a damaged footer checksum is a warning', async () => {
    const path = qemuCreate(dir, 'sum.vhd', 'vpc', 64 * MiB);
    // flip a UUID byte (covered by the checksum); a fixed value would equal the random one 1 time in 256
    const at = sizeOf(path) - 512 + 68;
    patch(path, at, [read(path)[at]! ^ 0xff]);
    const r = await inspectPath(path);
    assert.equal(r.details.vhd?.checksumOk, false);
    assert.ok(codes(r, 'warning').includes('vhd.checksum'));
  });
  test('a differencing VHD is refused', async () => {
    const path = qemuCreate(dir, 'diff.vhd', 'vpc', 64 * MiB);
    for (const o of [60, sizeOf(path) - 512 + 60]) patch(path, o, [0, 0, 0, 4]);
    assert.ok(codes(await inspectPath(path), 'error').includes('vhd.differencing'));
  });
  test('virtual size follows qemu: CHS for qemu/Virtual PC, current size for Hyper-V', () => {
    const f = read(qemuCreate(dir, 'chs.vhd', 'vpc', 100 * MiB)).slice(0, 512);
    const chs = ((f[56]! << 8) | f[57]!) * f[58]! * f[59]! * 512;
    assert.equal(vhdVirtualSize(f), chs);
    assert.equal(vhdVirtualSize(f), nativeInfo(`${dir}/chs.vhd`, 'vpc')['virtual-size']);
    f.set(new TextEncoder().encode('win '), 28);
    assert.equal(vhdVirtualSize(f), Number(new DataView(f.buffer).getBigUint64(48, false)));
  });
});

describe('VHDX', () => {
  test('a region count over 2047 is refused and never opened', async () => {
    const path = qemuCreate(dir, 'regions.vhdx', 'vhdx', 64 * MiB);
    patch(path, 0x30000 + 8, [0x00, 0x08, 0, 0]);
    const r = await inspectPath(path);
    assert.ok(codes(r, 'error').includes('vhdx.invalid'));
    assert.equal(r.qemuAccess, 'none');
  });
  test('a VHDX whose file parameters announce a parent is refused', async () => {
    const path = qemuCreate(dir, 'parent.vhdx', 'vhdx', 64 * MiB);
    const b = read(path);
    // Find the file-parameters item through the metadata table and set its has-parent flag.
    const dv = new DataView(b.buffer);
    let meta = 0;
    for (let i = 0; i < dv.getUint32(0x30000 + 8, true); i++) {
      const e = 0x30000 + 16 + i * 32;
      if (dv.getUint32(e, true) === 0x8b7ca206) meta = Number(dv.getBigUint64(e + 16, true));
    }
    assert.ok(meta > 0);
    const count = dv.getUint16(meta + 10, true);
    let patched = false;
    for (let i = 0; i < count; i++) {
      const e = meta + 32 + i * 32;
      if (dv.getUint32(e, true) === 0xcaa16737) {
        patch(path, meta + dv.getUint32(e + 16, true) + 4, [0x02, 0, 0, 0]);
        patched = true;
      }
    }
    assert.ok(patched);
    const r = await inspectPath(path);
    assert.equal(r.details.vhdx?.hasParent, true);
    assert.ok(codes(r, 'error').includes('vhdx.differencing'));
  });
  test('block and sector sizes come from the metadata, with bounded reads', async () => {
    const path = qemuCreate(dir, 'huge.vhdx', 'vhdx', 64 * MiB, { block_size: String(16 * MiB) });
    const r = await inspectPath(path);
    assert.equal(r.details.vhdx?.blockSize, 16 * MiB);
    assert.equal(r.details.vhdx?.logicalSectorSize, 512);
    assert.ok(r.bytesRead < 200 * 1024, `${r.bytesRead}`);
  });
  test('a VHDX whose data blocks were cut off is truncated; whole it is not', async () => {
    const raw = `${dir}/vhdx-data.raw`;
    sh('dd', ['if=/dev/urandom', `of=${raw}`, 'bs=1M', 'count=12', 'status=none']);
    const path = `${dir}/data.vhdx`;
    sh('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vhdx', raw, path]);
    const whole = await inspectPath(path);
    assert.equal(whole.safe, true, JSON.stringify(whole.findings));
    cut(path, sizeOf(path) - 2 * MiB);
    assert.ok(codes(await inspectPath(path), 'error').includes('image.truncated'));
  });

  test('a VHDX cut before its region table is truncated', async () => {
    const path = qemuCreate(dir, 'cut.vhdx', 'vhdx', 64 * MiB);
    cut(path, 0x30000);
    assert.ok(codes(await inspectPath(path), 'error').includes('image.truncated'));
  });
});

describe('VDI', () => {
  test('a dynamic VDI whose data was cut off is truncated', async () => {
    const raw = `${dir}/vdi-data.raw`;
    sh('dd', ['if=/dev/urandom', `of=${raw}`, 'bs=1M', 'count=4', 'status=none']);
    const path = `${dir}/data.vdi`;
    sh('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vdi', raw, path]);
    assert.equal((await inspectPath(path)).safe, true);
    cut(path, sizeOf(path) - MiB);
    assert.ok(codes(await inspectPath(path), 'error').includes('image.truncated'));
  });
  test('a static VDI cut short is truncated; intact it is safe', async () => {
    const path = qemuCreate(dir, 'static.vdi', 'vdi', 16 * MiB, { static: 'on' });
    const ok = await inspectPath(path);
    assert.equal(ok.details.vdi?.imageType, 'fixed');
    assert.equal(ok.safe, true);
    cut(path, 8 * MiB);
    assert.ok(codes(await inspectPath(path), 'error').includes('image.truncated'));
  });
});
