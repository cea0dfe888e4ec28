// Every failure talking to Keystone or Glance becomes one OpenStackError with a plain sentence
// saying what happened and what to do. The UI shows `message` as text; `kind` drives behaviour
// (re-sign-in, offer to unprotect, offer to delete a queued image...); `code` and `params` let the
// page say the same sentence in its own language.
import type { ErrorCode, ErrorParams } from './error-codes.ts';

export type OpenStackErrorKind =
  | 'wrong-credentials' // 401 on sign-in
  | 'token-expired' // 401 on a service call and the token cannot be renewed
  | 'forbidden' // 403 (policy)
  | 'not-found' // 404
  | 'conflict' // 409 (wrong image state, duplicate id...)
  | 'too-large' // 413 (size cap or storage quota)
  | 'unsupported-media' // 415
  | 'bad-request' // 400 (invalid field, format rejected, filtered URL...)
  | 'protected' // delete refused because the image is protected
  | 'server' // 5xx
  | 'network' // host unreachable, connection dropped
  | 'cors' // the browser refused the response (preflight failed)
  | 'aborted' // cancelled by the user
  | 'timeout' // polling gave up
  | 'import-failed' // an import task failed
  | 'hash-mismatch' // Glance's checksum differs from the local one
  | 'bad-config' // clouds.yaml / openrc / form input unusable
  | 'no-endpoint'; // the catalog has no such service in that region/interface

export interface OpenStackErrorInit {
  kind: OpenStackErrorKind;
  status?: number;
  /** Which service answered: "keystone", "glance"... */
  service?: string;
  /** The server's own explanation, when it gave one (already stripped of HTML). */
  detail?: string;
  /** For 'cors': the settings the operator must add, ready to paste. */
  corsSettings?: string;
  requestId?: string;
  /** The image the failure concerns, when one was created (the UI offers to delete it). */
  imageId?: string;
  /** Stable code of the sentence (error-codes.ts), so a page can show it in its own language. */
  code?: ErrorCode;
  /** The values the sentence names, for a translation to fill in. */
  params?: ErrorParams;
  cause?: unknown;
}

export class OpenStackError extends Error {
  readonly kind: OpenStackErrorKind;
  readonly status?: number;
  readonly service?: string;
  readonly detail?: string;
  readonly corsSettings?: string;
  readonly requestId?: string;
  readonly imageId?: string;
  readonly code?: ErrorCode;
  readonly params?: ErrorParams;

  constructor(message: string, init: OpenStackErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'OpenStackError';
    this.kind = init.kind;
    this.status = init.status;
    this.service = init.service;
    this.detail = init.detail;
    this.corsSettings = init.corsSettings;
    this.requestId = init.requestId;
    this.imageId = init.imageId;
    this.code = init.code;
    this.params = init.params;
  }
}

export function isOpenStackError(e: unknown, kind?: OpenStackErrorKind): e is OpenStackError {
  return e instanceof OpenStackError && (kind === undefined || e.kind === kind);
}

/** Text of an error body without markup: Glance and Keystone answer JSON, HTML or plain text. */
export function extractDetail(body: string): string | undefined {
  const text = body.trim();
  if (!text) return undefined;
  try {
    const json: unknown = JSON.parse(text);
    const found = findMessage(json);
    if (found) return stripMarkup(found);
  } catch {
    // not JSON: fall through to markup stripping
  }
  const stripped = stripMarkup(text);
  // Glance's webob pages put "413 Request Entity Too Large" before the actual reason.
  const cleaned = stripped.replace(STATUS_LINE, '').trim() || stripped;
  return cleaned ? cleaned.slice(0, 500) : undefined;
}

