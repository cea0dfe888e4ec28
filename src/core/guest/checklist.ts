// The Image service guide's preparation steps (RHEL 6/7 examples, plus the equivalents on
// Debian/Ubuntu/Fedora) checked against the files in the guest. Every item names the guide's step
// and what to run; codes are stable and listed in docs/guest-inspection.md (and CHECK_CODES, checklist-items.ts).
import { load } from 'js-yaml';
import { firstOf } from './checklist-details.ts';
import { CHECK_CODES, item, nonEmptyFiles } from './checklist-items.ts';
import { otherNetwork, rhelNetwork } from './checklist-network.ts';
import type { OsFacts } from './os-facts.ts';
import { shellVars } from './os-facts.ts';
import type { CheckedItem } from './types.ts';
import type { GuestVfs } from './vfs.ts';

export { CHECK_CODES };

const BOOT_CONFIGS = ['/boot/grub2/grub.cfg', '/boot/grub/grub.cfg', '/boot/grub/grub.conf', '/etc/grub.conf'];

async function serialConsole(vfs: GuestVfs): Promise<CheckedItem> {
  const files: string[] = [];
  const missing: string[] = [];
  const check = async (path: string, text: string | null) => {
    if (text === null) return;
    files.push(path);
    if (!/console=ttyS0/.test(text)) missing.push(path);
  };
  const dflt = await vfs.readText('/etc/default/grub');
  await check('/etc/default/grub', dflt === null ? null : (shellVars(dflt).get('GRUB_CMDLINE_LINUX') ?? ''));
  for (const p of BOOT_CONFIGS) {
    const text = await vfs.readText(p, 1024 * 1024);
    if (text === null) continue;
    // A BLS grub.cfg takes the command line from the entries (and grubenv's kernelopts).
    if (!/^\s*blscfg/m.test(text)) await check(p, text);
    break;
  }
  for (const e of (await vfs.list('/boot/loader/entries')) ?? []) {
    if (e.endsWith('.conf')) await check(`/boot/loader/entries/${e}`, await vfs.readText(`/boot/loader/entries/${e}`, 64 * 1024));
  }
  if (!files.length) return item('guest.serial-console-missing', false, 'guest.serial-console.no-config');
  return missing.length
    ? item('guest.serial-console-missing', false, 'guest.serial-console.missing', { files: missing.join(', ') })
    : item('guest.serial-console-missing', true, 'guest.serial-console.set', { files: files.join(', ') });
}

async function cloudInit(vfs: GuestVfs, facts: OsFacts, out: CheckedItem[]): Promise<void> {
  const cfg = await vfs.readText('/etc/cloud/cloud.cfg');
  const installed = cfg !== null || (await vfs.exists('/usr/bin/cloud-init'));
  out.push(
    item('guest.cloud-init-missing', installed, installed ? 'guest.cloud-init.installed' : 'guest.cloud-init.missing', {
      command: facts.family === 'debian' ? 'apt-get install cloud-init' : 'yum install cloud-init',
    }),
  );
  const growpart = await vfs.exists('/usr/bin/growpart');
  out.push(
    item('guest.growpart-missing', growpart, growpart ? 'guest.growpart.installed' : 'guest.growpart.missing', {
      package: facts.family === 'debian' ? 'cloud-guest-utils' : 'cloud-utils-growpart',
    }),
  );
  if (cfg === null || facts.family !== 'rhel') return;
  let modules: unknown;
  try {
    modules = (load(cfg, { json: true }) as Record<string, unknown> | null)?.['cloud_init_modules'];
  } catch (e) {
    out.push(item('guest.cloud-init-resolv-conf', false, 'guest.cloud-cfg.invalid-yaml', { error: (e as Error).message.split('\n')[0]! }));
    return;
  }
  const has = Array.isArray(modules) && modules.some((m) => m === 'resolv-conf' || (Array.isArray(m) && m[0] === 'resolv-conf'));
  out.push(item('guest.cloud-init-resolv-conf', has, has ? 'guest.resolv-conf.listed' : 'guest.resolv-conf.missing'));
}

