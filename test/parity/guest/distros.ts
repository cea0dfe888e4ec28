// Guest trees that look like RHEL 6, RHEL 7, Fedora (UEFI) and Debian, with the guide's steps
// either all done (`prepared`) or none done, and the disks that hold them.
import { elfHeader, mkDisk, mkEsp, mkExt, mkSwap, mkXfs, partitionOffsets, place, type Tree } from './images.ts';
import { writeVg } from './lvm-writer.ts';

export const UUID = {
  root: '0f2b5c6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  boot: '1e2d3c4b-5a69-4788-9900-aabbccddeeff',
  home: '2a2a2a2a-3b3b-4c4c-8d8d-5e5e5e5e5e5e',
};

const X86_64 = 0x3e;
const AARCH64 = 0xb7;

function sysprepped(prepared: boolean): Tree {
  return prepared
    ? {
        'etc/machine-id': '',
        'etc/ssh/sshd_config': 'PermitRootLogin no\n',
        'var/log': null,
        'root/.bashrc': '# bashrc\n',
        'usr/bin/qemu-ga': 'qemu-ga',
      }
    : {
        'etc/machine-id': '4f1c0de5e3b44c2b9a6f6d1b2c3d4e5f\n',
        'etc/ssh/ssh_host_rsa_key': 'PRIVATE',
        'etc/ssh/ssh_host_ed25519_key': 'PRIVATE',
        'root/.bash_history': 'yum install cloud-init\n',
        'var/log/messages': 'Dec  1 boot\n',
        'var/log/audit/audit.log': 'type=DAEMON_START\n',
      };
}

const cloudCfg = (resolv: boolean) =>
  `users:\n - default\ncloud_init_modules:\n - migrator\n - bootcmd\n - write-files\n${resolv ? ' - resolv-conf\n' : ''} - growpart\n - resizefs\n`;

function rhelCommon(prepared: boolean): Tree {
  return {
    ...sysprepped(prepared),
    'etc/sysconfig/network-scripts/ifcfg-eth0': prepared
      ? 'TYPE=Ethernet\nDEVICE=eth0\nONBOOT=yes\nBOOTPROTO=dhcp\nNM_CONTROLLED=no\n'
      : 'TYPE=Ethernet\nDEVICE=eth0\nHWADDR=52:54:00:12:34:56\nUUID=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03\nONBOOT=yes\nBOOTPROTO=none\nIPADDR=192.168.122.10\n',
    'etc/sysconfig/network': prepared
      ? 'NETWORKING=yes\nHOSTNAME=template.example.com\nNOZEROCONF=yes\n'
      : 'NETWORKING=yes\nHOSTNAME=template.example.com\n',
    'etc/shadow': prepared ? 'root:!!:19000:0:99999:7:::\nbin:*:18000:0:99999:7:::\n' : 'root:$6$salt$Jd8wHk1Q0pX:19000:0:99999:7:::\n',
    ...(prepared
      ? { 'etc/cloud/cloud.cfg': cloudCfg(true), 'usr/bin/cloud-init': '#!/usr/bin/python\n', 'usr/bin/growpart': '#!/bin/sh\n' }
      : { 'etc/pki/consumer/cert.pem': '-----BEGIN CERTIFICATE-----\n', 'var/cache/yum/x86_64/base/packages/bash.rpm': 'rpm' }),
  };
}

export function rhel6Tree(prepared: boolean): Tree {
  return {
    ...rhelCommon(prepared),
    'etc/redhat-release': 'Red Hat Enterprise Linux Server release 6.10 (Santiago)\n',
    'etc/fstab': `UUID=${UUID.root} / ext4 defaults 1 1\nproc /proc proc defaults 0 0\n/dev/sda2 swap swap defaults 0 0\n`,
    'bin/bash': elfHeader(X86_64),
    'lib/modules/2.6.32-754.el6.x86_64/modules.dep': '',
    'boot/vmlinuz-2.6.32-754.el6.x86_64': 'kernel',
    'boot/grub/grub.conf': `default=0\ntitle Red Hat\n  kernel /boot/vmlinuz-2.6.32-754.el6.x86_64 ro root=UUID=${UUID.root}${prepared ? ' console=tty0 console=ttyS0,115200n8' : ' rhgb quiet'}\n`,
    'etc/grub.conf': { link: '../boot/grub/grub.conf' },
    ...(prepared
      ? { 'etc/udev/rules.d/75-persistent-net-generator.rules': '#\n' }
      : { 'etc/udev/rules.d/70-persistent-net.rules': 'SUBSYSTEM=="net", ATTR{address}=="52:54:00:12:34:56", NAME="eth0"\n' }),
  };
}

