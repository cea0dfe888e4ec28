// Localised texts of the findings about a disk format's own headers and tables (qcow2, VMDK, VHD,
// VHDX, VDI, OVA, GPT, LUKS), looked up by image-inspector-findings.ts with every other finding's.
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';

export type P = Record<string, string | number>;
export interface FindingText {
  /** Params the translated message needs; without them the English message is shown. */
  needs?: string[];
  message: (p: P) => string;
  fix?: (p: P) => string;
}

export const convert = () => msg('Convert it to qcow2 (or raw) before uploading; image-inspector can do the conversion here.');
export const doNotUpload = () => msg('Do not upload this file as it is; convert it if you trust its source.');
export const getAgain = () => msg('Get the complete file again (compare its checksum) and inspect it anew.');
const flatten = () =>
  msg(
    'Flatten it where its backing file is: qemu-img convert there merges the chain into one standalone image, which you can then inspect and upload.',
  );

export const FORMAT_FINDING_TEXTS: Record<string, FindingText> = {
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
};
