// How image bytes travel: the browser page/worker uses XHR (the only API with upload progress
// for a disk-backed Blob over HTTP/1.1), Node uses fetch with a streamed body. Both send the
// Blob slice by slice; neither buffers the file.
import { sliceStream, type ImageDigests } from '../hash/image-hasher.ts';
import type { FetchLike } from './types.ts';

export interface UploadRequest {
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  body: Blob;
  signal?: AbortSignal;
  /** Bytes sent so far (called often; throttle in the UI). */
  onProgress?: (sentBytes: number) => void;
  /** Each slice on its way out, for transports with `feedsChunks` (hash while sending). */
  onChunk?: (chunk: Uint8Array) => void;
  /** Bytes hashed so far, from transports with `computesDigests`. */
  onHashed?: (hashedBytes: number) => void;
}

export interface UploadResponse {
  status: number;
  /** Lower-case header name → value. */
  headers: Record<string, string>;
  body: string;
  /** Hashes of the body sent, from transports that compute them (`computesDigests`), on 2xx. */
  digests?: ImageDigests;
}

export interface UploadTransport {
  /** True when onChunk sees every byte sent (so no separate hashing read is needed). */
  readonly feedsChunks: boolean;
  /** True when send() itself hashes the body and returns `digests` (the upload worker). */
  readonly computesDigests?: boolean;
  /** Resolves with any HTTP answer; rejects only when no answer came (network, abort, CORS). */
  send(request: UploadRequest): Promise<UploadResponse>;
}

/** fetch with a streamed request body (`duplex: 'half'`): Node 20+, and HTTP/2 hosts in Chromium. */
export function fetchUploadTransport(options: { fetch?: FetchLike; chunkSize?: number } = {}): UploadTransport {
  const fetchFn = options.fetch ?? ((i: string, init?: RequestInit) => globalThis.fetch(i, init));
  return {
    feedsChunks: true,
    async send(req) {
      let sent = 0;
      const body = sliceStream(req.body, {
        chunkSize: options.chunkSize,
        signal: req.signal,
        onChunk: (c) => {
          req.onChunk?.(c);
          sent += c.byteLength;
          req.onProgress?.(sent);
        },
      });
      // The length up front, as XHR sends it for a Blob: without it the body goes chunked and
      // Glance (Zed) checks the storage quota only after storing the data, then fails to put the
      // image back to queued (it stays "saving"). Browsers ignore this header from scripts.
      const headers: Record<string, string> = { 'Content-Length': String(req.body.size), ...req.headers };
      const init: RequestInit & { duplex: 'half' } = {
        method: req.method,
        headers,
        body,
        signal: req.signal,
        duplex: 'half',
      };
      const res = await fetchFn(req.url, init);
      const answer: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        answer[k.toLowerCase()] = v;
      });
      return { status: res.status, headers: answer, body: await res.text() };
    },
  };
}

/** XMLHttpRequest with upload progress, for pages and workers. */
export function xhrUploadTransport(): UploadTransport {
  return {
    feedsChunks: false,
    send(req) {
      return new Promise<UploadResponse>((resolve, reject) => {
        const Xhr = (globalThis as { XMLHttpRequest?: typeof XMLHttpRequest }).XMLHttpRequest;
        if (!Xhr) {
          reject(new Error('XMLHttpRequest is not available here'));
          return;
        }
        const xhr = new Xhr();
        xhr.open(req.method, req.url);
        for (const [k, v] of Object.entries(req.headers)) xhr.setRequestHeader(k, v);
        xhr.upload.onprogress = (e) => req.onProgress?.(e.loaded);
        const onAbort = () => xhr.abort();
        req.signal?.addEventListener('abort', onAbort, { once: true });
        const done = () => req.signal?.removeEventListener('abort', onAbort);
        xhr.onload = () => {
          done();
          const headers: Record<string, string> = {};
          for (const line of xhr
            .getAllResponseHeaders()
            .trim()
            .split(/[\r\n]+/)) {
            const i = line.indexOf(':');
            if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
          }
          resolve({ status: xhr.status, headers, body: xhr.responseText });
        };
        xhr.onerror = () => {
          done();
          reject(new TypeError('Network request failed'));
        };
        xhr.onabort = () => {
          done();
          const e = new Error('The upload was cancelled.');
          e.name = 'AbortError';
          reject(e);
        };
        if (req.signal?.aborted) {
          xhr.abort();
          return;
        }
        xhr.send(req.body);
      });
    },
  };
}

/** The transport for where the code runs: XHR where it exists, streamed fetch otherwise. */
export function defaultUploadTransport(): UploadTransport {
  return 'XMLHttpRequest' in globalThis ? xhrUploadTransport() : fetchUploadTransport();
}
