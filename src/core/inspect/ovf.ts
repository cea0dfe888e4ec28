// Minimal OVF reading without a DOM (the core runs in Node too): a bounded tokeniser over the
// descriptor text pulls out what image properties need — the virtual system's name and OS, CPU
// count, memory, disks with capacity and format, storage controllers and firmware.

/** OVF descriptors are small; anything bigger is not read. */
export const OVF_MAX_BYTES = 4 * 1024 * 1024;
/** A hostile descriptor cannot make the tokeniser's work grow without bound. */
const MAX_ELEMENTS = 50_000;

export interface OvfDisk {
  diskId?: string;
  fileRef?: string;
  /** Capacity in bytes, when the units could be understood. */
  capacity?: number;
  format?: string;
  populatedSize?: number;
}

export interface OvfFile {
  id: string;
  href: string;
  size?: number;
}

export interface OvfDescriptor {
  name?: string;
  osId?: number;
  osType?: string;
  osDescription?: string;
  cpus?: number;
  memoryMiB?: number;
  disks: OvfDisk[];
  files: OvfFile[];
  /** Storage controllers by ResourceType/ResourceSubType: "ide", "scsi:lsilogic", "sata", "nvme". */
  controllers: string[];
  firmware?: string;
}

interface Element {
  name: string;
  attrs: Record<string, string>;
  start: number;
  end: number;
}

/** Local name (namespace prefix dropped), lower-cased. */
function local(n: string): string {
  return n.slice(n.indexOf(':') + 1).toLowerCase();
}

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (m, e: string) => {
    const k = e.toLowerCase();
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'amp') return '&';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
    return Number.isFinite(code) && code < 0x110000 ? String.fromCodePoint(code) : m;
  });
}

function attrsOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) out[local(m[1]!)] = decodeEntities(m[3] ?? m[4] ?? '');
  return out;
}

/** Every element with its attributes and the text span of its content. */
function elements(xml: string): Element[] {
  const out: Element[] = [];
  const stack: Element[] = [];
  const re =
    /<(\/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>/g;
  for (let m = re.exec(xml); m && out.length < MAX_ELEMENTS; m = re.exec(xml)) {
    if (!m[2]) continue;
    const name = local(m[2]);
    if (m[1]) {
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i]!.name === name) {
          stack[i]!.end = m.index;
          stack.length = i;
          break;
        }
      }
    } else {
      const el: Element = { name, attrs: attrsOf(m[3] ?? ''), start: re.lastIndex, end: re.lastIndex };
      out.push(el);
      if (!m[4]) stack.push(el);
    }
  }
  return out;
}

/** "byte * 2^20" style units → multiplier. */
export function unitMultiplier(units: string | undefined): number | undefined {
  if (!units) return 1;
  const u = units.replace(/\s+/g, '').toLowerCase();
  const pow = /^byte\*(\d+)\^(\d+)$/.exec(u);
  if (pow) return Number(pow[1]) ** Number(pow[2]);
  const named: Record<string, number> = {
    byte: 1,
    bytes: 1,
    kilobytes: 1024,
    kb: 1024,
    megabytes: 2 ** 20,
    mb: 2 ** 20,
    gigabytes: 2 ** 30,
    gb: 2 ** 30,
  };
  return named[u];
}

export function parseOvf(xml: string): OvfDescriptor {
  const text = xml.length > OVF_MAX_BYTES ? xml.slice(0, OVF_MAX_BYTES) : xml;
  const els = elements(text);
  const content = (e: Element) => decodeEntities(text.slice(e.start, e.end).replace(/<[^>]*>/g, '')).trim();
  const within = (outer: Element, e: Element) => e.start >= outer.start && e.start <= outer.end;
  const d: OvfDescriptor = { disks: [], files: [], controllers: [] };

  const vs = els.find((e) => e.name === 'virtualsystem');
  if (vs) {
    const name = els.find((e) => e.name === 'name' && within(vs, e));
    if (name) d.name = content(name);
    else if (vs.attrs.id) d.name = vs.attrs.id;
  }
  const os = els.find((e) => e.name === 'operatingsystemsection');
  if (os) {
    if (os.attrs.id && /^\d+$/.test(os.attrs.id)) d.osId = Number(os.attrs.id);
    if (os.attrs.ostype) d.osType = os.attrs.ostype;
    const desc = els.find((e) => e.name === 'description' && within(os, e));
    if (desc) d.osDescription = content(desc);
  }
  for (const f of els.filter((e) => e.name === 'file')) {
    if (!f.attrs.href) continue;
    const file: OvfFile = { id: f.attrs.id ?? '', href: f.attrs.href };
    if (f.attrs.size && /^\d+$/.test(f.attrs.size)) file.size = Number(f.attrs.size);
    d.files.push(file);
  }
  for (const k of els.filter((e) => e.name === 'disk')) {
    const disk: OvfDisk = {};
    if (k.attrs.diskid) disk.diskId = k.attrs.diskid;
    if (k.attrs.fileref) disk.fileRef = k.attrs.fileref;
    if (k.attrs.format) disk.format = k.attrs.format;
    const mult = unitMultiplier(k.attrs.capacityallocationunits);
    if (k.attrs.capacity && /^\d+$/.test(k.attrs.capacity) && mult) disk.capacity = Number(k.attrs.capacity) * mult;
    if (k.attrs.populatedsize && /^\d+$/.test(k.attrs.populatedsize)) disk.populatedSize = Number(k.attrs.populatedsize);
    d.disks.push(disk);
  }
  // Virtual hardware items: <Item> (or <StorageItem>) with rasd:* children. Elements come in
  // document order, so an item's children are the elements right after it.
  els.forEach((item, i) => {
    if (item.name !== 'item' && item.name !== 'storageitem') return;
    const kids: Element[] = [];
    for (let j = i + 1; j < els.length && els[j]!.start <= item.end; j++) kids.push(els[j]!);
    const child = (n: string) => {
      const c = kids.find((e) => e.name === n);
      return c ? content(c) : undefined;
    };
    const type = Number(child('resourcetype'));
    const qty = Number(child('virtualquantity'));
    if (type === 3 && Number.isFinite(qty) && qty > 0) d.cpus = qty;
    if (type === 4 && Number.isFinite(qty) && qty > 0) {
      const mult = unitMultiplier(child('allocationunits') ?? 'byte * 2^20');
      if (mult) d.memoryMiB = Math.round((qty * mult) / 2 ** 20);
    }
    const sub = child('resourcesubtype')?.toLowerCase();
    if (type === 5) d.controllers.push('ide');
    if (type === 6) d.controllers.push(sub ? `scsi:${sub}` : 'scsi');
    if (type === 20) d.controllers.push(sub?.includes('nvme') ? 'nvme' : 'sata');
  });
  // VMware writes firmware as <vmw:Config vmw:key="firmware" vmw:value="efi"/>.
  const fw = els.find((e) => e.name === 'config' && e.attrs.key === 'firmware');
  if (fw?.attrs.value) d.firmware = fw.attrs.value;
  return d;
}
