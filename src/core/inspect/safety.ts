// The safety verdict: run every detector on bounded reads, then apply the rules Glance and
// oslo.utils apply before accepting an upload — one format only (ISO+GPT hybrids count as iso),
// declared format equals detected, and each format's own checks — plus truncation, containers
// (compressed files, OVA) and formats Glance does not take as-is.
import { subSource, type ByteSource } from './byte-source.ts';
import { finding, hasErrors, type Finding } from './findings.ts';
import { multipleFormatsFinding, notADiskFinding } from './disk-shape.ts';
import { acceptedDeclaredFormats, glanceDiskFormatFor } from './glance-formats.ts';
import { bzip2Detector, gzipDetector, xzDetector, zstdDetector } from './formats/compression.ts';
import { isoDetector } from './formats/iso.ts';
import { bochsDetector, cloopDetector, dmgDetector, luksDetector, parallelsDetector } from './formats/legacy.ts';
import { partitionDetector } from './formats/partitions.ts';
import { qcowDetector, qedDetector } from './formats/qcow.ts';
import { vdiDetector, vhdxDetector, vpcDetector } from './formats/vhd.ts';
import { vmdkDetector } from './formats/vmdk.ts';
import { parseOvf, OVF_MAX_BYTES } from './ovf.ts';
import { isTarHeader, listTar } from './tar.ts';
import type { Detector, FormatMatch, FormatName, OvaFacts, Probe, QemuAccess, SafetyDetails, SafetyReport } from './types.ts';

export const HEAD_BYTES = 64 * 1024;
export const TAIL_BYTES = 1536;

export const DETECTORS: readonly Detector[] = [
  qcowDetector,
  qedDetector,
  vmdkDetector,
  vpcDetector,
  vhdxDetector,
  vdiDetector,
  isoDetector,
  partitionDetector,
  luksDetector,
  parallelsDetector,
  bochsDetector,
  cloopDetector,
  dmgDetector,
  gzipDetector,
  xzDetector,
  bzip2Detector,
  zstdDetector,
];

/** Which match names the file when several do: containers, then formats with a header at the
 *  start, then trailer-only formats (whose data may itself hold a partition table), then
 *  content (ISO, partition tables). */
const PRIORITY: FormatName[] = [
  'gzip',
  'xz',
  'bzip2',
  'zstd',
  'ova',
  'tar',
  'qcow2',
  'qcow',
  'qed',
  'vmdk',
  'vhdx',
  'vdi',
  'luks',
  'parallels',
  'bochs',
  'cloop',
  'vpc',
  'dmg',
  'iso',
  'gpt',
  'mbr',
];
const TRAILER_ONLY = (m: FormatMatch) => m.format === 'dmg' || (m.format === 'vpc' && m.glanceView === null);
const CONTENT: FormatName[] = ['iso', 'gpt', 'mbr'];

export async function makeProbe(src: ByteSource): Promise<Probe> {
  const head = await src.read(0, Math.min(HEAD_BYTES, src.size));
  const tailOffset = Math.max(0, src.size - TAIL_BYTES);
  const tail = src.size <= HEAD_BYTES ? head.subarray(tailOffset) : await src.read(tailOffset, src.size - tailOffset);
  // Detectors often re-read what the head already holds (descriptors, tables near the start).
  const read = (o: number, l: number) =>
    o >= 0 && l >= 0 && o + l <= head.length ? Promise.resolve(head.slice(o, o + l)) : src.read(o, l);
  return { src, size: src.size, head, tail, tailOffset, read };
}

export interface InspectSafetyOptions {
  /** The disk_format the user means to declare to Glance (checked against the content). */
  declaredFormat?: string;
  /** Nesting depth (an OVA's disks are inspected one level down; nothing deeper). */
  depth?: number;
}

