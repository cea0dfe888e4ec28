// The guest's directory tree as its fstab mounts it: paths resolved one component at a time,
// crossing mount points and following symlinks (absolute ones relative to the guest root, at most
// MAX_HOPS). A file system that turns out corrupt while being read is switched off with a
// problem noted, and the rest of the tree stays readable; the budget still ends everything.
import { CorruptStructure } from './device.ts';
import type { DirEntry, FsNode, GuestFs } from './types.ts';
import { utf8 } from './text.ts';

const MAX_HOPS = 40;
export const MAX_TEXT = 256 * 1024;

interface Here {
  fs: GuestFs;
  node: FsNode;
}

export class GuestVfs {
  private readonly listings = new Map<GuestFs, Map<number, DirEntry[]>>();
  /** `mounts` maps absolute mount points ("/", "/boot") to file systems; `problems` (one per
   *  file system that turned out corrupt) may be shared by several views of the same disk. */
  constructor(
    private readonly mounts: Map<string, GuestFs>,
    readonly problems = new Map<GuestFs, string>(),
  ) {}

  private guard<T>(fs: GuestFs, f: () => Promise<T>): Promise<T | null> {
    if (this.problems.has(fs)) return Promise.resolve(null);
    return f().catch((e: unknown) => {
      if (!(e instanceof CorruptStructure)) throw e;
      this.problems.set(fs, e.message);
      return null;
    });
  }

  private async entries(h: Here): Promise<DirEntry[] | null> {
    let perFs = this.listings.get(h.fs);
    if (!perFs) this.listings.set(h.fs, (perFs = new Map()));
    const cached = perFs.get(h.node.id);
    if (cached) return cached;
    const list = await this.guard(h.fs, () => h.fs.list(h.node));
    if (list) perFs.set(h.node.id, list);
    return list;
  }

  private async mountRoot(path: string): Promise<Here | null> {
    const fs = this.mounts.get(path);
    if (!fs) return null;
    const node = await this.guard(fs, () => fs.root());
    return node ? { fs, node } : null;
  }

  /** The node at `path`; a final symlink is followed unless `follow` is false. */
  async resolve(path: string, follow = true): Promise<Here | null> {
    const root = await this.mountRoot('/');
    if (!root) return null;
    let stack: Here[] = [root];
    let parts: string[] = [];
    const todo = path.split('/').filter((p) => p && p !== '.');
    let hops = 0;
    while (todo.length) {
      const name = todo.shift()!;
      if (name === '..') {
        if (stack.length > 1) {
          stack.pop();
          parts.pop();
        }
        continue;
      }
      const here = stack[stack.length - 1]!;
      if (here.node.kind !== 'dir') return null;
      const list = await this.entries(here);
      if (!list) return null;
      const caseless = here.fs.type === 'vfat';
      const hit = list.find((e) => (caseless ? e.name.toLowerCase() === name.toLowerCase() : e.name === name));
      if (!hit) return null;
      const node = await this.guard(here.fs, () => here.fs.node(hit.id));
      if (!node) return null;
      if (node.kind === 'link' && (follow || todo.length)) {
        if (++hops > MAX_HOPS) return null;
        const target = await this.guard(here.fs, () => here.fs.readlink(node));
        if (target === null) return null;
        todo.unshift(...target.split('/').filter((p) => p && p !== '.'));
        if (target.startsWith('/')) {
          stack = [root];
          parts = [];
        }
        continue;
      }
      parts.push(name);
      const mounted = node.kind === 'dir' ? await this.mountRoot(`/${parts.join('/')}`) : null;
      stack.push(mounted ?? { fs: here.fs, node });
    }
    return stack[stack.length - 1]!;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.resolve(path, false)) !== null;
  }

  async isFile(path: string): Promise<boolean> {
    return (await this.resolve(path))?.node.kind === 'file';
  }

  async size(path: string): Promise<number | null> {
    const h = await this.resolve(path);
    return h && h.node.kind === 'file' ? h.node.size : null;
  }

  /** The first `max` bytes of a regular file, or null. */
  async readBytes(path: string, max = MAX_TEXT): Promise<Uint8Array | null> {
    const h = await this.resolve(path);
    if (!h || h.node.kind !== 'file') return null;
    return this.guard(h.fs, () => h.fs.read(h.node, max));
  }

  async readText(path: string, max = MAX_TEXT): Promise<string | null> {
    const b = await this.readBytes(path, max);
    return b ? utf8(b) : null;
  }

  /** Names in a directory, or null when it is missing. */
  async list(path: string): Promise<string[] | null> {
    const h = await this.resolve(path);
    if (!h || h.node.kind !== 'dir') return null;
    return (await this.entries(h))?.map((e) => e.name) ?? null;
  }
}
