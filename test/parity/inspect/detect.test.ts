// Content detection and virtual size against native qemu-img, at the image sizes Glance's and
// oslo.utils' tests use, with reads bounded the way their inspectors bound memory.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { inspectSafety } from '../../../src/core/inspect/safety.ts';
import { codes, inspectBytes, inspectPath, MiB, nativeInfo, qemuCreate, workdir } from './helpers.ts';

const dir = workdir();
const SIZES = [512, 513, 2057, 7];
const FORMATS: { fmt: string; detected: string; options?: Record<string, string> }[] = [
  { fmt: 'qcow2', detected: 'qcow2' },
  { fmt: 'vpc', detected: 'vpc' },
  { fmt: 'vhdx', detected: 'vhdx' },
  { fmt: 'vmdk', detected: 'vmdk' },
  { fmt: 'vmdk', detected: 'vmdk', options: { subformat: 'streamOptimized' } },
  { fmt: 'vdi', detected: 'vdi' },
];

describe("every format qemu-img creates is detected with qemu-img's virtual size", () => {
  for (const { fmt, detected, options } of FORMATS) {
    for (const mib of SIZES) {
      const label = `${fmt}${options?.subformat ? `/${options.subformat}` : ''} ${mib} MiB`;
      test(label, async () => {
        const path = qemuCreate(dir, `${label.replace(/\W+/g, '_')}.${fmt}`, fmt, mib * MiB, options);
        const r = await inspectPath(path);
        assert.equal(r.detected, detected);
        assert.deepEqual(r.matches, [detected]);
        assert.equal(r.details.virtualSize, nativeInfo(path, fmt)['virtual-size']);
        assert.equal(r.safe, true, JSON.stringify(r.findings));
        assert.equal(r.qemuAccess, 'full');
        // oslo.utils asserts its inspectors hold less than 512 KiB; we read even less.
        assert.ok(r.bytesRead < 512 * 1024, `${r.bytesRead} bytes read`);
      });
    }
  }
});

test('a fixed VHD (footer only at the end) is vpc to qemu but raw to Glance', async () => {
  const path = qemuCreate(dir, 'fixed.vhd', 'vpc', 64 * MiB, { subformat: 'fixed' });
  const r = await inspectPath(path, { declaredFormat: 'vhd' });
  assert.equal(r.detected, 'vpc');
  assert.equal(r.details.vhd?.diskType, 'fixed');
  assert.equal(r.details.virtualSize, nativeInfo(path, 'vpc')['virtual-size']);
  assert.ok(codes(r).includes('vhd.fixed'));
  // Declaring vhd is what Glance would refuse; raw is what it accepts.
  assert.ok(codes(r, 'error').includes('format.mismatch'));
  assert.equal((await inspectPath(path, { declaredFormat: 'raw' })).safe, true);
});

test('unrecognised content (this test file) is raw, matches nothing and reads little', async () => {
  const me = fileURLToPath(import.meta.url);
  const r = await inspectPath(me);
  assert.equal(r.detected, 'raw');
  assert.deepEqual(r.matches, []);
  assert.equal(r.safe, true);
  assert.equal(r.details.virtualSize, readFileSync(me).length);
});

test('raw zeros are raw; an empty file is not an image', async () => {
  const r = await inspectPath(qemuCreate(dir, 'zeros.raw', 'raw', 10 * MiB));
  assert.equal(r.detected, 'raw');
  assert.equal(r.details.virtualSize, 10 * MiB);
  assert.equal(r.safe, true);
  const empty = await inspectBytes(new Uint8Array(0));
  assert.deepEqual(codes(empty, 'warning'), ['image.empty']);
});

test('a file with nothing bootable in it is safe raw with an image.not-a-disk warning', async () => {
  const text = await inspectBytes(new TextEncoder().encode('just a text file, 29 bytes.\n'));
  assert.equal(text.safe, true, 'the verdict stays honest: Glance would take it');
  assert.deepEqual(codes(text, 'warning'), ['image.not-a-disk']);
  assert.equal(text.findings[0]!.params?.['reason'], 'smaller-than-sector');
  const zeros = await inspectBytes(new Uint8Array(64 * 1024));
  assert.deepEqual(codes(zeros, 'warning'), ['image.not-a-disk']);
  assert.equal(zeros.findings[0]!.params?.['reason'], 'no-structure');
  // an ext4 superblock (magic 0xEF53 at 1080) or a boot sector signature is a disk-like structure
  const ext = new Uint8Array(64 * 1024);
  ext[1080] = 0x53;
  ext[1081] = 0xef;
  assert.deepEqual(codes(await inspectBytes(ext), 'warning'), []);
  const empty = await inspectBytes(new Uint8Array(0));
  assert.ok(!codes(empty, 'warning').includes('image.not-a-disk'), 'an empty file has its own finding');
});

test('QED is always unsafe (Glance: test_qed_always_unsafe)', async () => {
  const path = qemuCreate(dir, 'a.qed', 'qed', 10 * MiB);
  const r = await inspectPath(path);
  assert.equal(r.detected, 'qed');
  assert.equal(r.safe, false);
  assert.deepEqual(codes(r, 'error'), ['qed.banned']);
  assert.equal(r.details.virtualSize, nativeInfo(path, 'qed')['virtual-size']);
});

test('declared format must match the content (require_image_format_match)', async () => {
  const path = qemuCreate(dir, 'decl.qcow2', 'qcow2', 10 * MiB);
  assert.equal((await inspectPath(path, { declaredFormat: 'qcow2' })).safe, true);
  const wrong = await inspectPath(path, { declaredFormat: 'raw' });
  assert.equal(wrong.safe, false);
  const f = wrong.findings.find((x) => x.code === 'format.mismatch');
  assert.equal(f?.params?.declared, 'raw');
  assert.equal(f?.params?.suggested, 'qcow2');
  // A raw file declared as qcow2 is refused too.
  const raw = await inspectPath(qemuCreate(dir, 'decl.raw', 'raw', MiB), { declaredFormat: 'qcow2' });
  assert.ok(codes(raw, 'error').includes('format.mismatch'));
});

test('inspecting reads less than the file (Glance: test_from_file_reads_minimum)', async () => {
  const path = qemuCreate(dir, 'min.qcow2', 'qcow2', 512 * MiB, { preallocation: 'metadata' });
  const r = await inspectPath(path);
  assert.equal(r.detected, 'qcow2');
  assert.ok(r.bytesRead < 512 * 1024 && r.bytesRead * 100 < statSync(path).size, `${r.bytesRead} bytes read`);
});

test('a read failing mid-inspection is a finding, never a crash, and qemu-img is kept away', async () => {
  const path = qemuCreate(dir, 'flaky.vhdx', 'vhdx', 64 * MiB);
  const bytes = readFileSync(path);
  const flaky = {
    size: bytes.length,
    name: 'flaky.vhdx',
    async read(o: number, l: number) {
      if (o >= 128 * 1024 && o < bytes.length - 4096) throw new Error('NotReadableError: the file changed');
      return new Uint8Array(bytes.subarray(o, o + l));
    },
  };
  const r = await inspectSafety(flaky);
  const f = r.findings.find((x) => x.code === 'inspect.detector-failed');
  assert.ok(f, JSON.stringify(r.findings));
  assert.match(f.message, /the file changed/);
  assert.equal(r.safe, false);
  assert.equal(r.qemuAccess, 'none');
});
