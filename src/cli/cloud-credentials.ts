// Credentials for the CLI as the openstack CLI finds them: `--os-cloud NAME` (or OS_CLOUD) in
// clouds.yaml merged with secure.yaml (cloud-files.ts), else the OS_* variables (an openrc that
// was sourced), else the only cloud of clouds.yaml; the CA bundle (cacert, OS_CACERT) and
// verify: false / insecure / OS_INSECURE for its HTTPS. S3 keys come from
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or Keystone's EC2 credentials (one is created when the
// user has none, and the CLI says so). Secrets stay in memory.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { OpenStackError } from '../core/openstack/errors.ts';
import { cloudEntryConfig, osVarsConfig } from '../core/openstack/cloud-config.ts';
import { sendJson } from '../core/openstack/http.ts';
import { KeystoneSession } from '../core/openstack/keystone.ts';
import type { AuthConfig, FetchLike } from '../core/openstack/types.ts';
import { cloudFileCandidates, loadCloudFiles, type LoadedCloudFiles, type SearchOptions } from './cloud-files.ts';
import { errnoText } from './file-errors.ts';
import type { TlsSettings } from './tls-fetch.ts';

type Env = Readonly<Record<string, string | undefined>>;
type Opts = SearchOptions & { env: Env; cwd: string; home: string };

export interface CliCloud {
  auth: AuthConfig;
  tls: TlsSettings;
}

// openstacksdk's: these choose or locate a cloud, they do not describe one
const SELECTORS = new Set(['OS_CLOUD', 'OS_REGION_NAME', 'OS_CLIENT_CONFIG_FILE', 'OS_CLIENT_SECURE_FILE', 'OS_CLOUD_NAME']);

/** openstacksdk's get_boolean: only true or "true" (any case) is true. */
function isTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

function describesCloud(env: Env): boolean {
  return Object.keys(env).some((k) => k.startsWith('OS_') && env[k] !== undefined && !/^OS_(TEST|STD|LOG)/.test(k) && !SELECTORS.has(k));
}

const ENV_NAMES: Record<string, string> = {
  password: 'OS_PASSWORD',
  username: 'OS_USERNAME (or OS_USER_ID)',
  token: 'OS_TOKEN',
  application_credential_secret: 'OS_APPLICATION_CREDENTIAL_SECRET',
};

function tlsSettings(cacert: unknown, insecure: boolean, whose: string, o: Opts): TlsSettings {
  // as openstacksdk: insecure wins over a CA bundle
  if (insecure || typeof cacert !== 'string' || !cacert) return { insecure };
  const caFile = resolve(o.cwd, cacert.replace(/^~(?=$|\/)/, o.home));
  try {
    return { ca: readFileSync(caFile, 'utf8'), caFile, insecure };
  } catch (e) {
    throw new OpenStackError(`Cannot read the CA bundle ${caFile} (${whose}): ${errnoText(e) ?? (e as Error).message}.`, {
      kind: 'bad-config',
      cause: e,
    });
  }
}

function fromEnvironment(o: Opts): CliCloud {
  const env = o.env;
  if (!env.OS_AUTH_URL)
    throw new OpenStackError(
      'The OS_* variables set no OS_AUTH_URL: source a complete openrc, or give --os-cloud NAME (or OS_CLOUD) for a clouds.yaml.',
      { kind: 'bad-config' },
    );
  const { config, missing } = osVarsConfig(env, 'The environment (OS_* variables)');
  if (missing.length)
    throw new OpenStackError(`The OS_* variables set no ${missing.map((m) => ENV_NAMES[m] ?? m).join(', ')}.`, { kind: 'bad-config' });
  return { auth: config, tls: tlsSettings(env.OS_CACERT, isTrue(env.OS_INSECURE), 'OS_CACERT', o) };
}

function filesRead(f: LoadedCloudFiles): string {
  return [f.cloudsFile, f.secureFile].filter((p): p is string => p !== undefined).join(' and ');
}

function passedOver(f: LoadedCloudFiles): string {
  return f.skipped.length ? `, passing over ${f.skipped.join(', ')}` : '';
}

function noFiles(f: LoadedCloudFiles, o: Opts): string {
  const where = cloudFileCandidates('clouds', o).filter((p) => p.endsWith('.yaml') || p === o.env.OS_CLIENT_CONFIG_FILE);
  return `none of ${where.join(', ')} exists (nor as .yml or .json)${passedOver(f)}`;
}

