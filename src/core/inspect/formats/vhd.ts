// Microsoft VHD (qemu "vpc"), VHDX and VirtualBox VDI.
import { asciiField, guid, hasAscii, isZero, u16be, u16le, u32be, u32le, u64be, u64le } from '../bytes.ts';
import { finding, FIX_CONVERT, type Finding } from '../findings.ts';
import type { Detector, FormatMatch, VdiFacts, VhdFacts, VhdxFacts } from '../types.ts';

const TRUNCATED_FIX = 'Get the complete file again (compare its checksum) and inspect it anew.';
const VHD_MAX_GEOMETRY = 65535 * 16 * 255;

function vhdChecksumOk(f: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) if (i < 64 || i >= 68) sum = (sum + f[i]!) >>> 0;
  return ~sum >>> 0 === u32be(f, 64);
}

/** Virtual size the way qemu's vpc driver computes it: CHS geometry for Virtual PC and old qemu
 *  images, the footer's current size for Hyper-V, disk2vhd, XenServer and newer qemu. */
export function vhdVirtualSize(f: Uint8Array): number {
  const chs = u16be(f, 56) * f[58]! * f[59]!;
  const rawApp = String.fromCharCode(...f.subarray(28, 32));
  const useChs = !['win ', 'qem2', 'd2v ', 'CTXS', 'tap\0'].includes(rawApp);
  if (!useChs || chs === VHD_MAX_GEOMETRY) return Math.floor(u64be(f, 48) / 512) * 512;
  return chs * 512;
}

export const vpcDetector: Detector = {
  format: 'vpc',
  async detect(p) {
    const atStart = hasAscii(p.head, 0, 'conectix') && p.head.length >= 512;
    const tail = p.tail.subarray(p.tail.length - 512);
    const atEnd = p.size >= 512 && hasAscii(tail, 0, 'conectix');
    if (!atStart && !atEnd) return null;
    const footer = atEnd ? tail : p.head.subarray(0, 512);
    const typeCode = u32be(footer, 60);
    const diskType = typeCode === 2 ? 'fixed' : typeCode === 3 ? 'dynamic' : typeCode === 4 ? 'differencing' : 'unknown';
    const vhd: VhdFacts = {
      diskType,
      headerCopyAtStart: atStart,
      creatorApp: asciiField(footer, 28, 4),
      creatorHostOs: asciiField(footer, 36, 4),
      currentSize: u64be(footer, 48),
      checksumOk: vhdChecksumOk(footer),
    };
    const findings: Finding[] = [];
    if (diskType === 'differencing') {
      findings.push(
        finding(
          'vhd.differencing',
          'error',
          'This is a differencing VHD: it only holds changes against a parent disk, which Glance cannot follow.',
          'Merge it with its parent (convert the chain to a single qcow2 or VHD).',
        ),
      );
    }
    if (!vhd.checksumOk) {
      findings.push(
        finding(
          'vhd.checksum',
          'warning',
          'The VHD footer checksum is wrong; the footer may be damaged.',
          'Convert it to qcow2 or raw, which rewrites the metadata.',
        ),
      );
    }
    if (atStart && !atEnd) {
      findings.push(
        finding('image.truncated', 'error', 'The VHD footer that must close the file is missing: the file was cut short.', TRUNCATED_FIX, {
          fileSize: p.size,
          needed: p.size + 512,
        }),
      );
    }
    if (!atStart) {
      // oslo.utils only looks for the signature at offset 0, so Glance sees a fixed VHD as raw
      // data (or as the partition table inside) and refuses disk_format=vhd for it.
      findings.push(
        finding(
          'vhd.fixed',
          'info',
          'This is a fixed-size VHD: raw disk data followed by a 512-byte footer. Glance recognises VHD only by the copy of the footer that dynamic VHDs keep at the start, so it takes this file as raw data; upload it with disk_format=raw (the footer is harmless) or convert it to a dynamic VHD or qcow2.',
          'Upload as disk_format=raw, or convert it.',
        ),
      );
    }
    if (diskType === 'dynamic' && atStart) {
      const dataOffset = u64be(footer, 16);
      const dyn = Number.isFinite(dataOffset) ? await p.read(dataOffset, 1024) : new Uint8Array(0);
      if (!hasAscii(dyn, 0, 'cxsparse')) {
        findings.push(finding('vhd.invalid', 'error', 'The dynamic VHD header (cxsparse) is missing or unreadable.', FIX_CONVERT));
      } else {
        const batEnd = u64be(dyn, 16) + u32be(dyn, 28) * 4;
        if (batEnd > p.size) {
          findings.push(
            finding(
              'image.truncated',
              'error',
              `The file is ${p.size} bytes but its block table extends to byte ${batEnd}: it was cut short.`,
              TRUNCATED_FIX,
              { fileSize: p.size, needed: batEnd },
            ),
          );
        }
      }
    }
    return {
      format: 'vpc',
      glanceView: atStart ? 'vhd' : null,
      virtualSize: vhdVirtualSize(footer),
      details: { vhd },
      findings,
      qemuAccess: diskType === 'differencing' ? 'info-only' : 'full',
    };
  },
};

