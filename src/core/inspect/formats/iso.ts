// ISO 9660 and UDF optical disc images. oslo.utils looks at the descriptor at 32 KiB only
// ("CD001", "NSR02", "NSR03" at 0x8001); a UDF-only disc whose first descriptor is "BEA01" is
// therefore not an ISO to Glance.
import { asciiField, hasAscii, u16le, u32le } from '../bytes.ts';
import { subSource } from '../byte-source.ts';
import { finding } from '../findings.ts';
import type { Detector, IsoFacts, Probe } from '../types.ts';
import { bootLoaderArchitectures, listEfiBootDir } from './fat.ts';

const SECTOR = 2048;
const MAX_CATALOG_ENTRIES = 64;

/** El Torito boot catalog → offsets of the UEFI boot images (platform 0xEF entries). */
async function efiBootImages(p: Probe, catalogLba: number): Promise<number[]> {
  const cat = await p.read(catalogLba * SECTOR, SECTOR);
  if (cat.length < 64 || cat[0] !== 0x01 || cat[30] !== 0x55 || cat[31] !== 0xaa) return [];
  const out: number[] = [];
  if (cat[1] === 0xef && cat[32] === 0x88) out.push(u32le(cat, 32 + 8) * SECTOR);
  let platform = 0;
  let remaining = 0;
  for (let o = 64, n = 0; o + 32 <= cat.length && n < MAX_CATALOG_ENTRIES; o += 32, n++) {
    const t = cat[o]!;
    if (t === 0x90 || t === 0x91) {
      platform = cat[o + 1]!;
      remaining = u16le(cat, o + 2);
    } else if (remaining > 0) {
      remaining--;
      if (platform === 0xef && t === 0x88) out.push(u32le(cat, o + 8) * SECTOR);
    } else if (t === 0) break;
  }
  // Real discs carry one UEFI image (two at most); a hostile catalog cannot multiply the reads.
  return out.filter((off) => off > 0 && off < p.size).slice(0, 2);
}

export const isoDetector: Detector = {
  format: 'iso',
  async detect(p) {
    const h = p.head;
    if (h.length < 0x8800) return null;
    const at = (n: number) => 0x8000 + n * 0x800;
    const osloSees = ['CD001', 'NSR02', 'NSR03'].some((s) => hasAscii(h, 0x8001, s));
    let udf = false;
    let pvd = -1;
    let bootable = false;
    let catalogLba = 0;
    for (let n = 0; n < 16 && at(n) + 0x800 <= h.length; n++) {
      const o = at(n);
      if (hasAscii(h, o + 1, 'NSR02') || hasAscii(h, o + 1, 'NSR03')) udf = true;
      if (hasAscii(h, o + 1, 'CD001')) {
        if (h[o] === 1 && pvd < 0) pvd = o;
        if (h[o] === 0 && hasAscii(h, o + 7, 'EL TORITO SPECIFICATION')) {
          bootable = true;
          catalogLba = u32le(h, o + 0x47);
        }
        if (h[o] === 255) break;
      }
    }
    if (!osloSees && !udf && pvd < 0) return null;
    const iso: IsoFacts = { standard: pvd >= 0 ? 'iso9660' : 'udf', bootable };
    let virtualSize: number | undefined;
    if (pvd >= 0) {
      iso.systemId = asciiField(h, pvd + 8, 32);
      iso.volumeId = asciiField(h, pvd + 40, 32);
      iso.blocks = u32le(h, pvd + 80);
      iso.blockSize = u16le(h, pvd + 128);
      virtualSize = iso.blocks * iso.blockSize;
    }
    if (catalogLba > 0) {
      const images = await efiBootImages(p, catalogLba);
      if (images.length) iso.efiBoot = true;
      for (const off of images) {
        const { loaders, architectures } = bootLoaderArchitectures(
          await listEfiBootDir(subSource(p.src, off, p.size - off, `${p.src.name}#efiboot`)),
        );
        if (loaders.length) iso.efiBootLoaders = [...new Set([...(iso.efiBootLoaders ?? []), ...loaders])];
        if (architectures.length) iso.architectures = [...new Set([...(iso.architectures ?? []), ...architectures])];
      }
    }
    const findings = [];
    if (!osloSees) {
      findings.push(
        finding(
          'iso.udf-only',
          'error',
          'This disc image has UDF structures only; Glance recognises ISO images by the ISO 9660 descriptor at 32 KiB and will take this file as raw data, refusing disk_format=iso.',
          'Rebuild the image with an ISO 9660 bridge (e.g. mkisofs/genisoimage -udf), or upload it as disk_format=raw.',
        ),
      );
    }
    if (virtualSize !== undefined && virtualSize > p.size) {
      findings.push(
        finding(
          'image.truncated',
          'error',
          `The ISO declares ${virtualSize} bytes but the file has ${p.size}: it was cut short.`,
          'Get the complete file again (compare its checksum) and inspect it anew.',
          { fileSize: p.size, needed: virtualSize },
        ),
      );
    }
    return {
      format: 'iso',
      glanceView: osloSees ? 'iso' : null,
      ...(virtualSize !== undefined ? { virtualSize } : {}),
      details: { iso },
      findings,
    };
  },
};
