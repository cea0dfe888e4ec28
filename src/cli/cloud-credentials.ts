// Credentials for the CLI as the OpenStack tools find them: `--os-cloud NAME` (or OS_CLOUD) in a
// clouds.yaml looked up like openstacksdk does (OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
// ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml), else the OS_* variables of an
// openrc; S3 keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or Keystone's EC2 credentials
// (one is created when the user has none, and the CLI says so). Secrets stay in memory.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OpenStackError } from '../core/openstack/errors.ts';
import { parseCloudsYaml, parseOpenrc } from '../core/openstack/cloud-config.ts';
import { sendJson } from '../core/openstack/http.ts';
import { KeystoneSession } from '../core/openstack/keystone.ts';
import type { AuthConfig } from '../core/openstack/types.ts';

export function cloudsYamlCandidates(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const out: string[] = [];
  if (env.OS_CLIENT_CONFIG_FILE) out.push(env.OS_CLIENT_CONFIG_FILE);
  out.push(join(cwd, 'clouds.yaml'), join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'openstack', 'clouds.yaml'), '/etc/openstack/clouds.yaml');
  return out;
}

/** The sign-in config from --os-cloud / OS_CLOUD, else from the OS_* variables. */
export async function loadAuthConfig(osCloud: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<AuthConfig> {
  const cloud = osCloud ?? env.OS_CLOUD;
  if (cloud) {
    const path = cloudsYamlCandidates(env).find((p) => existsSync(p));
    if (!path)
      throw new OpenStackError(`No clouds.yaml found for --os-cloud ${cloud} (looked in ${cloudsYamlCandidates(env).join(', ')}).`, { kind: 'bad-config' });
    const parsed = parseCloudsYaml(await readFile(path, 'utf8'), cloud);
    if (parsed.missing.length) {
      // secrets may come from the environment, as with the openstack CLI
      if (parsed.missing.includes('password') && env.OS_PASSWORD && parsed.config.auth.type === 'password') parsed.config.auth.password = env.OS_PASSWORD;
      else throw new OpenStackError(`Cloud "${cloud}" in ${path} has no ${parsed.missing.join(', ')} (set it there, in secure.yaml's place, or in OS_PASSWORD).`, { kind: 'bad-config' });
    }
    return parsed.config;
  }
  const lines = Object.entries(env)
    .filter(([k, v]) => k.startsWith('OS_') && v !== undefined)
    .map(([k, v]) => `export ${k}='${String(v).replace(/'/g, '')}'`);
  if (!lines.some((l) => l.startsWith('export OS_AUTH_URL=')))
    throw new OpenStackError('No cloud to sign in to: give --os-cloud NAME (clouds.yaml) or source an openrc (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME…).', {
      kind: 'bad-config',
    });
  const parsed = parseOpenrc(lines.join('\n'));
  if (parsed.missing.length) throw new OpenStackError(`The OS_* variables lack ${parsed.missing.join(', ')}.`, { kind: 'bad-config' });
  return parsed.config;
}

export interface Ec2Keys {
  accessKeyId: string;
  secretAccessKey: string;
  /** True when this run created them in Keystone. */
  created: boolean;
}

/** AWS_* variables, else the user's EC2 credentials for this project (created when none exists). */
export async function ec2Keys(session: KeystoneSession, env: NodeJS.ProcessEnv = process.env): Promise<Ec2Keys> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, created: false };
  const t = session.token;
  const url = `${session.authUrl}/users/${encodeURIComponent(t.user.id)}/credentials/OS-EC2`;
  const fetchFn = (i: string, init?: RequestInit) => globalThis.fetch(i, init);
  const listed = await sendJson<{ credentials: { access: string; secret: string; tenant_id: string }[] }>(fetchFn, url, {
    service: 'keystone',
    action: 'listing your EC2 credentials',
    tokens: session,
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
