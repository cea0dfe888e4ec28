// Partition tables and ISO images: oslo.utils' MBR vectors, GPT CRCs and truncation, FAT boot
// sectors (LP 2079850), protective MBRs that break the spec (LP 2091114), hybrid ISOs
// (LP 2127789), an ISO hiding a qcow2 header, and firmware/architecture hints from the ESP.
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { mbrViolation } from '../../../src/core/inspect/formats/partitions.ts';
import { suggestProperties } from '../../../src/core/inspect/properties.ts';
import { codes, cut, inspectBytes, inspectPath, MiB, patch, qemuCreate, read, sh, sizeOf, workdir } from './helpers.ts';

const dir = workdir();
const ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const ROOT_X86_64 = '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709';
const ROOT_ARM64 = 'B921B045-1DF0-41C3-AF44-4C6F280D3FAE';

function disk(name: string, mib: number, script: string): string {
  const path = join(dir, name);
  sh('truncate', ['-s', `${mib}M`, path]);
  sh('sfdisk', ['--no-reread', '--no-tell-kernel', '-q', path], { input: script });
  return path;
}

/** A FAT file system with \EFI\BOOT\<loader>, written into the disk at `startSector`. */
function espInto(path: string, startSector: number, sectors: number, loader: string, fatBits: 12 | 16 | 32): void {
  const esp = `${path}.esp`;
  sh('truncate', ['-s', String(sectors * 512), esp]);
  sh('mkfs.vfat', ['-F', String(fatBits), esp]);
  writeFileSync(`${esp}.efi`, 'MZ not really a boot loader');
  sh('mmd', ['-i', esp, '::/EFI', '::/EFI/BOOT']);
  sh('mcopy', ['-i', esp, `${esp}.efi`, `::/EFI/BOOT/${loader}`]);
  sh('dd', [`if=${esp}`, `of=${path}`, 'bs=512', `seek=${startSector}`, 'conv=notrunc', 'status=none']);
}

describe('MBR checks (oslo.utils test_gpt_mbr_check)', () => {
  const sector = () => {
    const d = new Uint8Array(1024);
    d[510] = 0x55;
    d[511] = 0xaa;
    return d;
  };
  const pte = (d: Uint8Array, o: { n?: number; boot?: number; type?: number; startH?: number; startLba?: number } = {}) => {
    const at = 446 + (o.n ?? 0) * 16;
    d.fill(0, at, at + 16);
    d[at] = o.boot ?? 0;
    d[at + 1] = 0;
    d[at + 2] = o.startH ?? 2;
    d[at + 4] = o.type ?? 0xee;
    new DataView(d.buffer).setUint32(at + 8, o.startLba ?? 1, true);
    return d;
  };
  test('a lone, well-formed protective entry passes', () => assert.equal(mbrViolation(pte(sector())), null));
  test('an invalid boot flag fails', () => assert.match(mbrViolation(pte(sector(), { boot: 0x0a }))!, /invalid boot flag/));
  test('no partitions fails', () => assert.match(mbrViolation(pte(sector(), { type: 0 }))!, /no partitions/));
  test('a protective MBR with another partition fails', () => {
    assert.match(mbrViolation(pte(pte(sector()), { n: 1 }))!, /invalid extra partitions/);
  });
  test('start CHS is only checked for the protective type', () => {
    assert.equal(mbrViolation(pte(pte(sector(), { n: 1, type: 2 }), { type: 0x8e, startH: 1 })), null);
    assert.match(mbrViolation(pte(sector(), { startH: 1 }))!, /invalid start CHS/);
  });
  test('start LBA is only checked for the protective type', () => {
    assert.equal(mbrViolation(pte(sector(), { type: 0x8e, startLba: 2 })), null);
    assert.match(mbrViolation(pte(sector(), { startLba: 2 }))!, /invalid start LBA/);
  });
  test('the verdict on such a disk says why and offers conversion (LP 2091114)', async () => {
    const r = await inspectBytes(pte(pte(sector()), { n: 1, type: 0x83 }));
    const f = r.findings.find((x) => x.code === 'mbr.invalid');
    assert.ok(f, JSON.stringify(r.findings));
    assert.equal(f.severity, 'error');
    assert.match(f.fix, /qcow2/);
  });
});

