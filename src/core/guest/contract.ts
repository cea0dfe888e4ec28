// The `guest` object and suggested properties exactly as issue 10's contract prints them in
// `inspect --json` (and the image-inspected event carries): the pipeline/CLI wire this in.
import type { ChecklistItem, FilesystemFacts, GuestOs, GuestResult, GuestSuggested } from './types.ts';

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
  return { guest: { os, filesystems, checklist }, suggested };
}
