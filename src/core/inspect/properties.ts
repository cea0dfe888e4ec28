// Glance image properties suggested from what inspection found, each with where it came from:
// disk/container format, min_disk, VMware disk and adapter types, disk bus, firmware,
// architecture, and from an OVF descriptor memory (min_ram) and OS.
import { glanceDiskFormatFor } from './glance-formats.ts';
import type { OvfDescriptor } from './ovf.ts';
import type { FormatName, SafetyDetails } from './types.ts';
import { source, sourceText, type PropertySource } from './property-sources.ts';

const GIB = 1024 ** 3;

/** Glance's min_disk for a virtual size: whole GiB, rounded up (the one place this is rounded). */
export function minDiskGiB(virtualSize: number): number {
  return Math.ceil(virtualSize / GIB);
}

export interface PropertyFacts {
  detected: FormatName | null;
  details: SafetyDetails;
  /** `qemu-img info --output=json`, when it ran (its virtual size wins over the header's). */
  info?: { 'virtual-size'?: number; format?: string } | null;
}

export interface SuggestedProperties {
  properties: Record<string, string | number>;
  /** Property → plain-language origin ("VMDK descriptor: ddb.adapterType = lsilogic"). */
  sources: Record<string, string>;
  /** The same origins as stable codes with parameters, for a page to say in its language. */
  sourceCodes: Record<string, PropertySource>;
}

/** VMDK ddb.adapterType → Glance's vmware_adaptertype (metadefs VMware namespace). */
export const VMWARE_ADAPTER_TYPES: Record<string, string> = {
  lsilogic: 'lsiLogic',
  buslogic: 'busLogic',
  ide: 'ide',
  lsisas1068: 'lsiLogicsas',
  pvscsi: 'paraVirtual',
};

/** VMDK createType → vmware_disktype. */
export function vmwareDiskType(createType: string | undefined): string | undefined {
  const t = createType?.toLowerCase();
  if (!t) return undefined;
  if (t === 'streamoptimized') return 'streamOptimized';
  if (t === 'monolithicsparse' || t === 'twogbmaxextentsparse' || t === 'vmfssparse' || t === 'sesparse') return 'sparse';
  if (
    t === 'monolithicflat' ||
    t === 'twogbmaxextentflat' ||
    t === 'vmfs' ||
    t === 'vmfsthin' ||
    t === 'vmfspreallocated' ||
    t === 'vmfseagerzeroedthick'
  )
    return 'preallocated';
  return undefined;
}

/** OS facts from a VMware guest id (vmw:osType) or an OS description. */
export function osFromGuestId(id: string): { os_type?: string; os_distro?: string; architecture?: string } {
  const s = id.toLowerCase();
  const out: { os_type?: string; os_distro?: string; architecture?: string } = {};
  const distros: [RegExp, string][] = [
    [/ubuntu/, 'ubuntu'],
    [/rhel|red ?hat/, 'rhel'],
    [/centos/, 'centos'],
    [/debian/, 'debian'],
    [/sles|suse/, 'sles'],
    [/fedora/, 'fedora'],
    [/rocky/, 'rocky'],
    [/alma/, 'almalinux'],
    [/oracle/, 'oel'],
    [/freebsd/, 'freebsd'],
    [/win/, 'windows'],
  ];
  for (const [re, d] of distros)
    if (re.test(s)) {
      out.os_distro = d;
      break;
    }
  if (/win/.test(s)) out.os_type = 'windows';
  else if ((out.os_distro && out.os_distro !== 'freebsd') || /linux/.test(s)) out.os_type = 'linux';
  if (/arm|aarch64/.test(s)) out.architecture = 'aarch64';
  else if (/64/.test(s)) out.architecture = 'x86_64';
  return out;
}

function busFromController(controllers: string[]): string | undefined {
  const buses = new Set(controllers.map((c) => c.split(':')[0]!));
  return buses.size === 1 ? [...buses][0] : undefined;
}

