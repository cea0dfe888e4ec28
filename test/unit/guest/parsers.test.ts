// The text parsers the guest step relies on: LVM2 metadata (strict), fstab specs, os-release /
// redhat-release / shell variable files, ELF headers, and the contract's JSON shape.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { guestDetails, guestJson } from '../../../src/core/guest/contract.ts';
import { CorruptStructure } from '../../../src/core/guest/device.ts';
import { matchSpec, parseFstab, type Candidate } from '../../../src/core/guest/fstab.ts';
import { parseLvmText } from '../../../src/core/guest/lvm-text.ts';
import { elfArch, parseRedhatRelease, shellVars } from '../../../src/core/guest/os-facts.ts';
import type { GuestResult } from '../../../src/core/guest/types.ts';

const T = { timeout: 5000 };

describe('LVM2 metadata text', () => {
  test('sections, strings with escapes, numbers, arrays, comments', T, () => {
    const v = parseLvmText(
      '# c\nvg {\nid = "a\\"b"\nseqno = 3\nstatus = ["READ", "WRITE"]\nempty = []\nsub {\nx = 1 # trailing\n}\n}\ncontents = "Text"\n',
    );
    assert.deepEqual(JSON.parse(JSON.stringify(v)), {
      vg: { id: 'a"b', seqno: 3, status: ['READ', 'WRITE'], empty: [], sub: { x: 1 } },
      contents: 'Text',
    });
  });
  const bad: Array<[string, RegExp]> = [
    ['vg {\nx = 1\n', /missing "}"/],
    ['vg {\n}\n}', /stray "}"/],
    ['x = "unterminated', /unterminated string/],
    ['x = [1, 2', /expected "," or "]"/],
    ['x = 123456789012345678901234567890', /out of range/],
    ['x = @', /unexpected character/],
    [`${'a {\n'.repeat(40)}${'}\n'.repeat(40)}`, /nested too deeply/],
    [`x = ${'['.repeat(40)}${']'.repeat(40)}`, /nested too deeply/],
  ];
  for (const [text, why] of bad) {
    test(`refuses ${JSON.stringify(text.slice(0, 30))}`, T, () => {
      assert.throws(
        () => parseLvmText(text),
        (e: unknown) => e instanceof CorruptStructure && why.test(e.message),
      );
    });
  }
});

describe('fstab', () => {
  const all: Candidate[] = [
    { device: '/dev/sda1', uuid: 'AAAA-BBBB', label: 'EFI', lvm: null },
    { device: '/dev/sda2', uuid: '1e2d3c4b-5a69-4788-9900-aabbccddeeff', label: 'boot', lvm: null },
    { device: '/dev/mapper/rhel-root', uuid: 'x', label: 'root', lvm: 'rhel/root' },
    { device: '/dev/mapper/my--vg-my--lv', uuid: 'y', label: null, lvm: 'my-vg/my-lv' },
  ];
  test('comments, octal escapes, swap and pseudo file systems', T, () => {
    assert.deepEqual(
      parseFstab(
        '# x\nUUID=a / xfs defaults 0 0\nLABEL=My\\040Disk /mnt/my\\040disk/ ext4 defaults\nproc /proc proc defaults\n/dev/sda3 swap swap defaults 0 0\n\n',
      ),
      [
        { spec: 'UUID=a', mountpoint: '/', type: 'xfs' },
        { spec: 'LABEL=My Disk', mountpoint: '/mnt/my disk', type: 'ext4' },
        { spec: 'proc', mountpoint: '/proc', type: 'proc' },
      ],
    );
  });
  const specs: Array<[string, string | null]> = [
    ['UUID=aaaa-bbbb', '/dev/sda1'],
    ['UUID="1E2D3C4B-5A69-4788-9900-AABBCCDDEEFF"', '/dev/sda2'],
    ['LABEL=boot', '/dev/sda2'],
    ['/dev/disk/by-label/root', '/dev/mapper/rhel-root'],
    ['/dev/disk/by-uuid/AAAA-BBBB', '/dev/sda1'],
    ['/dev/mapper/rhel-root', '/dev/mapper/rhel-root'],
    ['/dev/rhel/root', '/dev/mapper/rhel-root'],
    ['/dev/my-vg/my-lv', '/dev/mapper/my--vg-my--lv'],
    ['/dev/vda2', '/dev/sda2'],
    ['/dev/xvda1', '/dev/sda1'],
    ['/dev/sdb1', null],
    ['LABEL=none', null],
    ['tmpfs', null],
  ];
  for (const [spec, device] of specs) {
    test(`${spec} → ${device}`, T, () => assert.equal(matchSpec(spec, all)?.device ?? null, device));
  }
});

