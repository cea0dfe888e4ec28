// Reads a clouds.yaml (openstacksdk format) or an openrc shell file into an AuthConfig for the
// sign-in form. Missing secrets (secure.yaml, `read -s` prompts) are reported, not invented.
import { load } from 'js-yaml';
import { OpenStackError } from './errors.ts';
import type { AuthConfig, AuthMethod, EndpointInterface } from './types.ts';

export interface ParsedCloudConfig {
  config: AuthConfig;
  /** Secrets the file did not contain (e.g. ["password"]): the form asks for them. */
  missing: string[];
  /** All cloud names in a clouds.yaml (for a picker); [] for openrc. */
  cloudNames: string[];
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function normaliseInterface(v?: string): EndpointInterface | undefined {
  if (!v) return undefined;
  const s = v.toLowerCase().replace(/url$/, '');
  if (s === 'public' || s === 'internal' || s === 'admin') return s;
  throw new OpenStackError(`Unknown endpoint interface "${v}" (use public, internal or admin).`, {
    code: 'config.unknown-interface',
    params: { value: v },
    kind: 'bad-config',
  });
}

interface FlatAuth {
  authUrl?: string;
  authType?: string;
  username?: string;
  userId?: string;
  password?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  domainName?: string;
  domainId?: string;
  appCredId?: string;
  appCredName?: string;
  appCredSecret?: string;
  token?: string;
  region?: string;
  iface?: string;
}

/** `source` is the English wording; `cloud` (the clouds.yaml entry's name) lets the page say it
 *  in its language, and its absence means the file was an openrc. */
function sourceParams(source: string, cloudName: string | undefined): Record<string, string> {
  return cloudName === undefined ? { source } : { source, cloud: cloudName };
}

function toConfig(f: FlatAuth, cloudName: string | undefined, source: string): { config: AuthConfig; missing: string[] } {
  if (!f.authUrl)
    throw new OpenStackError(`${source} has no auth_url (OS_AUTH_URL).`, {
      code: 'config.no-auth-url',
      params: sourceParams(source, cloudName),
      kind: 'bad-config',
    });
  const type = (f.authType ?? '').toLowerCase().replace(/^v3/, '').replace(/[-_]/g, '');
  const missing: string[] = [];
  let auth: AuthMethod;
  const userDomainName = f.userDomainName ?? (f.userDomainId ? undefined : f.domainName);
  const userDomainId = f.userDomainId ?? (f.userDomainName ? undefined : f.domainId);
  if (type === 'applicationcredential' || (!type && (f.appCredId || f.appCredSecret))) {
    if (!f.appCredSecret) missing.push('application_credential_secret');
    auth = {
      type: 'application-credential',
      id: f.appCredId,
      name: f.appCredName,
      secret: f.appCredSecret ?? '',
      username: f.username,
      userId: f.userId,
      userDomainName,
      userDomainId,
    };
  } else if (type === 'token' || (!type && f.token && !f.password)) {
    if (!f.token) missing.push('token');
    auth = { type: 'token', token: f.token ?? '' };
  } else if (type === '' || type === 'password') {
    if (!f.password) missing.push('password');
    if (!f.username && !f.userId) missing.push('username');
    auth = { type: 'password', username: f.username ?? '', password: f.password ?? '', userDomainName, userDomainId };
  } else {
    throw new OpenStackError(
      `${source} uses auth_type "${f.authType}", which this page does not support (use password, application credential or token).`,
      { code: 'config.auth-type', params: { ...sourceParams(source, cloudName), authType: f.authType ?? '' }, kind: 'bad-config' },
    );
  }
  const config: AuthConfig = {
    authUrl: f.authUrl,
    auth,
    regionName: f.region,
    interface: normaliseInterface(f.iface),
    cloudName,
  };
  if (auth.type !== 'application-credential' && (f.projectName || f.projectId))
    config.scope = {
      projectName: f.projectName,
      projectId: f.projectId,
      projectDomainName: f.projectDomainName ?? (f.projectDomainId ? undefined : f.domainName),
      projectDomainId: f.projectDomainId ?? (f.projectDomainName ? undefined : f.domainId),
    };
  return { config, missing };
}

/** Parses clouds.yaml text; picks `cloudName`, or the only cloud, or fails naming the choices. */
export function parseCloudsYaml(text: string, cloudName?: string): ParsedCloudConfig {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    throw new OpenStackError(`This clouds.yaml is not valid YAML: ${(e as Error).message.split('\n')[0]}`, {
      code: 'config.invalid-yaml',
      params: { reason: (e as Error).message.split('\n')[0] ?? '' },
      kind: 'bad-config',
      cause: e,
    });
  }
  const clouds = (doc as { clouds?: unknown } | null)?.clouds;
  if (!clouds || typeof clouds !== 'object')
    throw new OpenStackError('This file has no "clouds:" section: it is not a clouds.yaml.', {
      code: 'config.no-clouds',
      kind: 'bad-config',
    });
  const names = Object.keys(clouds);
  const name = cloudName ?? (names.length === 1 ? names[0] : undefined);
  if (!name)
    throw new OpenStackError(`This clouds.yaml defines several clouds (${names.join(', ')}): choose one.`, {
      code: 'config.several-clouds',
      params: { clouds: names.join(', ') },
      kind: 'bad-config',
    });
  const c = (clouds as Record<string, unknown>)[name];
  if (!c)
    throw new OpenStackError(`No cloud named "${name}" in this clouds.yaml (it has ${names.join(', ')}).`, {
      code: 'config.no-such-cloud',
      params: { name, clouds: names.join(', ') },
      kind: 'bad-config',
    });
  return { ...cloudEntryConfig(name, c, `Cloud "${name}"`), cloudNames: names };
}

