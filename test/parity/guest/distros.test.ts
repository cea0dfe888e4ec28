// inspectGuest() on disks built like RHEL 6 (MBR, ext4), RHEL 7 (XFS on LVM, MBR and GPT), a
// UEFI Fedora on aarch64 (ESP, BLS) and Debian (ext4 on an LV striped over two PVs), each with the
// guide's steps done and not done: the OS facts, file systems and checklist must say what the
// trees written into them say.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspectGuest } from '../../../src/core/guest/inspect-guest.ts';
import type { GuestResult } from '../../../src/core/guest/types.ts';
import { debianDisk, fedoraDisk, rhel6Disk, rhel7Disk, UUID } from './distros.ts';
import { fileReader, partitionOffsets, sh, workdir } from './images.ts';

const dir = workdir();
const T = { timeout: 60_000 };

async function inspect(disk: string): Promise<GuestResult> {
  const f = fileReader(disk);
  try {
    const r = await inspectGuest(f.read, f.size);
    assert.ok(r, 'a guest was found');
    assert.deepEqual(r.findings, []);
    return r;
  } finally {
    f.close();
  }
}

function failing(r: GuestResult): string[] {
  return r.checklist
    .filter((c) => !c.ok)
    .map((c) => c.code)
    .sort();
}

function assertAllPass(r: GuestResult): void {
  assert.deepEqual(
    failing(r),
    [],
    JSON.stringify(
      r.checklist.filter((c) => !c.ok),
      null,
      1,
    ),
  );
  for (const c of r.checklist) assert.ok(c.step && c.detail, `${c.code} names its step and says what it found`);
}

describe('RHEL 6-like: MBR, ext4 root, swap partition', () => {
  test('prepared as the guide says', T, async () => {
    const r = await inspect(rhel6Disk(dir, true));
    assert.deepEqual(r.os, {
      type: 'linux',
      distro: 'rhel',
      version: '6.10',
      arch: 'x86_64',
      hostname: 'template.example.com',
      firmware: 'bios',
    });
    assert.deepEqual(r.suggested, {
      os_distro: 'rhel',
      os_version: '6.10',
      architecture: 'x86_64',
      os_type: 'linux',
      hw_firmware_type: 'bios',
      hw_qemu_guest_agent: 'yes',
    });
    assert.equal(r.sources['os_distro'], '/etc/redhat-release');
    assert.equal(r.sources['architecture'], '/bin/bash');
    assert.equal(r.sources['hostname'], '/etc/sysconfig/network');
    assert.deepEqual(r.kernels, ['2.6.32-754.el6.x86_64']);
    assert.deepEqual(
      r.filesystems.map((f) => [f.device, f.type, f.uuid, f.label, f.mountpoint]),
      [
        ['/dev/sda1', 'ext4', UUID.root, 'root', '/'],
        ['/dev/sda2', 'swap', '3c3c3c3c-4d4d-4e4e-8f8f-606060606060', 'swap', null],
      ],
    );
    assert.equal(r.filesystems[0]!.size, 49 * 1024 * 1024);
    assert.ok(r.filesystems[0]!.used! > 0 && r.filesystems[0]!.used! < r.filesystems[0]!.size!);
    assertAllPass(r);
    const codes = r.checklist.map((c) => c.code);
    for (const c of [
      'guest.persistent-net-rules',
      'guest.persistent-net-generator-missing',
      'guest.subscription-registered',
      'guest.ifcfg-hwaddr',
    ])
      assert.ok(codes.includes(c), c);
    assert.match(r.checklist.find((c) => c.code === 'guest.serial-console-missing')!.detail, /grub\.conf/);
  });

  test('not prepared', T, async () => {
    const r = await inspect(rhel6Disk(dir, false));
    assert.deepEqual(failing(r), [
      'guest.cloud-init-missing',
      'guest.growpart-missing',
      'guest.ifcfg-hwaddr',
      'guest.ifcfg-static',
      'guest.log-files',
      'guest.machine-id-set',
      'guest.nozeroconf-missing',
      'guest.package-cache',
      'guest.persistent-net-generator-missing',
      'guest.persistent-net-rules',
      'guest.qemu-guest-agent-missing',
      'guest.root-password-set',
      'guest.serial-console-missing',
      'guest.shell-history',
      'guest.ssh-host-keys',
      'guest.subscription-registered',
    ]);
    const hw = r.checklist.find((c) => c.code === 'guest.ifcfg-hwaddr')!;
    assert.match(hw.detail, /HWADDR, UUID/);
    assert.equal(hw.step, 'Configure the network interface (ifcfg-eth0)');
    assert.match(r.checklist.find((c) => c.code === 'guest.ssh-host-keys')!.detail, /virt-sysprep/);
    assert.match(r.checklist.find((c) => c.code === 'guest.subscription-registered')!.detail, /subscription-manager unregister/);
    assert.equal(r.suggested.hw_qemu_guest_agent, undefined);
  });
});

