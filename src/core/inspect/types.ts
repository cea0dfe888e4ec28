// Shared shapes of the format detectors and the safety report. Plain data: a report crosses
// worker/page boundaries and is printed as JSON by the CLI.
import type { ByteSource } from './byte-source.ts';
import type { Finding } from './findings.ts';
import type { OvfDescriptor } from './ovf.ts';
import type { TarEntry } from './tar.ts';

/** qemu-img driver names (so the CLI can pass `-f <detected>`), plus what is not a qemu format. */
export type FormatName =
  | 'raw' | 'qcow2' | 'qcow' | 'qed' | 'vmdk' | 'vpc' | 'vhdx' | 'vdi' | 'iso' | 'gpt' | 'mbr' | 'luks'
  | 'parallels' | 'bochs' | 'cloop' | 'dmg'
  | 'gzip' | 'xz' | 'bzip2' | 'zstd' | 'tar' | 'ova';

export interface Qcow2Facts {
  version: number;
  clusterBits: number;
  clusterSize: number;
  /** Offset of the backing file name (0 = none) and the name when it could be read. */
  backingFileOffset: number;
  backingFile?: string;
  encrypted: boolean;
  /** Feature bitfields as hex strings (64-bit). */
  incompatibleFeatures: string;
  compatibleFeatures: string;
  autoclearFeatures: string;
  dirty: boolean;
  corrupt: boolean;
  externalDataFile: boolean;
  compressionType?: 'zlib' | 'zstd';
  extendedL2: boolean;
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  snapshots: number;
}

export interface VmdkExtentFacts {
  access: string;
  sectors: number;
  type: string;
  fileName?: string;
  offset?: number;
}

export interface VmdkFacts {
  /** "sparse": a KDMV file with an embedded descriptor; "descriptor": a text descriptor file;
   *  "cowd": an ESX vmfsSparse (COWD) extent. */
  variant: 'sparse' | 'descriptor' | 'cowd';
  version?: number;
  createType?: string;
  adapterType?: string;
  hwVersion?: string;
  extents: VmdkExtentFacts[];
  /** Extent files this descriptor needs besides itself (to be provided alongside). */
  externalFiles: string[];
  compressed?: boolean;
  hasFooter?: boolean;
  descriptorBytes?: number;
  ddb: Record<string, string>;
}

export interface VhdFacts {
  diskType: 'fixed' | 'dynamic' | 'differencing' | 'unknown';
  /** Where the footer was found: a copy at offset 0 (dynamic) or only at the end (fixed). */
  headerCopyAtStart: boolean;
  creatorApp: string;
  creatorHostOs: string;
  currentSize: number;
  checksumOk: boolean;
}

export interface VhdxFacts {
  blockSize?: number;
  logicalSectorSize?: number;
  physicalSectorSize?: number;
  hasParent: boolean;
  regionCount: number;
  metadataEntries: number;
}

export interface VdiFacts {
  version: string;
  imageType: 'dynamic' | 'fixed' | 'undo' | 'diff' | 'unknown';
  blockSize: number;
  blocks: number;
  blocksAllocated: number;
  hasParent: boolean;
}

export interface IsoFacts {
  standard: 'iso9660' | 'udf';
  volumeId?: string;
  systemId?: string;
  blockSize?: number;
  blocks?: number;
  /** El Torito boot record present. */
  bootable: boolean;
  /** An El Torito entry for UEFI (platform 0xEF) exists. */
  efiBoot?: boolean;
  /** Default UEFI boot loaders in the EFI boot image (EFI/BOOT/BOOT*.EFI). */
  efiBootLoaders?: string[];
  architectures?: string[];
}

export interface PartitionFacts {
  index: number;
  /** GPT type GUID or MBR type byte as "0x83". */
  type: string;
  /** What the type means when we know it: "esp", "linux-root-x86-64", "linux", "ntfs", … */
  kind?: string;
  name?: string;
  firstLba: number;
  lastLba: number;
  bootable?: boolean;
}

export interface PartitionTableFacts {
  scheme: 'gpt' | 'mbr';
  sectorSize: number;
  diskGuid?: string;
  partitions: PartitionFacts[];
  headerCrcOk?: boolean;
  entriesCrcOk?: boolean;
  /** Architectures named by partition types (root/usr GUIDs) or the ESP's default boot loaders. */
  architectures: string[];
  hasEsp: boolean;
  espBootLoaders?: string[];
}

export interface CompressionFacts {
  type: 'gzip' | 'xz' | 'bzip2' | 'zstd';
  originalName?: string;
  /** gzip only: the uncompressed size modulo 2^32 from the trailer. */
  sizeModulo32?: number;
}

export interface OvaDiskFacts {
  /** Tar member name and its data range inside the archive. */
  name: string;
  offset: number;
  size: number;
  /** From the OVF DiskSection when the descriptor names this file. */
  capacity?: number;
  format?: string;
  diskId?: string;
  /** Safety report of the disk read in place through a sub-range source. */
  safety?: SafetyReport;
}

export interface OvaFacts {
  entries: TarEntry[];
  ovfName?: string;
  ovf?: OvfDescriptor;
  disks: OvaDiskFacts[];
  missingFiles: string[];
}

export interface SafetyDetails {
  fileSize: number;
  virtualSize?: number;
  qcow2?: Qcow2Facts;
  qcow?: { version: number };
  qed?: { clusterSize: number; hasBackingFile: boolean };
  vmdk?: VmdkFacts;
  vhd?: VhdFacts;
  vhdx?: VhdxFacts;
  vdi?: VdiFacts;
  iso?: IsoFacts;
  partitionTable?: PartitionTableFacts;
  luks?: { version: number; cipher?: string; payloadOffset?: number };
  legacy?: { format: string; version?: number };
  compression?: CompressionFacts;
  ova?: OvaFacts;
  tar?: { entries: TarEntry[] };
  fatBootSector?: boolean;
}

export interface SafetyReport {
  /** The format qemu-img must be told with `-f` (qemu driver name), or a container name. */
  detected: FormatName | null;
  /** Every detector that matched (qemu driver names). */
  matches: FormatName[];
  /** True when current upstream Glance and oslo.utils accept the file as-is with the suggested
   *  disk_format: no finding has severity "error". */
  safe: boolean;
  findings: Finding[];
  details: SafetyDetails;
  /** How far qemu-img may open the file: "full" (info, check, map), "info-only" (info does not
   *  follow backing files; check and map would), or "none" (hostile structure: never open it). */
  qemuAccess: QemuAccess;
  /** qemuAccess !== "none": qemu-img may open the file (with an explicit -f). */
  qemuSafe: boolean;
}

export type QemuAccess = 'full' | 'info-only' | 'none';

/** What the detectors read through: the file plus cached head and tail (most signatures live
 *  there, so each detector does not reread them). */
export interface Probe {
  src: ByteSource;
  size: number;
  head: Uint8Array;
  tail: Uint8Array;
  /** Offset of `tail[0]` in the file. */
  tailOffset: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface FormatMatch {
  format: FormatName;
  /** What oslo.utils' inspector would call this content, or null when it would not match it
   *  (and would see "raw"). Used for the one-format rule and the declared-format check. */
  glanceView: string | null;
  virtualSize?: number;
  details: Partial<SafetyDetails>;
  findings: Finding[];
  /** How far qemu-img may open it; "full" when absent. */
  qemuAccess?: QemuAccess;
}

export interface Detector {
  format: FormatName;
  detect(p: Probe): Promise<FormatMatch | null>;
}
