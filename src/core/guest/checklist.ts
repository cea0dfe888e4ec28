// The Image service guide's preparation steps (RHEL 6/7 examples, plus the equivalents on
// Debian/Ubuntu/Fedora) checked against the files in the guest. Every item names the guide's step
// and what to run; codes are stable and listed in docs/guest-inspection.md (and CHECK_CODES, checklist-items.ts).
import { load } from 'js-yaml';
import { CHECK_CODES, item, nonEmptyFiles, SYSPREP } from './checklist-items.ts';
import { otherNetwork, rhelNetwork } from './checklist-network.ts';
import type { OsFacts } from './os-facts.ts';
import { shellVars } from './os-facts.ts';
import type { ChecklistItem } from './types.ts';
import type { GuestVfs } from './vfs.ts';

export { CHECK_CODES };

const BOOT_CONFIGS = ['/boot/grub2/grub.cfg', '/boot/grub/grub.cfg', '/boot/grub/grub.conf', '/etc/grub.conf'];

async function serialConsole(vfs: GuestVfs): Promise<ChecklistItem> {
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
  if (!files.length)
    return item(
      'guest.serial-console-missing',
      false,
      'No boot loader configuration was found (/etc/default/grub, grub.cfg, /etc/grub.conf).',
    );
  return missing.length
    ? item(
        'guest.serial-console-missing',
        false,
        `console=tty0 console=ttyS0,115200n8 is missing from ${missing.join(', ')}: add it to GRUB_CMDLINE_LINUX in /etc/default/grub and run grub2-mkconfig -o /boot/grub2/grub.cfg (RHEL 6: add it to the kernel lines of /etc/grub.conf).`,
      )
    : item('guest.serial-console-missing', true, `console=ttyS0 is set in ${files.join(', ')}.`);
}

async function cloudInit(vfs: GuestVfs, facts: OsFacts, out: ChecklistItem[]): Promise<void> {
  const cfg = await vfs.readText('/etc/cloud/cloud.cfg');
  const installed = cfg !== null || (await vfs.exists('/usr/bin/cloud-init'));
  out.push(
    item(
      'guest.cloud-init-missing',
      installed,
      installed
        ? 'cloud-init is installed.'
        : `cloud-init is not installed: run ${facts.family === 'debian' ? 'apt-get install cloud-init' : 'yum install cloud-init'} in the guest.`,
    ),
  );
  const growpart = await vfs.exists('/usr/bin/growpart');
  out.push(
    item(
      'guest.growpart-missing',
      growpart,
      growpart
        ? 'growpart is installed.'
        : `growpart is missing, the root partition will not grow to the flavor's disk: install ${facts.family === 'debian' ? 'cloud-guest-utils' : 'cloud-utils-growpart'}.`,
    ),
  );
  if (cfg === null || facts.family !== 'rhel') return;
  let modules: unknown;
  try {
    modules = (load(cfg, { json: true }) as Record<string, unknown> | null)?.['cloud_init_modules'];
  } catch (e) {
    out.push(item('guest.cloud-init-resolv-conf', false, `/etc/cloud/cloud.cfg is not valid YAML: ${(e as Error).message.split('\n')[0]}`));
    return;
  }
  const has = Array.isArray(modules) && modules.some((m) => m === 'resolv-conf' || (Array.isArray(m) && m[0] === 'resolv-conf'));
  out.push(
    item(
      'guest.cloud-init-resolv-conf',
      has,
      has ? 'resolv-conf is listed under cloud_init_modules.' : 'Add "- resolv-conf" under cloud_init_modules in /etc/cloud/cloud.cfg.',
    ),
  );
}

