// OS facts in virt-inspector's order: /etc/os-release (or /usr/lib/os-release), then
// /etc/redhat-release, /etc/debian_version, /etc/lsb-release; the architecture from the ELF header
// of /bin/bash (/usr/bin/bash); the hostname; installed kernels from /boot and /lib/modules. Each
// fact remembers the file it came from.
import type { GuestVfs } from './vfs.ts';
import type { GuestOs } from './types.ts';

export type Family = 'rhel' | 'fedora' | 'debian' | 'suse' | 'other';

export interface OsFacts {
  os: GuestOs;
  family: Family | null;
  /** Major version as a number (RHEL 6 vs 7 checks). */
  major: number | null;
  kernels: string[];
  guestAgent: boolean;
  sources: Record<string, string>;
}

/** os-release IDs → Glance metadefs os_distro (libosinfo short ids where metadefs has none). */
const DISTROS: Record<string, string> = {
  rhel: 'rhel',
  centos: 'centos',
  fedora: 'fedora',
  debian: 'debian',
  ubuntu: 'ubuntu',
  opensuse: 'opensuse',
  'opensuse-leap': 'opensuse',
  'opensuse-tumbleweed': 'opensuse',
  sles: 'sles',
  sled: 'sled',
  arch: 'arch',
  rocky: 'rocky',
  almalinux: 'almalinux',
  ol: 'ol',
  gentoo: 'gentoo',
  mageia: 'mageia',
  alpine: 'alpine',
};
const FAMILY: Record<string, Family> = {
  rhel: 'rhel',
  centos: 'rhel',
  rocky: 'rhel',
  almalinux: 'rhel',
  ol: 'rhel',
  fedora: 'fedora',
  debian: 'debian',
  ubuntu: 'debian',
  opensuse: 'suse',
  sles: 'suse',
  sled: 'suse',
};
const ELF_MACHINES: Record<number, [string, string]> = {
  0x03: ['i686', 'i686'],
  0x3e: ['x86_64', 'x86_64'],
  0xb7: ['aarch64', 'aarch64'],
  0x28: ['armv7l', 'armv7l'],
  0x15: ['ppc64', 'ppc64le'],
  0x16: ['s390x', 's390x'],
  0xf3: ['riscv64', 'riscv64'],
  0x102: ['loongarch64', 'loongarch64'],
};

/** KEY=value lines with shell quoting removed (os-release, lsb-release, sysconfig files). */
export function shellVars(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    if (/^"(.*)"$/.test(v) || /^'(.*)'$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out.set(m[1]!, v);
  }
  return out;
}

/** "Red Hat Enterprise Linux Server release 6.10 (Santiago)" and friends. */
export function parseRedhatRelease(text: string): { distro: string; version: string | null } | null {
  const line = text.split('\n')[0]!.trim();
  const version = /release\s+([0-9][0-9.]*)/.exec(line)?.[1] ?? null;
  if (/^Red Hat Enterprise Linux/.test(line)) return { distro: 'rhel', version };
  if (/^CentOS/.test(line)) return { distro: 'centos', version };
  if (/^Fedora/.test(line)) return { distro: 'fedora', version };
  if (/^Rocky/.test(line)) return { distro: 'rocky', version };
  if (/^AlmaLinux/.test(line)) return { distro: 'almalinux', version };
  if (/^(Oracle|Enterprise Linux)/.test(line)) return { distro: 'ol', version };
  return line ? { distro: 'redhat-based', version } : null;
}

/** Architecture from an ELF header (e_machine, and EI_DATA for ppc64 vs ppc64le). */
export function elfArch(b: Uint8Array): string | null {
  if (b.length < 20 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) return null;
  const le = b[5] === 1;
  const machine = le ? b[18]! | (b[19]! << 8) : (b[18]! << 8) | b[19]!;
  const names = ELF_MACHINES[machine];
  if (!names) return null;
  return le ? names[1] : names[0];
}

