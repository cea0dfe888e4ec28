// Containers and formats Glance does not take as-is: OVA (tar read in place, OVF parsed, the
// disk inspected through a byte range), plain tar, compressed files, qcow v1, Parallels, Bochs,
// cloop, DMG and LUKS.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { subSource } from '../../../src/core/inspect/byte-source.ts';
import { parseOvf } from '../../../src/core/inspect/ovf.ts';
import { listTar } from '../../../src/core/inspect/tar.ts';
import { fileSource } from '../../../src/cli/node-byte-source.ts';
import { codes, inspectBytes, inspectPath, MiB, nativeInfo, qemuCreate, read, sh, workdir } from './helpers.ts';

const dir = workdir();

const OVF = (disk: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
  xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References><File ovf:href="${disk}" ovf:id="file1"/>${extra}</References>
  <DiskSection><Info>Virtual disks</Info>
    <Disk ovf:capacity="64" ovf:capacityAllocationUnits="byte * 2^20" ovf:diskId="vmdisk1" ovf:fileRef="file1"
      ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <VirtualSystem ovf:id="web &amp; db">
    <Name>web &amp; db</Name>
    <OperatingSystemSection ovf:id="94" vmw:osType="ubuntu64Guest"><Info>OS</Info><Description>Ubuntu Linux (64-bit)</Description></OperatingSystemSection>
    <VirtualHardwareSection>
      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:ElementName>2 virtual CPU(s)</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^30</rasd:AllocationUnits><rasd:ElementName>4GB of memory</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>4</rasd:VirtualQuantity></Item>
      <Item><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceSubType>lsilogic</rasd:ResourceSubType><rasd:ResourceType>6</rasd:ResourceType></Item>
      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;

function ova(name: string, diskName: string, format: 'ustar' | 'pax' = 'ustar', ovfText?: string): { path: string; disk: string } {
  const sub = join(dir, name.replace(/\W/g, '_'));
  sh('mkdir', ['-p', sub]);
  const raw = join(sub, 'data.raw');
  sh('dd', ['if=/dev/urandom', `of=${raw}`, 'bs=1M', 'count=2', 'status=none']);
  sh('truncate', ['-s', '64M', raw]);
  const disk = join(sub, diskName);
  sh('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized,adapter_type=lsilogic', raw, disk]);
  writeFileSync(join(sub, 'app.ovf'), ovfText ?? OVF(diskName));
  const path = join(dir, name);
  sh('tar', [`--format=${format}`, '-cf', path, '-C', sub, 'app.ovf', diskName]);
  return { path, disk };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('OVA', () => {
  test('the disk inside is found by byte range and inspected in place', async () => {
    const { path, disk } = ova('app.ova', 'disk1.vmdk');
    const r = await inspectPath(path);
    assert.equal(r.detected, 'ova');
    const o = r.details.ova!;
    assert.equal(o.ovfName, 'app.ovf');
    assert.equal(o.disks.length, 1);
    const d = o.disks[0]!;
    assert.equal(d.name, 'disk1.vmdk');
    assert.equal(d.capacity, 64 * MiB);
    assert.equal(sha(read(path).subarray(d.offset, d.offset + d.size)), sha(read(disk)));
    assert.equal(d.safety?.detected, 'vmdk');
    assert.equal(d.safety?.safe, true, JSON.stringify(d.safety?.findings));
    assert.equal(d.safety?.details.virtualSize, nativeInfo(disk, 'vmdk')['virtual-size']);
    assert.equal(r.details.virtualSize, 64 * MiB);
    // Glance does not inspect non-bare containers: the OVA is acceptable as-is when its disk is,
    // with a warning that only some clouds boot OVAs and the offer to upload the disk inside.
    assert.equal(r.safe, true, JSON.stringify(r.findings));
    assert.deepEqual(codes(r, 'warning'), ['container.ova']);
    assert.match(r.findings.find((f) => f.code === 'container.ova')!.fix, /disk1\.vmdk/);
    assert.equal(r.qemuAccess, 'none');
    // Reads stay small: headers and the OVF, not the disk.
    assert.ok(r.bytesRead < 256 * 1024, `${r.bytesRead}`);
  });

  test('OVF facts: name, CPUs, memory, OS, controllers, firmware, disks', async () => {
    const o = parseOvf(OVF('disk1.vmdk'));
    assert.equal(o.name, 'web & db');
    assert.equal(o.cpus, 2);
    assert.equal(o.memoryMiB, 4096);
    assert.equal(o.osType, 'ubuntu64Guest');
    assert.equal(o.osId, 94);
    assert.deepEqual(o.controllers, ['scsi:lsilogic']);
    assert.equal(o.firmware, 'efi');
    assert.deepEqual(o.files, [{ id: 'file1', href: 'disk1.vmdk' }]);
    assert.equal(o.disks[0]?.capacity, 64 * MiB);
    assert.match(o.disks[0]?.format ?? '', /streamOptimized$/);
  });

  test('memory without units is MiB; bytes are converted', () => {
    const mk = (units: string, qty: number) => parseOvf(`<Envelope><VirtualSystem><Item>${units}<rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>${qty}</rasd:VirtualQuantity></Item></VirtualSystem></Envelope>`).memoryMiB;
    assert.equal(mk('', 2048), 2048);
    assert.equal(mk('<rasd:AllocationUnits>byte</rasd:AllocationUnits>', 512 * MiB), 512);
    assert.equal(mk('<rasd:AllocationUnits>MegaBytes</rasd:AllocationUnits>', 1024), 1024);
  });

  test('a descriptor stuffed with items is read with bounded work', () => {
    const items = '<Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>'.repeat(40_000);
    const o = parseOvf(`<Envelope><VirtualSystem>${items}<Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>9</rasd:VirtualQuantity></Item></VirtualSystem></Envelope>`);
    // Elements past the bound are not read: the last item (9 CPUs) lies beyond it.
    assert.equal(o.cpus, 1);
  });

  test('pax archives with long member names are read', async () => {
    const long = `${'d'.repeat(120)}.vmdk`;
    const { path } = ova('pax.ova', long, 'pax');
    const listing = await listTar(await fileSource(path));
    assert.equal(listing.problem, undefined);
    assert.deepEqual(listing.entries.map((e) => e.name), ['app.ovf', long]);
    const r = await inspectPath(path);
    assert.equal(r.details.ova?.disks[0]?.name, long);
    assert.equal(r.details.ova?.disks[0]?.safety?.detected, 'vmdk');
  });

  test('a disk the OVF names but the archive lacks is reported', async () => {
    const { path } = ova('missing.ova', 'disk1.vmdk', 'ustar', OVF('disk1.vmdk', '<File ovf:href="disk2.vmdk" ovf:id="file2"/>').replace('</DiskSection>', '<Disk ovf:capacity="1" ovf:diskId="vmdisk2" ovf:fileRef="file2"/></DiskSection>'));
    const r = await inspectPath(path);
    assert.deepEqual(r.details.ova?.missingFiles, ['disk2.vmdk']);
    assert.ok(codes(r, 'error').includes('ova.missing-file'));
  });

  test('a hostile disk inside an OVA makes the OVA unsafe, with the member named', async () => {
    const sub = join(dir, 'evil');
    sh('mkdir', ['-p', sub]);
    writeFileSync(join(sub, 'disk1.vmdk'), '# Disk DescriptorFile\ncreateType="monolithicFlat"\nRW 2048 FLAT "/etc/shadow" 0\n');
    writeFileSync(join(sub, 'app.ovf'), OVF('disk1.vmdk'));
    const path = join(dir, 'evil.ova');
    sh('tar', ['--format=ustar', '-cf', path, '-C', sub, 'app.ovf', 'disk1.vmdk']);
    const r = await inspectPath(path);
    const f = r.findings.find((x) => x.code === 'vmdk.extent-path');
    assert.ok(f);
    assert.match(f.message, /^disk1\.vmdk: /);
    assert.equal(r.details.ova?.disks[0]?.safety?.qemuAccess, 'none');
  });

  test('a truncated archive says so', async () => {
    const { path } = ova('cut.ova', 'disk1.vmdk');
    sh('truncate', ['-s', '3000', path]);
    const r = await inspectPath(path);
    assert.ok(codes(r, 'error').includes('tar.invalid'), JSON.stringify(r.findings));
  });

  test('a tar without OVF is a tar, not an image', async () => {
    const f = join(dir, 'x.txt');
    writeFileSync(f, 'x');
    const path = join(dir, 'plain.tar');
    sh('tar', ['-cf', path, '-C', dir, 'x.txt']);
    const r = await inspectPath(path);
    assert.equal(r.detected, 'tar');
    assert.deepEqual(codes(r, 'error'), ['container.tar']);
  });

  test('subSource refuses a range outside its parent', async () => {
    const src = await fileSource(ova('range.ova', 'disk1.vmdk').path);
    assert.throws(() => subSource(src, src.size - 10, 20, 'x'), RangeError);
    const s = subSource(src, 512, 100, 'y');
    assert.equal((await s.read(90, 50)).length, 10);
    await src.close();
  });
});

describe('compressed images', () => {
  const base = () => qemuCreate(dir, `c${Math.random().toString(36).slice(2)}.qcow2`, 'qcow2', 10 * MiB);
  test('gzip names the image inside and offers in-browser decompression', async () => {
    const q = base();
    sh('gzip', ['-k', q]);
    const r = await inspectPath(`${q}.gz`, { declaredFormat: 'qcow2' });
    assert.equal(r.detected, 'gzip');
    assert.equal(r.details.compression?.originalName, q.split('/').pop());
    assert.equal(r.details.compression?.sizeModulo32, read(q).length);
    assert.ok(codes(r, 'error').includes('compressed.gzip'));
    assert.match(r.findings.find((f) => f.code === 'compressed.gzip')!.fix, /decompress/i);
    assert.equal(r.qemuAccess, 'none');
  });
  for (const [tool, ext, fmt] of [['xz', 'xz', 'xz'], ['bzip2', 'bz2', 'bzip2'], ['zstd', 'zst', 'zstd']] as const) {
    test(`${fmt} is recognised`, async () => {
      const q = base();
      sh(tool, ['-q', '-k', q]);
      const r = await inspectPath(`${q}.${ext}`);
      assert.equal(r.detected, fmt);
      assert.deepEqual(codes(r, 'error'), [`compressed.${fmt}`]);
    });
  }
});

describe('formats Glance does not take as-is', () => {
  test('qcow (v1) from qemu-img', async () => {
    const path = qemuCreate(dir, 'old.qcow', 'qcow', 10 * MiB);
    const r = await inspectPath(path);
    assert.equal(r.detected, 'qcow');
    assert.deepEqual(codes(r, 'error'), ['qcow.v1']);
    assert.equal(r.details.virtualSize, nativeInfo(path, 'qcow')['virtual-size']);
  });
  test('Parallels from qemu-img', async () => {
    const path = qemuCreate(dir, 'p.hdd', 'parallels', 10 * MiB);
    const r = await inspectPath(path);
    assert.equal(r.detected, 'parallels');
    assert.deepEqual(codes(r, 'error'), ['parallels.unsupported']);
    assert.match(r.findings[0]!.fix, /qcow2/);
    assert.equal(r.details.virtualSize, nativeInfo(path, 'parallels')['virtual-size']);
  });
  test('LUKS (header as cryptsetup and qemu write it)', async () => {
    const luks = (version: number) => {
      const b = new Uint8Array(8192);
      b.set([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe, 0, version]);
      b.set(new TextEncoder().encode('aes'), 8);
      b.set(new TextEncoder().encode('xts-plain64'), 40);
      new DataView(b.buffer).setUint32(104, 8, false); // payload at sector 8
      return b;
    };
    const v1 = await inspectBytes(luks(1));
    assert.equal(v1.detected, 'luks');
    assert.equal(v1.details.luks?.cipher, 'aes');
    assert.equal(v1.details.virtualSize, 8192 - 8 * 512);
    assert.deepEqual(codes(v1, 'error'), ['luks.unsupported']);
    assert.deepEqual(codes(await inspectBytes(luks(2)), 'error'), ['luks.version']);
  });
  test('Bochs, cloop and DMG headers', async () => {
    const bochs = new Uint8Array(4096);
    bochs.set(new TextEncoder().encode('Bochs Virtual HD Image'), 0);
    bochs.set(new TextEncoder().encode('Redolog'), 32);
    bochs.set(new TextEncoder().encode('Growing'), 48);
    new DataView(bochs.buffer).setUint32(64, 0x00020000, true);
    new DataView(bochs.buffer).setBigUint64(88, 8n * BigInt(MiB), true);
    const b = await inspectBytes(bochs);
    assert.equal(b.detected, 'bochs');
    assert.equal(b.details.virtualSize, 8 * MiB);
    assert.deepEqual(codes(b, 'error'), ['bochs.unsupported']);

    const cloop = new Uint8Array(4096);
    cloop.set(new TextEncoder().encode('#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n'), 0);
    new DataView(cloop.buffer).setUint32(128, 65536, false);
    new DataView(cloop.buffer).setUint32(132, 3, false);
    const c = await inspectBytes(cloop);
    assert.equal(c.detected, 'cloop');
    assert.equal(c.details.virtualSize, 3 * 65536);

    const dmg = new Uint8Array(8192);
    const t = dmg.length - 512;
    dmg.set(new TextEncoder().encode('koly'), t);
    new DataView(dmg.buffer).setUint32(t + 4, 4, false);
    new DataView(dmg.buffer).setBigUint64(t + 0x1ec, 2048n, false);
    const d = await inspectBytes(dmg);
    assert.equal(d.detected, 'dmg');
    assert.equal(d.details.virtualSize, 2048 * 512);
    assert.deepEqual(codes(d, 'error'), ['dmg.unsupported']);
  });
  test('a differencing VHD, VHDX and VDI depend on a parent', async () => {
    const parent = qemuCreate(dir, 'parent.vhd', 'vpc', 10 * MiB);
    const vhdChild = qemuCreate(dir, 'child.qcow2', 'qcow2', 10 * MiB, {}, ['-b', parent, '-F', 'vpc']);
    assert.ok(codes(await inspectPath(vhdChild), 'error').includes('qcow2.backing-file'));
    const vdi = qemuCreate(dir, 'diff.vdi', 'vdi', 10 * MiB);
    const b = read(vdi);
    new DataView(b.buffer).setUint32(0x4c, 4, true);
    const r = await inspectBytes(b.slice(0, 4096));
    assert.ok(codes(r, 'error').includes('vdi.differencing'));
  });
});