async function sysprep(vfs: GuestVfs, out: ChecklistItem[]): Promise<void> {
  const mid = (await vfs.readText('/etc/machine-id', 1024))?.trim() ?? '';
  const midSet = mid !== '' && mid !== 'uninitialized';
  out.push(
    item(
      'guest.machine-id-set',
      !midSet,
      midSet
        ? `/etc/machine-id holds ${mid}: every instance would share it. ${SYSPREP} (or truncate the file).`
        : '/etc/machine-id is empty.',
    ),
  );
  const keys = ((await vfs.list('/etc/ssh')) ?? []).filter((n) => n.startsWith('ssh_host_')).map((n) => `/etc/ssh/${n}`);
  out.push(
    item(
      'guest.ssh-host-keys',
      keys.length === 0,
      keys.length
        ? `${keys.length} SSH host key files (${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''}): every instance would share them. ${SYSPREP}.`
        : 'No SSH host keys: each instance makes its own.',
    ),
  );
  const homes = ((await vfs.list('/home')) ?? []).slice(0, 64).map((h) => `/home/${h}`);
  const hist = await nonEmptyFiles(vfs, ['/root', ...homes], (n) => /^\.(bash|zsh|sh|python)_history$|^\.history$/.test(n));
  out.push(
    item(
      'guest.shell-history',
      hist.length === 0,
      hist.length ? `Shell history left in ${hist.join(', ')}. ${SYSPREP}.` : 'No shell history.',
    ),
  );
  const leases = await nonEmptyFiles(vfs, ['/var/lib/dhclient', '/var/lib/dhcp', '/var/lib/NetworkManager', '/var/lib/dhcpcd'], (n) =>
    /lease/.test(n),
  );
  out.push(
    item(
      'guest.dhcp-leases',
      leases.length === 0,
      leases.length ? `DHCP leases left in ${leases.join(', ')}. ${SYSPREP}.` : 'No DHCP leases.',
    ),
  );
  const logs: string[] = [];
  for (const name of ((await vfs.list('/var/log')) ?? []).slice(0, 256)) {
    const path = `/var/log/${name}`;
    const size = await vfs.size(path);
    if (size) logs.push(path);
    else if (size === null) logs.push(...(await nonEmptyFiles(vfs, [path])).slice(0, 16));
  }
  out.push(
    item(
      'guest.log-files',
      logs.length === 0,
      logs.length
        ? `${logs.length} log files hold data (${logs.slice(0, 3).join(', ')}${logs.length > 3 ? ', …' : ''}). ${SYSPREP}.`
        : 'No log files hold data.',
    ),
  );
}

export async function runChecklist(vfs: GuestVfs, facts: OsFacts): Promise<ChecklistItem[]> {
  const out: ChecklistItem[] = [];
  if (facts.os.type !== 'linux') return out;
  await cloudInit(vfs, facts, out);
  if (facts.family === 'rhel' && (facts.major ?? 0) <= 7) await rhelNetwork(vfs, facts, out);
  else await otherNetwork(vfs, out);
  out.push(await serialConsole(vfs));
  if (facts.os.distro === 'rhel') {
    const cert = await vfs.exists('/etc/pki/consumer/cert.pem');
    out.push(
      item(
        'guest.subscription-registered',
        !cert,
        cert
          ? '/etc/pki/consumer/cert.pem shows the VM is registered: run subscription-manager repos --disable=* && subscription-manager unregister.'
          : 'The VM is not registered with subscription-manager.',
      ),
    );
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
    item(
      'guest.package-cache',
      caches.length === 0,
      caches.length ? `The package cache is not empty (${caches.slice(0, 3).join(', ')}): run ${clean}.` : 'The package cache is empty.',
    ),
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
        locked
          ? 'The root password is locked.'
          : `root ${rootPw === '' ? 'has an empty password' : 'has a password'} in /etc/shadow: when instances are reached with a key pair, run passwd -d root && passwd -l root.`,
      ),
    );
  }
  await sysprep(vfs, out);
  out.push(
    item(
      'guest.qemu-guest-agent-missing',
      facts.guestAgent,
      facts.guestAgent
        ? 'qemu-guest-agent is installed (hw_qemu_guest_agent=yes).'
        : 'qemu-guest-agent is not installed: install it to let the cloud freeze file systems for snapshots and set hw_qemu_guest_agent=yes.',
    ),
  );
  return out;
}