const VHDX_METAREGION = '8B7CA206-4790-4B9A-B8FE-575F050F886E';
const VHDX_BAT_REGION = '2DC27766-F623-4200-9D64-115E9BFD4A08';
/** BAT bytes read to find where the payload blocks end (covers 128 Ki blocks). */
const VHDX_BAT_READ_MAX = 1024 * 1024;
const VHDX_FILE_PARAMS = 'CAA16737-FA36-4D43-B3B6-33F0AA44E76B';
const VHDX_VIRTUAL_DISK_SIZE = '2FA54224-CD1B-4876-B211-5DBED83BF4B8';
const VHDX_LOGICAL_SECTOR = '8141BF1D-A96F-4709-BA47-F233A8FAAB5F';
const VHDX_PHYSICAL_SECTOR = 'CDA348C7-445D-4471-9CC9-E9885251C556';
/** qemu and oslo.utils bound the metadata table: a 32-byte header plus up to 2047 entries. */
export const VHDX_METADATA_TABLE_MAX = 32 * 2048;

export const vhdxDetector: Detector = {
  format: 'vhdx',
  async detect(p): Promise<FormatMatch | null> {
    if (!hasAscii(p.head, 0, 'vhdxfile')) return null;
    const findings: Finding[] = [];
    const vhdx: VhdxFacts = { hasParent: false, regionCount: 0, metadataEntries: 0 };
    const invalid = (why: string) => finding('vhdx.invalid', 'error', `The VHDX structure is invalid: ${why}.`, FIX_CONVERT, { why });
    let virtualSize: number | undefined;
    const region = await p.read(0x30000, 64 * 1024);
    if (region.length < 16 || !hasAscii(region, 0, 'regi')) {
      findings.push(
        region.length < 16
          ? finding('image.truncated', 'error', 'The file ends before the VHDX region table: it was cut short.', TRUNCATED_FIX, {
              fileSize: p.size,
              needed: 0x30000 + 16,
            })
          : invalid('region table signature not found'),
      );
      return { format: 'vhdx', glanceView: 'vhdx', details: { vhdx }, findings, qemuAccess: 'none' };
    }
    const count = u32le(region, 8);
    vhdx.regionCount = count;
    if (count >= 2048) {
      findings.push(invalid(`region count ${count} exceeds 2047`));
      return { format: 'vhdx', glanceView: 'vhdx', details: { vhdx }, findings, qemuAccess: 'none' };
    }
    let metaOffset = NaN;
    let batOffset = NaN;
    let batLength = 0;
    for (let i = 0; i < count && 16 + i * 32 + 32 <= region.length; i++) {
      const e = 16 + i * 32;
      const id = guid(region, e);
      if (id === VHDX_METAREGION) metaOffset = u64le(region, e + 16);
      if (id === VHDX_BAT_REGION) {
        batOffset = u64le(region, e + 16);
        batLength = u32le(region, e + 24);
      }
    }
    if (!Number.isFinite(metaOffset)) {
      findings.push(invalid('no metadata region'));
      return { format: 'vhdx', glanceView: 'vhdx', details: { vhdx }, findings, qemuAccess: 'none' };
    }
    const meta = await p.read(metaOffset, VHDX_METADATA_TABLE_MAX);
    if (meta.length < 32 || !hasAscii(meta, 0, 'metadata')) {
      findings.push(
        meta.length < 32
          ? finding('image.truncated', 'error', 'The file ends before the VHDX metadata: it was cut short.', TRUNCATED_FIX, {
              fileSize: p.size,
              needed: metaOffset + 32,
            })
          : invalid('metadata table signature not found'),
      );
      return { format: 'vhdx', glanceView: 'vhdx', details: { vhdx }, findings, qemuAccess: 'none' };
    }
    const entries = u16le(meta, 10);
    vhdx.metadataEntries = entries;
    if (entries >= 2048) findings.push(invalid(`metadata entry count ${entries} exceeds 2047`));
    for (let i = 0; i < Math.min(entries, 2047) && 32 + i * 32 + 32 <= meta.length; i++) {
      const e = 32 + i * 32;
      const id = guid(meta, e);
      const off = metaOffset + u32le(meta, e + 16);
      const len = Math.min(u32le(meta, e + 20), VHDX_METADATA_TABLE_MAX);
      if (id === VHDX_VIRTUAL_DISK_SIZE && len >= 8) virtualSize = u64le(await p.read(off, 8), 0);
      else if (id === VHDX_FILE_PARAMS && len >= 8) {
        const b = await p.read(off, 8);
        vhdx.blockSize = u32le(b, 0);
        vhdx.hasParent = (u32le(b, 4) & 2) !== 0;
      } else if (id === VHDX_LOGICAL_SECTOR && len >= 4) vhdx.logicalSectorSize = u32le(await p.read(off, 4), 0);
      else if (id === VHDX_PHYSICAL_SECTOR && len >= 4) vhdx.physicalSectorSize = u32le(await p.read(off, 4), 0);
    }
    if (virtualSize === undefined || Number.isNaN(virtualSize)) findings.push(invalid('no readable virtual disk size'));
    if (Number.isFinite(batOffset) && vhdx.blockSize) {
      // Payload blocks present (states 6 and 7) sit at whole MiB offsets: the furthest one must
      // lie inside the file, or the copy was cut short.
      // Only the entries the virtual size uses: data blocks plus one sector-bitmap entry per chunk.
      const sector = vhdx.logicalSectorSize ?? 512;
      const dataBlocks = Math.ceil((virtualSize ?? 0) / vhdx.blockSize);
      const chunkRatio = Math.max(1, Math.floor((2 ** 23 * sector) / vhdx.blockSize));
      const entries = dataBlocks + Math.ceil(dataBlocks / chunkRatio);
      const bytes = Math.min(batLength, VHDX_BAT_READ_MAX, entries * 8);
      const bat = await p.read(batOffset, bytes);
      let needed = batOffset + bytes;
      for (let o = 0; o + 8 <= bat.length; o += 8) {
        const v = u64le(bat, o);
        const state = Number.isFinite(v) ? v % 8 : 0;
        if (state === 6 || state === 7) needed = Math.max(needed, Math.floor(v / 2 ** 20) * 2 ** 20 + vhdx.blockSize);
      }
      if (needed > p.size) {
        findings.push(
          finding(
            'image.truncated',
            'error',
            `The file is ${p.size} bytes but its block table points to byte ${needed}: it was cut short.`,
            TRUNCATED_FIX,
            { fileSize: p.size, needed },
          ),
        );
      }
    }
    if (vhdx.hasParent) {
      findings.push(
        finding(
          'vhdx.differencing',
          'error',
          'This is a differencing VHDX: it only holds changes against a parent disk, which Glance cannot follow.',
          'Merge it with its parent (convert the chain to a single qcow2 or VHDX).',
        ),
      );
    }
    const m: FormatMatch = {
      format: 'vhdx',
      glanceView: 'vhdx',
      details: { vhdx },
      findings,
      qemuAccess: vhdx.hasParent ? 'info-only' : 'full',
    };
    if (virtualSize !== undefined && !Number.isNaN(virtualSize)) m.virtualSize = virtualSize;
    return m;
  },
};

