// Format facts the safety core read from the headers, as rows for a card: what qemu-img info does
// not print (the VMDK descriptor's adapter type and hardware version, VHD disk type and creator,
// VHDX block and sector sizes, VDI image type, ISO volume, partition table, OVF hardware).
import { msg } from '../../locales/scoped-msg.ts';
import type { SafetyDetails } from '../../core/inspect/types.ts';

export interface FactRow {
  /** Stable key (data-field in the DOM). */
  field: string;
  label: string;
  value: string | number | boolean;
}

export function factRows(d: SafetyDetails): FactRow[] {
  const rows: FactRow[] = [];
  const add = (field: string, label: string, value: string | number | boolean | undefined | null) => {
    if (value !== undefined && value !== null && value !== '') rows.push({ field, label, value });
  };
  if (d.vmdk) {
    add('vmdk-create-type', msg('VMDK create type'), d.vmdk.createType);
    add('vmdk-adapter-type', msg('VMDK adapter type'), d.vmdk.adapterType);
    add('vmdk-hw-version', msg('VMware hardware version'), d.vmdk.hwVersion);
    add('vmdk-extents', msg('VMDK extents'), d.vmdk.extents.map((e) => `${e.access} ${e.type} ${e.fileName ?? ''}`.trim()).join('; '));
  }
  if (d.vhd) {
    add('vhd-disk-type', msg('VHD disk type'), d.vhd.diskType);
    add('vhd-creator', msg('VHD creator'), `${d.vhd.creatorApp} (${d.vhd.creatorHostOs})`.trim());
  }
  if (d.vhdx) {
    add('vhdx-block-size', msg('VHDX block size'), d.vhdx.blockSize);
    add('vhdx-logical-sector', msg('VHDX logical sector size'), d.vhdx.logicalSectorSize);
    add('vhdx-physical-sector', msg('VHDX physical sector size'), d.vhdx.physicalSectorSize);
  }
  if (d.vdi) {
    add('vdi-type', msg('VDI image type'), d.vdi.imageType);
    add('vdi-version', msg('VDI version'), d.vdi.version);
    add('vdi-blocks', msg('VDI blocks allocated'), `${d.vdi.blocksAllocated} / ${d.vdi.blocks}`);
  }
  if (d.iso) {
    add('iso-volume', msg('ISO volume ID'), d.iso.volumeId);
    add('iso-bootable', msg('Bootable (El Torito)'), d.iso.bootable ? msg('yes') : msg('no'));
  }
  if (d.partitionTable) {
    const t = d.partitionTable;
    add('partitions', msg('Partition table'), `${t.scheme.toUpperCase()}: ${t.partitions.map((p) => p.kind ?? p.type).join(', ')}`);
  }
  if (d.compression) add('compression', msg('Compressed with'), d.compression.type);
  if (d.ova?.ovf) {
    add('ovf-cpus', msg('OVF virtual CPUs'), d.ova.ovf.cpus);
    add('ovf-memory', msg('OVF memory (MiB)'), d.ova.ovf.memoryMiB);
  }
  return rows;
}
