// Localised texts of the guest step's findings (src/core/guest/finding-codes.ts), looked up by
// image-inspector-findings.ts like every other finding's: the core's English (which names what
// exactly was inconsistent) stays the fallback and the event's text.
import { str } from '@lit/localize';
import { msg } from '../../locales/scoped-msg.ts';
import type { FindingText } from './format-findings-text.ts';

const fsck = () => msg('Check the file system in the guest (fsck / xfs_repair -n) before uploading; the rest of the image was inspected.');

export const GUEST_FINDING_TEXTS: Record<string, FindingText> = {
  'guest.partition-table-corrupt': {
    message: () => msg("The guest's partition table could not be read; the whole disk was looked at as one device."),
    fix: fsck,
  },
  'guest.lvm-corrupt': { message: () => msg("The guest's LVM metadata could not be used."), fix: fsck },
  'guest.fs-corrupt': {
    needs: ['device'],
    message: (p) => msg(str`The guest file system on ${p['device']} could not be read to the end.`),
    fix: fsck,
  },
  'guest.encrypted': { message: () => msg('An encrypted (LUKS) volume in the guest was recognised; its contents were not read.') },
  'guest.budget-exceeded': {
    message: () => msg('Looking inside the guest stopped at its budget; what was read so far is shown.'),
    fix: () => msg('Inspect the image with a larger guest budget, or with virt-inspector.'),
  },
  'guest.read-failed': {
    message: () => msg('Looking inside the guest failed; the rest of the inspection is not affected.'),
    fix: () => msg('Report this image to image-inspector.'),
  },
};
