// Generated test corpora live in a cache directory keyed by their generator's hash. Building goes
// to a temporary sibling that is renamed into place only when complete, so an interrupted run (or
// two suites at once) never leaves a half-made corpus that later runs would trust.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function buildOnce(dir: string, build: (tmp: string) => void): void {
  if (existsSync(join(dir, '.complete'))) return;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    build(tmp);
    writeFileSync(join(tmp, '.complete'), new Date().toISOString());
    // Another process may have finished first and be reading its copy: never replace a complete one.
    if (existsSync(join(dir, '.complete'))) {
      rmSync(tmp, { recursive: true, force: true });
      return;
    }
    rmSync(dir, { recursive: true, force: true }); // a half-made one an interrupted run left
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // the other process renamed its complete copy in between (rename onto a non-empty directory fails)
      if (!existsSync(join(dir, '.complete'))) throw e;
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