const VDI_TYPES: Record<number, VdiFacts['imageType']> = { 1: 'dynamic', 2: 'fixed', 3: 'undo', 4: 'diff' };

export const vdiDetector: Detector = {
  format: 'vdi',
  async detect(p) {
    const h = p.head;
    if (h.length < 512 || u32le(h, 0x40) !== 0xbeda107f) return null;
    const version = u32le(h, 0x44);
    const imageType = VDI_TYPES[u32le(h, 0x4c)] ?? 'unknown';
    const blocks = u32le(h, 0x180);
    const blockSize = u32le(h, 0x178);
    const vdi: VdiFacts = {
      version: `${version >>> 16}.${version & 0xffff}`,
      imageType,
      blockSize,
      blocks,
      blocksAllocated: u32le(h, 0x184),
      hasParent: imageType === 'diff' || !isZero(h, 0x1b8, 0x1c8),
    };
    const findings: Finding[] = [];
    if (vdi.hasParent) {
      findings.push(
        finding(
          'vdi.differencing',
          'error',
          'This VDI is a differencing image that depends on a parent disk, which Glance cannot follow.',
          'Merge it with its parent (clone the disk in VirtualBox or convert the chain) first.',
        ),
      );
    }
    const bmapOffset = u32le(h, 0x154);
    const dataOffset = u32le(h, 0x158);
    const bmapEnd = bmapOffset + blocks * 4;
    let dataEnd = imageType === 'fixed' ? dataOffset + blocks * blockSize : 0;
    if (imageType === 'dynamic' && bmapEnd <= p.size && blocks * 4 <= 1024 * 1024 && blockSize > 0) {
      // Allocated blocks are stored in the order written: the highest index says where data ends.
      const bmap = await p.read(bmapOffset, blocks * 4);
      let highest = -1;
      for (let o = 0; o + 4 <= bmap.length; o += 4) {
        const v = u32le(bmap, o);
        if (v < 0xfffffffe) highest = Math.max(highest, v);
      }
      if (highest >= 0) dataEnd = dataOffset + (highest + 1) * blockSize;
    }
    const needed = Math.max(bmapEnd, dataEnd);
    if (needed > p.size) {
      findings.push(
        finding(
          'image.truncated',
          'error',
          `The file is ${p.size} bytes but its own tables extend to byte ${needed}: it was cut short.`,
          TRUNCATED_FIX,
          { fileSize: p.size, needed },
        ),
      );
    }
    return { format: 'vdi', glanceView: 'vdi', virtualSize: u64le(h, 0x170), details: { vdi }, findings } satisfies FormatMatch;
  },
};
