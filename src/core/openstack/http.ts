// One place where the clients call `fetch`: adds the token, maps failures to OpenStackError,
// tells a CORS refusal from an unreachable host, and retries once after a 401 when the token
// provider can renew.
import { httpError, OpenStackError } from './errors.ts';
import { transportError } from './transport-errors.ts';
import type { FetchLike, TokenProvider } from './types.ts';

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit | null;
  /** Serialised as JSON with Content-Type application/json unless a content type is given. */
  json?: unknown;
  signal?: AbortSignal;
  /** "keystone", "glance"... */
  service: string;
  /** What we were doing, for messages: "listing images". */
  action: string;
  /** Keystone sign-in: a 401 means wrong credentials, not an expired token. */
  signIn?: boolean;
  /** Adds X-Auth-Token from this provider (and retries once after a 401 when it can renew). */
  tokens?: TokenProvider;
}

export function defaultFetch(): FetchLike {
  return (input, init) => globalThis.fetch(input, init);
}

/** The page's origin when running in a browser or worker; undefined in Node. */
export function pageOrigin(): string | undefined {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return loc?.origin && loc.origin !== 'null' ? loc.origin : undefined;
}

/**
 * A fetch that threw without a response: in a browser that is either a CORS refusal or an
 * unreachable host. An opaque no-cors request to the same URL tells them apart: it succeeds when
 * the host answers (so CORS refused us) and fails when nothing answers.
 */
export async function classifyTransportFailure(
  fetchFn: FetchLike,
  url: string,
  err: unknown,
  ctx: { service: string; action: string },
): Promise<OpenStackError> {
  const origin = pageOrigin();
  const name = (err as { name?: string } | null)?.name;
  if (origin && name !== 'AbortError' && new URL(url).origin !== origin) {
    let reachable = false;
    try {
      await fetchFn(url, { method: 'GET', mode: 'no-cors', cache: 'no-store', credentials: 'omit' });
      reachable = true;
    } catch {
      reachable = false; // nothing answered: a network failure, reported below
    }
    return transportError(err, { ...ctx, url, cors: reachable, origin });
  }
  return transportError(err, { ...ctx, url });
}

const RESENDABLE = new Set(['GET', 'HEAD', 'DELETE', 'PUT', 'OPTIONS']);

/** Node (undici) reports a reused socket the server had closed with these codes. */
function isStaleConnection(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  return !!cause && ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED'].includes(cause.code ?? '');
}

/** Sends one request; resolves only for 2xx (3xx are followed by fetch), throws OpenStackError otherwise. */
export async function send(fetchFn: FetchLike, url: string, opts: SendOptions): Promise<Response> {
  const attempt = async (token?: string): Promise<Response> => {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    if (token) headers['X-Auth-Token'] = token;
    const method = opts.method ?? 'GET';
    try {
      return await fetchFn(url, { method, headers, body, signal: opts.signal });
    } catch (err) {
      // A kept-alive connection the server closed (restart, idle timeout) fails before any byte
      // of answer: resend once when that is harmless (no duplicate image can come of it).
      if (isStaleConnection(err) && (opts.signIn || RESENDABLE.has(method))) {
        try {
          return await fetchFn(url, { method, headers, body, signal: opts.signal });
        } catch (again) {
          throw await classifyTransportFailure(fetchFn, url, again, opts);
        }
      }
      throw await classifyTransportFailure(fetchFn, url, err, opts);
    }
  };
  const token = opts.tokens ? await opts.tokens.getToken() : undefined;
  let res = await attempt(token);
  if (res.status === 401 && opts.tokens && token && opts.tokens.canRenew && !opts.signIn) {
    await drain(res);
    opts.tokens.invalidate(token);
    res = await attempt(await opts.tokens.getToken());
  }
  if (!res.ok) throw await errorFromResponse(res, opts);
  return res;
}

export async function errorFromResponse(
  res: Response,
  ctx: { service: string; action: string; signIn?: boolean },
): Promise<OpenStackError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    text = ''; // the body itself failed: the status alone still says what happened
  }
  return httpError(res.status, text, {
    service: ctx.service,
    action: ctx.action,
    signIn: ctx.signIn,
    requestId: res.headers.get('x-openstack-request-id') ?? undefined,
  });
}

export async function sendJson<T>(fetchFn: FetchLike, url: string, opts: SendOptions): Promise<T> {
  const res = await send(fetchFn, url, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function drain(res: Response): Promise<void> {
  try {
    await res.arrayBuffer();
  } catch {
    // discarding a body we do not use; a failure here changes nothing
  }
}

/** Joins a base URL and a path without doubling or losing slashes. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}
