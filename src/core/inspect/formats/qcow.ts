// qcow2 (and its v1 ancestor) and QED: header facts and the checks oslo.utils applies — backing
// file, external data file, unknown incompatible features, version — plus truncation.
import { asciiField, big64be, hasAscii, hasBytes, u32be, u64be, u64le, u32le } from '../bytes.ts';
import { finding, FIX_CONVERT, type Finding } from '../findings.ts';
import type { Detector, FormatMatch, Probe, Qcow2Facts } from '../types.ts';

const QCOW_MAGIC = [0x51, 0x46, 0x49, 0xfb];
/** oslo.utils: incompatible feature bits 0..3 are known (dirty, corrupt, data file, compression
 *  type); any higher bit — including extended L2 (bit 4) — is refused. */
export const QCOW2_KNOWN_INCOMPAT_BITS = 4;
/** qemu's QCOW_MAX_L1_SIZE. */
const MAX_L1_BYTES = 32 * 1024 * 1024;

const FIX_FLATTEN =
  'Flatten it where its backing file is: qemu-img convert there merges the chain into one standalone image, which you can then inspect and upload.';

/** Which incompatible-feature bits oslo.utils does not know (returns them, empty when fine). */
export function unknownIncompatibleBits(features: bigint, knownBits = QCOW2_KNOWN_INCOMPAT_BITS): number[] {
  const out: number[] = [];
  for (let bit = knownBits; bit < 64; bit++) if ((features >> BigInt(bit)) & 1n) out.push(bit);
  return out;
}

const OFFSET_MASK = 0x00fffffffffffe00n;
/** How much of the L1 and refcount tables is read to find where their tables end (1 MiB each:
 *  enough for 64 TiB of 64 KiB clusters). */
const TABLE_READ_MAX = 1024 * 1024;

/** End of the furthest L2 table or refcount block the tables point to: a file cut short (an
 *  interrupted download) ends before them even when its header and L1 table survived. */
async function tablesEnd(
  p: Probe,
  l1Offset: number,
  l1Size: number,
  refOffset: number,
  refClusters: number,
  clusterBits: number,
): Promise<number> {
  const cluster = 2 ** clusterBits;
  let end = 0;
  const scan = async (offset: number, bytes: number) => {
    const t = await p.read(offset, Math.min(bytes, TABLE_READ_MAX));
    for (let o = 0; o + 8 <= t.length; o += 8) {
      const v = big64be(t, o) & OFFSET_MASK;
      if (v !== 0n) end = Math.max(end, Number(v) + cluster);
    }
  };
  if (l1Size > 0) await scan(l1Offset, l1Size * 8);
  if (refClusters > 0) await scan(refOffset, refClusters * cluster);
  return end;
}

