// The local Swift (and its s3api) as the object-upload e2e tests see it from Node: the storage
// URL of the demo project, listings of containers and segment containers with the user's token,
// and clean-up. Independent of the browser code under test (plain fetch).
import { createHash } from 'node:crypto';
import type { KeystoneSession } from '../../../src/core/openstack/keystone.ts';
import type { CloudJson } from './cloud-env.ts';

export interface SwiftJson {
  url: string;
  storageUrls: Record<'demo' | 'alt', string>;
  s3: { endpoint: string; region: string; credentials: Record<'demo' | 'alt', { access: string; secret: string }> };
}

export function swiftOf(cloud: CloudJson): SwiftJson {
  const s = (cloud as CloudJson & { swift?: SwiftJson }).swift;
  if (!s) throw new Error('.cloud/cloud.json has no swift block: start the cloud with CLOUD_WITH_SWIFT=1');
  return s;
}

export interface ListedObject {
  name: string;
  bytes: number;
  hash: string;
}

/** Objects of a container (empty when the container does not exist). */
export async function listContainer(session: KeystoneSession, storageUrl: string, container: string, prefix = ''): Promise<ListedObject[]> {
  const res = await fetch(`${storageUrl}/${encodeURIComponent(container)}?format=json&prefix=${encodeURIComponent(prefix)}`, {
    headers: { 'X-Auth-Token': await session.getToken() },
  });
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`listing ${container}: ${res.status}`);
  return (await res.json()) as ListedObject[];
}

/** Deletes every object of the container, then the container (missing ones are fine). */
export async function removeContainer(session: KeystoneSession, storageUrl: string, container: string): Promise<void> {
  const token = await session.getToken();
  for (const o of await listContainer(session, storageUrl, container)) {
    await fetch(`${storageUrl}/${encodeURIComponent(container)}/${o.name.split('/').map(encodeURIComponent).join('/')}`, {
      method: 'DELETE',
      headers: { 'X-Auth-Token': token },
    });
  }
  await fetch(`${storageUrl}/${encodeURIComponent(container)}`, { method: 'DELETE', headers: { 'X-Auth-Token': token } });
}

/** Sets the account's TempURL key (what the operator or the user does once, outside the page). */
export async function setAccountTempUrlKey(session: KeystoneSession, storageUrl: string, key: string): Promise<void> {
  const res = await fetch(storageUrl, {
    method: 'POST',
    headers: { 'X-Auth-Token': await session.getToken(), 'X-Account-Meta-Temp-URL-Key': key },
  });
  if (!res.ok) throw new Error(`setting the account TempURL key: ${res.status}`);
}

export interface ListedSegment extends ListedObject {
  last_modified: string;
}

/** Deletes the user's EC2 credential with this access key (Keystone names it sha256(access)). */
export async function deleteEc2Credential(session: KeystoneSession, authUrl: string, access: string): Promise<void> {
  const id = createHash('sha256').update(access).digest('hex');
  const res = await fetch(`${authUrl}/credentials/${id}`, { method: 'DELETE', headers: { 'X-Auth-Token': await session.getToken() } });
  if (res.status !== 204) throw new Error(`deleting EC2 credential ${access}: ${res.status}`);
}
