// The inspection core's public surface (pure TypeScript: the page, workers, the CLI and tests
// import it as is).
export { blobSource, bytesSource, subSource, type ByteSource } from './byte-source.ts';
export { inspectSafety, type InspectSafetyOptions } from './safety.ts';
export { finding, hasErrors, printable, type Finding, type Severity } from './findings.ts';
export { FINDING_CODES, type FindingCodeInfo } from './finding-codes.ts';
export { acceptedDeclaredFormats, glanceDiskFormatFor, GLANCE_DISK_FORMATS, qemuDriverFor } from './glance-formats.ts';
export { suggestProperties, type PropertyFacts, type SuggestedProperties } from './properties.ts';
export { checkFindings, summariseCheck, summariseMap, type AllocationSummary, type CheckSummary, type QemuRun } from './qemu-check.ts';
export {
  adapterTypeOf,
  extentFileNames,
  missingExtents,
  parseVmdkDescriptor,
  decodeDescriptor,
  VMDK_DESCRIPTOR_MAX,
  type VmdkDescriptor,
  type VmdkExtent,
} from './vmdk-descriptor.ts';
export { listTar, isTarHeader, type TarEntry, type TarListing } from './tar.ts';
export { parseOvf, type OvfDescriptor, type OvfDisk } from './ovf.ts';
export type { FormatName, QemuAccess, SafetyDetails, SafetyReport } from './types.ts';
