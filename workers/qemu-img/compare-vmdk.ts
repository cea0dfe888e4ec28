// The output of a conversion as qemu sees it when it knows where the holes are: a VMDK descriptor
// whose FLAT extents are the output file's written data ranges and whose other extents are empty
// hosted-sparse VMDKs (unallocated everywhere, so reading them costs nothing and block status says
// "hole"). One `qemu-img compare` of the source against that descriptor then reads only the data
// either side has, in one run, however many runs of data there are — instead of one run per window
// (each a fresh instance) or a plain compare that reads every zero of a raw output.
//
// Honest for the same reason as the window compare (compare.ts): the output file was created empty
// by the conversion and only the written ranges can hold anything but zeros; every written byte is
// read and compared.
//
// Why each hole is at most two extents, each a whole number of grains: QEMU's vmdk block status
// answers one grain at a time and does not clamp that answer to the extent's end, so an extent
// smaller than its grain would swallow the next FLAT extent (seen with qemu-img 7.2 and 10.2). A
// grain need not be a power of two (QEMU finds offsets in a grain by division), so a hole of n
// sectors is one extent of k grains of n/k sectors when some small k divides n (k = 1 up to 1 GiB),
// else n rounded down to whole 1 GiB grains plus one extent of one grain for the rest. Every extent
// costs an open at compare time (~0.4 ms of wasm each: 198 extents for 16 runs of data on a 127 GiB
// disk took ~85 ms when holes were split into power-of-two extents; now 1 or 2 per hole). The extents' protocol is
// named (`extents.N.driver=file`, holeImageOpts) so that QEMU does not probe each of them.

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

/** `--image-opts` that open a staged descriptor (at `path`) with every extent's protocol named. */
export function holeImageOpts(path: string, img: Pick<HoleImage, 'extents'>): string {
  const extents = Array.from({ length: img.extents }, (_, i) => `,extents.${i}.driver=file`).join('');
  return `driver=vmdk,file.driver=file,file.filename=${path.replaceAll(',', ',,')}${extents}`;
}

const SECTOR = 512;
/** QEMU's largest VMDK grain (vmdk_add_extent refuses more): 2^21 sectors, 1 GiB. */
const MAX_GRAIN = 2 ** 21;
/** vmdk_read_desc reads at most 1 MiB - 1 of a descriptor. */
const MAX_DESCRIPTOR = (1 << 20) - 1;
/** sscanf's %511[^\n\r"] in vmdk_parse_extents. */
const MAX_NAME = 511;

/** An empty hosted-sparse VMDK of `sectors`, in grains of `grain` sectors (`sectors` a whole number
 *  of them): header, a zeroed grain directory, no grains. */
export function emptySparseExtent(sectors: number, grain: number): Uint8Array {
  const gtes = 512;
  const l1 = Math.ceil(sectors / (grain * gtes));
  const gdOffset = 1;
  const grainOffset = gdOffset + Math.ceil((l1 * 4) / SECTOR);
  const out = new Uint8Array(grainOffset * SECTOR);
  const v = new DataView(out.buffer);
  out.set([0x4b, 0x44, 0x4d, 0x56]); // "KDMV"
  v.setUint32(4, 1, true); // version
  v.setUint32(8, 0, true); // flags: no redundant grain directory
  v.setBigUint64(12, BigInt(sectors), true);
  v.setBigUint64(20, BigInt(grain), true);
  // desc_offset, desc_size: 0 (the descriptor is ours)
  v.setUint32(44, gtes, true);
  // rgd_offset 0
  v.setBigUint64(56, BigInt(gdOffset), true);
  v.setBigUint64(64, BigInt(grainOffset), true);
  out.set([0x0a, 0x20, 0x0d, 0x0a], 73); // check bytes after the 1-byte filler
  return out;
}

/** Grains per extent tried for a hole of one extent: from the fewest that fit (grains <= 1 GiB) up
 *  to this many more; more grains mean more block-status calls in compare, one per grain. */
const GRAIN_SEARCH = 64;

/** A hole of `sectors` as [sectors, grain] extents, each a whole number of grains: one extent when
 *  some grain count divides it (up to 1 GiB always: one grain), else whole 1 GiB grains and one
 *  grain for the rest. A function of `sectors` alone, so extents of one size share one file. */
export function holeExtents(sectors: number): Array<[number, number]> {
  if (sectors <= 0) return [];
  const fewest = Math.ceil(sectors / MAX_GRAIN);
  for (let k = fewest; k < fewest + GRAIN_SEARCH; k++) if (sectors % k === 0) return [[sectors, sectors / k]];
  const whole = Math.floor(sectors / MAX_GRAIN) * MAX_GRAIN;
  return [
    [whole, MAX_GRAIN],
    [sectors - whole, sectors - whole],
  ];
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
  const empty = new Map<string, Uint8Array>();
  const hole = (from: number, to: number) => {
    for (const [sectors, grain] of holeExtents((to - from) / SECTOR)) {
      const name = `${prefix}hole-${sectors}.vmdk`;
      if (!empty.has(name)) empty.set(name, emptySparseExtent(sectors, grain));
      lines.push(`RW ${sectors} SPARSE "${name}"`);
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
    // Not only a comment: sscanf in vmdk_parse_extents skips the blank line's newline and would
    // read the first extent line twice if it followed the blank line.
    '# Extent description',
    ...lines,
    '',
  ].join('\n');
  if (text.length > MAX_DESCRIPTOR) return { unusable: 'too many data ranges for one descriptor' };
  const descriptor = `${prefix}holes.vmdk`;
  return {
    descriptor,
    files: [{ name: descriptor, data: new TextEncoder().encode(text) }, ...[...empty].map(([name, data]) => ({ name, data }))],
    extents: lines.length,
  };
}
