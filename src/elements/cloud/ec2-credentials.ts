// The signed-in user's EC2-style credentials in Keystone (`/v3/users/{id}/credentials/OS-EC2`),
// listed for the S3 upload or created for this project. They are held in memory only, never in
// storage or logs; the access key is what the form shows.
import { msg, str } from '@lit/localize';
import type { KeystoneSession } from '../../core/openstack/keystone.ts';
import { OpenStackError } from '../../core/openstack/errors.ts';
import type { Ec2Choice } from './create-form-upload.ts';

interface Ec2Record {
  access: string;
  secret: string;
  tenant_id?: string;
  project_id?: string;
}

function url(s: KeystoneSession): string {
  return `${s.authUrl.replace(/\/+$/, '')}/users/${encodeURIComponent(s.token.user.id)}/credentials/OS-EC2`;
}

async function call(s: KeystoneSession, init: RequestInit, action: string): Promise<unknown> {
  const token = await s.getToken();
  let res: Response;
  try {
    res = await fetch(url(s), {
      ...init,
      headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json', Accept: 'application/json' },
    });
  } catch (e) {
    throw new OpenStackError(
      msg(str`Could not reach Keystone while ${action}: ${(e as Error).message}. Type the access and secret key in instead.`),
      { kind: 'network', service: 'keystone', cause: e },
    );
  }
  if (!res.ok)
    throw new OpenStackError(msg(str`Keystone answered ${res.status} while ${action}: type the access and secret key in instead.`), {
      kind: res.status === 403 ? 'forbidden' : 'server',
      status: res.status,
      service: 'keystone',
    });
  return res.json();
}

/** The user's EC2 credentials for the signed-in project. */
export async function listEc2(s: KeystoneSession): Promise<Ec2Choice[]> {
  const body = (await call(s, { method: 'GET' }, msg('listing your EC2 credentials'))) as { credentials?: Ec2Record[] };
  const project = s.token.project?.id;
  return (body.credentials ?? [])
    .filter((c) => !project || (c.tenant_id ?? c.project_id) === project)
    .map((c) => ({ access: c.access, secret: c.secret }));
}

/** New EC2 credentials for the signed-in project. */
export async function createEc2(s: KeystoneSession): Promise<Ec2Choice> {
  const project = s.token.project?.id;
  if (!project)
    throw new OpenStackError(msg('EC2 credentials need a project-scoped sign-in.'), { kind: 'bad-config', service: 'keystone' });
  const body = (await call(s, { method: 'POST', body: JSON.stringify({ tenant_id: project }) }, msg('creating EC2 credentials'))) as {
    credential?: Ec2Record;
  };
  if (!body.credential)
    throw new OpenStackError(msg('Keystone created no EC2 credential: type the access and secret key in instead.'), {
      kind: 'server',
      service: 'keystone',
    });
  return { access: body.credential.access, secret: body.credential.secret };
}
