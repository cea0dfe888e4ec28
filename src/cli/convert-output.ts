// The files a conversion creates: OUT itself and, for multi-file VMDK subformats, its extent files
// (OUT-s001.vmdk, OUT-flat.vmdk, …). A failed or interrupted conversion removes what it created,
// and only that: files that were there before and anything not a regular file (a block device
// written in place) are left alone.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class OutputFiles {
  private readonly before: Set<string>;
  private readonly dir: string;
  private readonly stem: string;

  constructor(private readonly path: string) {
    this.dir = dirname(path);
    this.stem = basename(path).replace(/\.[^.]*$/, '');
    this.before = new Set(this.list());
  }

  private list(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }

  /** Whether OUT is a regular file (or does not exist yet): only then is it ours to remove. */
  removable(): boolean {
    const st = statSync(this.path, { throwIfNoEntry: false });
    return !st || st.isFile();
  }

  /** Removes OUT and the extent files this run created. */
  remove(): void {
    if (this.removable()) rmSync(this.path, { force: true });
    for (const name of this.list()) {
      if (this.before.has(name) || !name.startsWith(`${this.stem}-`)) continue;
      const p = join(this.dir, name);
      if (statSync(p, { throwIfNoEntry: false })?.isFile()) rmSync(p, { force: true });
    }
  }
}
