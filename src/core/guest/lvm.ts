// LVM2 physical volumes: the "LABELONE" label in one of the first four sectors, the PV header's
// data and metadata areas, the metadata area header and its current text (which may wrap around
// the circular buffer). Logical volumes of linear and striped segments become Devices; every
// segment is checked against the PV's extent count and the device's real size, so metadata that
// lies about sizes is refused rather than followed.
import { crc32, hasAscii, u32le, u64le } from '../inspect/bytes.ts';
import { corrupt, MAX_READ, type Device } from './device.ts';
import { num, parseLvmText, sec, str, type LvmSection } from './lvm-text.ts';
import { utf8 } from './text.ts';

export const MDA_MAGIC = ' LVM2 x[5A%r0N*>';
const INITIAL_CRC = 0xf597a6cf;

/** LVM's calc_crc: CRC-32 (reflected, 0xEDB88320) from INITIAL_CRC with no final inversion. */
export function lvmCrc(b: Uint8Array): number {
  return ~crc32(b, ~INITIAL_CRC >>> 0) >>> 0;
}
const MAX_METADATA = 1024 * 1024;

export interface PhysicalVolume {
  dev: Device;
  /** 32 characters, no dashes, as in the label. */
  uuid: string;
  vgName: string;
  vg: LvmSection;
  seqno: number;
}

export interface LvmVolume {
  vg: string;
  lv: string;
  dev: Device;
}

function dashless(s: string): string {
  return s.replace(/-/g, '');
}

/** Reads the PV label and metadata of a device; null when it is no PV. */
export async function readPhysicalVolume(dev: Device): Promise<PhysicalVolume | null> {
  if (dev.size < 4096) return null;
  const head = await dev.read(0, 2048);
  let at = -1;
  for (let s = 0; s < 4; s++) if (hasAscii(head, s * 512, 'LABELONE') && hasAscii(head, s * 512 + 24, 'LVM2 001')) at = s * 512;
  if (at < 0) return null;
  const pvOff = at + u32le(head, at + 20);
  if (pvOff + 40 > head.length) corrupt(`${dev.name}: LVM PV header lies outside the label sectors`);
  const uuid = String.fromCharCode(...head.subarray(pvOff, pvOff + 32));
  let o = pvOff + 40;
  const skipList = () => {
    // data areas: a zero-terminated list of {offset, size}
    for (let i = 0; i < 8; i++, o += 16)
      if (u64le(head, o) === 0) {
        o += 16;
        return;
      }
    corrupt(`${dev.name}: LVM PV header lists too many areas`);
  };
  skipList();
  const mdaOffset = u64le(head, o);
  if (!mdaOffset) return null; // a PV without metadata: its VG is described by another PV
  const mda = await dev.read(mdaOffset, 512);
  if (!hasAscii(mda, 4, MDA_MAGIC)) corrupt(`${dev.name}: LVM metadata area header has a bad magic string`);
  if (lvmCrc(mda.subarray(4)) !== u32le(mda, 0)) corrupt(`${dev.name}: LVM metadata area header checksum is wrong`);
  const mdaSize = u64le(mda, 32);
  const textOff = u64le(mda, 40);
  const textSize = u64le(mda, 48);
  if (!(mdaSize > 512) || mdaOffset + mdaSize > dev.size)
    corrupt(`${dev.name}: LVM metadata area of ${mdaSize} bytes lies outside the device`);
  if (!(textSize > 0) || textSize > MAX_METADATA || textSize > mdaSize - 512 || !(textOff >= 512 && textOff < mdaSize)) {
    corrupt(`${dev.name}: LVM metadata text at ${textOff}+${textSize} lies outside its ${mdaSize}-byte area`);
  }
  // The area is a ring after its 512-byte header: the text may continue at its start.
  const first = Math.min(textSize, mdaSize - textOff);
  const text = new Uint8Array(textSize);
  text.set(await dev.read(mdaOffset + textOff, first), 0);
  if (first < textSize) text.set(await dev.read(mdaOffset + 512, textSize - first), first);
  if (lvmCrc(text) !== u32le(mda, 56)) corrupt(`${dev.name}: LVM metadata text checksum is wrong`);
  const parsed = parseLvmText(utf8(text.subarray(0, text.indexOf(0) >= 0 ? text.indexOf(0) : text.length)));
  const vgName = Object.keys(parsed).find((k) => typeof parsed[k] === 'object' && !Array.isArray(parsed[k]));
  if (!vgName) corrupt(`${dev.name}: LVM metadata names no volume group`);
  const vg = sec(parsed[vgName], vgName);
  return { dev, uuid, vgName, vg, seqno: num(vg['seqno'], 'seqno') };
}

interface Area {
  pv: PhysicalVolume;
  peStart: number;
  pe: number;
}

interface Segment {
  start: number;
  count: number;
  stripeBytes: number;
  areas: Area[];
}

