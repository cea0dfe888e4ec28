// Shapes shared by the guest readers and the report. The report part (GuestReport) is the
// `guest` object of issue 10's contract: plain data, printed by `inspect --json`.
import type { Finding } from '../inspect/findings.ts';

export type NodeKind = 'file' | 'dir' | 'link' | 'other';

/** A file system object as a reader sees it; `id` is the reader's own (inode number). */
export interface FsNode {
  id: number;
  kind: NodeKind;
  size: number;
}

export interface DirEntry {
  name: string;
  id: number;
}

/** What every read-only file system reader offers; nothing here writes. */
export interface GuestFs {
  readonly type: string;
  root(): Promise<FsNode>;
  node(id: number): Promise<FsNode>;
  list(dir: FsNode): Promise<DirEntry[]>;
  /** The first `max` bytes of a file (holes read as zeros). */
  read(file: FsNode, max: number): Promise<Uint8Array>;
  readlink(link: FsNode): Promise<string>;
  /** Free space as [device byte offset, length] runs, from the allocation bitmaps/B+trees. */
  freeRanges?(): Promise<Array<[number, number]>>;
}

export interface FilesystemFacts {
  device: string;
  type: string;
  uuid: string | null;
  label: string | null;
  mountpoint: string | null;
  size: number | null;
  used: number | null;
}

export interface GuestOs {
  type: string | null;
  distro: string | null;
  version: string | null;
  arch: string | null;
  hostname: string | null;
  firmware: 'bios' | 'uefi' | null;
}

export interface ChecklistItem {
  code: string;
  ok: boolean;
  step: string;
  detail: string;
}

/** One checklist item's detail as a stable code with parameters (checklist-details.ts): beyond
 *  the contract, so the page can show the detail in its own language. */
export interface ChecklistDetail {
  code: string;
  params: Readonly<Record<string, string | number>>;
}

/** A checklist item as the checks build it: the contract's fields and its detail's code. */
export interface CheckedItem extends ChecklistItem {
  detailOf: ChecklistDetail;
}

export interface GuestSuggested {
  os_distro?: string;
  os_version?: string;
  architecture?: string;
  os_type?: string;
  hw_firmware_type?: string;
  hw_qemu_guest_agent?: string;
}

export interface GuestResult {
  os: GuestOs;
  filesystems: FilesystemFacts[];
  checklist: CheckedItem[];
  suggested: GuestSuggested;
  /** The guest file each fact and suggested property came from ("/etc/os-release"). */
  sources: Record<string, string>;
  kernels: string[];
  /** File systems that could not be read to the end, budget exhaustion (guest.* codes). */
  findings: Finding[];
  /** What virt-sparsify would save (null when the image's block status was not given). */
  reclaimableBytes: number | null;
  bytesRead: number;
  readCalls: number;
  elapsedMs: number;
}
