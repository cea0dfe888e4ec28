// Failures with no HTTP answer (cancelled, unreachable, refused by CORS) as one OpenStackError,
// and the `[cors]` settings a page's origin needs, which the CORS sentence carries.
import { OpenStackError, isOpenStackError } from './errors.ts';

/** Headers our clients send and read; the CORS text lists exactly these. */
export const CORS_ALLOW_HEADERS = ['Content-Type', 'X-Auth-Token', 'X-Subject-Token'];
export const CORS_EXPOSE_HEADERS = [
  'X-Subject-Token',
  'Location',
  'OpenStack-Image-Import-Methods',
  'OpenStack-Image-Store-Ids',
  'ETag',
  'X-OpenStack-Request-ID',
  'Content-Length',
];
export const CORS_ALLOW_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The `[cors]` section to add to keystone.conf and glance-api.conf for a page served at `origin`. */
export function corsSettingsText(origin: string): string {
  const section = [
    '[cors]',
    `allowed_origin = ${origin}`,
    `allow_headers = ${CORS_ALLOW_HEADERS.join(',')}`,
    `expose_headers = ${CORS_EXPOSE_HEADERS.join(',')}`,
    `allow_methods = ${CORS_ALLOW_METHODS.join(',')}`,
  ].join('\n');
  return `# keystone.conf and glance-api.conf (then restart both services)\n${section}\n`;
}

/** An error from `fetch` itself (no HTTP response): cancelled, unreachable, or refused by CORS. */
export function transportError(
  err: unknown,
  ctx: { service: string; action: string; url: string; cors?: boolean; origin?: string },
): OpenStackError {
  if (isOpenStackError(err)) return err;
  const name = (err as { name?: string } | null)?.name;
  if (name === 'AbortError')
    return new OpenStackError(`Cancelled while ${ctx.action}.`, {
      kind: 'aborted',
      code: 'transport.aborted',
      params: { action: ctx.action },
      service: ctx.service,
      cause: err,
    });
  const host = safeHost(ctx.url);
  if (ctx.cors && ctx.origin)
    return new OpenStackError(
      `CORS: ${host} is reachable but does not allow this page (${ctx.origin}) to read its answers. ` +
        'The operator must add these settings to keystone.conf and glance-api.conf and restart the services.',
      {
        kind: 'cors',
        code: 'transport.cors',
        params: { host, origin: ctx.origin },
        service: ctx.service,
        corsSettings: corsSettingsText(ctx.origin),
        cause: err,
      },
    );
  return new OpenStackError(
    `Could not reach ${host} while ${ctx.action}: the connection failed or dropped. Check the address and your network, then try again.`,
    { kind: 'network', code: 'transport.network', params: { host, action: ctx.action }, service: ctx.service, cause: err },
  );
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return url;
  }
}