export function suggestProperties(facts: PropertyFacts): SuggestedProperties {
  const properties: Record<string, string | number> = {};
  const sources: Record<string, string> = {};
  const sourceCodes: Record<string, PropertySource> = {};
  const set = (k: string, v: string | number | undefined, from: PropertySource) => {
    if (v === undefined || v === '' || (typeof v === 'number' && !Number.isFinite(v))) return;
    properties[k] = v;
    sources[k] = sourceText(from);
    sourceCodes[k] = from;
  };

  const ova = facts.details.ova;
  const innerSafety = ova?.disks[0]?.safety;
  const disk = innerSafety ? { detected: innerSafety.detected, details: innerSafety.details } : facts;
  const d = disk.details;

  const diskFormat = glanceDiskFormatFor(disk.detected, d);
  const formatWhy =
    disk.detected === 'vpc' && diskFormat === 'raw'
      ? source('format.fixed-vhd')
      : disk.detected === 'gpt' || disk.detected === 'mbr'
        ? source('format.partitioned', { scheme: disk.detected.toUpperCase() })
        : disk.detected === 'iso'
          ? source('format.iso')
          : innerSafety
            ? source('format.detected-in-ova', { format: String(disk.detected), disk: ova!.disks[0]!.name })
            : source('format.detected', { format: String(disk.detected) });
  set('disk_format', diskFormat ?? undefined, formatWhy);
  set('container_format', ova ? 'ova' : diskFormat ? 'bare' : undefined, ova ? source('container.ova') : source('container.bare'));

  const qemuSize = !innerSafety ? facts.info?.['virtual-size'] : undefined;
  const size = qemuSize ?? d.virtualSize;
  if (size !== undefined && Number.isFinite(size) && size > 0 && disk.detected !== 'iso') {
    set('min_disk', minDiskGiB(size), source(qemuSize !== undefined ? 'min-disk.qemu' : 'min-disk.header', { bytes: size }));
  }

  const vmdk = d.vmdk;
  if (vmdk) {
    set('vmware_disktype', vmwareDiskType(vmdk.createType), source('vmdk.create-type', { createType: String(vmdk.createType) }));
    const adapter = vmdk.adapterType;
    if (adapter) {
      set('vmware_adaptertype', VMWARE_ADAPTER_TYPES[adapter.toLowerCase()], source('vmdk.adapter-type', { adapter }));
      const bus = adapter.toLowerCase() === 'ide' ? 'ide' : VMWARE_ADAPTER_TYPES[adapter.toLowerCase()] ? 'scsi' : undefined;
      set('hw_disk_bus', bus, source(bus === 'ide' ? 'vmdk.bus-ide' : 'vmdk.bus-scsi', { adapter }));
    }
  }

  const pt = d.partitionTable;
  if (pt?.hasEsp || pt?.partitions.some((x) => x.kind === 'esp')) {
    set(
      'hw_firmware_type',
      'uefi',
      source(pt.partitions.some((x) => x.kind === 'bios-boot') ? 'firmware.esp-and-bios' : 'firmware.esp', {
        scheme: pt.scheme.toUpperCase(),
      }),
    );
  }
  if (pt && pt.architectures.length === 1) {
    const arch = pt.architectures[0]!;
    const why = pt.espBootLoaders?.length
      ? source('architecture.esp-loaders', { loaders: pt.espBootLoaders.map((n) => `EFI/BOOT/${n}`).join(', ') })
      : source('architecture.root-guid');
    set('architecture', arch, why);
  }

  const iso = d.iso;
  if (iso?.architectures?.length === 1 && !properties.architecture) {
    set(
      'architecture',
      iso.architectures[0],
      iso.efiBootLoaders?.length
        ? source('architecture.iso-loaders', { loaders: iso.efiBootLoaders.map((n) => `EFI/BOOT/${n}`).join(', ') })
        : source('architecture.iso-pe'),
    );
  }

  const ovf: OvfDescriptor | undefined = ova?.ovf;
  if (ovf) {
    if (ovf.memoryMiB) set('min_ram', ovf.memoryMiB, source('ovf.memory', { mib: ovf.memoryMiB }));
    if (!properties.hw_disk_bus)
      set('hw_disk_bus', busFromController(ovf.controllers), source('ovf.controller', { controllers: ovf.controllers.join(', ') }));
    if (ovf.firmware?.toLowerCase() === 'efi') set('hw_firmware_type', 'uefi', source('ovf.firmware-efi'));
    const guest = ovf.osType ?? ovf.osDescription;
    if (guest) {
      const os = osFromGuestId(guest);
      const from = source('ovf.os', { os: guest });
      set('os_type', os.os_type, from);
      set('os_distro', os.os_distro, from);
      if (!properties.architecture) set('architecture', os.architecture, from);
    }
  }
  return { properties, sources, sourceCodes };
}