export const qcowDetector: Detector = {
  format: 'qcow2',
  async detect(p: Probe): Promise<FormatMatch | null> {
    const h = p.head;
    if (!hasBytes(h, 0, QCOW_MAGIC) || h.length < 32) return null;
    const version = u32be(h, 4);
    const findings: Finding[] = [];
    if (version === 1) {
      return {
        format: 'qcow',
        glanceView: 'qcow2',
        virtualSize: u64be(h, 24),
        details: { qcow: { version: 1 } },
        findings: [
          finding(
            'qcow.v1',
            'error',
            'This is a qcow version 1 image, an obsolete format Glance refuses ("Unsupported qcow2 version").',
            FIX_CONVERT,
          ),
        ],
      };
    }
    const backingFileOffset = u64be(h, 8);
    const backingFileSize = u32be(h, 16);
    const clusterBits = u32be(h, 20);
    const size = u64be(h, 24);
    const cryptMethod = u32be(h, 32);
    const l1Size = u32be(h, 36);
    const l1TableOffset = u64be(h, 40);
    const refcountTableOffset = u64be(h, 48);
    const refcountClusters = u32be(h, 56);
    const snapshots = u32be(h, 60);
    const v3 = version >= 3 && h.length >= 104;
    const incompat = v3 ? big64be(h, 72) : 0n;
    const compat = v3 ? big64be(h, 80) : 0n;
    const autoclear = v3 ? big64be(h, 88) : 0n;
    const headerLength = v3 ? u32be(h, 100) : 72;
    const facts: Qcow2Facts = {
      version,
      clusterBits,
      clusterSize: clusterBits < 31 ? 2 ** clusterBits : NaN,
      backingFileOffset,
      encrypted: cryptMethod !== 0,
      incompatibleFeatures: `0x${incompat.toString(16)}`,
      compatibleFeatures: `0x${compat.toString(16)}`,
      autoclearFeatures: `0x${autoclear.toString(16)}`,
      dirty: (incompat & 1n) !== 0n,
      corrupt: (incompat & 2n) !== 0n,
      externalDataFile: (incompat & 4n) !== 0n,
      extendedL2: (incompat & 16n) !== 0n,
      l1Size,
      l1TableOffset,
      refcountTableOffset,
      snapshots,
    };
    if (v3 && headerLength > 104 && h.length > 104) facts.compressionType = h[104] === 1 ? 'zstd' : 'zlib';

    if (version !== 2 && version !== 3) {
      findings.push(
        finding('qcow2.version', 'error', `qcow2 version ${version} is not one Glance accepts (only 2 and 3).`, FIX_CONVERT, { version }),
      );
    }
    if (backingFileOffset !== 0) {
      if (Number.isFinite(backingFileOffset) && backingFileSize > 0 && backingFileSize <= 1023) {
        const name = await p.read(backingFileOffset, backingFileSize);
        if (name.length === backingFileSize) facts.backingFile = asciiField(name, 0, backingFileSize);
      }
      findings.push(
        finding(
          'qcow2.backing-file',
          'error',
          `The image depends on a backing file${facts.backingFile ? ` ("${facts.backingFile}")` : ''}; Glance refuses images that point at other files.`,
          FIX_FLATTEN,
          facts.backingFile ? { backingFile: facts.backingFile } : undefined,
        ),
      );
    }
    if (version === 3) {
      if (facts.externalDataFile) {
        findings.push(
          finding(
            'qcow2.data-file',
            'error',
            'The image keeps its data in an external data file (the data-file feature); Glance refuses it.',
            'Convert it to a self-contained qcow2 or raw image, with the data file provided alongside.',
          ),
        );
      }
      const unknown = unknownIncompatibleBits(incompat);
      if (unknown.length) {
        findings.push(
          finding(
            'qcow2.unknown-features',
            'error',
            `The image uses incompatible features Glance does not know (bit ${unknown.join(', ')}${facts.extendedL2 ? '; bit 4 is extended L2 entries' : ''}).`,
            'Convert it to plain qcow2 (without extended_l2 or other new features).',
            { bits: unknown.join(',') },
          ),
        );
      }
      if (facts.corrupt) {
        findings.push(
          finding(
            'qcow2.corrupt-flag',
            'warning',
            'qemu marked this image as corrupt; it can be read, but not written by a VM.',
            'Repair with qemu-img check -r all or convert it to a fresh image.',
          ),
        );
      }
      if (facts.dirty) {
        findings.push(
          finding(
            'qcow2.dirty',
            'warning',
            'The image was not closed cleanly (dirty bit with lazy refcounts); its refcounts need repair.',
            'Run qemu-img check -r all on it, or convert it to a fresh image.',
          ),
        );
      }
    }
    if (facts.encrypted) {
      findings.push(
        finding(
          'qcow2.encrypted',
          'warning',
          'The image is encrypted; a VM can only boot it with the matching secret.',
          'Decrypt it (convert with the passphrase) unless your cloud manages the key.',
        ),
      );
    }

    // The header is all Glance reads; qemu also reads the tables, so a file cut short or with
    // absurd table sizes is caught here rather than by a crash.
    const clusterOk = clusterBits >= 9 && clusterBits <= 21;
    if (!clusterOk) {
      findings.push(
        finding(
          'qcow2.header-invalid',
          'error',
          `The header's cluster size (2^${clusterBits}) is outside what qemu accepts (512 B to 2 MiB).`,
          FIX_CONVERT,
          { clusterBits },
        ),
      );
    }
    if (!Number.isFinite(size) || !Number.isFinite(l1TableOffset) || !Number.isFinite(refcountTableOffset)) {
      findings.push(
        finding(
          'qcow2.header-invalid',
          'error',
          'The header holds sizes or offsets beyond 2^53 bytes, which no real image has.',
          FIX_CONVERT,
        ),
      );
    } else if (l1Size * 8 > MAX_L1_BYTES) {
      findings.push(
        finding('qcow2.header-invalid', 'error', `The L1 table is declared ${l1Size} entries long, more than qemu allows.`, FIX_CONVERT, {
          l1Size,
        }),
      );
    } else if (clusterOk) {
      const l1End = l1TableOffset + l1Size * 8;
      const refEnd = refcountTableOffset + refcountClusters * 2 ** clusterBits;
      let needed = Math.max(l1End, refEnd);
      if (needed <= p.size)
        needed = Math.max(needed, await tablesEnd(p, l1TableOffset, l1Size, refcountTableOffset, refcountClusters, clusterBits));
      if (needed > p.size) {
        findings.push(
          finding(
            'image.truncated',
            'error',
            `The file is ${p.size} bytes but its own tables extend to byte ${needed}: it was cut short (incomplete download or copy).`,
            'Get the complete file again (compare its checksum) and inspect it anew.',
            { fileSize: p.size, needed },
          ),
        );
      }
    }
    // qemu-img info never follows a backing file, but check and map would open it; an external
    // data file is opened even by info (CVE-2024-32498), so such an image is never opened.
    const qemuAccess = facts.externalDataFile && version === 3 ? 'none' : backingFileOffset !== 0 ? 'info-only' : 'full';
    return { format: 'qcow2', glanceView: 'qcow2', virtualSize: size, details: { qcow2: facts }, findings, qemuAccess };
  },
};

export const qedDetector: Detector = {
  format: 'qed',
  async detect(p) {
    const h = p.head;
    if (!hasAscii(h, 0, 'QED\0') || h.length < 64) return null;
    return {
      format: 'qed',
      glanceView: 'qed',
      virtualSize: u64le(h, 48),
      details: { qed: { clusterSize: u32le(h, 4), hasBackingFile: u32le(h, 56) !== 0 } },
      findings: [
        finding('qed.banned', 'error', 'QED images are always refused by Glance (the format is not supported by anyone).', FIX_CONVERT),
      ],
      qemuAccess: u32le(h, 56) !== 0 ? 'info-only' : 'full',
    };
  },
};
