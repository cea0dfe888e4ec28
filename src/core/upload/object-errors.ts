// Failures of Swift and S3 requests as OpenStackError sentences: what happened and what to set.
// Quota and size refusals (413, S3 EntityTooLarge / QuotaExceeded) are one plain sentence; a page
// the proxy's CORS refuses, or an ETag header the browser may not read, names the exact setting.
import { OpenStackError, extractDetail, httpError } from '../openstack/errors.ts';
import type { ErrorParams } from '../openstack/error-codes.ts';
import { classifyTransportFailure, pageOrigin } from '../openstack/http.ts';
import type { FetchLike } from '../openstack/types.ts';

export type ObjectService = 'swift' | 's3';

const NAME: Record<ObjectService, string> = { swift: 'Swift', s3: 'S3' };

/** The settings a page's origin needs on the object store. */
export function objectCorsSettings(service: ObjectService, origin: string): string {
  if (service === 'swift')
    return (
      `# proxy-server.conf, [DEFAULT] (then restart the proxy)\ncors_allow_origin = ${origin}\n` +
      'cors_expose_headers = etag,x-trans-id,x-openstack-request-id\n' +
      `# or per container: X-Container-Meta-Access-Control-Allow-Origin: ${origin}\n`
    );
  return (
    `# bucket CORS rule (s3api also needs cors_preflight_allow_origin = ${origin} in proxy-server.conf)\n` +
    `AllowedOrigin: ${origin}\nAllowedMethod: GET, HEAD, PUT, POST, DELETE\nAllowedHeader: *\nExposeHeader: ETag\n`
  );
}

/** An HTTP error answer from Swift or S3. */
export function objectHttpError(service: ObjectService, status: number, body: string, action: string, requestId?: string): OpenStackError {
  const svc = NAME[service];
  const detail = extractDetail(body);
  const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  const params: ErrorParams = { service: svc, action, status };
  if (detail) params.detail = detail;
  const base = { status, service, detail, requestId, params };
  if (status === 413 || code === 'EntityTooLarge' || code === 'QuotaExceeded' || /quota/i.test(detail ?? ''))
    return new OpenStackError(
      `${svc} refused the data while ${action}: the object store's quota or size limit is reached${detail ? ` (${svc} said: ${detail})` : ''}. Free space in your containers or ask the operator to raise the quota, then run the upload again; the parts already stored are kept.`,
      { kind: 'too-large', code: 'object.quota', ...base },
    );
  if (service === 's3' && (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch'))
    return new OpenStackError(
      `S3 refused the EC2 credentials while ${action} (${code}): check the access key and secret (openstack ec2 credentials list) and the region.`,
      { kind: 'wrong-credentials', code: 's3.wrong-credentials', ...base, params: { ...params, s3Code: code } },
    );
  if (service === 's3' && code === 'InvalidBucketName')
    return new OpenStackError(
      `S3 refused the bucket name while ${action}: use 3 to 63 lowercase letters, digits, hyphens or dots, starting and ending with a letter or digit (e.g. images).`,
      { kind: 'bad-request', code: 's3.bucket-name', ...base },
    );
  if (service === 's3' && code === 'NoSuchUpload')
    return new OpenStackError(`The multipart upload is gone on the S3 side while ${action} (aborted or expired): it starts again.`, {
      kind: 'not-found',
      code: 's3.upload-gone',
      ...base,
    });
  if (status === 422)
    return new OpenStackError(`${svc} received other bytes than were sent while ${action} (its MD5 differs).`, {
      kind: 'hash-mismatch',
      code: 'object.md5-mismatch',
      ...base,
    });
  const err = httpError(status, body, { service, action, requestId });
  const message = err.message.replace(new RegExp(`\\b${service}\\b`, 'g'), svc);
  return new OpenStackError(message, { kind: err.kind, code: err.code, ...base, params: { ...err.params, service: svc } });
}

/** The request got no answer at all: cancelled, unreachable, stalled, or (in a page) refused by CORS. */
export async function objectTransportError(
  service: ObjectService,
  fetchFn: FetchLike,
  url: string,
  err: unknown,
  action: string,
): Promise<OpenStackError> {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || (err as { kind?: string } | null)?.kind === 'timeout')
    return new OpenStackError(`No byte moved for too long while ${action}: the part stalled.`, {
      kind: 'timeout',
      code: 'object.stalled',
      params: { action },
      service,
      cause: err,
    });
  const e = await classifyTransportFailure(fetchFn, url, err, { service, action });
  if (e.kind !== 'cors') return e;
  const origin = pageOrigin() ?? 'this page';
  return new OpenStackError(
    `CORS: ${NAME[service]} is reachable but does not allow this page (${origin}) to read its answer while ${action}. ` +
      (service === 'swift'
        ? `The operator must set cors_allow_origin = ${origin} in proxy-server.conf (and keep etag in cors_expose_headers).`
        : `The bucket needs a CORS rule allowing ${origin} with ExposeHeaders ETag.`),
    {
      kind: 'cors',
      code: service === 'swift' ? 'object.cors-swift' : 'object.cors-s3',
      params: { service: NAME[service], origin, action },
      service,
      corsSettings: objectCorsSettings(service, origin),
      cause: err,
    },
  );
}

/** The answer came but its ETag header is not readable (a page, and a proxy that does not expose it). */
export function etagUnreadable(service: ObjectService, action: string): OpenStackError {
  const origin = pageOrigin();
  const how =
    service === 'swift'
      ? 'the proxy must expose it: add etag to cors_expose_headers in proxy-server.conf'
      : 'the bucket CORS rule must list ETag in ExposeHeaders';
  return new OpenStackError(`${NAME[service]} answered ${action} without a readable ETag, so the part cannot be checked: ${how}.`, {
    kind: 'cors',
    code: service === 'swift' ? 'object.etag-unreadable-swift' : 'object.etag-unreadable-s3',
    params: { service: NAME[service], action },
    service,
    corsSettings: origin ? objectCorsSettings(service, origin) : undefined,
  });
}
