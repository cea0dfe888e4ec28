// Localised finding texts, looked up by the finding's stable code and filled from its params.
// The safety core's English message and fix stay the text of the image-inspected event's detail
// (the same as the CLI's JSON); here they are only the fallback for codes without a translation
// or findings that lack the params a translation needs.
import { str } from '@lit/localize';
import { currentLocale, msg } from '../../locales/scoped-msg.ts';
import { sourceLocale } from '../../locales/localization.ts';
import { GUEST_FINDING_TEXTS } from './guest-findings-text.ts';

export interface LocalisableFinding {
  code: string;
  message: string;
  fix?: string;
  params?: Record<string, string | number>;
}

type P = Record<string, string | number>;
interface Text {
  /** Params the translated message needs; without them the English message is shown. */
  needs?: string[];
  message: (p: P) => string;
  fix?: (p: P) => string;
}

const convert = () => msg('Convert it to qcow2 (or raw) before uploading; image-inspector can do the conversion here.');
const doNotUpload = () => msg('Do not upload this file as it is; convert it if you trust its source.');
const getAgain = () => msg('Get the complete file again (compare its checksum) and inspect it anew.');
const fixPartition = () =>
  msg(
    'Convert it to qcow2: Glance then checks the qcow2 container, not the partition table inside (or ask the operator about [image_format] gpt_safety_checks_nonfatal).',
  );
const partitionRejected = (p: P) =>
  msg(
    str`Glance rejects this disk's partition table (${p['why']}). Many tools write such tables and the disk may boot fine (LP 2091114), but Glance's check refuses it.`,
  );
const flatten = () =>
  msg(
    'Flatten it where its backing file is: qemu-img convert there merges the chain into one standalone image, which you can then inspect and upload.',
  );

