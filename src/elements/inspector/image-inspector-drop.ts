// Files from a drop: plain files as they are, and the files inside dropped folders (a VMDK
// descriptor with its extents is often dropped as its folder). Reads directory listings only.

const MAX_DEPTH = 4;
const MAX_FILES = 1000;

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  // readEntries returns the listing in batches; an empty batch ends it.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

async function collect(entry: FileSystemEntry, depth: number, out: File[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  if (entry.isFile) out.push(await entryFile(entry as FileSystemFileEntry));
  else if (entry.isDirectory && depth < MAX_DEPTH) {
    for (const child of await readAll(entry as FileSystemDirectoryEntry)) await collect(child, depth + 1, out);
  }
}

export async function filesFromDrop(data: DataTransfer | null): Promise<File[]> {
  if (!data) return [];
  const entries = [...data.items]
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return [...data.files];
  const out: File[] = [];
  for (const e of entries) await collect(e, 0, out);
  return out;
}
