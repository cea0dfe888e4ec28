// Network steps of the guide: RHEL 6/7's ifcfg-eth0, zeroconf route and persistent udev rules;
// netplan and NetworkManager keyfiles elsewhere. Pinned MAC addresses cost instances their network.
import { item } from './checklist-items.ts';
import type { OsFacts } from './os-facts.ts';
import { shellVars } from './os-facts.ts';
import type { CheckedItem } from './types.ts';
import type { GuestVfs } from './vfs.ts';

export async function rhelNetwork(vfs: GuestVfs, facts: OsFacts, out: CheckedItem[]): Promise<void> {
  const path = '/etc/sysconfig/network-scripts/ifcfg-eth0';
  const text = await vfs.readText(path, 64 * 1024);
  if (text === null) {
    out.push(item('guest.ifcfg-missing', false, 'guest.ifcfg.missing', { path }));
  } else {
    const v = shellVars(text);
    const pinned = ['HWADDR', 'UUID', 'MACADDR'].filter((k) => v.has(k));
    out.push(
      item('guest.ifcfg-hwaddr', pinned.length === 0, pinned.length ? 'guest.ifcfg.pinned' : 'guest.ifcfg.unpinned', {
        path,
        keys: pinned.join(', '),
      }),
    );
    const bad: string[] = [];
    if ((v.get('BOOTPROTO') ?? '').toLowerCase() !== 'dhcp') bad.push(`BOOTPROTO=${v.get('BOOTPROTO') ?? '(unset)'}`);
    for (const k of ['IPADDR', 'NETMASK', 'GATEWAY', 'PREFIX']) if (v.has(k)) bad.push(k);
    if ((v.get('ONBOOT') ?? '').toLowerCase() !== 'yes') bad.push(`ONBOOT=${v.get('ONBOOT') ?? '(unset)'}`);
    out.push(
      item('guest.ifcfg-static', bad.length === 0, bad.length ? 'guest.ifcfg.static' : 'guest.ifcfg.dhcp', {
        path,
        settings: bad.join(', '),
      }),
    );
  }
  const net = await vfs.readText('/etc/sysconfig/network', 64 * 1024);
  const zc = net !== null && (shellVars(net).get('NOZEROCONF') ?? '').toLowerCase() === 'yes';
  out.push(item('guest.nozeroconf-missing', zc, zc ? 'guest.nozeroconf.set' : 'guest.nozeroconf.missing'));
  if (facts.major === 6) {
    const rules = await vfs.size('/etc/udev/rules.d/70-persistent-net.rules');
    out.push(item('guest.persistent-net-rules', !rules, rules ? 'guest.net-rules.present' : 'guest.net-rules.absent'));
    const gen = await vfs.exists('/etc/udev/rules.d/75-persistent-net-generator.rules');
    out.push(item('guest.persistent-net-generator-missing', gen, gen ? 'guest.net-generator.overridden' : 'guest.net-generator.active'));
  }
}

export async function otherNetwork(vfs: GuestVfs, out: CheckedItem[]): Promise<void> {
  const netplan = await vfs.list('/etc/netplan');
  if (netplan) {
    const pinned: string[] = [];
    for (const n of netplan)
      if (/\.ya?ml$/.test(n) && /macaddress\s*:/i.test((await vfs.readText(`/etc/netplan/${n}`, 64 * 1024)) ?? ''))
        pinned.push(`/etc/netplan/${n}`);
    out.push(
      item('guest.netplan-macaddress', pinned.length === 0, pinned.length ? 'guest.netplan.pinned' : 'guest.netplan.unpinned', {
        files: pinned.join(', '),
      }),
    );
  }
  const nmDir = '/etc/NetworkManager/system-connections';
  const nm = await vfs.list(nmDir);
  if (nm) {
    const pinned: string[] = [];
    for (const n of nm)
      if (/^\s*mac-address\s*=/m.test((await vfs.readText(`${nmDir}/${n}`, 64 * 1024)) ?? '')) pinned.push(`${nmDir}/${n}`);
    out.push(
      item('guest.nm-connection-hwaddr', pinned.length === 0, pinned.length ? 'guest.nm.pinned' : 'guest.nm.unpinned', {
        files: pinned.join(', '),
      }),
    );
  }
}