describe('release files and ELF headers', () => {
  test('redhat-release variants', T, () => {
    assert.deepEqual(parseRedhatRelease('Red Hat Enterprise Linux Server release 6.10 (Santiago)\n'), { distro: 'rhel', version: '6.10' });
    assert.deepEqual(parseRedhatRelease('CentOS Linux release 7.9.2009 (Core)'), { distro: 'centos', version: '7.9.2009' });
    assert.deepEqual(parseRedhatRelease('CentOS release 6.10 (Final)'), { distro: 'centos', version: '6.10' });
    assert.deepEqual(parseRedhatRelease('Fedora release 39 (Thirty Nine)'), { distro: 'fedora', version: '39' });
    assert.equal(parseRedhatRelease(''), null);
  });
  test('shell variable files: quotes, comments, export', T, () => {
    const v = shellVars('NAME="Ubuntu"\nVERSION_ID=\'22.04\'\nexport HOSTNAME=web1 # trailing\n# X=1\nbad line\n');
    assert.deepEqual(Object.fromEntries(v), { NAME: 'Ubuntu', VERSION_ID: '22.04', HOSTNAME: 'web1' });
  });
  test('ELF machines and byte order', T, () => {
    const elf = (machine: number, le: boolean) => {
      const b = new Uint8Array(64);
      b.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1]);
      new DataView(b.buffer).setUint16(18, machine, le);
      return b;
    };
    assert.equal(elfArch(elf(0x3e, true)), 'x86_64');
    assert.equal(elfArch(elf(0xb7, true)), 'aarch64');
    assert.equal(elfArch(elf(0x15, true)), 'ppc64le');
    assert.equal(elfArch(elf(0x15, false)), 'ppc64');
    assert.equal(elfArch(elf(0x16, false)), 's390x');
    assert.equal(elfArch(elf(0x03, true)), 'i686');
    assert.equal(elfArch(elf(0x9999, true)), null);
    assert.equal(elfArch(new Uint8Array([0x23, 0x21, 0x2f, 0x62])), null, 'a shell script is no ELF');
  });
});

test('guestJson keeps exactly the contract keys', T, () => {
  assert.deepEqual(guestJson(null), { guest: null, suggested: {} });
  const r: GuestResult = {
    os: { type: 'linux', distro: 'rhel', version: '7.9', arch: 'x86_64', hostname: 'h', firmware: 'bios' },
    filesystems: [{ device: '/dev/sda1', type: 'xfs', uuid: 'u', label: null, mountpoint: '/', size: 1, used: 1 }],
    checklist: [
      { code: 'guest.machine-id-set', ok: true, step: 's', detail: 'd', detailOf: { code: 'guest.machine-id.empty', params: {} } },
    ],
    suggested: { os_distro: 'rhel' },
    sources: { distro: '/etc/os-release' },
    kernels: [],
    findings: [],
    reclaimableBytes: null,
    bytesRead: 1,
    readCalls: 1,
    elapsedMs: 1,
  };
  const j = guestJson(r);
  assert.deepEqual(Object.keys(j.guest!), ['os', 'filesystems', 'checklist']);
  assert.deepEqual(Object.keys(j.guest!.os), ['type', 'distro', 'version', 'arch', 'hostname', 'firmware']);
  assert.deepEqual(Object.keys(j.guest!.filesystems[0]!), ['device', 'type', 'uuid', 'label', 'mountpoint', 'size', 'used']);
  assert.deepEqual(Object.keys(j.guest!.checklist[0]!), ['code', 'ok', 'step', 'detail']);
  assert.deepEqual(j.suggested, { os_distro: 'rhel' });
  assert.deepEqual(guestDetails(r), [{ code: 'guest.machine-id.empty', params: {} }], 'the detail codes travel beside the contract');
});