async function sysprep(vfs: GuestVfs, out: CheckedItem[]): Promise<void> {
  const mid = (await vfs.readText('/etc/machine-id', 1024))?.trim() ?? '';
  const midSet = mid !== '' && mid !== 'uninitialized';
  out.push(item('guest.machine-id-set', !midSet, midSet ? 'guest.machine-id.set' : 'guest.machine-id.empty', { id: mid }));
  const keys = ((await vfs.list('/etc/ssh')) ?? []).filter((n) => n.startsWith('ssh_host_')).map((n) => `/etc/ssh/${n}`);
  out.push(
    item('guest.ssh-host-keys', keys.length === 0, keys.length ? 'guest.ssh-host-keys.present' : 'guest.ssh-host-keys.absent', {
      count: keys.length,
      files: firstOf(keys),
    }),
  );
  const homes = ((await vfs.list('/home')) ?? []).slice(0, 64).map((h) => `/home/${h}`);
  const hist = await nonEmptyFiles(vfs, ['/root', ...homes], (n) => /^\.(bash|zsh|sh|python)_history$|^\.history$/.test(n));
  out.push(
    item('guest.shell-history', hist.length === 0, hist.length ? 'guest.shell-history.present' : 'guest.shell-history.absent', {
      files: hist.join(', '),
    }),
  );
  const leases = await nonEmptyFiles(vfs, ['/var/lib/dhclient', '/var/lib/dhcp', '/var/lib/NetworkManager', '/var/lib/dhcpcd'], (n) =>
    /lease/.test(n),
  );
  out.push(
    item('guest.dhcp-leases', leases.length === 0, leases.length ? 'guest.dhcp-leases.present' : 'guest.dhcp-leases.absent', {
      files: leases.join(', '),
    }),
  );
  const logs: string[] = [];
  for (const name of ((await vfs.list('/var/log')) ?? []).slice(0, 256)) {
    const path = `/var/log/${name}`;
    const size = await vfs.size(path);
    if (size) logs.push(path);
    else if (size === null) logs.push(...(await nonEmptyFiles(vfs, [path])).slice(0, 16));
  }
  out.push(
    item('guest.log-files', logs.length === 0, logs.length ? 'guest.log-files.present' : 'guest.log-files.absent', {
      count: logs.length,
      files: firstOf(logs),
    }),
  );
}

export async function runChecklist(vfs: GuestVfs, facts: OsFacts): Promise<CheckedItem[]> {
  const out: CheckedItem[] = [];
  if (facts.os.type !== 'linux') return out;
  await cloudInit(vfs, facts, out);
  if (facts.family === 'rhel' && (facts.major ?? 0) <= 7) await rhelNetwork(vfs, facts, out);
  else await otherNetwork(vfs, out);
  out.push(await serialConsole(vfs));
  if (facts.os.distro === 'rhel') {
    const cert = await vfs.exists('/etc/pki/consumer/cert.pem');
    out.push(item('guest.subscription-registered', !cert, cert ? 'guest.subscription.registered' : 'guest.subscription.unregistered'));
  }
  const caches =
    facts.family === 'debian'
      ? await nonEmptyFiles(vfs, ['/var/cache/apt/archives'], (n) => n.endsWith('.deb'))
      : [
          ...((await vfs.list('/var/cache/yum')) ?? []).map((n) => `/var/cache/yum/${n}`),
          ...((await vfs.list('/var/cache/dnf')) ?? []).map((n) => `/var/cache/dnf/${n}`),
        ];
  const clean = facts.family === 'debian' ? 'apt-get clean' : 'yum clean all';
  out.push(
    item('guest.package-cache', caches.length === 0, caches.length ? 'guest.package-cache.full' : 'guest.package-cache.empty', {
      files: caches.slice(0, 3).join(', '),
      command: clean,
    }),
  );
  const shadow = await vfs.readText('/etc/shadow', 256 * 1024);
  const rootPw = shadow
    ?.split('\n')
    .find((l) => l.startsWith('root:'))
    ?.split(':')[1];
  if (rootPw !== undefined) {
    const locked = rootPw.startsWith('!') || rootPw.startsWith('*');
    out.push(
      item(
        'guest.root-password-set',
        locked,
        locked ? 'guest.root-password.locked' : rootPw === '' ? 'guest.root-password.empty' : 'guest.root-password.set',
      ),
    );
  }
  await sysprep(vfs, out);
  out.push(
    item(
      'guest.qemu-guest-agent-missing',
      facts.guestAgent,
      facts.guestAgent ? 'guest.guest-agent.installed' : 'guest.guest-agent.missing',
    ),
  );
  return out;
}