describe('GPT disks', () => {
  const script = `label: gpt\nstart=2048, size=32768, type=${ESP}\nstart=34816, type=${ROOT_X86_64}, name="root"\n`;

  test('ESP with BOOTX64.EFI and an x86-64 root: uefi and x86_64', async () => {
    const path = disk('x86.img', 64, script);
    espInto(path, 2048, 32768, 'BOOTX64.EFI', 16);
    const r = await inspectPath(path, { declaredFormat: 'raw' });
    assert.equal(r.detected, 'gpt');
    assert.equal(r.safe, true, JSON.stringify(r.findings));
    const t = r.details.partitionTable!;
    assert.equal(t.scheme, 'gpt');
    assert.equal(t.headerCrcOk, true);
    assert.equal(t.entriesCrcOk, true);
    assert.deepEqual(
      t.partitions.map((p) => p.kind),
      ['esp', 'linux-root-x86-64'],
    );
    assert.equal(t.partitions[1]!.name, 'root');
    assert.equal(t.hasEsp, true);
    assert.deepEqual(t.espBootLoaders, ['BOOTX64.EFI']);
    assert.deepEqual(t.architectures, ['x86_64']);
    assert.equal(r.details.virtualSize, 64 * MiB);
  });

  test('FAT32 ESP with BOOTAA64.EFI and an arm64 root: aarch64', async () => {
    const path = disk('arm.img', 120, `label: gpt\nstart=2048, size=77824, type=${ESP}\nstart=79872, type=${ROOT_ARM64}\n`);
    espInto(path, 2048, 77824, 'BOOTAA64.EFI', 32);
    const t = (await inspectPath(path)).details.partitionTable!;
    assert.deepEqual(t.espBootLoaders, ['BOOTAA64.EFI']);
    assert.deepEqual(t.architectures, ['aarch64']);
  });

  test('FAT12 ESP is read too', async () => {
    const path = disk('small.img', 8, `label: gpt\nstart=2048, size=4096, type=${ESP}\n`);
    espInto(path, 2048, 4096, 'BOOTRISCV64.EFI', 12);
    assert.deepEqual((await inspectPath(path)).details.partitionTable!.architectures, ['riscv64']);
  });

  test('a damaged header CRC and a damaged entry array CRC are reported', async () => {
    const path = disk('crc.img', 64, script);
    copyFileSync(path, `${path}.2`);
    // a disk GUID byte, covered by the header CRC: flipped (the GUID is random, any set value may be it)
    patch(path, 512 + 56, [read(path)[512 + 56]! ^ 0xff]);
    const r = await inspectPath(path);
    assert.equal(r.details.partitionTable?.headerCrcOk, false);
    assert.ok(codes(r, 'warning').includes('gpt.header-crc'));
    patch(`${path}.2`, 1024 + 56, [0x41]); // first entry's name, covered by the array CRC
    const r2 = await inspectPath(`${path}.2`);
    assert.equal(r2.details.partitionTable?.headerCrcOk, true);
    assert.ok(codes(r2, 'warning').includes('gpt.entries-crc'));
  });

  test('a GPT disk cut short (backup header gone) is truncated', async () => {
    const path = disk('cut.img', 64, script);
    cut(path, 40 * MiB);
    const r = await inspectPath(path);
    assert.equal(r.safe, false);
    assert.ok(codes(r, 'error').includes('image.truncated'));
  });

  test('an MBR disk is detected as mbr and is raw to Glance', async () => {
    const path = disk('dos.img', 16, 'label: dos\nstart=2048, type=83, bootable\n');
    const r = await inspectPath(path, { declaredFormat: 'raw' });
    assert.equal(r.detected, 'mbr');
    assert.equal(r.safe, true);
    assert.deepEqual(
      r.details.partitionTable?.partitions.map((p) => [p.kind, p.bootable]),
      [['linux', true]],
    );
  });
});

describe('FAT boot sectors (LP 2079850)', () => {
  test('a FAT file system with two FATs on a fixed disk is raw data, not an MBR', async () => {
    const path = join(dir, 'fs.img');
    sh('truncate', ['-s', '16M', path]);
    sh('mkfs.vfat', [path]);
    const r = await inspectPath(path);
    assert.equal(r.detected, 'raw');
    assert.deepEqual(r.matches, []);
    assert.equal(r.safe, true);
  });
  test('one Glance would still read as an MBR is explained, with conversion as the fix', async () => {
    const path = join(dir, 'fs1.img');
    sh('truncate', ['-s', '16M', path]);
    sh('mkfs.vfat', ['-f', '1', path]);
    const r = await inspectPath(path);
    assert.equal(r.detected, 'mbr');
    assert.equal(r.details.fatBootSector, true);
    assert.deepEqual(codes(r, 'error'), ['mbr.fat-boot-sector']);
  });
});

