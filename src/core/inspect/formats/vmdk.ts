// VMDK in its three shapes: a hosted sparse extent ("KDMV") with an embedded descriptor
// (monolithicSparse, streamOptimized with or without footer), a text descriptor file (flat and
// split layouts), and an ESX "COWD" extent. Checks mirror oslo.utils' VMDKInspector. The sparse
// extent's header, footer and grain tables are read in vmdk-sparse.ts.
import { hasAscii, u32le, u64le } from '../bytes.ts';
import { finding, FIX_CONVERT, type Finding } from '../findings.ts';
import type { Detector, FormatMatch, Probe, QemuAccess, VmdkFacts } from '../types.ts';
import {
  adapterTypeOf,
  decodeDescriptor,
  extentFileNames,
  hwVersionOf,
  isAllowedCreateType,
  parseVmdkDescriptor,
  VMDK_DESCRIPTOR_MAX,
  type VmdkDescriptor,
} from '../vmdk-descriptor.ts';
import { footerProblems, GD_AT_END, grainTablesEnd, parseSparseHeader } from './vmdk-sparse.ts';

function descriptorFindings(d: VmdkDescriptor, facts: VmdkFacts): { findings: Finding[]; access: QemuAccess } {
  const findings: Finding[] = [];
  let access: QemuAccess = 'full';
  if (d.nonAscii) {
    findings.push(
      finding('vmdk.descriptor-invalid', 'error', 'The VMDK descriptor contains non-ASCII bytes; Glance refuses it.', FIX_CONVERT),
    );
  }
  if (!isAllowedCreateType(d.createType)) {
    const type = d.createType ?? 'none';
    // Never advise selecting files outside the descriptor's folder.
    const files = facts.externalFiles.filter((f) => !f.includes('/'));
    findings.push(
      finding(
        'vmdk.create-type',
        'error',
        d.createType
          ? `VMDK createType "${type}" is not one Glance accepts (only monolithicSparse and streamOptimized).`
          : 'The VMDK descriptor names no createType; Glance refuses it.',
        files.length
          ? `Convert it to a single-file image (qcow2, or a streamOptimized VMDK); select the descriptor together with its extent files (${files.join(', ')}) so the conversion can read them.`
          : FIX_CONVERT,
        { createType: type },
      ),
    );
  }
  if (d.unknownLines.length) {
    access = 'none';
    findings.push(
      finding(
        'vmdk.descriptor-line',
        'error',
        `The VMDK descriptor contains a line that is neither a comment, a setting, a ddb entry nor an extent: "${d.unknownLines[0]}". Glance refuses descriptors it cannot fully understand.`,
        'Do not upload this file as it is; if you trust its source, convert it to qcow2 after fixing the descriptor.',
        { line: d.unknownLines[0]! },
      ),
    );
  }
  if (d.unsafeExtentLines.length) {
    access = 'none';
    findings.push(
      finding(
        'vmdk.extent-path',
        'error',
        `A VMDK extent names a path outside the image's own directory (${d.unsafeExtentLines[0]}); reading it could expose other files of the machine that opens it.`,
        'Do not upload this file. If it is yours, rewrite the extent lines with plain file names and select those files alongside.',
        { line: d.unsafeExtentLines[0]! },
      ),
    );
  }
  if (d.extents.length === 0) {
    access = 'none';
    findings.push(
      finding(
        'vmdk.no-extents',
        'error',
        'The VMDK descriptor lists no extents (no data files), which Glance refuses and qemu-img cannot open.',
        'Do not upload this file; export the disk again from its source.',
      ),
    );
  }
  return { findings, access };
}

function factsFrom(d: VmdkDescriptor, variant: VmdkFacts['variant'], descriptorBytes: number): VmdkFacts {
  const facts: VmdkFacts = {
    variant,
    extents: d.extents.map(({ line: _l, ...e }) => e),
    externalFiles: variant === 'descriptor' ? extentFileNames(d) : [],
    ddb: d.ddb,
    descriptorBytes,
  };
  if (d.createType !== undefined) facts.createType = d.createType;
  const adapter = adapterTypeOf(d);
  if (adapter !== undefined) facts.adapterType = adapter;
  const hw = hwVersionOf(d);
  if (hw !== undefined) facts.hwVersion = hw;
  return facts;
}

