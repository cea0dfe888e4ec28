// The npm package exactly as a consumer gets it: `npm pack` (which runs prepack: the CLI, lib/ and
// custom-elements.json), then the tarball unpacked into <dir>/node_modules/image-inspector — what
// `npm install ./image-inspector-x.tgz` puts there, without asking the registry for its
// dependencies: <dir> lies inside this repository, so lit, comlink… resolve from its node_modules.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './serve-dist.ts';

export interface PackedPackage {
  /** The consumers' folder (each consumer app goes in a sub-folder of it). */
  dir: string;
  /** <dir>/node_modules/image-inspector */
  installed: string;
  tarball: string;
  remove(): void;
}

export function packAndInstall(): PackedPackage {
  const parent = join(REPO_ROOT, 'test-results');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'package-'));
  try {
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}`);
    const installed = join(dir, 'node_modules', 'image-inspector');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', installed, '--strip-components=1']);
    return { dir, installed, tarball: join(dir, tarball), remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
