// The CLI's HTTPS when a cloud brings its own CA bundle (cacert, OS_CACERT) or turns checking off
// (verify: false, OS_INSECURE): Node's fetch takes neither option without an undici Agent, and
// the undici package is not a dependency. So the small requests (JSON, XML, manifests, HEAD) go
// through node:http(s) with one https.Agent here, and file bodies through nodeHttpTransport with
// the same agent. Without such settings the CLI keeps Node's fetch.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { FetchLike } from '../core/openstack/types.ts';

export interface TlsSettings {
  /** PEM text of the CA bundle that replaces the system's, and the file it came from. */
  ca?: string;
  caFile?: string;
  /** Certificates are not checked at all. */
  insecure: boolean;
}

/** The agent for these settings; undefined when the system's trust applies. */
export function tlsAgent(tls: TlsSettings): Agent | undefined {
  if (tls.insecure) return new Agent({ keepAlive: true, rejectUnauthorized: false });
  if (tls.ca !== undefined) return new Agent({ keepAlive: true, ca: tls.ca });
  return undefined;
}

// statuses whose Response may not carry a body (the constructor throws otherwise)
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const MAX_REDIRECTS = 20;

function once(url: URL, method: string, headers: Headers, body: Buffer | undefined, agent: Agent, signal?: AbortSignal) {
  return new Promise<{ res: IncomingMessage; data: Buffer }>((resolve, reject) => {
    const https = url.protocol === 'https:';
    const r = (https ? httpsRequest : httpRequest)(url, {
      method,
      headers: Object.fromEntries(headers),
      agent: https ? agent : undefined,
      signal,
    });
    // as Node's fetch: a failed connection is a TypeError whose cause has the code (ECONNRESET…)
    const failed = (e: Error) => reject(e.name === 'AbortError' ? e : new TypeError('fetch failed', { cause: e }));
    r.on('error', failed);
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', failed);
      res.on('end', () => resolve({ res, data: Buffer.concat(chunks) }));
    });
    r.end(body);
  });
}

/** A fetch for small requests over `agent`; it follows redirects as fetch does. */
export function agentFetch(agent: Agent): FetchLike {
  return async (input, init = {}) => {
    // Request gives fetch's defaults (method, content-type of a string body) and the body's bytes
    const req = new Request(input, init);
    let url = new URL(req.url);
    let method = req.method;
    const headers = new Headers(req.headers);
    let body: Buffer | undefined = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    for (let hop = 0; ; hop++) {
      if (body) headers.set('content-length', String(body.length));
      else headers.delete('content-length');
      const { res, data } = await once(url, method, headers, body, agent, init.signal ?? undefined);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location && init.redirect !== 'manual') {
        if (init.redirect === 'error' || hop >= MAX_REDIRECTS)
          throw new TypeError('fetch failed', { cause: new Error(`redirect from ${url.href}`) });
        const next = new URL(location, url);
        if (next.origin !== url.origin) headers.delete('authorization');
        if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
          method = 'GET';
          body = undefined;
          headers.delete('content-type');
        }
        url = next;
        continue;
      }
      const out = new Headers();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
      const empty = NULL_BODY.has(status) || method === 'HEAD';
      return new Response(empty ? null : new Uint8Array(data), { status, statusText: res.statusMessage, headers: out });
    }
  };
}