export function rhel7Root(prepared: boolean, fstabRoot: string): Tree {
  return {
    ...rhelCommon(prepared),
    'etc/os-release': 'NAME="Red Hat Enterprise Linux Server"\nVERSION="7.9 (Maipo)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="7.9"\n',
    'etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n',
    'etc/hostname': 'rhel7-template\n',
    'etc/fstab': `${fstabRoot} / xfs defaults 0 0\nUUID=${UUID.boot} /boot ext4 defaults 1 2\n`,
    'etc/default/grub': `GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="crashkernel=auto rd.lvm.lv=rhel/root${prepared ? ' console=tty0 console=ttyS0,115200n8' : ' rhgb quiet'}"\n`,
    bin: { link: 'usr/bin' },
    lib: { link: 'usr/lib' },
    'usr/bin/bash': elfHeader(X86_64),
    'usr/lib/modules/3.10.0-1160.el7.x86_64/modules.dep': '',
    boot: null,
  };
}

export function rhel7Boot(prepared: boolean): Tree {
  return {
    'vmlinuz-3.10.0-1160.el7.x86_64': 'kernel',
    'vmlinuz-0-rescue-0123': 'kernel',
    'grub2/grub.cfg': `linux16 /vmlinuz-3.10.0-1160.el7.x86_64 root=/dev/mapper/rhel-root ro${prepared ? ' console=tty0 console=ttyS0,115200n8' : ''}\n`,
  };
}

/** RHEL 6-like: MBR, ext4 root in partition 1, swap in partition 2. */
export function rhel6Disk(dir: string, prepared: boolean): string {
  const name = `rhel6-${prepared}`;
  const disk = mkDisk(dir, name, 64, 'label: dos\nstart=2048, size=100352, type=83, bootable\nstart=102400, size=8192, type=82\n');
  const [p1, p2] = partitionOffsets(disk);
  place(disk, mkExt(dir, `${name}-root`, rhel6Tree(prepared), 49, UUID.root, 'root'), p1!.start);
  place(disk, mkSwap(dir, `${name}-swap`, 4), p2!.start);
  return disk;
}

