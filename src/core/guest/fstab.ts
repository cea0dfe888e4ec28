// /etc/fstab: which file system each mount point names, by UUID=, LABEL=, /dev/disk/by-*,
// LVM paths (/dev/mapper/vg-lv, /dev/vg/lv) or kernel names (sda1, vda1, xvda1, hda1: the
// guest's own disk is always our /dev/sda).

export interface FstabEntry {
  spec: string;
  mountpoint: string;
  type: string;
}

export interface Candidate {
  device: string;
  uuid: string | null;
  label: string | null;
  /** "vg/lv" for logical volumes. */
  lvm: string | null;
}

export function parseFstab(text: string): FstabEntry[] {
  const out: FstabEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const [spec, mountpoint, type] = line.split(/\s+/);
    if (!spec || !mountpoint || !type || !mountpoint.startsWith('/')) continue;
    out.push({ spec: unescapeOctal(spec), mountpoint: unescapeOctal(mountpoint).replace(/\/+$/, '') || '/', type });
  }
  return out;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

export function matchSpec(spec: string, all: Candidate[]): Candidate | null {
  const eq = /^(UUID|LABEL)=(.*)$/.exec(spec);
  const by = /^\/dev\/disk\/by-(uuid|label)\/(.+)$/.exec(spec);
  const key = eq ? eq[1]!.toLowerCase() : by ? by[1]! : null;
  const value = (eq?.[2] ?? by?.[2] ?? '').replace(/^"(.*)"$/, '$1');
  if (key === 'uuid') return all.find((c) => c.uuid?.toLowerCase() === value.toLowerCase()) ?? null;
  if (key === 'label') return all.find((c) => c.label === value) ?? null;
  const mapper = /^\/dev\/mapper\/(.+)$/.exec(spec);
  if (mapper) return all.find((c) => c.device === spec) ?? null;
  const vgLv = /^\/dev\/([^/]+)\/([^/]+)$/.exec(spec);
  if (vgLv && !/^(disk|mapper)$/.test(vgLv[1]!)) {
    const hit = all.find((c) => c.lvm === `${vgLv[1]}/${vgLv[2]}`);
    if (hit) return hit;
  }
  const kernel = /^\/dev\/(?:s|v|h|xv)da(p?\d+)$/.exec(spec);
  if (kernel) return all.find((c) => c.device === `/dev/sda${kernel[1]!.replace(/^p/, '')}`) ?? null;
  if (spec === '/dev/root') return null;
  return null;
}
