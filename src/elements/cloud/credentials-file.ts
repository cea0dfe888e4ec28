// Reads a dropped clouds.yaml or openrc into sign-in fields. Pure functions: no DOM, so the parsing
// is unit-testable in Node. Secrets read here stay in the form's memory only.
import { load } from 'js-yaml';

export type AuthMethod = 'password' | 'application_credential' | 'token';
export type EndpointInterface = 'public' | 'internal' | 'admin';

export interface SignInFields {
  authUrl: string;
  method: AuthMethod;
  username: string;
  userDomain: string;
  password: string;
  projectName: string;
  projectDomain: string;
  projectId: string;
  appCredId: string;
  appCredName: string;
  appCredSecret: string;
  token: string;
  region: string;
  interface: EndpointInterface;
}

export function emptyFields(): SignInFields {
  return {
    authUrl: '',
    method: 'password',
    username: '',
    userDomain: 'Default',
    password: '',
    projectName: '',
    projectDomain: 'Default',
    projectId: '',
    appCredId: '',
    appCredName: '',
    appCredSecret: '',
    token: '',
    region: '',
    interface: 'public',
  };
}

export interface ParsedCloud {
  name: string;
  fields: SignInFields;
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function methodOf(authType: string, hasToken: boolean): AuthMethod {
  const t = authType.toLowerCase();
  if (t.includes('applicationcredential') || t.includes('application_credential')) return 'application_credential';
  if (t.includes('token') || (!t && hasToken)) return 'token';
  return 'password';
}

function iface(v: string): EndpointInterface {
  const t = v.replace(/URL$/i, '').toLowerCase();
  return t === 'internal' || t === 'admin' ? t : 'public';
}

/** Every cloud in a clouds.yaml text; throws Error with one plain sentence when it is not one. */
export function parseCloudsYaml(text: string): ParsedCloud[] {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    throw new Error(`This clouds.yaml is not valid YAML (${(e as Error).message.split('\n')[0]}); fix it or type the fields.`);
  }
  const clouds = (doc as { clouds?: unknown } | null)?.clouds;
  if (!clouds || typeof clouds !== 'object') throw new Error('This file has no "clouds:" section; drop a clouds.yaml or an openrc file.');
  const out: ParsedCloud[] = [];
  for (const [name, raw] of Object.entries(clouds as Record<string, unknown>)) {
    const c = (raw ?? {}) as Record<string, unknown>;
    const a = (c.auth ?? {}) as Record<string, unknown>;
    const f = emptyFields();
    f.authUrl = str(a.auth_url);
    f.username = str(a.username ?? a.user_name);
    f.userDomain = str(a.user_domain_name ?? a.user_domain_id ?? a.domain_name) || f.userDomain;
    f.password = str(a.password);
    f.projectName = str(a.project_name ?? a.tenant_name);
    f.projectId = str(a.project_id ?? a.tenant_id);
    f.projectDomain = str(a.project_domain_name ?? a.project_domain_id ?? a.domain_name) || f.projectDomain;
    f.appCredId = str(a.application_credential_id);
    f.appCredName = str(a.application_credential_name);
    f.appCredSecret = str(a.application_credential_secret);
    f.token = str(a.token);
    f.method = methodOf(str(c.auth_type), Boolean(f.token));
    f.region = str(c.region_name);
    f.interface = iface(str(c.interface));
    out.push({ name, fields: f });
  }
  if (out.length === 0) throw new Error('This clouds.yaml lists no cloud; add one or type the fields.');
  return out;
}

/** An openrc (`export OS_...=...` lines); shell expansions other than quotes are not evaluated. */
export function parseOpenrc(text: string): SignInFields {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?(OS_[A-Z_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2].trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    env[m[1]] = v;
  }
  if (!env.OS_AUTH_URL) throw new Error('This file sets no OS_AUTH_URL; drop a clouds.yaml or an openrc file.');
  const f = emptyFields();
  f.authUrl = env.OS_AUTH_URL;
  f.username = env.OS_USERNAME ?? '';
  f.userDomain = env.OS_USER_DOMAIN_NAME ?? env.OS_USER_DOMAIN_ID ?? f.userDomain;
  // openrc files from Horizon ask for the password interactively: that shell snippet is no value.
  f.password = env.OS_PASSWORD && !env.OS_PASSWORD.includes('$') ? env.OS_PASSWORD : '';
  f.projectName = env.OS_PROJECT_NAME ?? env.OS_TENANT_NAME ?? '';
  f.projectId = env.OS_PROJECT_ID ?? env.OS_TENANT_ID ?? '';
  f.projectDomain = env.OS_PROJECT_DOMAIN_NAME ?? env.OS_PROJECT_DOMAIN_ID ?? f.projectDomain;
  f.appCredId = env.OS_APPLICATION_CREDENTIAL_ID ?? '';
  f.appCredName = env.OS_APPLICATION_CREDENTIAL_NAME ?? '';
  f.appCredSecret = env.OS_APPLICATION_CREDENTIAL_SECRET ?? '';
  f.token = env.OS_TOKEN ?? '';
  f.method = methodOf(env.OS_AUTH_TYPE ?? '', Boolean(f.token));
  f.region = env.OS_REGION_NAME ?? '';
  f.interface = iface(env.OS_INTERFACE ?? env.OS_ENDPOINT_TYPE ?? '');
  return f;
}

/** Picks the parser by content: YAML with "clouds:" or shell with OS_ variables. */
export function parseCredentialsFile(text: string): ParsedCloud[] {
  if (/^\s*clouds\s*:/m.test(text)) return parseCloudsYaml(text);
  if (/\bOS_[A-Z_]+=/.test(text)) return [{ name: 'openrc', fields: parseOpenrc(text) }];
  throw new Error('This file is neither a clouds.yaml nor an openrc; drop one of those or type the fields.');
}