for (const label of ['dos', 'gpt'] as const) {
  describe(`RHEL 7-like: ${label === 'dos' ? 'MBR' : 'GPT'}, ext4 /boot, XFS root on LVM`, () => {
    test('prepared', T, async () => {
      const disk = rhel7Disk(dir, true, label);
      const r = await inspect(disk);
      assert.deepEqual(r.os, {
        type: 'linux',
        distro: 'rhel',
        version: '7.9',
        arch: 'x86_64',
        hostname: 'rhel7-template',
        firmware: 'bios',
      });
      assert.equal(r.sources['os_distro'], '/etc/os-release');
      assert.equal(r.sources['architecture'], '/bin/bash');
      assert.deepEqual(
        r.filesystems.map((f) => [f.device, f.type, f.uuid, f.mountpoint]),
        [
          ['/dev/sda1', 'ext4', UUID.boot, '/boot'],
          ['/dev/mapper/rhel-root', 'xfs', UUID.root, '/'],
        ],
      );
      assert.equal(r.filesystems[1]!.size, 40 * 1024 * 1024);
      assert.deepEqual(r.kernels, ['3.10.0-1160.el7.x86_64'], 'the rescue kernel is left out');
      assertAllPass(r);
      assert.match(
        r.checklist.find((c) => c.code === 'guest.serial-console-missing')!.detail,
        /\/etc\/default\/grub, \/boot\/grub2\/grub\.cfg/,
      );
      assert.ok(r.bytesRead < 4 * 1024 * 1024, `read ${r.bytesRead} bytes`);
      assert.ok(r.readCalls > 10 && r.readCalls < 2000, `${r.readCalls} reads`);
    });

    test('not prepared', T, async () => {
      const r = await inspect(rhel7Disk(dir, false, label));
      assert.deepEqual(failing(r), [
        'guest.cloud-init-missing',
        'guest.growpart-missing',
        'guest.ifcfg-hwaddr',
        'guest.ifcfg-static',
        'guest.log-files',
        'guest.machine-id-set',
        'guest.nozeroconf-missing',
        'guest.package-cache',
        'guest.qemu-guest-agent-missing',
        'guest.root-password-set',
        'guest.serial-console-missing',
        'guest.shell-history',
        'guest.ssh-host-keys',
        'guest.subscription-registered',
      ]);
      assert.ok(!r.checklist.some((c) => c.code === 'guest.persistent-net-rules'), 'RHEL 6 only');
      assert.match(
        r.checklist.find((c) => c.code === 'guest.serial-console-missing')!.detail,
        /\/etc\/default\/grub, \/boot\/grub2\/grub\.cfg/,
      );
    });
  });
}

