// The guest checklist items' details (what was found, what to run) in the page's language, by
// the core's stable detail code (src/core/guest/checklist-details.ts). Parameters are guest paths,
// counts and commands: shown as the guest has them. The English sources are the core's sentences.
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import type { ChecklistDetail } from '../../core/guest/types.ts';

type P = ChecklistDetail['params'];
const s = (p: P, k: string): string => String(p[k] ?? '');
const sysprep = () => msg('Run `virt-sysprep -a IMAGE` on the image before uploading');

export const CHECK_DETAIL_TEXTS: Readonly<Record<string, (p: P) => string>> = {
  'guest.cloud-init.installed': () => msg('cloud-init is installed.'),
  'guest.cloud-init.missing': (p) => msg(str`cloud-init is not installed: run ${s(p, 'command')} in the guest.`),
  'guest.growpart.installed': () => msg('growpart is installed.'),
  'guest.growpart.missing': (p) =>
    msg(str`growpart is missing, the root partition will not grow to the flavor's disk: install ${s(p, 'package')}.`),
  'guest.cloud-cfg.invalid-yaml': (p) => msg(str`/etc/cloud/cloud.cfg is not valid YAML: ${s(p, 'error')}`),
  'guest.resolv-conf.listed': () => msg('resolv-conf is listed under cloud_init_modules.'),
  'guest.resolv-conf.missing': () => msg('Add "- resolv-conf" under cloud_init_modules in /etc/cloud/cloud.cfg.'),
  'guest.ifcfg.missing': (p) =>
    msg(str`${s(p, 'path')} is missing: create it with TYPE=Ethernet, DEVICE=eth0, ONBOOT=yes, BOOTPROTO=dhcp, NM_CONTROLLED=no.`),
  'guest.ifcfg.pinned': (p) =>
    msg(str`${s(p, 'path')} sets ${s(p, 'keys')}: instances get a new MAC address and lose their network; remove those lines.`),
  'guest.ifcfg.unpinned': (p) => msg(str`${s(p, 'path')} names no MAC address or UUID.`),
  'guest.ifcfg.static': (p) =>
    msg(str`${s(p, 'path')} has ${s(p, 'settings')}: keep only TYPE, DEVICE, ONBOOT=yes, BOOTPROTO=dhcp, NM_CONTROLLED=no.`),
  'guest.ifcfg.dhcp': (p) => msg(str`${s(p, 'path')} uses DHCP at boot.`),
  'guest.nozeroconf.set': () => msg('NOZEROCONF=yes is set.'),
  'guest.nozeroconf.missing': () =>
    msg('Add NOZEROCONF=yes to /etc/sysconfig/network so the metadata service (169.254.169.254) stays reachable.'),
  'guest.net-rules.present': () => msg("/etc/udev/rules.d/70-persistent-net.rules records the template's MAC address: delete it."),
  'guest.net-rules.absent': () => msg('No persistent network rules are recorded.'),
  'guest.net-generator.overridden': () => msg('The persistent network rule generator is overridden.'),
  'guest.net-generator.active': () =>
    msg('Run echo "#" > /etc/udev/rules.d/75-persistent-net-generator.rules so udev does not pin eth0 to the first MAC address.'),
  'guest.netplan.pinned': (p) => msg(str`${s(p, 'files')} match a MAC address: match by name (e.g. "en*") with dhcp4: true instead.`),
  'guest.netplan.unpinned': () => msg('netplan matches no MAC address.'),
  'guest.nm.pinned': (p) => msg(str`${s(p, 'files')} bind to a MAC address: remove mac-address= (or the file).`),
  'guest.nm.unpinned': () => msg('NetworkManager connections bind to no MAC address.'),
  'guest.serial-console.no-config': () => msg('No boot loader configuration was found (/etc/default/grub, grub.cfg, /etc/grub.conf).'),
  'guest.serial-console.missing': (p) =>
    msg(
      str`console=tty0 console=ttyS0,115200n8 is missing from ${s(p, 'files')}: add it to GRUB_CMDLINE_LINUX in /etc/default/grub and run grub2-mkconfig -o /boot/grub2/grub.cfg (RHEL 6: add it to the kernel lines of /etc/grub.conf).`,
    ),
  'guest.serial-console.set': (p) => msg(str`console=ttyS0 is set in ${s(p, 'files')}.`),
  'guest.subscription.registered': () =>
    msg(
      '/etc/pki/consumer/cert.pem shows the VM is registered: run subscription-manager repos --disable=* && subscription-manager unregister.',
    ),
  'guest.subscription.unregistered': () => msg('The VM is not registered with subscription-manager.'),
  'guest.package-cache.full': (p) => msg(str`The package cache is not empty (${s(p, 'files')}): run ${s(p, 'command')}.`),
  'guest.package-cache.empty': () => msg('The package cache is empty.'),
  'guest.root-password.locked': () => msg('The root password is locked.'),
  'guest.root-password.empty': () =>
    msg('root has an empty password in /etc/shadow: when instances are reached with a key pair, run passwd -d root && passwd -l root.'),
  'guest.root-password.set': () =>
    msg('root has a password in /etc/shadow: when instances are reached with a key pair, run passwd -d root && passwd -l root.'),
  'guest.machine-id.set': (p) =>
    msg(str`/etc/machine-id holds ${s(p, 'id')}: every instance would share it. ${sysprep()} (or truncate the file).`),
  'guest.machine-id.empty': () => msg('/etc/machine-id is empty.'),
  'guest.ssh-host-keys.present': (p) =>
    msg(str`${s(p, 'count')} SSH host key files (${s(p, 'files')}): every instance would share them. ${sysprep()}.`),
  'guest.ssh-host-keys.absent': () => msg('No SSH host keys: each instance makes its own.'),
  'guest.shell-history.present': (p) => msg(str`Shell history left in ${s(p, 'files')}. ${sysprep()}.`),
  'guest.shell-history.absent': () => msg('No shell history.'),
  'guest.dhcp-leases.present': (p) => msg(str`DHCP leases left in ${s(p, 'files')}. ${sysprep()}.`),
  'guest.dhcp-leases.absent': () => msg('No DHCP leases.'),
  'guest.log-files.present': (p) => msg(str`${s(p, 'count')} log files hold data (${s(p, 'files')}). ${sysprep()}.`),
  'guest.log-files.absent': () => msg('No log files hold data.'),
  'guest.guest-agent.installed': () => msg('qemu-guest-agent is installed (hw_qemu_guest_agent=yes).'),
  'guest.guest-agent.missing': () =>
    msg(
      'qemu-guest-agent is not installed: install it to let the cloud freeze file systems for snapshots and set hw_qemu_guest_agent=yes.',
    ),
  'guest.free-space.zeroed': (p) => msg(str`Free file system blocks hold ${s(p, 'size')} of image data.`),
  'guest.free-space.not-zeroed': (p) =>
    msg(
      str`${s(p, 'size')} of the image is data in blocks the file systems mark free (${s(p, 'devices')}): virt-sparsify --in-place IMAGE (or fstrim in the guest before converting) would save it.`,
    ),
};

/** The detail in the page's language, or null when the code is unknown (the core's English shows). */
export function checklistDetailText(d: ChecklistDetail | undefined): string | null {
  const text = d ? CHECK_DETAIL_TEXTS[d.code] : undefined;
  return text ? text(d!.params) : null;
}