const TEXTS: Record<string, Text> = {
  'qcow2.backing-file': {
    message: (p) =>
      p['backingFile'] !== undefined
        ? msg(str`The image depends on a backing file ("${p['backingFile']}"); Glance refuses images that point at other files.`)
        : msg('The image depends on a backing file; Glance refuses images that point at other files.'),
    fix: flatten,
  },
  'qcow2.data-file': {
    message: () => msg('The image keeps its data in an external data file (the data-file feature); Glance refuses it.'),
    fix: () => msg('Convert it to a self-contained qcow2 or raw image, with the data file provided alongside.'),
  },
  'qcow2.version': {
    needs: ['version'],
    message: (p) => msg(str`qcow2 version ${p['version']} is not one Glance accepts (only 2 and 3).`),
    fix: convert,
  },
  'qcow2.unknown-features': {
    message: () => msg('The image uses incompatible qcow2 features that Glance does not know.'),
    fix: () => msg('Convert it to plain qcow2 (without extended_l2 or other new features).'),
  },
  'qcow2.corrupt-flag': {
    message: () => msg('qemu marked this image as corrupt; it can be read, but not written by a VM.'),
    fix: () => msg('Repair with qemu-img check -r all or convert it to a fresh image.'),
  },
  'qcow2.dirty': {
    message: () => msg('The image was not closed cleanly (dirty bit with lazy refcounts); its refcounts need repair.'),
    fix: () => msg('Run qemu-img check -r all on it, or convert it to a fresh image.'),
  },
  'qcow2.encrypted': {
    message: () => msg('The image is encrypted; a VM can only boot it with the matching secret.'),
    fix: () => msg('Decrypt it (convert with the passphrase) unless your cloud manages the key.'),
  },
  'qcow2.header-invalid': { message: () => msg('The qcow2 header holds values no real image has.'), fix: convert },
  'qcow.v1': {
    message: () => msg('This is a qcow version 1 image, an obsolete format Glance refuses.'),
    fix: convert,
  },
  'qed.banned': { message: () => msg('QED images are always refused by Glance.'), fix: convert },
  'vmdk.create-type': {
    needs: ['createType'],
    message: (p) => msg(str`VMDK createType "${p['createType']}" is not one Glance accepts (only monolithicSparse and streamOptimized).`),
    fix: (p) =>
      p['present']
        ? msg(
            'Convert it to a single-file image (qcow2, or a streamOptimized VMDK): image-inspector can do it here, from the descriptor and its extent files.',
          )
        : msg(
            'Convert it to a single-file image (qcow2, or a streamOptimized VMDK); select the descriptor together with its extent files so the conversion can read them.',
          ),
  },
  'vmdk.descriptor-invalid': { message: () => msg('The VMDK descriptor contains non-ASCII bytes; Glance refuses it.'), fix: convert },
  'vmdk.descriptor-line': {
    message: () =>
      msg(
        'The VMDK descriptor contains a line that is neither a comment, a setting, a ddb entry nor an extent; Glance refuses descriptors it cannot fully understand.',
      ),
    fix: doNotUpload,
  },
  'vmdk.extent-path': {
    message: () =>
      msg(
        'A VMDK extent names a path outside the image’s own directory; reading it could expose other files of the machine that opens it.',
      ),
    fix: () =>
      msg('Do not upload this file. If it is yours, rewrite the extent lines with plain file names and select those files alongside.'),
  },
  'vmdk.no-extents': {
    message: () => msg('The VMDK descriptor lists no extents (no data files), which Glance refuses and qemu-img cannot open.'),
    fix: () => msg('Do not upload this file; export the disk again from its source.'),
  },
  'vmdk.multi-file': {
    needs: ['files'],
    message: (p) => msg(str`This is a VMDK descriptor; the disk’s data lives in ${p['files']}, which must be selected with it.`),
    fix: (p) =>
      p['present']
        ? msg('Nothing more to select: the descriptor and all its extent files are here.')
        : msg('Select the descriptor together with its extent files (or their folder).'),
  },
  'vmdk.footer': {
    message: () =>
      msg(
        'This VMDK ends with a footer consistent with its header. Current Glance accepts it; Glance releases before the fix for LP 2073262 refused every VMDK with a footer.',
      ),
    fix: () => msg('Nothing to do; if your cloud runs an older Glance, convert it to a VMDK without footer or to qcow2.'),
  },
  'vmdk.footer-mismatch': {
    message: () => msg('The VMDK footer does not agree with its header; Glance refuses an inconsistent footer.'),
    fix: () => msg('Export the disk again from its source.'),
  },
  'vmdk.version': { message: () => msg('This VMDK sparse header version is not supported.'), fix: convert },
  'vmdk.descriptor-location': { message: () => msg('The VMDK descriptor is not where it must be; Glance refuses it.'), fix: convert },
  'vmdk.extent-file': {
    message: () => msg('This file is one extent (a data part) of a multi-file VMDK, not a disk image by itself.'),
    fix: () =>
      msg(
        'Select the VMDK descriptor (the small .vmdk text file) together with all its extent files, then convert them to a single image.',
      ),
  },
  'ova.missing-file': {
    needs: ['files'],
    message: (p) => msg(str`The OVF descriptor names files the archive does not contain: ${p['files']}.`),
    fix: () => msg('Export the appliance again, or provide the missing disk files.'),
  },
  'ova.no-disk': {
    message: () => msg('The OVA contains no disk image.'),
    fix: () => msg('Export the appliance again with its disks.'),
  },
  'ova.ovf-too-large': {
    message: () => msg('The OVF descriptor is too large and was not read.'),
    fix: () => msg('Set CPU, memory and OS properties by hand.'),
  },
  'tar.invalid': { message: () => msg('The archive is damaged or cut short.'), fix: getAgain },
  'gpt.invalid': {
    message: () => msg('The GPT header declares an implausible partition array.'),
    fix: () => msg('Repair the partition table before uploading.'),
  },
  'gpt.header-missing': {
    message: () => msg('The MBR announces a GPT disk, but no GPT header follows it.'),
    fix: () => msg('Repair the partition table before uploading.'),
  },
  'luks.version': {
    message: () => msg('This LUKS version is not supported by Glance’s checks (only LUKS1).'),
    fix: () => msg('Decrypt and convert it to qcow2/raw.'),
  },
  'inspect.detector-failed': {
    needs: ['format'],
    message: (p) => msg(str`The ${p['format']} check could not read this file.`),
    fix: doNotUpload,
  },
  'vhd.differencing': {
    message: () => msg('This is a differencing VHD: it only holds changes against a parent disk, which Glance cannot follow.'),
    fix: () => msg('Merge it with its parent (convert the chain to a single qcow2 or VHD).'),
  },
  'vhdx.differencing': {
    message: () => msg('This is a differencing VHDX: it only holds changes against a parent disk, which Glance cannot follow.'),
    fix: () => msg('Merge it with its parent (convert the chain to a single qcow2 or VHDX).'),
  },
  'vdi.differencing': {
    message: () => msg('This VDI is a differencing image that depends on a parent disk, which Glance cannot follow.'),
    fix: () => msg('Merge it with its parent (clone the disk in VirtualBox or convert the chain) first.'),
  },
  'vhd.fixed': {
    message: () => msg('This is a fixed-size VHD: raw disk data followed by a 512-byte footer. Glance takes it as raw data.'),
    fix: () => msg('Upload as disk_format=raw, or convert it.'),
  },
  'vhd.checksum': {
    message: () => msg('The VHD footer checksum is wrong; the footer may be damaged.'),
    fix: () => msg('Convert it to qcow2 or raw, which rewrites the metadata.'),
  },
  'vhdx.invalid': { message: () => msg('The VHDX structure is invalid.'), fix: convert },
  'vhd.invalid': { message: () => msg('The dynamic VHD header is missing or unreadable.'), fix: convert },
  'image.truncated': {
    message: () => msg('The file is shorter than its own tables say: it was cut short (incomplete download or copy).'),
    fix: getAgain,
  },
  'image.empty': { message: () => msg('The file is empty.'), fix: () => msg('Choose the image file itself.') },
  'image.not-a-disk': {
    needs: ['reason'],
    message: (p) =>
      p['reason'] === 'smaller-than-sector'
        ? msg(
            str`This file does not look like a bootable disk: it is ${p['fileSize']} bytes, smaller than one 512-byte sector. Glance would store it as raw data, but no VM could boot from it.`,
          )
        : msg(
            'This file does not look like a bootable disk: no partition table, boot sector or file system was found in it. Glance would store it as raw data, but no VM could boot from it.',
          ),
    fix: () => msg('Check that you chose the disk image itself (not a descriptor, checksum list, text file or download page).'),
  },
  'format.multiple': {
    needs: ['formats'],
    message: (p) =>
      p['hidden'] !== undefined
        ? msg(
            str`This file is two formats at once: an ISO 9660 image whose system area (its first 32 KiB, which ISO leaves free) carries a ${p['hidden']} header. Glance refuses such files: a hypervisor reading it as ${p['hidden']} would see other data than the ISO shows, which is how one format hides another. It is not an incomplete download.`,
          )
        : msg(
            str`The content matches several formats at once (${p['formats']}); Glance refuses such files because one format can hide another’s header.`,
          ),
    fix: (p) =>
      p['hidden'] !== undefined
        ? msg(
            'Do not upload this file. If you expected an ISO, get it again from a source you trust: a genuine ISO carries no other format’s header.',
          )
        : msg('Do not upload this file; get it again from a source you trust.'),
  },
  'format.mismatch': {
    needs: ['declared', 'detected'],
    message: (p) =>
      msg(
        str`You declared disk_format=${p['declared']}, but the content is ${p['detected']}; Glance refuses uploads whose content does not match the declared format.`,
      ),
  },
  'iso.hybrid': {
    message: () => msg('This is a hybrid ISO (ISO 9660 with a partition table for USB boot). Glance counts it as iso.'),
    fix: () => msg('Upload it with disk_format=iso.'),
  },
  'iso.udf-only': {
    message: () => msg('This disc image has UDF structures only; Glance will take it as raw data and refuse disk_format=iso.'),
    fix: () => msg('Rebuild the image with an ISO 9660 bridge, or upload it as disk_format=raw.'),
  },
  'mbr.fat-boot-sector': {
    message: () =>
      msg('The file starts with a FAT file system boot sector, which Glance mistakes for a partition table and then rejects (LP 2079850).'),
    fix: () => msg('Convert it to qcow2, or put the file system inside a partitioned disk image.'),
  },
  'gpt.header-crc': {
    message: () => msg('The GPT header checksum is wrong.'),
    fix: () => msg('Repair the partition table before uploading.'),
  },
  'gpt.entries-crc': {
    message: () => msg('The GPT partition array checksum is wrong.'),
    fix: () => msg('Repair the partition table before uploading.'),
  },
  'luks.unsupported': {
    message: () => msg('This is a LUKS-encrypted volume; Glance has no disk_format for it.'),
    fix: () => msg('Decrypt and convert it to qcow2/raw, or upload it through Cinder’s encrypted volume types.'),
  },
  'compressed.gzip': {
    message: (p) =>
      p['originalName'] !== undefined
        ? msg(str`This file is gzip-compressed (it contains "${p['originalName']}"); Glance and qemu need the disk image itself.`)
        : msg('This file is gzip-compressed; Glance and qemu need the disk image itself.'),
    fix: () => msg('Decompress it first (gunzip), then inspect the image inside.'),
  },
  'container.ova': {
    message: () =>
      msg(
        'This is an OVA appliance (a tar archive holding a disk). Glance checks the archive, not the disk, so a direct upload is refused unless the cloud unpacks OVAs on import.',
      ),
    fix: () => msg('Upload the disk inside: image-inspector reads it in place from the OVA, without unpacking.'),
  },
  'container.tar': {
    message: () => msg('This is a tar archive, not a disk image; Glance stores it as opaque data.'),
    fix: () => msg('Extract the disk image from it and inspect that.'),
  },
  'check.corruptions': {
    message: () => msg('qemu-img check found corruptions in the image’s metadata; a VM could read wrong data.'),
    fix: () => msg('Repair a copy with qemu-img check -r all, or convert it (which rewrites the metadata), then inspect again.'),
  },
  'check.leaks': {
    needs: ['leaks'],
    message: (p) => msg(str`qemu-img check found ${p['leaks']} leaked cluster(s): space is wasted, data is intact.`),
    fix: () => msg('Optional: repair with qemu-img check -r leaks, or convert it to compact the image.'),
  },
  'check.crashed': {
    message: () => msg('qemu-img check did not finish; the image’s metadata may be hostile or damaged.'),
    fix: doNotUpload,
  },
  'check.failed': { message: () => msg('qemu-img check could not complete.'), fix: doNotUpload },
  'qemu.not-opened': {
    message: () =>
      msg(
        'qemu-img was not run on this file: its structure is hostile, unknown or a container, and opening it is exactly what the checks above guard against.',
      ),
    fix: () => msg('See the findings above.'),
  },
  'qemu.map-failed': {
    message: () => msg('qemu-img map did not produce an allocation summary.'),
    fix: () => msg('Nothing to do for the upload; the allocation summary is only shown for information.'),
  },
  'qemu.not-run': { message: () => msg('qemu-img was not run on this file.') },
  'qemu.info-failed': {
    needs: ['format', 'reason'],
    message: (p) => msg(str`qemu-img could not read the image as ${p['format']}: ${p['reason']}.`),
    fix: doNotUpload,
  },
  'gpt.protective-mbr': { needs: ['why'], message: (p) => partitionRejected(p), fix: fixPartition },
  'mbr.invalid': { needs: ['why'], message: (p) => partitionRejected(p), fix: fixPartition },
  'parallels.unsupported': {
    message: () => msg('This is a Parallels image; Glance has no disk_format for it and takes the file for raw data.'),
    fix: convert,
  },
  'bochs.unsupported': {
    message: () => msg('This is a Bochs image; Glance has no disk_format for it and takes the file for raw data.'),
    fix: convert,
  },
  'cloop.unsupported': {
    message: () => msg('This is a cloop image; Glance has no disk_format for it and takes the file for raw data.'),
    fix: convert,
  },
  'dmg.unsupported': {
    message: () => msg('This is an Apple disk image (DMG); Glance has no disk_format for it and takes the file for raw data.'),
    fix: convert,
  },
  'compressed.xz': {
    message: (p) =>
      p['originalName'] !== undefined
        ? msg(str`This file is xz-compressed (it contains "${p['originalName']}"); Glance and qemu need the disk image itself.`)
        : msg('This file is xz-compressed; Glance and qemu need the disk image itself.'),
    fix: () => msg('Decompress it first (unxz), then inspect the decompressed image.'),
  },
  'compressed.bzip2': {
    message: (p) =>
      p['originalName'] !== undefined
        ? msg(str`This file is bzip2-compressed (it contains "${p['originalName']}"); Glance and qemu need the disk image itself.`)
        : msg('This file is bzip2-compressed; Glance and qemu need the disk image itself.'),
    fix: () => msg('Decompress it first (bunzip2), then inspect the decompressed image.'),
  },
  'compressed.zstd': {
    message: (p) =>
      p['originalName'] !== undefined
        ? msg(str`This file is zstd-compressed (it contains "${p['originalName']}"); Glance and qemu need the disk image itself.`)
        : msg('This file is zstd-compressed; Glance and qemu need the disk image itself.'),
    fix: () => msg('Decompress it first (unzstd), then inspect the decompressed image.'),
  },
};

/** The codes this page translates (the coverage test compares them with the core's tables). */
export function translatedFindingCodes(): string[] {
  return Object.keys(TEXTS);
}

function usable(f: LocalisableFinding): Text | undefined {
  // In English the core's own text is the most specific one (it names values these omit).
  if (currentLocale() === sourceLocale) return undefined;
  const t = TEXTS[f.code] ?? GUEST_FINDING_TEXTS[f.code];
  if (!t) return undefined;
  return (t.needs ?? []).every((k) => f.params?.[k] !== undefined) ? t : undefined;
}

export function findingMessage(f: LocalisableFinding): string {
  const t = usable(f);
  return t ? t.message(f.params ?? {}) : f.message;
}

export function findingFix(f: LocalisableFinding): string | undefined {
  const t = usable(f);
  return (t?.fix ? t.fix(f.params ?? {}) : f.fix) || undefined;
}