test('the generated LVM2 PV passes pvck', T, () => {
  const disk = rhel7Disk(dir, true, 'dos');
  const [, p2] = partitionOffsets(disk);
  const pv = `${disk}.pv`;
  sh('dd', [`if=${disk}`, `of=${pv}`, 'bs=512', `skip=${p2!.start / 512}`, `count=${p2!.size / 512}`, 'status=none']);
  const out = sh('pvck', ['--dump', 'headers', pv], { env: { LVM_SUPPRESS_FD_WARNINGS: '1' } });
  assert.match(out, /metadata text at 4608 crc 0x[0-9a-f]+ # vgname rhel seqno 1/);
  assert.doesNotMatch(out, /mismatch|bad|invalid/i);
});

describe('Fedora-like UEFI on aarch64: ESP, ext4 /boot with BLS entries, XFS root', () => {
  test('prepared', T, async () => {
    const r = await inspect(fedoraDisk(dir, true));
    assert.deepEqual(r.os, { type: 'linux', distro: 'fedora', version: '39', arch: 'aarch64', hostname: 'fedora', firmware: 'uefi' });
    assert.equal(r.sources['os_distro'], '/etc/os-release', 'through its symlink to /usr/lib/os-release');
    assert.deepEqual(r.suggested, {
      os_distro: 'fedora',
      os_version: '39',
      architecture: 'aarch64',
      os_type: 'linux',
      hw_firmware_type: 'uefi',
      hw_qemu_guest_agent: 'yes',
    });
    assert.deepEqual(
      r.filesystems.map((f) => [f.device, f.type, f.uuid, f.label, f.mountpoint]),
      [
        ['/dev/sda1', 'vfat', 'ABCD-1234', 'EFI', '/boot/efi'],
        ['/dev/sda2', 'ext4', UUID.boot, 'boot', '/boot'],
        ['/dev/sda3', 'xfs', UUID.root, 'fedora', '/'],
      ],
    );
    assertAllPass(r);
    assert.ok(!r.checklist.some((c) => c.code === 'guest.subscription-registered'), 'RHEL only');
  });

  test('not prepared', T, async () => {
    const r = await inspect(fedoraDisk(dir, false));
    assert.deepEqual(failing(r), [
      'guest.cloud-init-missing',
      'guest.growpart-missing',
      'guest.log-files',
      'guest.machine-id-set',
      'guest.nm-connection-hwaddr',
      'guest.package-cache',
      'guest.qemu-guest-agent-missing',
      'guest.root-password-set',
      'guest.serial-console-missing',
      'guest.shell-history',
      'guest.ssh-host-keys',
    ]);
    assert.match(r.checklist.find((c) => c.code === 'guest.serial-console-missing')!.detail, /loader\/entries/);
  });
});

describe('Debian-like: GPT, ext4 root on an LV striped over two PVs', () => {
  test('prepared', T, async () => {
    const r = await inspect(debianDisk(dir, true));
    assert.deepEqual(r.os, { type: 'linux', distro: 'debian', version: '12', arch: 'x86_64', hostname: 'debian', firmware: 'bios' });
    assert.deepEqual(
      r.filesystems.map((f) => [f.device, f.type, f.uuid, f.mountpoint, f.size]),
      [['/dev/mapper/deb-root', 'ext4', UUID.root, '/', 48 * 1024 * 1024]],
    );
    assert.deepEqual(r.kernels, ['6.1.0-18-amd64']);
    assertAllPass(r);
    assert.ok(r.checklist.some((c) => c.code === 'guest.netplan-macaddress'));
  });

  test('not prepared', T, async () => {
    const r = await inspect(debianDisk(dir, false));
    assert.deepEqual(failing(r), [
      'guest.cloud-init-missing',
      'guest.dhcp-leases',
      'guest.growpart-missing',
      'guest.log-files',
      'guest.machine-id-set',
      'guest.netplan-macaddress',
      'guest.package-cache',
      'guest.qemu-guest-agent-missing',
      'guest.root-password-set',
      'guest.serial-console-missing',
      'guest.shell-history',
      'guest.ssh-host-keys',
    ]);
    assert.match(r.checklist.find((c) => c.code === 'guest.root-password-set')!.detail, /empty password/);
    assert.match(r.checklist.find((c) => c.code === 'guest.package-cache')!.detail, /apt-get clean/);
  });
});

test('a disk without any file system is no guest (null)', T, async () => {
  const r = await inspectGuest(async (_o, l) => new Uint8Array(l), 64 * 1024 * 1024);
  assert.equal(r, null);
});