export async function readOsFacts(vfs: GuestVfs, uefi: boolean | null): Promise<OsFacts> {
  const sources: Record<string, string> = {};
  let distro: string | null = null;
  let version: string | null = null;
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = await vfs.readText(path, 16 * 1024);
    if (text === null) continue;
    const v = shellVars(text);
    const id = v.get('ID')?.toLowerCase();
    if (id) {
      distro = DISTROS[id] ?? id;
      sources['distro'] = path;
    }
    const ver = v.get('VERSION_ID');
    if (ver) {
      version = ver;
      sources['version'] = path;
    }
    break;
  }
  if (!distro || !version) {
    const rh = await vfs.readText('/etc/redhat-release', 4096);
    const parsed = rh === null ? null : parseRedhatRelease(rh);
    if (parsed) {
      if (!distro) {
        distro = parsed.distro;
        sources['distro'] = '/etc/redhat-release';
      }
      if (!version && parsed.version) {
        version = parsed.version;
        sources['version'] = '/etc/redhat-release';
      }
    }
  }
  if (!distro || !version) {
    const lsb = await vfs.readText('/etc/lsb-release', 4096);
    const v = lsb === null ? null : shellVars(lsb);
    const id = v?.get('DISTRIB_ID')?.toLowerCase();
    if (v && id && !distro) {
      distro = DISTROS[id] ?? id;
      sources['distro'] = '/etc/lsb-release';
    }
    if (v?.get('DISTRIB_RELEASE') && !version) {
      version = v.get('DISTRIB_RELEASE')!;
      sources['version'] = '/etc/lsb-release';
    }
  }
  if (!distro || !version) {
    const deb = (await vfs.readText('/etc/debian_version', 256))?.trim();
    if (deb) {
      if (!distro) {
        distro = 'debian';
        sources['distro'] = '/etc/debian_version';
      }
      if (!version && /^\d/.test(deb)) {
        version = deb;
        sources['version'] = '/etc/debian_version';
      }
    }
  }
  let arch: string | null = null;
  for (const path of ['/bin/bash', '/usr/bin/bash', '/bin/sh', '/usr/bin/sh']) {
    const head = await vfs.readBytes(path, 64);
    arch = head ? elfArch(head) : null;
    if (arch) {
      sources['arch'] = path;
      break;
    }
  }
  let hostname: string | null = null;
  const hn = (await vfs.readText('/etc/hostname', 1024))?.split('\n')[0]?.trim();
  if (hn) {
    hostname = hn;
    sources['hostname'] = '/etc/hostname';
  } else {
    const net = await vfs.readText('/etc/sysconfig/network', 16 * 1024);
    const h = net === null ? undefined : shellVars(net).get('HOSTNAME');
    if (h) {
      hostname = h;
      sources['hostname'] = '/etc/sysconfig/network';
    }
  }
  const kernels = new Set<string>();
  for (const name of (await vfs.list('/boot')) ?? []) {
    const m = /^vmlinuz-(.+)$/.exec(name);
    if (m && !m[1]!.includes('rescue')) kernels.add(m[1]!);
  }
  for (const name of (await vfs.list('/lib/modules')) ?? []) kernels.add(name);
  let guestAgent = false;
  for (const path of [
    '/usr/bin/qemu-ga',
    '/usr/sbin/qemu-ga',
    '/usr/lib/systemd/system/qemu-guest-agent.service',
    '/lib/systemd/system/qemu-guest-agent.service',
  ]) {
    if (await vfs.exists(path)) {
      guestAgent = true;
      sources['hw_qemu_guest_agent'] = path;
      break;
    }
  }
  const linux = distro !== null || kernels.size > 0 || arch !== null;
  const major = version === null ? null : Number.parseInt(version, 10);
  return {
    os: { type: linux ? 'linux' : null, distro, version, arch, hostname, firmware: uefi === null ? null : uefi ? 'uefi' : 'bios' },
    family: distro ? (FAMILY[distro] ?? 'other') : null,
    major: Number.isFinite(major) ? major : null,
    kernels: [...kernels].sort(),
    guestAgent,
    sources,
  };
}
