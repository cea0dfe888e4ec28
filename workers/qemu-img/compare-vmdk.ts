// The output of a conversion as qemu sees it when it knows where the holes are: a VMDK descriptor
// whose FLAT extents are the output file's written data ranges and whose other extents are empty
// hosted-sparse VMDKs (unallocated everywhere, so reading them costs nothing and block status says
// "hole"). One `qemu-img compare` of the source against that descriptor then reads only the data
// either side has, in one run, however many runs of data there are — instead of one run per window
// (each a fresh instance) or a plain compare that reads every zero of a raw output.
//
// Honest for the same reason as the window compare (compare.ts): the output file was created empty
// by the conversion and only the written ranges can hold anything but zeros; every written byte is
// read and compared. Why the empty extents are split into power-of-two pieces: QEMU's vmdk block
// status does not clamp its answer to the extent's end when an extent is smaller than one grain
// (it would swallow the next FLAT extent — seen with qemu-img 7.2 and 10.2), so each piece is
// exactly one grain (up to 1 GiB) or a whole number of 1 GiB grains.

/** [guest start, output file offset, length] of a piece of the output's written data. */
export type DataPiece = [number, number, number];

export interface HoleImage {
  /** Name of the descriptor among `files`: open it with driver=vmdk. */
  descriptor: string;
  /** Files to place side by side in one directory (the descriptor names the others relatively). */
  files: Array<{ name: string; data: Uint8Array }>;
  /** FLAT and empty extents in the descriptor. */
  extents: number;
}

const SECTOR = 512;
/** QEMU's largest VMDK grain (vmdk_add_extent refuses more): 2^21 sectors, 1 GiB. */
const MAX_GRAIN_BITS = 21;
/** vmdk_read_desc reads at most 1 MiB - 1 of a descriptor. */
const MAX_DESCRIPTOR = (1 << 20) - 1;
/** sscanf's %511[^\n\r"] in vmdk_parse_extents. */
const MAX_NAME = 511;

/** An empty hosted-sparse VMDK of 2^bits sectors: header, a zeroed grain directory, no grains. */
export function emptySparseExtent(bits: number): Uint8Array {
  const capacity = 2 ** bits;
  const granularity = 2 ** Math.min(bits, MAX_GRAIN_BITS);
  const gtes = 512;
  const l1 = Math.ceil(capacity / (granularity * gtes));
  const gdOffset = 1;
  const grainOffset = gdOffset + Math.ceil((l1 * 4) / SECTOR);
  const out = new Uint8Array(grainOffset * SECTOR);
  const v = new DataView(out.buffer);
  out.set([0x4b, 0x44, 0x4d, 0x56]); // "KDMV"
  v.setUint32(4, 1, true); // version
  v.setUint32(8, 0, true); // flags: no redundant grain directory
  v.setBigUint64(12, BigInt(capacity), true);
  v.setBigUint64(20, BigInt(granularity), true);
  // desc_offset, desc_size: 0 (the descriptor is ours)
  v.setUint32(44, gtes, true);
  // rgd_offset 0
  v.setBigUint64(56, BigInt(gdOffset), true);
  v.setBigUint64(64, BigInt(grainOffset), true);
  out.set([0x0a, 0x20, 0x0d, 0x0a], 73); // check bytes after the 1-byte filler
  return out;
}

/** The holes' extents: one per set bit of the hole's sector count, largest first. */
function holeBits(sectors: number): number[] {
  const bits: number[] = [];
  for (let b = 52; b >= 0; b--) if (Math.floor(sectors / 2 ** b) % 2 === 1) bits.push(b);
  return bits;
}

const quotable = (name: string) => name.length <= MAX_NAME && !/["\n\r]/.test(name);

/** The descriptor for an output of `size` bytes whose only data are `pieces` (in `outputFile`,
 *  named as the descriptor's directory resolves it), or why it cannot be written. */
export function holeImage(outputFile: string, size: number, pieces: DataPiece[], prefix: string): HoleImage | { unusable: string } {
  if (!quotable(outputFile)) return { unusable: 'the output path cannot be named in a VMDK descriptor' };
  if (size % SECTOR !== 0) return { unusable: 'the output size is not a whole number of sectors' };
  const sorted = [...pieces].filter((p) => p[2] > 0).sort((a, b) => a[0] - b[0]);
  const merged: DataPiece[] = [];
  for (const [g, f, n] of sorted) {
    if (g % SECTOR || f % SECTOR || n % SECTOR) return { unusable: 'a data range is not sector-aligned' };
    const last = merged[merged.length - 1];
    if (last && g < last[0] + last[2]) return { unusable: 'data ranges overlap' };
    if (last && g === last[0] + last[2] && f === last[1] + last[2]) last[2] += n;
    else merged.push([g, f, n]);
  }
  const lines: string[] = [];
  const used = new Set<number>();
  const hole = (from: number, to: number) => {
    for (const b of holeBits((to - from) / SECTOR)) {
      used.add(b);
      lines.push(`RW ${2 ** b} SPARSE "${prefix}hole-${b}.vmdk"`);
    }
  };
  let at = 0;
  for (const [g, f, n] of merged) {
    if (g + n > size) return { unusable: 'data past the end of the output' };
    hole(at, g);
    lines.push(`RW ${n / SECTOR} FLAT "${outputFile}" ${f / SECTOR}`);
    at = g + n;
  }
  hole(at, size);
  const text = [
    '# Disk DescriptorFile',
    'version=1',
    'CID=fffffffe',
    'parentCID=ffffffff',
    'createType="monolithicFlat"',
    '',
    '# Extent description',
    ...lines,
    '',
  ].join('\n');
  if (text.length > MAX_DESCRIPTOR) return { unusable: 'too many data ranges for one descriptor' };
  const descriptor = `${prefix}holes.vmdk`;
  return {
    descriptor,
    files: [
      { name: descriptor, data: new TextEncoder().encode(text) },
      ...[...used].map((b) => ({ name: `${prefix}hole-${b}.vmdk`, data: emptySparseExtent(b) })),
    ],
    extents: lines.length,
  };
}
