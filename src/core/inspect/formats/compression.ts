// Compressed files: an image shipped as .gz/.xz/.bz2/.zst must be decompressed before Glance or
// qemu can read it. We say which compressor and, for gzip, the original name and size hint.
import { hasAscii, hasBytes, u32le } from '../bytes.ts';
import { finding } from '../findings.ts';
import type { CompressionFacts, Detector } from '../types.ts';

const TOOLS: Record<CompressionFacts['type'], string> = { gzip: 'gunzip', xz: 'unxz', bzip2: 'bunzip2', zstd: 'unzstd' };

function compressed(type: CompressionFacts['type'], facts: CompressionFacts) {
  const inner = facts.originalName ? ` (it contains "${facts.originalName}")` : '';
  const fix = `Decompress it first (${TOOLS[type]}), then inspect the decompressed image.`;
  return {
    format: type,
    glanceView: null,
    details: { compression: facts },
    findings: [
      finding(`compressed.${type}`, 'error', `This file is ${type}-compressed${inner}; Glance and qemu need the disk image itself.`, fix, {
        compression: type,
        ...(facts.originalName ? { originalName: facts.originalName } : {}),
      }),
    ],
    qemuAccess: 'none' as const,
  };
}

export const gzipDetector: Detector = {
  format: 'gzip',
  async detect(p) {
    const h = p.head;
    if (!hasBytes(h, 0, [0x1f, 0x8b, 0x08])) return null;
    const facts: CompressionFacts = { type: 'gzip' };
    const flags = h[3]!;
    let o = 10;
    if (flags & 4) o += 2 + (h[10]! | (h[11]! << 8)); // FEXTRA
    if (flags & 8) {
      let name = '';
      for (; o < h.length && h[o] !== 0 && name.length < 255; o++) name += String.fromCharCode(h[o]!);
      if (name) facts.originalName = name;
    }
    if (p.size >= 18) facts.sizeModulo32 = u32le(p.tail, p.tail.length - 4);
    return compressed('gzip', facts);
  },
};

export const xzDetector: Detector = {
  format: 'xz',
  async detect(p) {
    return hasBytes(p.head, 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) ? compressed('xz', { type: 'xz' }) : null;
  },
};

export const bzip2Detector: Detector = {
  format: 'bzip2',
  async detect(p) {
    const h = p.head;
    return hasAscii(h, 0, 'BZh') && h[3]! >= 0x31 && h[3]! <= 0x39 && hasBytes(h, 4, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
      ? compressed('bzip2', { type: 'bzip2' })
      : null;
  },
};

export const zstdDetector: Detector = {
  format: 'zstd',
  async detect(p) {
    return hasBytes(p.head, 0, [0x28, 0xb5, 0x2f, 0xfd]) ? compressed('zstd', { type: 'zstd' }) : null;
  },
};