function isTextBlock(b: Uint8Array): boolean {
  for (const c of b) {
    if (c === 0) return false;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0b && c !== 0x0c) return false;
    if (c > 0x7e) return false;
  }
  return b.length > 0;
}

async function detectSparse(p: Probe): Promise<FormatMatch> {
  const hdr = parseSparseHeader(p.head);
  const findings: Finding[] = [];
  let access: QemuAccess = 'full';
  const vmdk: VmdkFacts = { variant: 'sparse', version: hdr.version, extents: [], externalFiles: [], ddb: {} };
  vmdk.compressed = (hdr.flags & (1 << 16)) !== 0;
  let capacity = hdr.capacity;

  if (![1, 2, 3].includes(hdr.version)) {
    access = 'none';
    findings.push(
      finding('vmdk.version', 'error', `VMDK sparse header version ${hdr.version} is not supported.`, FIX_CONVERT, {
        version: hdr.version,
      }),
    );
  }
  if (hdr.gdOffset === GD_AT_END) {
    vmdk.hasFooter = true;
    const problems = footerProblems(p.head.subarray(0, 512), p.tail.subarray(p.tail.length - 1536));
    if (problems.length) {
      access = 'none';
      findings.push(
        finding(
          'vmdk.footer-mismatch',
          'error',
          `The VMDK announces a footer at its end, but ${problems.join('; ')}. Glance refuses an inconsistent footer (it could hide different metadata).`,
          'Export the disk again from its source (a streamOptimized VMDK must end with a footer that repeats its header).',
          { problem: problems[0]! },
        ),
      );
    } else {
      const footerCapacity = u64le(p.tail, p.tail.length - 1536 + 512 + 12);
      if (Number.isFinite(footerCapacity)) capacity = footerCapacity;
      findings.push(
        finding(
          'vmdk.footer',
          'info',
          'This VMDK ends with a footer (as streamOptimized exports from VMware do), consistent with its header. Current Glance accepts it; Glance releases before the fix for LP 2073262 refused every VMDK with a footer.',
          'Nothing to do; if your cloud runs an older Glance, convert it to a VMDK without footer or to qcow2.',
        ),
      );
    }
  }
  if (hdr.descriptorOffset * 512 !== 0x200) {
    access = 'none';
    findings.push(
      finding(
        'vmdk.descriptor-location',
        'error',
        `The VMDK descriptor is not where it must be (sector ${hdr.descriptorOffset} instead of 1); Glance refuses it ("Wrong descriptor location").`,
        FIX_CONVERT,
        { sector: Number.isFinite(hdr.descriptorOffset) ? hdr.descriptorOffset : -1 },
      ),
    );
  } else {
    const len = Math.min(Number.isFinite(hdr.descriptorSize) ? hdr.descriptorSize * 512 : VMDK_DESCRIPTOR_MAX, VMDK_DESCRIPTOR_MAX);
    const bytes = await p.read(0x200, len);
    const { text, nonAscii } = decodeDescriptor(bytes);
    const d = parseVmdkDescriptor(text, nonAscii);
    Object.assign(vmdk, factsFrom(d, 'sparse', bytes.length), { version: hdr.version, compressed: vmdk.compressed });
    if (!d.createType && d.extents.length === 0 && Object.keys(d.header).length === 0 && d.unknownLines.length === 0) {
      // The sparse extents of a split VMDK (twoGbMaxExtentSparse) carry an empty descriptor.
      access = 'none';
      findings.push(
        finding(
          'vmdk.extent-file',
          'error',
          'This file is one extent (a data part) of a multi-file VMDK: its own descriptor is empty, so it is not a disk image by itself.',
          'Select the VMDK descriptor (the small .vmdk text file) together with all its extent files, then convert them to a single image.',
        ),
      );
    } else {
      const r = descriptorFindings(d, vmdk);
      findings.push(...r.findings);
      if (r.access === 'none') access = 'none';
    }
    if (bytes.length < len) {
      findings.push(
        finding(
          'image.truncated',
          'error',
          `The file ends inside its own VMDK descriptor (${p.size} bytes): it was cut short.`,
          'Get the complete file again (compare its checksum) and inspect it anew.',
          { fileSize: p.size, needed: 0x200 + len },
        ),
      );
    }
  }
  // Grain directory or grain tables past the end of file = a truncated copy.
  const gdSector = hdr.gdOffset === GD_AT_END ? parseSparseHeader(p.tail, p.tail.length - 1024).gdOffset : hdr.gdOffset;
  const needed = await grainTablesEnd(p, hdr, gdSector, capacity);
  if (needed > p.size) {
    findings.push(
      finding(
        'image.truncated',
        'error',
        `The file is ${p.size} bytes but its grain tables extend to byte ${needed}: it was cut short.`,
        'Get the complete file again (compare its checksum) and inspect it anew.',
        { fileSize: p.size, needed },
      ),
    );
  }
  return {
    format: 'vmdk',
    glanceView: 'vmdk',
    virtualSize: capacity * 512,
    details: { vmdk },
    findings,
    qemuAccess: access,
  };
}

