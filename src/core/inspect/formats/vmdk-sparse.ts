// The binary layout of a hosted sparse VMDK extent ("KDMV"): its header, the footer a
// streamOptimized export may end with, and the grain directory and tables, read with bounded
// probes so that a crafted header cannot make the inspection read the whole file. The findings
// drawn from them are vmdk.ts's.
import { big64le, hasAscii, isZero, u16le, u32le, u64le } from '../bytes.ts';
import type { Probe } from '../types.ts';

export const GD_AT_END = 0xffffffffffffffffn;
const MARKER_EOS = 0;
const MARKER_FOOTER = 3;

export interface SparseHeader {
  version: number;
  flags: number;
  capacity: number;
  grainSize: number;
  descriptorOffset: number;
  descriptorSize: number;
  numGTEsPerGT: number;
  gdOffset: bigint;
  compressAlgorithm: number;
}

export function parseSparseHeader(b: Uint8Array, o = 0): SparseHeader {
  return {
    version: u32le(b, o + 4),
    flags: u32le(b, o + 8),
    capacity: u64le(b, o + 12),
    grainSize: u64le(b, o + 20),
    descriptorOffset: u64le(b, o + 28),
    descriptorSize: u64le(b, o + 36),
    numGTEsPerGT: u32le(b, o + 44),
    gdOffset: b.length >= o + 64 ? big64le(b, o + 56) : 0n,
    compressAlgorithm: u16le(b, o + 77),
  };
}

/** oslo.utils' footer rules: the footer repeats the header (same signature, version and
 *  descriptor), does not itself announce a footer, and sits between a footer marker and an
 *  end-of-stream marker. Returns the problems found (empty when consistent). */
export function footerProblems(header: Uint8Array, last1536: Uint8Array): string[] {
  const problems: string[] = [];
  if (last1536.length < 1536) return ['the file is too short to hold a footer'];
  const h = parseSparseHeader(header);
  const f = parseSparseHeader(last1536, 512);
  if (!hasAscii(last1536, 512, 'KDMV')) problems.push('footer signature does not match the header');
  if (h.version !== f.version) problems.push('footer version does not match the header');
  if (h.descriptorOffset !== f.descriptorOffset || h.descriptorSize !== f.descriptorSize) {
    problems.push('footer specifies a different descriptor than the header');
  }
  if (f.gdOffset === GD_AT_END) problems.push('footer indicates another footer');
  const markerOk = (o: number, type: number, valMustBeZero: boolean) =>
    (!valMustBeZero || isZero(last1536, o, o + 8)) &&
    u32le(last1536, o + 8) === 0 &&
    u32le(last1536, o + 12) === type &&
    isZero(last1536, o + 16, o + 512);
  if (!markerOk(0, MARKER_FOOTER, false)) problems.push('footer marker is invalid');
  if (!markerOk(1024, MARKER_EOS, true)) problems.push('end-of-stream marker is invalid');
  return problems;
}

const GT_SPAN_MAX = 4 * 1024 * 1024;

/** Bounded read of the grain directory: where its grain tables end (0 when it cannot be read). */
export async function grainTablesEnd(p: Probe, hdr: SparseHeader, gdSector: bigint, capacity: number): Promise<number> {
  if (gdSector === GD_AT_END || gdSector === 0n || gdSector > BigInt(Number.MAX_SAFE_INTEGER) / 512n) return 0;
  const gd = Number(gdSector) * 512;
  const perGt = hdr.numGTEsPerGT;
  if (!(perGt > 0 && perGt <= 65536 && hdr.grainSize > 0 && Number.isFinite(capacity))) return 0;
  const entries = Math.ceil(capacity / (hdr.grainSize * perGt));
  const bytes = Math.min(entries * 4, 1024 * 1024);
  if (gd + bytes > p.size) return gd + bytes;
  const dir = await p.read(gd, bytes);
  const gts: number[] = [];
  for (let o = 0; o + 4 <= dir.length; o += 4) {
    const gt = u32le(dir, o);
    if (gt !== 0) gts.push(gt * 512);
  }
  if (!gts.length) return 0;
  const gtBytes = perGt * 4;
  const first = Math.min(...gts);
  const last = Math.max(...gts);
  let end = last + gtBytes;
  // The grain tables usually sit together: when they fit in one bounded read, the grains they
  // point to tell whether the data itself is all there.
  if (end <= p.size && end - first <= GT_SPAN_MAX) {
    const span = await p.read(first, end - first);
    const grainBytes = (hdr.flags & (1 << 16)) !== 0 ? 512 : hdr.grainSize * 512;
    for (const gt of gts) {
      for (let o = gt - first; o + 4 <= gt - first + gtBytes && o + 4 <= span.length; o += 4) {
        const grain = u32le(span, o);
        if (grain > 1) end = Math.max(end, grain * 512 + grainBytes);
      }
    }
  }
  return end;
}