export async function inspectSafety(src: ByteSource, opts: InspectSafetyOptions = {}): Promise<SafetyReport> {
  const p = await makeProbe(src);
  const findings: Finding[] = [];
  const details: SafetyDetails = { fileSize: src.size };
  const matches: FormatMatch[] = [];
  for (const d of DETECTORS) {
    try {
      const m = await d.detect(p);
      if (m) matches.push(m);
    } catch (e) {
      // A detector must never take the page down; an unreadable structure is itself a finding.
      findings.push(
        finding(
          'inspect.detector-failed',
          'error',
          `The ${d.format} check could not read this file: ${e instanceof Error ? e.message : String(e)}.`,
          'Do not upload this file as it is; convert it if you trust its source.',
          { format: d.format },
        ),
      );
    }
  }
  if (isTarHeader(p.head.subarray(0, 512))) matches.push(await tarMatch(src, opts.depth ?? 0));

  for (const m of matches) {
    Object.assign(details, m.details);
    findings.push(...m.findings);
  }
  matches.sort((a, b) => PRIORITY.indexOf(a.format) - PRIORITY.indexOf(b.format));
  const primary = matches[0];
  const detected: FormatName = primary?.format ?? 'raw';
  if (primary?.virtualSize !== undefined && Number.isFinite(primary.virtualSize)) details.virtualSize = primary.virtualSize;
  else if (!primary || CONTENT.includes(primary.format)) details.virtualSize = src.size;

  // One format only, as oslo.utils sees the content: formats it does not know (null view) are
  // raw to it; a trailer-only format's data legitimately starts with a partition table.
  const views = new Set(matches.filter((m) => m.glanceView !== null && !TRAILER_ONLY(m)).map((m) => m.glanceView!));
  if (views.has('iso') && views.has('gpt')) {
    views.delete('gpt');
    findings.push(
      finding(
        'iso.hybrid',
        'info',
        'This is a hybrid ISO: an ISO 9660 image that also carries a partition table so it can boot from a USB stick. Glance counts it as iso (LP 2127789).',
        'Upload it with disk_format=iso.',
      ),
    );
    // The partition table's own verdict does not apply to an ISO (its MBR is the isohybrid one).
    for (let i = findings.length - 1; i >= 0; i--)
      if (/^(gpt|mbr)\./.test(findings[i]!.code) && findings[i]!.severity === 'error') findings.splice(i, 1);
  }
  const glanceView = views.size === 1 ? [...views][0]! : views.size === 0 ? 'raw' : null;
  if (views.size > 1) {
    // the header format's own complaints (tables past the end: "cut short") are a consequence
    // of the polyglot, not an incomplete download
    for (let i = findings.length - 1; i >= 0; i--) if (findings[i]!.code === 'image.truncated') findings.splice(i, 1);
    findings.push(multipleFormatsFinding([...views]));
  }

  const suggestedDiskFormat = glanceDiskFormatFor(detected, details);
  if (opts.declaredFormat && glanceView !== null) {
    const declared = opts.declaredFormat.toLowerCase();
    if (!acceptedDeclaredFormats(glanceView).includes(declared)) {
      findings.push(
        finding(
          'format.mismatch',
          'error',
          `You declared disk_format=${declared}, but the content is ${glanceView === 'raw' ? 'raw data' : glanceView}${detected !== glanceView && glanceView === 'raw' ? ` (as Glance sees it; it is ${detected})` : ''}; Glance refuses uploads whose content does not match the declared format.`,
          suggestedDiskFormat ? `Declare disk_format=${suggestedDiskFormat} instead.` : 'Convert it to the declared format first.',
          { declared, detected: glanceView, ...(suggestedDiskFormat ? { suggested: suggestedDiskFormat } : {}) },
        ),
      );
    }
  }
  if (!primary) {
    const notADisk = await notADiskFinding(p);
    if (notADisk) findings.push(notADisk);
  }
  if (!primary && src.size === 0) {
    findings.push(
      finding(
        'image.empty',
        'warning',
        'The file is empty: Glance would store it, but no VM can boot from it.',
        'Choose the image file itself.',
      ),
    );
  }

  const order: QemuAccess[] = ['none', 'info-only', 'full'];
  let qemuAccess: QemuAccess = matches.reduce<QemuAccess>(
    (acc, m) => (order.indexOf(m.qemuAccess ?? 'full') < order.indexOf(acc) ? (m.qemuAccess ?? 'full') : acc),
    'full',
  );
  if (views.size > 1 || findings.some((f) => f.code === 'inspect.detector-failed')) qemuAccess = 'none';

  return {
    detected,
    matches: matches.map((m) => m.format),
    safe: !hasErrors(findings),
    findings: dedupe(findings),
    details,
    qemuAccess,
    qemuSafe: qemuAccess !== 'none',
  };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.code}\u0000${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const DISK_EXT = /\.(vmdk|vhd|vhdx|qcow2|img|raw|iso|vdi)$/i;

async function tarMatch(src: ByteSource, depth: number): Promise<FormatMatch> {
  const listing = await listTar(src);
  const findings = [];
  if (listing.problem) {
    findings.push(
      finding(
        'tar.invalid',
        'error',
        `The archive is damaged or cut short: ${listing.problem}.`,
        'Get the complete file again (compare its checksum) and inspect it anew.',
        { problem: listing.problem },
      ),
    );
  }
  const ovfEntry = listing.entries.find((e) => e.type === 'file' && /\.ovf$/i.test(e.name));
  if (!ovfEntry) {
    findings.push(
      finding(
        'container.tar',
        'error',
        'This is a tar archive, not a disk image; Glance stores it as opaque data.',
        'Extract the disk image from it and inspect that.',
      ),
    );
    return { format: 'tar', glanceView: null, details: { tar: { entries: listing.entries } }, findings, qemuAccess: 'none' };
  }
  const ova: OvaFacts = { entries: listing.entries, ovfName: ovfEntry.name, disks: [], missingFiles: [] };
  if (ovfEntry.size <= OVF_MAX_BYTES) {
    const xml = new TextDecoder().decode(await src.read(ovfEntry.offset, ovfEntry.size));
    ova.ovf = parseOvf(xml);
  } else {
    findings.push(
      finding(
        'ova.ovf-too-large',
        'warning',
        `The OVF descriptor is larger than ${OVF_MAX_BYTES} bytes and was not read.`,
        'Set CPU, memory and OS properties by hand.',
      ),
    );
  }
  const byName = new Map(listing.entries.map((e) => [e.name.replace(/^\.\//, ''), e]));
  const diskNames = new Set<string>();
  for (const disk of ova.ovf?.disks ?? []) {
    const file = ova.ovf?.files.find((f) => f.id === disk.fileRef);
    if (!file) continue;
    if (byName.has(file.href)) diskNames.add(file.href);
    else ova.missingFiles.push(file.href);
  }
  if (!ova.ovf?.disks.length)
    for (const e of listing.entries) if (e.type === 'file' && DISK_EXT.test(e.name)) diskNames.add(e.name.replace(/^\.\//, ''));
  for (const name of diskNames) {
    const e = byName.get(name)!;
    const ovfDisk = ova.ovf?.disks.find((d) => ova.ovf?.files.find((f) => f.id === d.fileRef)?.href === name);
    const disk: OvaFacts['disks'][number] = { name, offset: e.offset, size: e.size };
    if (ovfDisk?.capacity !== undefined) disk.capacity = ovfDisk.capacity;
    if (ovfDisk?.format) disk.format = ovfDisk.format;
    if (ovfDisk?.diskId) disk.diskId = ovfDisk.diskId;
    if (depth === 0 && e.offset + e.size <= src.size) {
      disk.safety = await inspectSafety(subSource(src, e.offset, e.size, `${src.name}!${name}`), { depth: 1 });
    }
    ova.disks.push(disk);
  }
  if (ova.missingFiles.length) {
    findings.push(
      finding(
        'ova.missing-file',
        'error',
        `The OVF descriptor names files the archive does not contain: ${ova.missingFiles.join(', ')}.`,
        'Export the appliance again, or provide the missing disk files.',
        { files: ova.missingFiles.join(', ') },
      ),
    );
  }
  if (ova.disks.length === 0) {
    findings.push(finding('ova.no-disk', 'error', 'The OVA contains no disk image.', 'Export the appliance again with its disks.'));
  }
  for (const d of ova.disks) {
    for (const f of d.safety?.findings ?? []) if (f.severity === 'error') findings.push({ ...f, message: `${d.name}: ${f.message}` });
  }
  // Glance inspects content only for container_format=bare: an OVA is stored as it is, so what
  // matters is the disk inside (its errors above make the verdict unsafe) and who can boot it.
  findings.push(
    finding(
      'container.ova',
      'warning',
      `This is an OVA appliance (a tar archive holding ${ova.disks.length === 1 ? 'one disk' : `${ova.disks.length} disks`}). Glance stores it as-is with container_format=ova without checking its content; only clouds that unpack OVAs on import (the ovf_process plugin) or whose compute driver reads OVAs can boot it.`,
      ova.disks.length
        ? `For any cloud, upload the disk inside instead (${ova.disks.map((d) => d.name).join(', ')}) as disk_format=vmdk, container_format=bare: image-inspector reads it in place from the OVA, without unpacking.`
        : 'Export the appliance again with its disks.',
      { disks: ova.disks.map((d) => d.name).join(', ') },
    ),
  );
  const first = ova.disks[0]?.safety;
  const m: FormatMatch = { format: 'ova', glanceView: null, details: { ova }, findings, qemuAccess: 'none' };
  const vs = first?.details.virtualSize ?? ova.disks[0]?.capacity;
  if (vs !== undefined) m.virtualSize = vs;
  return m;
}
