// The `guest` object and suggested properties exactly as issue 10's contract prints them in
// `inspect --json` (and the image-inspected event carries): the pipeline/CLI wire this in.
import type { ChecklistDetail, ChecklistItem, FilesystemFacts, GuestOs, GuestResult, GuestSuggested } from './types.ts';

export interface GuestJson {
  os: GuestOs;
  filesystems: FilesystemFacts[];
  checklist: ChecklistItem[];
}

/** Beyond the contract (`guestStats` in the result): what the guest step cost. */
export interface GuestStats {
  /** Guest bytes the readers asked for, and in how many reads. */
  bytesRead: number;
  readCalls: number;
  /** Through qemu-img: runs made, guest bytes they returned, bytes read from the image file(s). */
  qemuRuns: number;
  bytesFetched: number;
  imageBytesRead: number;
  elapsedMs: number;
}

/** `{ guest, suggested }` for the report; `guest: null` when no guest was read. */
export function guestJson(r: GuestResult | null): { guest: GuestJson | null; suggested: GuestSuggested } {
  if (!r) return { guest: null, suggested: {} };
  const { os, filesystems, checklist, suggested } = r;
  return { guest: { os, filesystems, checklist: checklist.map(({ code, ok, step, detail }) => ({ code, ok, step, detail })) }, suggested };
}

/** Beyond the contract (`guestDetails` in the result): each checklist item's detail as a code
 *  with parameters, in the checklist's order, for the page to say in its language. */
export function guestDetails(r: GuestResult | null): ChecklistDetail[] {
  return r ? r.checklist.map((c) => c.detailOf) : [];
}
