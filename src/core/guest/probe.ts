// What a block device holds: a file system we read (ext*, XFS, FAT), one we only recognise (swap,
// LUKS), an LVM PV (handled by lvm.ts), or nothing known. Only the first 64 KiB are looked at.
import { looksLikeFatBootSector } from '../inspect/formats/fat.ts';
import type { Device } from './device.ts';
import { ExtFs } from './ext.ts';
import { FatFs } from './fat.ts';
import { hexUuid, latin1 } from './text.ts';
import type { GuestFs } from './types.ts';
import { XfsFs } from './xfs.ts';

export interface Recognised {
  type: string;
  uuid: string | null;
  label: string | null;
  size: number | null;
  used: number | null;
  fs: GuestFs | null;
}

export async function recognise(dev: Device): Promise<Recognised | null> {
  const ext = await ExtFs.open(dev);
  if (ext) return { type: ext.type, ...ext.facts(), fs: ext };
  const xfs = await XfsFs.open(dev);
  if (xfs) return { type: 'xfs', ...xfs.facts(), fs: xfs };
  if (dev.size < 4096) return null;
  const head = await dev.read(0, Math.min(dev.size, 64 * 1024));
  if (looksLikeFatBootSector(head)) {
    const fat = FatFs.open(dev, head);
    return { type: 'vfat', uuid: fat.uuid, label: fat.label, size: fat.size, used: null, fs: fat };
  }
  if (String.fromCharCode(...head.subarray(0, 6)) === 'LUKS\xba\xbe') {
    return { type: 'crypto_LUKS', uuid: latin1(head, 168, 40) || null, label: null, size: dev.size, used: null, fs: null };
  }
  for (const page of [4096, 8192, 16384, 65536]) {
    if (page <= head.length && latin1(head, page - 10, 10) === 'SWAPSPACE2') {
      return {
        type: 'swap',
        uuid: hexUuid(head.subarray(1036, 1052)),
        label: latin1(head, 1052, 16) || null,
        size: dev.size,
        used: null,
        fs: null,
      };
    }
  }
  return null;
}
