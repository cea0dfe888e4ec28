// Where an object-storage upload of the create form writes (Swift container and object, S3 bucket
// and key, from the catalog's endpoints), with which credentials and in which parts; null for the
// Glance targets.
import { msg } from '@lit/localize';
import type { ObjectTarget } from '../../core/upload/types.ts';
import type { WorkerCredentials } from '../../../workers/upload/client.ts';
import type { CreateRequest } from './create-form-model.ts';
import { fail } from './preflight.ts';
import { readPartSettings, swiftContainerName } from './object-settings.ts';

/** Where object storage is for this session (from the catalog), when it has any. */
export interface ObjectStores {
  swift?: { storageUrl: string };
  s3?: { endpoint: string; region: string };
}

function objectName(file: File): string {
  return file.name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'image';
}

export interface ObjectPlan {
  target: ObjectTarget;
  credentials: WorkerCredentials;
  parts: { partSize?: number; parallel?: number };
}

export function destination(ctx: { objectStores: ObjectStores }, req: CreateRequest, file: File): ObjectPlan | null {
  const d = req.destination;
  if (req.method === 'swift') {
    const swift = ctx.objectStores.swift;
    if (!swift) fail(msg('This cloud has no object storage (no object-store endpoint in the catalog): choose another upload method.'));
    const container = swiftContainerName(d?.kind === 'swift' ? d.container : '');
    return {
      target: {
        kind: 'swift',
        storageUrl: swift.storageUrl,
        container,
        object: objectName(file),
        segmentContainer: `${container}_segments`,
      },
      credentials: { kind: 'keystone-token', tempUrlKey: (d?.kind === 'swift' && d.tempUrlKey) || undefined },
      parts: readPartSettings(d ?? {}),
    };
  }
  if (req.method === 's3') {
    const s3 = ctx.objectStores.s3;
    if (!s3) fail(msg('This cloud has no S3 endpoint in the catalog: choose another upload method.'));
    if (d?.kind !== 's3' || !d.accessKeyId || !d.secretAccessKey)
      fail(msg('Give EC2 credentials (access key and secret) for S3, or create them, then upload again.'));
    return {
      target: { kind: 's3', endpoint: s3.endpoint, region: s3.region, bucket: d.bucket.trim() || 'images', key: objectName(file) },
      credentials: { kind: 's3', accessKeyId: d.accessKeyId, secretAccessKey: d.secretAccessKey },
      parts: readPartSettings(d),
    };
  }
  return null;
}
