// Finding codes of the guest step (apart from the checklist's, in checklist.ts CHECK_CODES):
// what ended the reading of a layout or file system. Kept in step with inspect-guest.ts by
// test/unit/guest/codes.test.ts.
import type { Severity } from '../inspect/findings.ts';

export const GUEST_FINDING_CODES: Readonly<Record<string, { severity: Severity; title: string }>> = {
  'guest.partition-table-corrupt': { severity: 'warning', title: 'The guest partition table could not be read' },
  'guest.lvm-corrupt': { severity: 'warning', title: 'LVM metadata could not be used' },
  'guest.fs-corrupt': { severity: 'warning', title: 'A guest file system could not be read' },
  'guest.encrypted': { severity: 'info', title: 'An encrypted (LUKS) volume was not read' },
  'guest.budget-exceeded': { severity: 'warning', title: 'Guest inspection stopped at its budget' },
  'guest.read-failed': { severity: 'warning', title: 'Guest inspection failed' },
};