async function detectDescriptorFile(p: Probe): Promise<FormatMatch | null> {
  // qemu pads the descriptor files it writes with NULs to a whole sector; oslo.utils requires
  // the first 512 bytes to be text without NULs, so to Glance a padded descriptor is raw data.
  const first = p.head.subarray(0, Math.min(512, p.size));
  const nul = first.indexOf(0);
  const textEnd = nul < 0 ? first.length : nul;
  if (!isTextBlock(first.subarray(0, textEnd)) || !first.subarray(textEnd).every((c) => c === 0)) return null;
  const bytes =
    p.size <= p.head.length && p.size <= VMDK_DESCRIPTOR_MAX
      ? p.head.subarray(0, p.size)
      : await p.read(0, Math.min(p.size, VMDK_DESCRIPTOR_MAX));
  const { text, nonAscii } = decodeDescriptor(bytes);
  if (!/createtype="/i.test(text)) return null;
  const d = parseVmdkDescriptor(text, nonAscii);
  const vmdk = factsFrom(d, 'descriptor', bytes.length);
  const r = descriptorFindings(d, vmdk);
  const sectors = d.extents.reduce((s, e) => s + (Number.isFinite(e.sectors) ? e.sectors : 0), 0);
  const findings = r.findings;
  if (vmdk.externalFiles.length && !d.unsafeExtentLines.length) {
    findings.push(
      finding(
        'vmdk.multi-file',
        'info',
        `This is a VMDK descriptor; the disk's data lives in ${vmdk.externalFiles.length === 1 ? 'the file' : 'the files'} ${vmdk.externalFiles.join(', ')}, which must be selected with it.`,
        'Select the descriptor together with its extent files (or their folder).',
        { files: vmdk.externalFiles.join(', ') },
      ),
    );
  }
  return {
    format: 'vmdk',
    glanceView: nul < 0 ? 'vmdk' : null,
    virtualSize: sectors * 512,
    details: { vmdk },
    findings,
    qemuAccess: r.access,
  };
}

export const vmdkDetector: Detector = {
  format: 'vmdk',
  async detect(p) {
    if (hasAscii(p.head, 0, 'KDMV') && p.head.length >= 512) return detectSparse(p);
    if (hasAscii(p.head, 0, 'COWD') && p.head.length >= 512) {
      return {
        format: 'vmdk',
        glanceView: null,
        virtualSize: u32le(p.head, 12) * 512,
        details: { vmdk: { variant: 'cowd', createType: 'vmfsSparse', extents: [], externalFiles: [], ddb: {} } },
        findings: [
          finding(
            'vmdk.create-type',
            'error',
            'This is an ESX vmfsSparse (COWD) extent, a VMDK layout Glance does not accept.',
            FIX_CONVERT,
            { createType: 'vmfsSparse' },
          ),
        ],
      };
    }
    return detectDescriptorFile(p);
  },
};