/**
 * Where each field is in a clouds.yaml entry (`auth:` keys, then the entry's own) and, upper-cased
 * after `OS_`, in an openrc: one name per place, the first that is set wins (tenant_* is Keystone
 * v2's spelling, endpoint_type the old one of interface).
 */
const AUTH_KEYS: ReadonlyArray<readonly [keyof FlatAuth, readonly string[]]> = [
  ['authUrl', ['auth_url']],
  ['username', ['username']],
  ['userId', ['user_id']],
  ['password', ['password']],
  ['userDomainName', ['user_domain_name']],
  ['userDomainId', ['user_domain_id']],
  ['projectName', ['project_name', 'tenant_name']],
  ['projectId', ['project_id', 'tenant_id']],
  ['projectDomainName', ['project_domain_name']],
  ['projectDomainId', ['project_domain_id']],
  ['domainName', ['domain_name']],
  ['domainId', ['domain_id']],
  ['appCredId', ['application_credential_id']],
  ['appCredName', ['application_credential_name']],
  ['appCredSecret', ['application_credential_secret']],
  ['token', ['token']],
];
const ENTRY_KEYS: ReadonlyArray<readonly [keyof FlatAuth, readonly string[]]> = [
  ['authType', ['auth_type']],
  ['iface', ['interface', 'endpoint_type']],
];

function pick(into: FlatAuth, keys: typeof AUTH_KEYS, get: (key: string) => unknown): FlatAuth {
  for (const [field, names] of keys) {
    const v = names.map((n) => str(get(n))).find((x) => x !== undefined);
    if (v !== undefined) into[field] = v;
  }
  return into;
}

/** One `clouds:` entry (already merged with secure.yaml by the CLI); `source` names it in errors. */
export function cloudEntryConfig(name: string, entry: unknown, source: string): { config: AuthConfig; missing: string[] } {
  const c = (entry && typeof entry === 'object' ? entry : {}) as Record<string, unknown>;
  const a = (c.auth && typeof c.auth === 'object' ? c.auth : {}) as Record<string, unknown>;
  const f = pick(
    pick({}, AUTH_KEYS, (k) => a[k]),
    ENTRY_KEYS,
    (k) => c[k],
  );
  f.region = str(c.region_name) ?? (Array.isArray(c.regions) ? str(c.regions[0]) : undefined);
  return toConfig(f, name, source);
}

/** The OS_* variables (an openrc's, or the environment's) as they are: no quoting, no expansion. */
export function osVarsConfig(
  vars: Readonly<Record<string, string | undefined>>,
  source: string,
): { config: AuthConfig; missing: string[] } {
  const f = pick({}, [...AUTH_KEYS, ...ENTRY_KEYS], (k) => vars[`OS_${k.toUpperCase()}`]);
  f.region = str(vars.OS_REGION_NAME);
  return toConfig(f, undefined, source);
}

/** Parses the `export OS_…=…` lines of an openrc file (no shell is run). */
export function parseOpenrc(text: string): ParsedCloudConfig {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?(OS_[A-Z0-9_]+)=(.*)$/.exec(raw);
    if (!m) continue;
    let v = m[2].trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    // `export OS_PASSWORD=$OS_PASSWORD_INPUT` (Horizon's prompt): the value is not in the file
    if (v.includes('$')) continue;
    env[m[1]] = v;
  }
  if (!env.OS_AUTH_URL)
    throw new OpenStackError('This file sets no OS_AUTH_URL: it is not an openrc file.', {
      code: 'config.no-os-auth-url',
      kind: 'bad-config',
    });
  const { config, missing } = osVarsConfig(env, 'This openrc');
  return { config, missing, cloudNames: [] };
}

/** Either format, told apart by content. */
export function parseCloudFile(text: string, cloudName?: string): ParsedCloudConfig {
  return /^\s*(export\s+)?OS_[A-Z_]+=/m.test(text) ? parseOpenrc(text) : parseCloudsYaml(text, cloudName);
}
