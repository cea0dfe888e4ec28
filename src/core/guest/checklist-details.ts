// The checklist items' detail sentences (what was found, what to run) by stable detail code with
// their parameters, so the page can say them in its own language
// (src/elements/inspector/guest-checklist-text.ts). This English is the `detail` of
// `inspect --json`; parameters are guest paths, counts and commands, never prose.
export type DetailParams = Readonly<Record<string, string | number>>;

const SYSPREP = 'Run `virt-sysprep -a IMAGE` on the image before uploading';
const s = (p: DetailParams, k: string): string => String(p[k] ?? '');

export const CHECK_DETAILS: Readonly<Record<string, (p: DetailParams) => string>> = {
  'guest.cloud-init.installed': () => 'cloud-init is installed.',
  'guest.cloud-init.missing': (p) => `cloud-init is not installed: run ${s(p, 'command')} in the guest.`,
  'guest.growpart.installed': () => 'growpart is installed.',
  'guest.growpart.missing': (p) =>
    `growpart is missing, the root partition will not grow to the flavor's disk: install ${s(p, 'package')}.`,
  'guest.cloud-cfg.invalid-yaml': (p) => `/etc/cloud/cloud.cfg is not valid YAML: ${s(p, 'error')}`,
  'guest.resolv-conf.listed': () => 'resolv-conf is listed under cloud_init_modules.',
  'guest.resolv-conf.missing': () => 'Add "- resolv-conf" under cloud_init_modules in /etc/cloud/cloud.cfg.',
  'guest.ifcfg.missing': (p) =>
    `${s(p, 'path')} is missing: create it with TYPE=Ethernet, DEVICE=eth0, ONBOOT=yes, BOOTPROTO=dhcp, NM_CONTROLLED=no.`,
  'guest.ifcfg.pinned': (p) =>
    `${s(p, 'path')} sets ${s(p, 'keys')}: instances get a new MAC address and lose their network; remove those lines.`,
  'guest.ifcfg.unpinned': (p) => `${s(p, 'path')} names no MAC address or UUID.`,
  'guest.ifcfg.static': (p) =>
    `${s(p, 'path')} has ${s(p, 'settings')}: keep only TYPE, DEVICE, ONBOOT=yes, BOOTPROTO=dhcp, NM_CONTROLLED=no.`,
  'guest.ifcfg.dhcp': (p) => `${s(p, 'path')} uses DHCP at boot.`,
  'guest.nozeroconf.set': () => 'NOZEROCONF=yes is set.',
  'guest.nozeroconf.missing': () =>
    'Add NOZEROCONF=yes to /etc/sysconfig/network so the metadata service (169.254.169.254) stays reachable.',
  'guest.net-rules.present': () => "/etc/udev/rules.d/70-persistent-net.rules records the template's MAC address: delete it.",
  'guest.net-rules.absent': () => 'No persistent network rules are recorded.',
  'guest.net-generator.overridden': () => 'The persistent network rule generator is overridden.',
  'guest.net-generator.active': () =>
    'Run echo "#" > /etc/udev/rules.d/75-persistent-net-generator.rules so udev does not pin eth0 to the first MAC address.',
  'guest.netplan.pinned': (p) => `${s(p, 'files')} match a MAC address: match by name (e.g. "en*") with dhcp4: true instead.`,
  'guest.netplan.unpinned': () => 'netplan matches no MAC address.',
  'guest.nm.pinned': (p) => `${s(p, 'files')} bind to a MAC address: remove mac-address= (or the file).`,
  'guest.nm.unpinned': () => 'NetworkManager connections bind to no MAC address.',
  'guest.serial-console.no-config': () => 'No boot loader configuration was found (/etc/default/grub, grub.cfg, /etc/grub.conf).',
  'guest.serial-console.missing': (p) =>
    `console=tty0 console=ttyS0,115200n8 is missing from ${s(p, 'files')}: add it to GRUB_CMDLINE_LINUX in /etc/default/grub and run grub2-mkconfig -o /boot/grub2/grub.cfg (RHEL 6: add it to the kernel lines of /etc/grub.conf).`,
  'guest.serial-console.set': (p) => `console=ttyS0 is set in ${s(p, 'files')}.`,
  'guest.subscription.registered': () =>
    '/etc/pki/consumer/cert.pem shows the VM is registered: run subscription-manager repos --disable=* && subscription-manager unregister.',
  'guest.subscription.unregistered': () => 'The VM is not registered with subscription-manager.',
  'guest.package-cache.full': (p) => `The package cache is not empty (${s(p, 'files')}): run ${s(p, 'command')}.`,
  'guest.package-cache.empty': () => 'The package cache is empty.',
  'guest.root-password.locked': () => 'The root password is locked.',
  'guest.root-password.empty': () =>
    'root has an empty password in /etc/shadow: when instances are reached with a key pair, run passwd -d root && passwd -l root.',
  'guest.root-password.set': () =>
    'root has a password in /etc/shadow: when instances are reached with a key pair, run passwd -d root && passwd -l root.',
  'guest.machine-id.set': (p) => `/etc/machine-id holds ${s(p, 'id')}: every instance would share it. ${SYSPREP} (or truncate the file).`,
  'guest.machine-id.empty': () => '/etc/machine-id is empty.',
  'guest.ssh-host-keys.present': (p) =>
    `${s(p, 'count')} SSH host key files (${s(p, 'files')}): every instance would share them. ${SYSPREP}.`,
  'guest.ssh-host-keys.absent': () => 'No SSH host keys: each instance makes its own.',
  'guest.shell-history.present': (p) => `Shell history left in ${s(p, 'files')}. ${SYSPREP}.`,
  'guest.shell-history.absent': () => 'No shell history.',
  'guest.dhcp-leases.present': (p) => `DHCP leases left in ${s(p, 'files')}. ${SYSPREP}.`,
  'guest.dhcp-leases.absent': () => 'No DHCP leases.',
  'guest.log-files.present': (p) => `${s(p, 'count')} log files hold data (${s(p, 'files')}). ${SYSPREP}.`,
  'guest.log-files.absent': () => 'No log files hold data.',
  'guest.guest-agent.installed': () => 'qemu-guest-agent is installed (hw_qemu_guest_agent=yes).',
  'guest.guest-agent.missing': () =>
    'qemu-guest-agent is not installed: install it to let the cloud freeze file systems for snapshots and set hw_qemu_guest_agent=yes.',
  'guest.free-space.zeroed': (p) => `Free file system blocks hold ${s(p, 'size')} of image data.`,
  'guest.free-space.not-zeroed': (p) =>
    `${s(p, 'size')} of the image is data in blocks the file systems mark free (${s(p, 'devices')}): virt-sparsify --in-place IMAGE (or fstrim in the guest before converting) would save it.`,
};

/** A few paths, then "…" (the detail names examples, not every file). */
export function firstOf(paths: readonly string[], n = 3): string {
  return `${paths.slice(0, n).join(', ')}${paths.length > n ? ', …' : ''}`;
}