/** RHEL 7-like: /boot ext4 in partition 1, XFS root on LVM (vg "rhel", lv "root") in partition 2. */
export function rhel7Disk(dir: string, prepared: boolean, label: 'dos' | 'gpt'): string {
  const name = `rhel7-${label}-${prepared}`;
  const type = label === 'gpt' ? ['0FC63DAF-8483-4772-8E79-3D69D8477DE4', 'E6D6D379-F507-44C2-A23C-238F2A3DF928'] : ['83', '8e'];
  const disk = mkDisk(
    dir,
    name,
    64,
    `label: ${label}\nstart=2048, size=16384, type=${type[0]}\nstart=18432, size=110592, type=${type[1]}\n`,
  );
  const [p1, p2] = partitionOffsets(disk);
  place(disk, mkExt(dir, `${name}-boot`, rhel7Boot(prepared), 8, UUID.boot, 'boot'), p1!.start);
  const root = mkXfs(dir, `${name}-root`, rhel7Root(prepared, '/dev/mapper/rhel-root'), 40, UUID.root, 'root');
  writeVg(
    disk,
    'rhel',
    8192,
    [{ offset: p2!.start, size: p2!.size, uuid: 'Pv0aaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }],
    [
      { name: 'root', extents: 10, stripes: [[0, 0]], image: root },
      { name: 'swap', extents: 2, stripes: [[0, 10]] },
    ],
  );
  return disk;
}

/** Fedora-like UEFI on aarch64: GPT with an ESP at /boot/efi, ext4 /boot, XFS root; BLS entries. */
export function fedoraDisk(dir: string, prepared: boolean): string {
  const name = `fedora-${prepared}`;
  const disk = mkDisk(
    dir,
    name,
    64,
    'label: gpt\nstart=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\nstart=18432, size=16384, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\nstart=34816, size=92160, type=B921B045-1DF0-41C3-AF44-4C6F280D3FAE\n',
  );
  const [p1, p2, p3] = partitionOffsets(disk);
  place(
    disk,
    mkEsp(dir, `${name}-esp`, { 'EFI/BOOT/BOOTAA64.EFI': 'MZ', 'EFI/fedora/grub.cfg': 'configfile $prefix/grub.cfg\n' }, 8, 'ABCD1234'),
    p1!.start,
  );
  place(
    disk,
    mkExt(
      dir,
      `${name}-boot`,
      {
        'vmlinuz-6.5.6-300.fc39.aarch64': 'kernel',
        'loader/entries/abc-6.5.6-300.fc39.aarch64.conf': `title Fedora\nlinux /vmlinuz-6.5.6-300.fc39.aarch64\noptions root=UUID=${UUID.root} ro${prepared ? ' console=tty0 console=ttyS0,115200n8' : ' rhgb quiet'}\n`,
        'grub2/grub.cfg': 'insmod blscfg\nblscfg\n',
      },
      8,
      UUID.boot,
      'boot',
    ),
    p2!.start,
  );
  place(
    disk,
    mkXfs(
      dir,
      `${name}-root`,
      {
        ...sysprepped(prepared),
        'usr/lib/os-release': 'NAME="Fedora Linux"\nVERSION="39 (Cloud Edition)"\nID=fedora\nVERSION_ID=39\n',
        'etc/os-release': { link: '../usr/lib/os-release' },
        'etc/hostname': 'fedora\n',
        'etc/fstab': `UUID=${UUID.root} / xfs defaults 0 0\nUUID=${UUID.boot} /boot ext4 defaults 1 2\nUUID=ABCD-1234 /boot/efi vfat umask=0077 0 2\n`,
        bin: { link: 'usr/bin' },
        lib: { link: 'usr/lib' },
        'usr/bin/bash': elfHeader(AARCH64),
        'usr/lib/modules/6.5.6-300.fc39.aarch64/modules.dep': '',
        'etc/shadow': prepared ? 'root:!locked::0:99999:7:::\n' : 'root:$y$j9T$abc:19000:0:99999:7:::\n',
        'etc/NetworkManager/system-connections/eth0.nmconnection': `[connection]\nid=eth0\ntype=ethernet\n${prepared ? '' : '[ethernet]\nmac-address=52:54:00:AA:BB:CC\n'}`,
        ...(prepared
          ? { 'etc/cloud/cloud.cfg': cloudCfg(false), 'usr/bin/growpart': '#!/bin/sh\n' }
          : { 'var/cache/dnf/fedora.solv': 'x' }),
        'boot/efi': null,
      },
      45,
      UUID.root,
      'fedora',
    ),
    p3!.start,
  );
  return disk;
}

/** Debian-like: GPT, ext4 root on an LV striped over two PVs (vg "deb"), netplan, apt cache. */
export function debianDisk(dir: string, prepared: boolean): string {
  const name = `debian-${prepared}`;
  const lvm = 'E6D6D379-F507-44C2-A23C-238F2A3DF928';
  const disk = mkDisk(dir, name, 64, `label: gpt\nstart=2048, size=61440, type=${lvm}\nstart=63488, size=61440, type=${lvm}\n`);
  const [p1, p2] = partitionOffsets(disk);
  const root = mkExt(
    dir,
    `${name}-root`,
    {
      ...sysprepped(prepared),
      'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
      'etc/debian_version': '12.5\n',
      'etc/hostname': 'debian\n',
      'etc/fstab': '/dev/deb/root / ext4 errors=remount-ro 0 1\n',
      bin: { link: 'usr/bin' },
      'usr/bin/bash': elfHeader(X86_64),
      'boot/vmlinuz-6.1.0-18-amd64': 'kernel',
      'boot/grub/grub.cfg': `linux /boot/vmlinuz-6.1.0-18-amd64 root=/dev/mapper/deb-root ro${prepared ? ' console=tty0 console=ttyS0,115200n8' : ' quiet'}\n`,
      'etc/default/grub': `GRUB_CMDLINE_LINUX="${prepared ? 'console=tty0 console=ttyS0,115200n8' : ''}"\n`,
      'etc/shadow': prepared ? 'root:*:19000:0:99999:7:::\n' : 'root::19000:0:99999:7:::\n',
      'etc/netplan/50-cloud-init.yaml': prepared
        ? 'network:\n  ethernets:\n    all:\n      match:\n        name: "en*"\n      dhcp4: true\n'
        : 'network:\n  ethernets:\n    eth0:\n      match:\n        macaddress: "52:54:00:aa:bb:cc"\n      dhcp4: true\n',
      ...(prepared
        ? { 'etc/cloud/cloud.cfg': cloudCfg(false), 'usr/bin/cloud-init': '#!/usr/bin/python3\n', 'usr/bin/growpart': '#!/bin/sh\n' }
        : { 'var/cache/apt/archives/bash_5.2_amd64.deb': 'deb', 'var/lib/dhcp/dhclient.eth0.leases': 'lease {}\n' }),
    },
    48,
    UUID.root,
    'debroot',
  );
  const pvs = [0, 1].map((i) => ({ offset: [p1, p2][i]!.start, size: [p1, p2][i]!.size, uuid: `Pv${i}bbbbbbbbbbbbbbbbbbbbbbbbbbbbb` }));
  writeVg(disk, 'deb', 8192, pvs, [
    {
      name: 'root',
      extents: 12,
      stripes: [
        [0, 0],
        [1, 0],
      ],
      stripeSectors: 128,
      image: root,
    },
  ]);
  return disk;
}
