// Localised finding texts, looked up by the finding's stable code and filled from its params.
// The safety core's English message and fix stay the text of the image-inspected event's detail
// (the same as the CLI's JSON); here they are only the fallback for codes without a translation
// or findings that lack the params a translation needs.
import { str } from '@lit/localize';
import { currentLocale, msg } from '../../locales/scoped-msg.ts';
import { sourceLocale } from '../../locales/localization.ts';
import { GUEST_FINDING_TEXTS } from './guest-findings-text.ts';
import { FORMAT_FINDING_TEXTS, convert, doNotUpload, getAgain, type FindingText, type P } from './format-findings-text.ts';

export interface LocalisableFinding {
  code: string;
  message: string;
  fix?: string;
  params?: Record<string, string | number>;
}

const fixPartition = () =>
  msg(
    'Convert it to qcow2: Glance then checks the qcow2 container, not the partition table inside (or ask the operator about [image_format] gpt_safety_checks_nonfatal).',
  );
const partitionRejected = (p: P) =>
  msg(
    str`Glance rejects this disk's partition table (${p['why']}). Many tools write such tables and the disk may boot fine (LP 2091114), but Glance's check refuses it.`,
  );

const TEXTS: Record<string, FindingText> = {
  ...FORMAT_FINDING_TEXTS,
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

function usable(f: LocalisableFinding): FindingText | undefined {
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
