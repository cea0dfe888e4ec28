// Where a suggested property came from, as a stable code with parameters (the page says it in its
// own language) and the English sentence the CLI and the JSON show.

export const PROPERTY_SOURCES = {
  'format.fixed-vhd': () => 'a fixed VHD: Glance reads it as raw data (the VHD signature is only at its end)',
  'format.partitioned': (p) => `${p.scheme} partitioned disk in no container format`,
  'format.iso': () => 'ISO 9660 content',
  'format.detected': (p) => `content detected as ${p.format}`,
  'format.detected-in-ova': (p) => `content detected as ${p.format} in ${p.disk} inside the OVA`,
  'container.ova': () => 'the file is an OVA archive (tar with an OVF descriptor)',
  'container.bare': () => 'a single disk image file, not an archive',
  'min-disk.qemu': (p) => `virtual size ${p.bytes} bytes (qemu-img info), rounded up to whole GiB`,
  'min-disk.header': (p) => `virtual size ${p.bytes} bytes (image header), rounded up to whole GiB`,
  'vmdk.create-type': (p) => `VMDK descriptor: createType="${p.createType}"`,
  'vmdk.adapter-type': (p) => `VMDK descriptor: ddb.adapterType="${p.adapter}"`,
  'vmdk.bus-ide': (p) => `VMDK descriptor: ddb.adapterType="${p.adapter}" is an IDE controller`,
  'vmdk.bus-scsi': (p) => `VMDK descriptor: ddb.adapterType="${p.adapter}" is a SCSI controller`,
  'firmware.esp': (p) => `${p.scheme} partition table with an EFI system partition`,
  'firmware.esp-and-bios': (p) =>
    `${p.scheme} partition table with an EFI system partition (it also has a BIOS boot partition, so it may boot either way)`,
  'architecture.esp-loaders': (p) => `EFI system partition holds ${p.loaders}`,
  'architecture.root-guid': () => 'root partition type GUID (Discoverable Partitions Specification)',
  'architecture.iso-loaders': (p) => `the ISO's UEFI boot image holds ${p.loaders}`,
  'architecture.iso-pe': () => "the ISO's UEFI boot image holds a PE boot loader",
  'ovf.memory': (p) => `OVF descriptor: memory item (ResourceType 4) = ${p.mib} MiB`,
  'ovf.controller': (p) => `OVF descriptor: disk controller ${p.controllers}`,
  'ovf.firmware-efi': () => 'OVF descriptor: firmware = efi',
  'ovf.os': (p) => `OVF descriptor: operating system "${p.os}"`,
  // a guest hint a conversion output keeps from its source: the source's own reason inside
  'converted-from': (p) => `converted from ${p.file}: ${p.innerText}`,
} satisfies Record<string, (p: Record<string, string | number>) => string>;

export type PropertySourceCode = keyof typeof PROPERTY_SOURCES;

export interface PropertySource {
  code: PropertySourceCode;
  params: Record<string, string | number>;
}

export function source(code: PropertySourceCode, params: Record<string, string | number> = {}): PropertySource {
  return { code, params };
}

export function sourceText(s: PropertySource): string {
  return PROPERTY_SOURCES[s.code](s.params);
}