/** The cloud to sign in to and how to trust its certificates, as `openstack` would pick them. */
export function loadCloud(osCloud: string | undefined, options: SearchOptions = {}): CliCloud {
  const o: Opts = { ...options, env: options.env ?? process.env, cwd: options.cwd ?? process.cwd(), home: options.home ?? homedir() };
  const env = o.env;
  const named = osCloud || env.OS_CLOUD || undefined;
  if (describesCloud(env) && (!named || named === (env.OS_CLOUD_NAME || 'envvars'))) return fromEnvironment(o);
  const files = loadCloudFiles(o);
  const found = files.cloudsFile !== undefined || files.secureFile !== undefined;
  const names = Object.keys(files.clouds);
  const name = named ?? (names.length === 1 ? names[0] : undefined);
  if (!name)
    throw new OpenStackError(
      names.length
        ? `Several clouds are defined in ${filesRead(files)} (${names.join(', ')}): choose one with --os-cloud NAME or OS_CLOUD.`
        : `No cloud to sign in to: give --os-cloud NAME with a clouds.yaml or source an openrc (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME…); ${found ? `no cloud is defined in ${filesRead(files)}` : noFiles(files, o)}.`,
      { kind: 'bad-config' },
    );
  const entry = files.clouds[name];
  if (entry === undefined)
    throw new OpenStackError(
      found
        ? `No cloud named "${name}" in ${filesRead(files)} (${names.length ? `it has ${names.join(', ')}` : 'it has none'}${passedOver(files)}).`
        : `No clouds.yaml for cloud "${name}": ${noFiles(files, o)}.`,
      { kind: 'bad-config' },
    );
  const where = filesRead(files);
  const parsed = cloudEntryConfig(name, entry, `Cloud "${name}" in ${where}`);
  // as the openstack CLI, whose --os-password defaults to it
  if (parsed.missing.includes('password') && env.OS_PASSWORD && parsed.config.auth.type === 'password') {
    parsed.config.auth.password = env.OS_PASSWORD;
    parsed.missing = parsed.missing.filter((m) => m !== 'password');
  }
  if (parsed.missing.length)
    throw new OpenStackError(
      `Cloud "${name}" in ${where} has no ${parsed.missing.map((m) => `auth.${m}`).join(', ')}: set it there or in secure.yaml${parsed.missing.includes('password') ? ', or export OS_PASSWORD' : ''}.`,
      { kind: 'bad-config' },
    );
  const c = (entry && typeof entry === 'object' ? entry : {}) as Record<string, unknown>;
  const insecure = isTrue(env.OS_INSECURE) || isTrue(c.insecure) || c.verify === false;
  const cacert = env.OS_CACERT || c.cacert;
  return { auth: parsed.config, tls: tlsSettings(cacert, insecure, env.OS_CACERT ? 'OS_CACERT' : `cacert of cloud "${name}"`, o) };
}

export interface Ec2Keys {
  accessKeyId: string;
  secretAccessKey: string;
  /** True when this run created them in Keystone. */
  created: boolean;
}

/** AWS_* variables, else the user's EC2 credentials for this project (created when none exists). */
export async function ec2Keys(
  session: KeystoneSession,
  env: Env = process.env,
  fetchFn: FetchLike = (i, init) => globalThis.fetch(i, init),
): Promise<Ec2Keys> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, created: false };
  const t = session.token;
  const url = `${session.authUrl}/users/${encodeURIComponent(t.user.id)}/credentials/OS-EC2`;
  const listed = await sendJson<{ credentials: { access: string; secret: string; tenant_id: string }[] }>(fetchFn, url, {
    service: 'keystone',
    action: 'listing your EC2 credentials',
    tokens: session,
  }).catch((e: unknown) => {
    // an application credential's token may not touch credentials ("Delegated tokens cannot access credentials directly")
    if (e instanceof OpenStackError && e.kind === 'forbidden')
      throw new OpenStackError(
        `Keystone does not let this sign-in read your EC2 credentials${e.detail ? ` (Keystone said: ${e.detail})` : ''}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in with a password.`,
        { kind: 'forbidden', service: 'keystone', status: e.status, detail: e.detail, cause: e },
      );
    throw e;
  });
  const mine = listed.credentials.find((c) => c.tenant_id === t.project?.id);
  if (mine) return { accessKeyId: mine.access, secretAccessKey: mine.secret, created: false };
  const made = await sendJson<{ credential: { access: string; secret: string } }>(fetchFn, url, {
    method: 'POST',
    json: { tenant_id: t.project?.id },
    service: 'keystone',
    action: 'creating EC2 credentials',
    tokens: session,
  });
  return { accessKeyId: made.credential.access, secretAccessKey: made.credential.secret, created: true };
}
