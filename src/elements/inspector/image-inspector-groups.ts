// Turns the files a user chose (a multi-selection or a folder) into the images to inspect: most
// files are an image on their own, but a VMDK text descriptor names its extents in other files
// (twoGbMaxExtentSparse, monolithicFlat...), which then belong to the descriptor's card.
// Reads at most the first 64 KiB of each small file; never a whole image.

import type { QemuTarget } from '../../core/inspection-pipeline.ts';
import type { BlobInput } from '../../../workers/qemu-img/types.ts';

/** A descriptor is small text; monolithicSparse embeds one inside the binary file instead. */
const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
const DESCRIPTOR_MAGIC = '# Disk DescriptorFile';

/** Names qemu-img sees under /in: a flat name without '/' (the runner mounts /in/<name>). */
export function mountName(name: string): string {
  return name.replace(/^.*\//, '').replace(/[^\w.+-]/g, '_') || 'image';
}

/** What qemu-img reads for a target: for an OVA's disk a slice of the tar (read in place, nothing
 *  copied), else the file and its extents. The first input is the image itself. */
export function qemuInputs(group: ImageGroup, member: QemuTarget['member']): BlobInput[] {
  if (member) return [{ name: mountName(member.name), blob: group.main.slice(member.offset, member.offset + member.size) }];
  return [
    { name: mountName(group.main.name), blob: group.main },
    ...[...group.extents].map(([name, file]) => ({ name: mountName(name), blob: file as Blob })),
  ];
}

export interface ImageGroup {
  /** Name shown on the card (the descriptor's name for a multi-file VMDK). */
  name: string;
  /** The file qemu-img opens and the safety core reads. */
  main: File;
  /** Other files of the image, by the name the descriptor uses for them. */
  extents: Map<string, File>;
  /** Extent names the descriptor lists that were not among the chosen files. */
  missing: string[];
}

/** The extent file names of a VMDK text descriptor, in order (`RW 4192256 SPARSE "a-s001.vmdk"`). */
export function descriptorExtentNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:RW|RDONLY|NOACCESS)\s+\d+\s+\w+\s+"([^"]*)"/.exec(line);
    if (m) names.push(m[1]!);
  }
  return names;
}

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(i + 1) : path;
}

async function readDescriptor(file: File): Promise<string | null> {
  if (file.size > MAX_DESCRIPTOR_BYTES || file.size < DESCRIPTOR_MAGIC.length) return null;
  const head = await file.slice(0, DESCRIPTOR_MAGIC.length).text();
  if (head !== DESCRIPTOR_MAGIC) return null;
  return file.text();
}

/** Groups files: each VMDK descriptor takes the files its extent lines name; the rest stand alone. */
export async function groupFiles(files: readonly File[]): Promise<ImageGroup[]> {
  const byName = new Map<string, File>();
  for (const f of files) byName.set(baseName(f.webkitRelativePath || f.name), f);
  const claimed = new Set<File>();
  const groups: ImageGroup[] = [];
  const descriptors: Array<{ file: File; extents: string[] }> = [];
  for (const f of files) {
    const text = await readDescriptor(f);
    if (text !== null) descriptors.push({ file: f, extents: descriptorExtentNames(text) });
  }
  for (const d of descriptors) {
    const extents = new Map<string, File>();
    const missing: string[] = [];
    for (const name of d.extents) {
      if (!name) continue; // a ZERO extent has no file
      // qemu-img resolves extent names relative to the descriptor's folder: match by base name.
      const f = byName.get(baseName(name));
      if (f && f !== d.file) {
        extents.set(name, f);
        claimed.add(f);
      } else if (!f) missing.push(name);
    }
    groups.push({ name: d.file.name, main: d.file, extents, missing });
    claimed.add(d.file);
  }
  for (const f of files) {
    if (!claimed.has(f)) groups.push({ name: f.name, main: f, extents: new Map(), missing: [] });
  }
  // Keep the user's order: sort by the position of each group's main file.
  const order = new Map(files.map((f, i) => [f, i] as const));
  return groups.sort((a, b) => order.get(a.main)! - order.get(b.main)!);
}
