// Names: qemu-img drivers vs Glance disk_format values, and which declared disk_format upstream
// Glance accepts for a detected format (`require_image_format_match`).
import type { FormatName, SafetyDetails } from './types.ts';

export const GLANCE_DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'] as const;

/** A disk_format as Glance names it: any case, and qemu-img's driver names for the same formats. */
export function glanceDiskFormatName(name: string): string {
  const n = name.toLowerCase();
  return n === 'vpc' ? 'vhd' : n === 'parallels' ? 'ploop' : n;
}

/** The qemu-img driver to pass with -f, or null when qemu-img cannot read the file as such. */
export function qemuDriverFor(format: FormatName | null): string | null {
  switch (format) {
    case null:
      return null;
    case 'iso':
    case 'gpt':
    case 'mbr':
    case 'raw':
      return 'raw';
    case 'gzip':
    case 'xz':
    case 'bzip2':
    case 'zstd':
    case 'tar':
    case 'ova':
      return null;
    default:
      return format;
  }
}

/** The Glance disk_format that describes this content as-is, or null when Glance has none. */
export function glanceDiskFormatFor(format: FormatName | null, details?: SafetyDetails): string | null {
  switch (format) {
    case 'raw':
    case 'gpt':
    case 'mbr':
      return 'raw';
    case 'qcow2':
    case 'vmdk':
    case 'vdi':
    case 'vhdx':
    case 'iso':
      return format;
    // A fixed VHD is seen by Glance as raw data (its signature is only at the end).
    case 'vpc':
      return details?.vhd && !details.vhd.headerCopyAtStart ? 'raw' : 'vhd';
    case 'ova':
      return 'vmdk';
    default:
      return null;
  }
}

/** Declared disk_format values upstream Glance accepts for what it detects (oslo names). */
export function acceptedDeclaredFormats(glanceView: string): string[] {
  switch (glanceView) {
    case 'raw':
      return ['raw'];
    // oslo.utils' "gpt" covers every MBR/GPT disk: Glance treats it as raw content.
    case 'gpt':
      return ['raw', 'gpt'];
    case 'vhd':
      return ['vhd', 'vpc'];
    default:
      return [glanceView];
  }
}
