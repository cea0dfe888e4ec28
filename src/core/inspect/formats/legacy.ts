// Formats qemu reads but Glance does not take as they are: Parallels, Bochs, cloop, Apple DMG,
// and LUKS (Glance has no luks disk_format; encrypted volumes are Cinder's business).
import { asciiField, hasAscii, hasBytes, u16be, u32be, u32le, u64be, u64le } from '../bytes.ts';
import { finding, FIX_CONVERT } from '../findings.ts';
import type { Detector, FormatMatch } from '../types.ts';

function banned(format: FormatMatch['format'], label: string, virtualSize: number, version?: number): FormatMatch {
  const m: FormatMatch = {
    format,
    glanceView: null,
    details: { legacy: version === undefined ? { format } : { format, version } },
    findings: [
      finding(
        `${format}.unsupported`,
        'error',
        `This is ${label} image; Glance has no disk_format for it and takes the file for raw data.`,
        FIX_CONVERT,
        { format },
      ),
    ],
  };
  if (Number.isFinite(virtualSize)) m.virtualSize = virtualSize;
  return m;
}

export const parallelsDetector: Detector = {
  format: 'parallels',
  async detect(p) {
    const h = p.head;
    if (!(hasAscii(h, 0, 'WithoutFreeSpace') || hasAscii(h, 0, 'WithouFreSpacExt')) || u32le(h, 16) !== 2) return null;
    return banned('parallels', 'a Parallels (ploop)', u64le(h, 36) * 512, 2);
  },
};

export const bochsDetector: Detector = {
  format: 'bochs',
  async detect(p) {
    const h = p.head;
    if (!hasAscii(h, 0, 'Bochs Virtual HD Image') || !hasAscii(h, 32, 'Redolog') || !hasAscii(h, 48, 'Growing')) return null;
    const version = u32le(h, 64);
    return banned('bochs', 'a Bochs', u64le(h, version === 0x00010000 ? 84 : 88), version);
  },
};

export const cloopDetector: Detector = {
  format: 'cloop',
  async detect(p) {
    const h = p.head;
    if (!hasAscii(h, 0, '#!/bin/sh\n#V2.0 Format\n')) return null;
    return banned('cloop', 'a compressed-loop (cloop)', u32be(h, 128) * u32be(h, 132));
  },
};

export const dmgDetector: Detector = {
  format: 'dmg',
  async detect(p) {
    const t = p.tail.subarray(p.tail.length - 512);
    if (p.size < 512 || !hasAscii(t, 0, 'koly') || u32be(t, 4) !== 4) return null;
    return banned('dmg', 'an Apple disk image (DMG)', u64be(t, 0x1ec) * 512, 4);
  },
};

export const luksDetector: Detector = {
  format: 'luks',
  async detect(p) {
    const h = p.head;
    if (!hasBytes(h, 0, [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe])) return null;
    const version = u16be(h, 6);
    const m: FormatMatch = {
      format: 'luks',
      glanceView: 'luks',
      details: { luks: { version, ...(version === 1 ? { cipher: asciiField(h, 8, 32), payloadOffset: u32be(h, 104) } : {}) } },
      findings: [],
    };
    if (version === 1) m.virtualSize = Math.max(0, p.size - u32be(h, 104) * 512);
    m.findings.push(
      version === 1
        ? finding(
            'luks.unsupported',
            'error',
            'This is a LUKS-encrypted volume; Glance has no disk_format for it (encrypted volumes are managed by Cinder).',
            "Decrypt and convert it to qcow2/raw, or upload it through Cinder's encrypted volume types.",
          )
        : finding(
            'luks.version',
            'error',
            `LUKS version ${version} is not supported by Glance's checks (only LUKS1).`,
            'Decrypt and convert it to qcow2/raw.',
            { version },
          ),
    );
    return m;
  },
};