/** The logical volumes of every complete VG among the PVs; incomplete or unsupported ones throw. */
export function activate(pvs: PhysicalVolume[]): { volumes: LvmVolume[]; problems: string[] } {
  const volumes: LvmVolume[] = [];
  const problems: string[] = [];
  const byVg = new Map<string, PhysicalVolume[]>();
  for (const pv of pvs) byVg.set(pv.vgName, [...(byVg.get(pv.vgName) ?? []), pv]);
  for (const [vgName, members] of byVg) {
    const newest = members.reduce((a, b) => (b.seqno > a.seqno ? b : a));
    try {
      volumes.push(...vgVolumes(vgName, newest.vg, members));
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  return { volumes, problems };
}

function vgVolumes(vgName: string, vg: LvmSection, members: PhysicalVolume[]): LvmVolume[] {
  const extent = num(vg['extent_size'], 'extent_size') * 512;
  if (extent < 4096 || extent > 2 ** 40) corrupt(`VG ${vgName}: extent size ${extent} bytes`);
  const pvSec = sec(vg['physical_volumes'], 'physical_volumes');
  const pvByKey = new Map<string, { pv: PhysicalVolume; peStart: number; peCount: number }>();
  for (const [key, v] of Object.entries(pvSec)) {
    const s = sec(v, `physical volume ${key}`);
    const id = dashless(str(s['id'], `${key}.id`));
    const pv = members.find((m) => m.uuid === id);
    if (!pv) continue;
    const peStart = num(s['pe_start'], `${key}.pe_start`) * 512;
    const peCount = num(s['pe_count'], `${key}.pe_count`);
    if (peStart + peCount * extent > pv.dev.size) corrupt(`VG ${vgName}: ${key} claims ${peCount} extents, more than ${pv.dev.name} holds`);
    pvByKey.set(key, { pv, peStart, peCount });
  }
  const out: LvmVolume[] = [];
  const lvs = vg['logical_volumes'] === undefined ? {} : sec(vg['logical_volumes'], 'logical_volumes');
  for (const [lvName, v] of Object.entries(lvs)) {
    const lv = sec(v, `LV ${lvName}`);
    const segCount = num(lv['segment_count'], `${lvName}.segment_count`);
    if (segCount > 1024) corrupt(`LV ${lvName}: ${segCount} segments`);
    const segs: Segment[] = [];
    let next = 0;
    for (let i = 1; i <= segCount; i++) {
      const s = sec(lv[`segment${i}`], `${lvName}.segment${i}`);
      const type = str(s['type'], 'segment type');
      if (type !== 'striped') corrupt(`LV ${vgName}/${lvName}: ${type} segments are not read`);
      const start = num(s['start_extent'], 'start_extent');
      const count = num(s['extent_count'], 'extent_count');
      const stripes = s['stripes'];
      const n = num(s['stripe_count'], 'stripe_count');
      if (start !== next || !Array.isArray(stripes) || n < 1 || stripes.length !== 2 * n || count % n !== 0) {
        corrupt(`LV ${vgName}/${lvName}: segment ${i} is inconsistent`);
      }
      next = start + count;
      const areas: Area[] = [];
      for (let k = 0; k < n; k++) {
        const key = str(stripes[2 * k], 'stripe PV');
        const pe = num(stripes[2 * k + 1], 'stripe extent');
        const pv = pvByKey.get(key);
        if (!pv) corrupt(`LV ${vgName}/${lvName} needs ${key}, which is not in this image`);
        if (pe + count / n > pv.peCount) corrupt(`LV ${vgName}/${lvName}: segment ${i} runs past the end of ${key}`);
        areas.push({ pv: pv.pv, peStart: pv.peStart, pe });
      }
      const stripeBytes = n > 1 ? num(s['stripe_size'], 'stripe_size') * 512 : extent;
      if (stripeBytes < 512 || extent % stripeBytes !== 0) corrupt(`LV ${vgName}/${lvName}: stripe size ${stripeBytes}`);
      segs.push({ start, count, stripeBytes, areas });
    }
    const name = `/dev/mapper/${vgName.replace(/-/g, '--')}-${lvName.replace(/-/g, '--')}`;
    out.push({ vg: vgName, lv: lvName, dev: lvDevice(name, segs, extent, members[0]!.dev) });
  }
  return out;
}

function lvDevice(name: string, segs: Segment[], extent: number, any: Device): Device {
  const size = segs.reduce((a, s) => a + s.count * extent, 0);
  /** Where LV byte `off` lives, and how many bytes follow it contiguously there. */
  const locate = (off: number): [Device, number, number] => {
    const seg = segs.find((s) => off < (s.start + s.count) * extent && off >= s.start * extent)!;
    const rel = off - seg.start * extent;
    const n = seg.areas.length;
    const chunk = Math.floor(rel / seg.stripeBytes);
    const area = seg.areas[chunk % n]!;
    const inArea = Math.floor(chunk / n) * seg.stripeBytes + (rel % seg.stripeBytes);
    const left = n > 1 ? seg.stripeBytes - (rel % seg.stripeBytes) : seg.count * extent - rel;
    return [area.pv.dev, area.peStart + area.pe * extent + inArea, left];
  };
  return {
    name,
    size,
    meter: any.meter,
    async read(offset, length) {
      if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || length > MAX_READ || offset + length > size) {
        corrupt(`${name}: read ${offset}+${length} lies past the end (${size} bytes)`);
      }
      const out = new Uint8Array(length);
      for (let done = 0; done < length;) {
        const [dev, at, left] = locate(offset + done);
        const n = Math.min(left, length - done);
        out.set(await dev.read(at, n), done);
        done += n;
      }
      return out;
    },
    locate(offset) {
      const [dev, at, left] = locate(offset);
      const [disk, run] = dev.locate(at);
      return [disk, Math.min(run, left)];
    },
  };
}