describe('ISO images', () => {
  const iso = (name: string, args: string[] = []) => {
    const src = join(dir, `${name}.txt`);
    writeFileSync(src, 'hello');
    const path = join(dir, name);
    sh('genisoimage', ['-quiet', '-V', 'TEST', ...args, '-o', path, src]);
    return path;
  };

  test('ISO 9660 is iso with its volume size; declared raw is a mismatch', async () => {
    const path = iso('a.iso');
    const r = await inspectPath(path, { declaredFormat: 'iso' });
    assert.equal(r.detected, 'iso');
    assert.equal(r.safe, true);
    assert.equal(r.details.iso?.volumeId, 'TEST');
    assert.equal((r.details.iso?.blocks ?? 0) * (r.details.iso?.blockSize ?? 0), sizeOf(path));
    assert.ok(codes(await inspectPath(path, { declaredFormat: 'raw' }), 'error').includes('format.mismatch'));
  });

  test('UDF with an ISO 9660 bridge is iso', async () => {
    const r = await inspectPath(iso('udf.iso', ['-udf']));
    assert.equal(r.detected, 'iso');
    assert.equal(r.safe, true);
  });

  test('an ISO with a qcow2 header in its system area matches two formats and is refused (oslo.utils test_bad_iso_qcow2)', async () => {
    const path = iso('bad.iso');
    const qcow = read(qemuCreate(dir, 'hdr.qcow2', 'qcow2', 10 * MiB));
    patch(path, 0, qcow.subarray(0, 32 * 1024));
    const r = await inspectPath(path);
    assert.deepEqual([...r.matches].sort(), ['iso', 'qcow2']);
    assert.ok(codes(r, 'error').includes('format.multiple'));
    const multiple = r.findings.find((f) => f.code === 'format.multiple')!;
    assert.equal(multiple.params?.formats, 'iso,qcow2');
    assert.equal(multiple.params?.hidden, 'qcow2');
    assert.match(multiple.message, /two formats at once/);
    assert.doesNotMatch(multiple.fix, /convert/i, 'nothing here can convert it: the fix does not offer it');
    assert.ok(!codes(r, 'error').includes('image.truncated'), 'the qcow2 header’s tables are not an incomplete download');
    assert.equal(r.qemuAccess, 'none');
  });

  test('a hybrid ISO (ISO 9660 + GPT) counts as iso (LP 2127789)', async () => {
    const path = iso('hybrid.iso');
    sh('truncate', ['-s', '2M', path]);
    sh('sfdisk', ['--no-reread', '--no-tell-kernel', '-q', path], { input: `label: gpt\nstart=64, size=1024, type=${ESP}\n` });
    const r = await inspectPath(path, { declaredFormat: 'iso' });
    assert.deepEqual([...r.matches].sort(), ['gpt', 'iso']);
    assert.equal(r.detected, 'iso');
    assert.equal(r.safe, true, JSON.stringify(r.findings));
    assert.ok(codes(r, 'info').includes('iso.hybrid'));
  });

  test('a UEFI-bootable ISO reveals its architecture from the PE header of its boot loader', async () => {
    const root = join(dir, 'isoroot');
    sh('mkdir', ['-p', root]);
    const efiImg = join(root, 'efiboot.img');
    sh('truncate', ['-s', '2M', efiImg]);
    sh('mkfs.vfat', [efiImg]);
    // A minimal PE header for arm64 under the x86-64 file name: the machine field wins.
    const pe = new Uint8Array(512);
    pe.set([0x4d, 0x5a]);
    new DataView(pe.buffer).setUint32(0x3c, 0x80, true);
    pe.set([0x50, 0x45, 0, 0, 0x64, 0xaa], 0x80);
    writeFileSync(join(dir, 'loader.efi'), pe);
    sh('mmd', ['-i', efiImg, '::/EFI', '::/EFI/BOOT']);
    sh('mcopy', ['-i', efiImg, join(dir, 'loader.efi'), '::/EFI/BOOT/BOOTX64.EFI']);
    const path = join(dir, 'efi.iso');
    sh('genisoimage', ['-quiet', '-V', 'EFI', '-e', 'efiboot.img', '-no-emul-boot', '-o', path, root]);
    const r = await inspectPath(path);
    assert.equal(r.detected, 'iso');
    assert.equal(r.details.iso?.bootable, true);
    assert.equal(r.details.iso?.efiBoot, true);
    assert.deepEqual(r.details.iso?.efiBootLoaders, ['BOOTX64.EFI']);
    assert.deepEqual(r.details.iso?.architectures, ['aarch64']);
    const s = suggestProperties({ detected: r.detected, details: r.details });
    assert.equal(s.properties.architecture, 'aarch64');
    assert.equal(s.properties.disk_format, 'iso');
    assert.equal(s.properties.min_disk, undefined);
  });

  test('an ISO cut short is truncated', async () => {
    const path = iso('cut.iso');
    sh('truncate', ['-s', String(40 * 1024), path]);
    writeFileSync(join(dir, 'big.bin'), new Uint8Array(MiB));
    const big = join(dir, 'big.iso');
    sh('genisoimage', ['-quiet', '-o', big, join(dir, 'big.bin')]);
    cut(big, 200 * 1024);
    assert.ok(codes(await inspectPath(big), 'error').includes('image.truncated'));
  });
});
