// The checklist's codes (stable; listed in docs/guest-inspection.md) with the guide's step each
// names, and the helpers every check shares.
import { CHECK_DETAILS, type DetailParams } from './checklist-details.ts';
import type { CheckedItem } from './types.ts';
import type { GuestVfs } from './vfs.ts';

export const CHECK_CODES: Readonly<Record<string, string>> = {
  'guest.cloud-init-missing': 'Install cloud-init',
  'guest.growpart-missing': 'Install cloud-utils-growpart',
  'guest.cloud-init-resolv-conf': 'Add resolv-conf to cloud_init_modules',
  'guest.ifcfg-missing': 'Configure the network interface (ifcfg-eth0)',
  'guest.ifcfg-hwaddr': 'Configure the network interface (ifcfg-eth0)',
  'guest.ifcfg-static': 'Configure the network interface (ifcfg-eth0)',
  'guest.nozeroconf-missing': 'Disable the zeroconf route',
  'guest.serial-console-missing': 'Configure the serial console',
  'guest.subscription-registered': 'Unregister the VM',
  'guest.package-cache': 'Clean the package cache',
  'guest.root-password-set': 'Lock the root password',
  'guest.persistent-net-rules': 'Remove the persistent network rules (RHEL 6)',
  'guest.persistent-net-generator-missing': 'Disable the persistent network rule generator (RHEL 6)',
  'guest.netplan-macaddress': 'Configure the network interface (netplan)',
  'guest.nm-connection-hwaddr': 'Configure the network interface (NetworkManager)',
  'guest.machine-id-set': 'Clean up the VM (virt-sysprep)',
  'guest.ssh-host-keys': 'Clean up the VM (virt-sysprep)',
  'guest.shell-history': 'Clean up the VM (virt-sysprep)',
  'guest.dhcp-leases': 'Clean up the VM (virt-sysprep)',
  'guest.log-files': 'Clean up the VM (virt-sysprep)',
  'guest.qemu-guest-agent-missing': 'Install the QEMU guest agent',
  'guest.free-space-not-zeroed': 'Sparsify the image (virt-sparsify)',
};

/** The item `code` with the detail sentence `detailCode` (checklist-details.ts) says. */
export function item(code: string, ok: boolean, detailCode: string, params: DetailParams = {}): CheckedItem {
  const text = CHECK_DETAILS[detailCode];
  if (!text) throw new Error(`unknown checklist detail code ${detailCode}`);
  return { code, ok, step: CHECK_CODES[code]!, detail: text(params), detailOf: { code: detailCode, params } };
}

/** Files of non-zero size directly in `dirs` whose names match. */
export async function nonEmptyFiles(vfs: GuestVfs, dirs: string[], match: (n: string) => boolean = () => true): Promise<string[]> {
  const out: string[] = [];
  for (const dir of dirs) {
    for (const name of (await vfs.list(dir)) ?? []) {
      if (!match(name)) continue;
      const size = await vfs.size(`${dir}/${name}`);
      if (size !== null && size > 0) out.push(`${dir}/${name}`);
    }
  }
  return out;
}