const STATUS_LINE =
  /^\d{3} (Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Conflict|Gone|Request Entity Too Large|Payload Too Large|Unsupported Media Type|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b\s*/;

function stripMarkup(text: string): string {
  return text
    .replace(/<(script|style|title|head)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function findMessage(json: unknown): string | undefined {
  if (typeof json === 'string') return json;
  if (!json || typeof json !== 'object') return undefined;
  const o = json as Record<string, unknown>;
  if (typeof o.message === 'string') return o.message;
  if (typeof o.title === 'string' && typeof o.detail === 'string') return o.detail;
  if (o.error) return findMessage(o.error);
  for (const v of Object.values(o)) {
    if (v && typeof v === 'object') {
      const m = findMessage(v);
      if (m) return m;
    }
  }
  return undefined;
}

export interface HttpFailureContext {
  service: string;
  /** What we were doing, for the sentence: "signing in", "uploading the image data"... */
  action: string;
  /** True for a Keystone sign-in request. */
  signIn?: boolean;
  requestId?: string;
}

/** Maps an HTTP error status and body to one plain sentence with what to do. */
export function httpError(status: number, body: string, ctx: HttpFailureContext): OpenStackError {
  const detail = extractDetail(body);
  const svc = ctx.service === 'keystone' ? 'Keystone' : ctx.service === 'glance' ? 'Glance' : ctx.service;
  const params: ErrorParams = { service: svc, action: ctx.action, status };
  if (detail) params.detail = detail;
  if (ctx.requestId) params.requestId = ctx.requestId;
  const base = { status, service: ctx.service, detail, requestId: ctx.requestId, params };
  const why = detail ? ` (${svc} said: ${detail})` : '';
  switch (status) {
    case 400:
      if (detail && /does not pass filtering/i.test(detail))
        return new OpenStackError(
          `${svc} refused the URL while ${ctx.action}: the cloud's import filters do not allow that host or port. ` +
            'Use a URL the operator allows ([import_filtering_opts] in glance-api.conf) or upload the file instead.',
          { kind: 'bad-request', code: 'http.url-filtered', ...base },
        );
      return new OpenStackError(`${svc} rejected the request while ${ctx.action}${why}. Correct the values and try again.`, {
        kind: 'bad-request',
        code: 'http.bad-request',
        ...base,
      });
    case 401:
      if (ctx.signIn)
        return new OpenStackError(
          'Sign-in failed: the user name, password (or application credential), domain or project is wrong. Check them and try again.',
          { kind: 'wrong-credentials', code: 'sign-in.wrong-credentials', ...base },
        );
      return new OpenStackError(`Your token has expired or was revoked while ${ctx.action}. Sign in again.`, {
        kind: 'token-expired',
        code: 'http.token-expired',
        ...base,
      });
    case 403: {
      const special = ctx.service === 'glance' ? glanceForbidden(detail, ctx.action, base) : undefined;
      if (special) return special;
      // the visibility hint is for what sets one (publicize_image, communitize_image): deleting, a
      // container or a credential has none
      const hint = visibilityHint(ctx) ? ', or choose another option (e.g. private visibility)' : '';
      return new OpenStackError(
        `${svc} policy does not allow this (${ctx.action})${why}. Ask the cloud operator for the needed role${hint}.`,
        {
          kind: 'forbidden',
          code: 'http.forbidden',
          ...base,
        },
      );
    }
    case 404:
      return new OpenStackError(`Not found while ${ctx.action}${why}: it may have been deleted. Refresh the list.`, {
        kind: 'not-found',
        code: 'http.not-found',
        ...base,
      });
    case 409: {
      // a JSON patch Glance cannot apply: the image changed since the form read it (a property
      // another client removed, or added, meanwhile); its state has nothing to do with it
      if (ctx.service === 'glance' && ctx.action === 'updating the image') {
        const what = detail?.replace(/^There was a conflict when trying to complete your request\.\s*/i, '').trim();
        return new OpenStackError(
          `The image was changed elsewhere since it was opened here${what ? ` (Glance said: ${what})` : ''}: go back to it, refresh it and edit it again.`,
          { kind: 'conflict', code: 'glance.changed-elsewhere', ...base, params: { ...params, ...(what ? { detail: what } : {}) } },
        );
      }
      const upload = /upload|stag/.test(ctx.action);
      return new OpenStackError(
        `The image is not in a state that allows ${ctx.action}${why}. Refresh it and check its status` +
          (upload ? '; an image that already has data cannot take another upload (create a new one).' : '.'),
        { kind: 'conflict', code: upload ? 'http.conflict-upload' : 'http.conflict', ...base },
      );
    }
    case 413:
      return new OpenStackError(
        `The image is too large for this cloud while ${ctx.action}${why}: it exceeds the image size cap or your storage quota. Free space by deleting images, or ask the operator to raise the limit.`,
        { kind: 'too-large', code: 'http.too-large', ...base },
      );
    case 415:
      return new OpenStackError(`${svc} does not accept this content type while ${ctx.action}${why}.`, {
        kind: 'unsupported-media',
        code: 'http.unsupported-media',
        ...base,
      });
    default:
      // an API's root answers 300 with its versions: the URL points at the service, not at its API
      if (status === 300 || (status < 400 && /"versions"\s*:/.test(body)))
        return new OpenStackError(
          `${svc} answered with a list of API versions (${status}) while ${ctx.action}: the address is not the API itself. Check the endpoint URL (an object store's ends in /v1/AUTH_<project>).`,
          { kind: 'bad-request', code: 'http.version-list', ...base },
        );
      if (status >= 500)
        return new OpenStackError(
          `${svc} failed with an internal error (${status}) while ${ctx.action}${why}. Try again; if it persists, give the operator the request id${ctx.requestId ? ` ${ctx.requestId}` : ''}.`,
          { kind: 'server', code: 'http.server', ...base },
        );
      return new OpenStackError(`${svc} answered ${status} while ${ctx.action}${why}.`, {
        kind: 'bad-request',
        code: 'http.other',
        ...base,
      });
  }
}

/** A Glance 403 whose reason is unknown may be a visibility policy when the request set one. */
export function visibilityHint(ctx: { service?: string; action?: string }): boolean {
  return ctx.service === 'glance' && (ctx.action === 'creating the image' || ctx.action === 'updating the image');
}

/**
 * Glance refusals whose reason is known, each one sentence with what to do instead of the generic
 * "policy does not allow this": a visibility only administrators may set (publicize_image,
 * communitize_image), and an image of another project.
 */
function glanceForbidden(
  detail: string | undefined,
  action: string,
  base: Omit<OpenStackErrorInit, 'kind' | 'code'> & { params: ErrorParams },
): OpenStackError | undefined {
  if (!detail) return undefined;
  // the sentence says what Glance said: its words are not repeated after it
  const params: ErrorParams = { ...base.params };
  delete params.detail;
  const policy = /\b(publicize|communitize)_image\b/.exec(detail);
  if (policy) {
    const visibility = policy[1] === 'publicize' ? 'public' : 'community';
    return new OpenStackError(
      `Only the cloud's administrators may make an image ${visibility} here (Glance's ${policy[0]} policy): choose another visibility, or ask the cloud operator to make it ${visibility}.`,
      { ...base, kind: 'forbidden', code: 'glance.visibility-forbidden', params: { ...params, visibility, policy: policy[0] } },
    );
  }
  if (/do not own this image/i.test(detail))
    return new OpenStackError(
      `This image belongs to another project: only its owner (or a cloud administrator) may change or delete it, so Glance refused ${action}.`,
      { ...base, kind: 'forbidden', code: 'glance.not-owner', params },
    );
  const reserved = /Attribute '([^']+)' is reserved/i.exec(detail);
  if (reserved)
    return new OpenStackError(`"${reserved[1]}" is in Glance's reserved os_glance namespace: choose another property name.`, {
      ...base,
      kind: 'forbidden',
      code: 'image.reserved-property',
      params: { ...params, key: reserved[1] },
    });
  return undefined;
}
