// Finds clouds.yaml and secure.yaml where openstacksdk does (openstack/config/loader.py): the
// OS_CLIENT_CONFIG_FILE / OS_CLIENT_SECURE_FILE override first, then the current directory, the
// user's config dir (platformdirs), ~/.config/openstack, the site config dir (platformdirs) and
// /etc/openstack, each as .yaml, .yml and .json. The first file that exists wins, unless it may
// not be read or does not parse (then the next one is taken, as there). secure.yaml's document
// is deep-merged over clouds.yaml's, so a password kept apart from the shared file fills the
// cloud's `auth`.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { OpenStackError } from '../core/openstack/errors.ts';

export interface LoadedCloudFiles {
  /** The merged document's `clouds:` entries ({} when neither file has any). */
  clouds: Record<string, unknown>;
  /** The clouds.yaml and secure.yaml read, for error messages. */
  cloudsFile?: string;
  secureFile?: string;
  /** Files that exist but were passed over, each "path (why)": openstacksdk skips them too. */
  skipped: string[];
}

/** Where to look from; each defaults to this process's (`etc` lets a test stand in for /etc). */
export interface SearchOptions {
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  home?: string;
  platform?: NodeJS.Platform;
  etc?: string;
}

function searchDirs(o: SearchOptions): string[] {
  const env = o.env ?? process.env;
  const home = o.home ?? homedir();
  const etc = o.etc ?? '/etc';
  // platformdirs' dirs for appname "openstack": its macOS defaults, else the XDG variables
  let user: string;
  let site: string | undefined;
  if ((o.platform ?? process.platform) === 'darwin') {
    user = join(home, 'Library', 'Application Support', 'openstack');
    site = '/Library/Application Support/openstack';
  } else {
    user = join(env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(home, '.config'), 'openstack');
    const xdgDirs = (env.XDG_CONFIG_DIRS?.trim() ? env.XDG_CONFIG_DIRS : join(etc, 'xdg')).split(':');
    // openstacksdk gets several XDG_CONFIG_DIRS as one ':'-joined string, a path that never
    // exists: only a lone entry is really searched
    site = xdgDirs.length === 1 ? join(xdgDirs[0], 'openstack') : undefined;
  }
  const dirs = [
    o.cwd ?? process.cwd(),
    user,
    join(env.SNAP_REAL_HOME || home, '.config', 'openstack'),
    ...(site ? [site] : []),
    join(etc, 'openstack'),
  ];
  return dirs.filter((d, i) => dirs.indexOf(d) === i);
}

/** Where `clouds` or `secure` files are looked for, in openstacksdk's order. */
export function cloudFileCandidates(base: 'clouds' | 'secure', o: SearchOptions = {}): string[] {
  const env = o.env ?? process.env;
  const override = base === 'clouds' ? env.OS_CLIENT_CONFIG_FILE : env.OS_CLIENT_SECURE_FILE;
  const found = searchDirs(o).flatMap((d) => ['.yaml', '.yml', '.json'].map((s) => join(d, base + s)));
  return override ? [override, ...found] : found;
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ?? (err.message ?? String(e)).split('\n')[0];
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first of `paths` that exists, less those that may not be read or do not parse. */
function firstDocument(paths: string[], skipped: string[]): { path: string; doc: Record<string, unknown> } | undefined {
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      // openstacksdk passes over a file it may not read, and stops at any other failure
      if (code === 'EACCES') {
        skipped.push(`${path} (EACCES)`);
        continue;
      }
      throw new OpenStackError(`Cannot read ${path} (${errorText(e)}).`, { kind: 'bad-config', cause: e });
    }
    let doc: unknown;
    try {
      doc = path.endsWith('json') ? JSON.parse(text) : load(text);
    } catch (e) {
      skipped.push(`${path} (not valid ${path.endsWith('json') ? 'JSON' : 'YAML'}: ${errorText(e)})`);
      continue;
    }
    if (doc === null || doc === undefined) doc = {};
    // openstacksdk stops here too, rather than fall back to a file the user did not mean
    if (!isMapping(doc))
      throw new OpenStackError(`${path} is not a mapping of settings (a clouds.yaml or secure.yaml starts with "clouds:").`, {
        kind: 'bad-config',
      });
    return { path, doc };
  }
  return undefined;
}

/** openstacksdk's merge_clouds: nested mappings merge key by key, anything else is replaced. */
export function mergeClouds(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over))
    if (k !== '__proto__') out[k] = isMapping(v) ? mergeClouds(isMapping(out[k]) ? out[k] : {}, v) : v;
  return out;
}

export function loadCloudFiles(o: SearchOptions = {}): LoadedCloudFiles {
  const skipped: string[] = [];
  const clouds = firstDocument(cloudFileCandidates('clouds', o), skipped);
  const secure = firstDocument(cloudFileCandidates('secure', o), skipped);
  const merged = mergeClouds(clouds?.doc ?? {}, secure?.doc ?? {});
  return {
    clouds: isMapping(merged.clouds) ? merged.clouds : {},
    cloudsFile: clouds?.path,
    secureFile: secure?.path,
    skipped,
  };
}
