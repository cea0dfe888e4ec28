// Two BodyTransports: streamed fetch (any fetch with request streams; the Blob slice read piece by
// piece, Content-Length set so that the store can refuse an oversize body up front — the CLI uses
// src/cli/node-http-transport.ts instead, as Node 20's fetch buffers bodies ahead of the socket) and XMLHttpRequest (pages and
// workers: the only browser API with upload progress for a disk-backed Blob over HTTP/1.1). Both
// cut a request whose bytes stopped moving for stallTimeoutMs and reject with kind 'timeout'.
import { sliceStream } from '../hash/image-hasher.ts';
import type { FetchLike } from '../openstack/types.ts';
import type { BodyRequest, BodyResponse, BodyTransport } from './types.ts';

/** What a transport rejects with when a request stalled (the engine maps it to kind 'timeout'). */
export class StallError extends Error {
  readonly kind = 'timeout';
  constructor(ms: number) {
    super(`No byte moved for ${Math.round(ms / 1000)} s.`);
    this.name = 'TimeoutError';
  }
}

function abortError(): Error {
  const e = new Error('The request was cancelled.');
  e.name = 'AbortError';
  return e;
}

/** A timer that fires when not poked for `ms` (none when ms is undefined or 0). */
function stallTimer(ms: number | undefined, onStall: () => void) {
  let t: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const poke = () => {
    // a body stream may still be pulled after the request ended: no new timer then
    if (!ms || stopped) return;
    if (t) clearTimeout(t);
    t = setTimeout(onStall, ms);
  };
  const stop = () => {
    stopped = true;
    if (t) clearTimeout(t);
  };
  return { poke, stop };
}

const STREAM_CHUNK = 2 * 1024 * 1024;

export function fetchBodyTransport(options: { fetch?: FetchLike } = {}): BodyTransport {
  const fetchFn = options.fetch ?? ((i: string, init?: RequestInit) => globalThis.fetch(i, init));
  return {
    async send(req: BodyRequest): Promise<BodyResponse> {
      const ctl = new AbortController();
      let stalled = false;
      const timer = stallTimer(req.stallTimeoutMs, () => {
        stalled = true;
        ctl.abort();
      });
      const onAbort = () => ctl.abort();
      if (req.signal?.aborted) throw abortError();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        let body: BodyInit;
        let length: number;
        if (typeof req.body === 'string') {
          body = req.body;
          length = new TextEncoder().encode(req.body).byteLength;
        } else {
          let sent = 0;
          length = req.body.size;
          const count = (c: Uint8Array) => {
            sent += c.byteLength;
            timer.poke();
            req.onProgress?.(sent);
          };
          // Node's own Blob stream reads a file-backed Blob in 64 KiB pieces: with 2 MiB
          // arrayBuffer() slices, garbage buffers piled up to ~300 MB before V8 collected them
          // (1 GiB upload, 8 parts in flight); with 64 KiB pieces the process stays small.
          body =
            typeof req.body.stream === 'function'
              ? req.body.stream().pipeThrough(
                  new TransformStream<Uint8Array, Uint8Array>({
                    transform(c, out) {
                      count(c);
                      out.enqueue(c);
                    },
                  }),
                )
              : sliceStream(req.body, { chunkSize: STREAM_CHUNK, signal: ctl.signal, onChunk: count });
        }
        timer.poke();
        const init: RequestInit & { duplex: 'half' } = {
          method: req.method,
          headers: { 'Content-Length': String(length), ...req.headers },
          body,
          signal: ctl.signal,
          duplex: 'half',
        };
        const res = await fetchFn(req.url, init);
        timer.poke();
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
        return { status: res.status, headers, body: await res.text() };
      } catch (e) {
        if (stalled) throw new StallError(req.stallTimeoutMs!);
        if (req.signal?.aborted) throw abortError();
        throw e;
      } finally {
        timer.stop();
        req.signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

/** XMLHttpRequest with upload progress and a stall timeout; no DOM import (pages and workers). */
export function xhrBodyTransport(): BodyTransport {
  return {
    send(req: BodyRequest): Promise<BodyResponse> {
      return new Promise<BodyResponse>((resolve, reject) => {
        const Xhr = (globalThis as { XMLHttpRequest?: typeof XMLHttpRequest }).XMLHttpRequest;
        if (!Xhr) return reject(new Error('XMLHttpRequest is not available here'));
        const xhr = new Xhr();
        let stalled = false;
        const timer = stallTimer(req.stallTimeoutMs, () => {
          stalled = true;
          xhr.abort();
        });
        const onAbort = () => xhr.abort();
        const finish = () => {
          timer.stop();
          req.signal?.removeEventListener('abort', onAbort);
        };
        xhr.open(req.method, req.url);
        for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() !== 'content-length') xhr.setRequestHeader(k, v);
        xhr.upload.onprogress = (e) => {
          timer.poke();
          req.onProgress?.(e.loaded);
        };
        xhr.onprogress = () => timer.poke();
        req.signal?.addEventListener('abort', onAbort, { once: true });
        xhr.onload = () => {
          finish();
          const headers: Record<string, string> = {};
          for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
            const i = line.indexOf(':');
            if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
          }
          resolve({ status: xhr.status, headers, body: xhr.responseText });
        };
        xhr.onerror = () => {
          finish();
          reject(new TypeError('Network request failed'));
        };
        xhr.onabort = () => {
          finish();
          reject(stalled ? new StallError(req.stallTimeoutMs!) : abortError());
        };
        if (req.signal?.aborted) return xhr.abort();
        timer.poke();
        xhr.send(req.body);
      });
    },
  };
}

/** XHR where it exists (page, worker), streamed fetch otherwise (Node). */
export function defaultBodyTransport(): BodyTransport {
  return 'XMLHttpRequest' in globalThis ? xhrBodyTransport() : fetchBodyTransport();
}
