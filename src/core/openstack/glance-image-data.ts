// Sending an image's bytes to Glance (PUT .../file or .../stage). It goes through the upload
// engine's transport rather than sendJson: the body is a Blob of many GiB whose progress the
// user watches, and a stalled request has to be cut.
import { httpError } from './errors.ts';
import { classifyTransportFailure } from './http.ts';
import type { BodyTransport } from '../upload/body-transport.ts';
import type { FetchLike, TokenProvider } from './types.ts';

export interface DataTransferOptions {
  /** The upload engine's transport (XHR in the page's worker, a streamed request in Node). */
  transport: BodyTransport;
  signal?: AbortSignal;
  onProgress?: (sentBytes: number) => void;
  /** Cut the request when no byte moved for this long (the transport rejects with kind 'timeout'). */
  stallTimeoutMs?: number;
}

/** Where the bytes go and on whose behalf. */
export interface ImageDataTarget {
  url: string;
  /** What we were doing, for messages: "uploading the image data". */
  action: string;
  tokens: TokenProvider;
  /** Tells a CORS refusal from an unreachable host when the transport fails. */
  fetch: FetchLike;
}

export async function putImageData(target: ImageDataTarget, blob: Blob, options: DataTransferOptions): Promise<void> {
  const { transport } = options;
  const { url, action, tokens } = target;
  const attempt = async (token: string) => {
    try {
      // The length up front (XHR sends it for a Blob anyway): without it the body goes chunked
      // and Glance (Zed) checks the storage quota only after storing the data, then fails to put
      // the image back to queued (it stays "saving"). Browsers ignore this header from scripts.
      return await transport.send({
        url,
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.size), 'X-Auth-Token': token },
        body: blob,
        signal: options.signal,
        onProgress: options.onProgress,
        stallTimeoutMs: options.stallTimeoutMs,
      });
    } catch (err) {
      throw await classifyTransportFailure(target.fetch, url, err, { service: 'glance', action });
    }
  };
  let token = await tokens.getToken();
  let res = await attempt(token);
  // keystonemiddleware refuses before reading the body, so nothing reached the image: resend once
  if (res.status === 401 && tokens.canRenew) {
    tokens.invalidate(token);
    token = await tokens.getToken();
    options.onProgress?.(0);
    res = await attempt(token);
  }
  if (res.status < 200 || res.status >= 300)
    throw httpError(res.status, res.body, { service: 'glance', action, requestId: res.headers['x-openstack-request-id'] });
}
