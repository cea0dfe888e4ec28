// Network steps of the guide: RHEL 6/7's ifcfg-eth0, zeroconf route and persistent udev rules;
// netplan and NetworkManager keyfiles elsewhere. Pinned MAC addresses cost instances their network.
import { item } from './checklist-items.ts';
import type { OsFacts } from './os-facts.ts';
import { shellVars } from './os-facts.ts';
import type { ChecklistItem } from './types.ts';
import type { GuestVfs } from './vfs.ts';

export async function rhelNetwork(vfs: GuestVfs, facts: OsFacts, out: ChecklistItem[]): Promise<void> {
  const path = '/etc/sysconfig/network-scripts/ifcfg-eth0';
  const text = await vfs.readText(path, 64 * 1024);
  if (text === null) {
    out.push(
      item(
        'guest.ifcfg-missing',
        false,
        `${path} is missing: create it with TYPE=Ethernet, DEVICE=eth0, ONBOOT=yes, BOOTPROTO=dhcp, NM_CONTROLLED=no.`,
      ),
    );
  } else {
    const v = shellVars(text);
    const pinned = ['HWADDR', 'UUID', 'MACADDR'].filter((k) => v.has(k));
    out.push(
      item(
        'guest.ifcfg-hwaddr',
        pinned.length === 0,
        pinned.length
          ? `${path} sets ${pinned.join(', ')}: instances get a new MAC address and lose their network; remove those lines.`
          : `${path} names no MAC address or UUID.`,
      ),
    );
    const bad: string[] = [];
    if ((v.get('BOOTPROTO') ?? '').toLowerCase() !== 'dhcp') bad.push(`BOOTPROTO=${v.get('BOOTPROTO') ?? '(unset)'}`);
    for (const k of ['IPADDR', 'NETMASK', 'GATEWAY', 'PREFIX']) if (v.has(k)) bad.push(k);
    if ((v.get('ONBOOT') ?? '').toLowerCase() !== 'yes') bad.push(`ONBOOT=${v.get('ONBOOT') ?? '(unset)'}`);
    out.push(
      item(
        'guest.ifcfg-static',
        bad.length === 0,
        bad.length
          ? `${path} has ${bad.join(', ')}: keep only TYPE, DEVICE, ONBOOT=yes, BOOTPROTO=dhcp, NM_CONTROLLED=no.`
          : `${path} uses DHCP at boot.`,
      ),
    );
  }
  const net = await vfs.readText('/etc/sysconfig/network', 64 * 1024);
  const zc = net !== null && (shellVars(net).get('NOZEROCONF') ?? '').toLowerCase() === 'yes';
  out.push(
    item(
      'guest.nozeroconf-missing',
      zc,
      zc
        ? 'NOZEROCONF=yes is set.'
        : 'Add NOZEROCONF=yes to /etc/sysconfig/network so the metadata service (169.254.169.254) stays reachable.',
    ),
  );
  if (facts.major === 6) {
    const rules = await vfs.size('/etc/udev/rules.d/70-persistent-net.rules');
    out.push(
      item(
        'guest.persistent-net-rules',
        !rules,
        rules
          ? "/etc/udev/rules.d/70-persistent-net.rules records the template's MAC address: delete it."
          : 'No persistent network rules are recorded.',
      ),
    );
    const gen = await vfs.exists('/etc/udev/rules.d/75-persistent-net-generator.rules');
    out.push(
      item(
        'guest.persistent-net-generator-missing',
        gen,
        gen
          ? 'The persistent network rule generator is overridden.'
          : 'Run echo "#" > /etc/udev/rules.d/75-persistent-net-generator.rules so udev does not pin eth0 to the first MAC address.',
      ),
    );
  }
}

export async function otherNetwork(vfs: GuestVfs, out: ChecklistItem[]): Promise<void> {
  const netplan = await vfs.list('/etc/netplan');
  if (netplan) {
    const pinned: string[] = [];
    for (const n of netplan)
      if (/\.ya?ml$/.test(n) && /macaddress\s*:/i.test((await vfs.readText(`/etc/netplan/${n}`, 64 * 1024)) ?? ''))
        pinned.push(`/etc/netplan/${n}`);
    out.push(
      item(
        'guest.netplan-macaddress',
        pinned.length === 0,
        pinned.length
          ? `${pinned.join(', ')} match a MAC address: match by name (e.g. "en*") with dhcp4: true instead.`
          : 'netplan matches no MAC address.',
      ),
    );
  }
  const nmDir = '/etc/NetworkManager/system-connections';
  const nm = await vfs.list(nmDir);
  if (nm) {
    const pinned: string[] = [];
    for (const n of nm)
      if (/^\s*mac-address\s*=/m.test((await vfs.readText(`${nmDir}/${n}`, 64 * 1024)) ?? '')) pinned.push(`${nmDir}/${n}`);
    out.push(
      item(
        'guest.nm-connection-hwaddr',
        pinned.length === 0,
        pinned.length
          ? `${pinned.join(', ')} bind to a MAC address: remove mac-address= (or the file).`
          : 'NetworkManager connections bind to no MAC address.',
      ),
    );
  }
}
