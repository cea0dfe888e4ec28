// Where a suggested property came from, in the page's language: looked up by the core's stable
// code (src/core/inspect/property-sources.ts) and filled from its params; the core's English text
// is the fallback.
import { str } from '@lit/localize';
import { currentLocale, msg } from '../../locales/scoped-msg.ts';
import { sourceLocale } from '../../locales/localization.ts';
import type { PropertySourceCode } from '../../core/inspect/property-sources.ts';
import type { CardSuggestion } from './image-inspector-model.ts';

type P = Record<string, string | number>;
const v = (p: P, k: string): string => String(p[k] ?? '');

const TEXTS: Record<PropertySourceCode, (p: P) => string> = {
  'format.fixed-vhd': () => msg('a fixed VHD: Glance reads it as raw data (the VHD signature is only at its end)'),
  'format.partitioned': (p) => msg(str`${v(p, 'scheme')} partitioned disk in no container format`),
  'format.iso': () => msg('ISO 9660 content'),
  'format.detected': (p) => msg(str`content detected as ${v(p, 'format')}`),
  'format.detected-in-ova': (p) => msg(str`content detected as ${v(p, 'format')} in ${v(p, 'disk')} inside the OVA`),
  'container.ova': () => msg('the file is an OVA archive (tar with an OVF descriptor)'),
  'container.bare': () => msg('a single disk image file, not an archive'),
  'min-disk.qemu': (p) => msg(str`virtual size ${v(p, 'bytes')} bytes (qemu-img info), rounded up to whole GiB`),
  'min-disk.header': (p) => msg(str`virtual size ${v(p, 'bytes')} bytes (image header), rounded up to whole GiB`),
  'vmdk.create-type': (p) => msg(str`VMDK descriptor: createType="${v(p, 'createType')}"`),
  'vmdk.adapter-type': (p) => msg(str`VMDK descriptor: ddb.adapterType="${v(p, 'adapter')}"`),
  'vmdk.bus-ide': (p) => msg(str`VMDK descriptor: ddb.adapterType="${v(p, 'adapter')}" is an IDE controller`),
  'vmdk.bus-scsi': (p) => msg(str`VMDK descriptor: ddb.adapterType="${v(p, 'adapter')}" is a SCSI controller`),
  'firmware.esp': (p) => msg(str`${v(p, 'scheme')} partition table with an EFI system partition`),
  'firmware.esp-and-bios': (p) =>
    msg(str`${v(p, 'scheme')} partition table with an EFI system partition (it also has a BIOS boot partition, so it may boot either way)`),
  'architecture.esp-loaders': (p) => msg(str`EFI system partition holds ${v(p, 'loaders')}`),
  'architecture.root-guid': () => msg('root partition type GUID (Discoverable Partitions Specification)'),
  'architecture.iso-loaders': (p) => msg(str`the ISO's UEFI boot image holds ${v(p, 'loaders')}`),
  'architecture.iso-pe': () => msg("the ISO's UEFI boot image holds a PE boot loader"),
  'ovf.memory': (p) => msg(str`OVF descriptor: memory item (ResourceType 4) = ${v(p, 'mib')} MiB`),
  'ovf.controller': (p) => msg(str`OVF descriptor: disk controller ${v(p, 'controllers')}`),
  'ovf.firmware-efi': () => msg('OVF descriptor: firmware = efi'),
  'ovf.os': (p) => msg(str`OVF descriptor: operating system "${v(p, 'os')}"`),
  'converted-from': (p) => msg(str`converted from ${v(p, 'file')}: ${inner(p)}`),
};

/** The source's own reason inside a 'converted-from' (its code, else its English text). */
function inner(p: P): string {
  const code = p['innerCode'] as PropertySourceCode | undefined;
  return code && code !== 'converted-from' && TEXTS[code] ? TEXTS[code](p) : v(p, 'innerText');
}

/** The codes this page translates (the coverage test compares them with the core's table). */
export function translatedSourceCodes(): string[] {
  return Object.keys(TEXTS);
}

export function suggestionSource(s: CardSuggestion): string {
  const t = s.sourceCode ? TEXTS[s.sourceCode.code] : undefined;
  if (!t || currentLocale() === sourceLocale) return s.source ?? '';
  return t(s.sourceCode!.params);
}
