// A fault-injecting HTTP proxy for tests: sits between a client and Swift/S3 on loopback and
// cuts connections part-way through request bodies, stalls a request past the client's timeout,
// or flips a byte of a body in transit, while recording every request it forwarded (so a test
// can assert that no finished part was sent twice). Bounded: a request budget and a lifetime
// after which it closes by itself (unref'd timer: it never keeps a test process alive).
//
// Host header: forwarded unchanged by default, so a client signs SigV4 for the proxy's own
// host:port (the URL it talks to) and s3api, which checks the signature against the Host it
// receives, agrees. `host: 'upstream'` rewrites it for clients that signed for the upstream.
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RequestInfo {
  /** 0-based order of arrival */
  index: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** Which requests a fault applies to: a predicate, or a method and/or a path pattern. */
export type RequestMatch = ((r: RequestInfo) => boolean) | { method?: string; path?: RegExp };

export interface CutFaults {
  /** at most this many connections are cut, in all */
  count: number;
  /** chance that a matching request with a body is cut (default 1) */
  probability?: number;
  match?: RequestMatch;
}

export interface StallFault {
  match?: RequestMatch;
  /** 'body': stop reading the request body; 'response': hold the upstream's answer */
  mode: 'body' | 'response';
  /** how long; make it longer than the client's timeout */
  ms: number;
  /** how many requests to stall (default 1) */
  count?: number;
}

export interface FlipFault {
  match?: RequestMatch;
  /** body offset of the flipped byte (default: the middle of the body) */
  offset?: number;
  /** how many requests get a flipped byte (default 1) */
  count?: number;
}

export interface FaultProxyOptions {
  /** base URL of the upstream (loopback only), e.g. cloud.swift.url */
  upstream: string;
  host?: 'unchanged' | 'upstream';
  cuts?: CutFaults;
  stall?: StallFault;
  flip?: FlipFault;
  /** seed of the random cut points (default 1): a failing run can be replayed */
  seed?: number;
  /** the proxy answers 503 once this many requests were forwarded (default 10 000) */
  maxRequests?: number;
  /** the proxy closes itself after this long (default 10 minutes) */
  lifetimeMs?: number;
}

export interface ForwardedRequest {
  index: number;
  method: string;
  path: string;
  query: string;
  /** request body bytes passed to the upstream */
  bytesIn: number;
  /** the request's Content-Length, when it had one */
  contentLength: number | null;
  /** response body bytes passed to the client */
  bytesOut: number;
  /** the upstream's status, null when none reached the client */
  status: number | null;
  cut: boolean;
  stalled: boolean;
  flipped: boolean;
}

export interface FaultProxy {
  /** http://127.0.0.1:<port>: use it in place of the upstream's base URL */
  url: string;
  /** every request in order of arrival (live: entries update as requests proceed) */
  readonly requests: readonly ForwardedRequest[];
  readonly faults: { cuts: number; stalls: number; flips: number };
  /** the same URL with the upstream's origin replaced by the proxy's */
  rewrite(url: string): string;
  /** resolves when the proxy has closed (by close() or at the end of its lifetime) */
  closed: Promise<void>;
  close(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect'];

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function matches(m: RequestMatch | undefined, r: RequestInfo): boolean {
  if (!m) return true;
  if (typeof m === 'function') return m(r);
  return (!m.method || m.method.toUpperCase() === r.method) && (!m.path || m.path.test(r.path));
}

/** mulberry32: small, seedable, good enough to spread cut points */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function strip(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const up = new URL(options.upstream);
  if (up.protocol !== 'http:' || !isLoopback(up.hostname))
    throw new Error(`fault proxy: the upstream must be http on loopback, not ${options.upstream}`);
  const upBase = up.pathname.replace(/\/$/, '');
  const rand = random(options.seed ?? 1);
  const maxRequests = options.maxRequests ?? 10_000;
  const faults = { cuts: 0, stalls: 0, flips: 0 };
  const requests: ForwardedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const info: RequestInfo = {
      index: requests.length,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
    };
    const length = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : null;
    const rec: ForwardedRequest = {
      index: info.index,
      method: info.method,
      path: info.path,
      query: url.search.slice(1),
      bytesIn: 0,
      contentLength: length,
      bytesOut: 0,
      status: null,
      cut: false,
      stalled: false,
      flipped: false,
    };
    requests.push(rec);
    if (info.index >= maxRequests) {
      rec.status = 503;
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end(`fault proxy: its budget of ${maxRequests} requests is spent`);
      return;
    }
    const hasBody = length === null ? req.headers['transfer-encoding'] !== undefined : length > 0;
    const c = options.cuts;
    let cutAt = -1;
    if (c && hasBody && faults.cuts < c.count && matches(c.match, info) && rand() < (c.probability ?? 1)) {
      faults.cuts++;
      // a point strictly inside the body: some bytes arrive, never all of them
      cutAt = length && length > 1 ? 1 + Math.floor(rand() * (length - 1)) : 0;
    }
    const s = options.stall;
    const stall = s && faults.stalls < (s.count ?? 1) && matches(s.match, info) ? s : undefined;
    if (stall) faults.stalls++;
    const f = options.flip;
    let flipAt = -1;
    if (f && hasBody && faults.flips < (f.count ?? 1) && matches(f.match, info)) {
      faults.flips++;
      flipAt = f.offset ?? Math.floor((length ?? 1) / 2);
    }

    const headers = strip(req.headers);
    if (options.host === 'upstream') headers.host = up.host;
    const upReq = httpRequest({ host: up.hostname, port: up.port || 80, method: info.method, path: upBase + (req.url ?? '/'), headers });
    const cut = () => {
      rec.cut = true;
      upReq.destroy();
      req.socket.destroy();
    };
    upReq.on('error', () => {
      if (rec.cut) return;
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end('fault proxy: the upstream failed');
      else res.destroy();
    });
    req.on('close', () => {
      if (!req.complete) upReq.destroy(); // the client went away: so does its upstream request
    });

    upReq.on('response', (upRes) => {
      const answer = () => {
        if (res.destroyed) return upRes.destroy();
        rec.status = upRes.statusCode ?? null;
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, strip(upRes.headers));
        upRes.on('data', (chunk: Buffer) => (rec.bytesOut += chunk.length));
        upRes.pipe(res);
      };
      if (stall?.mode === 'response') {
        rec.stalled = true;
        later(stall.ms, answer);
      } else answer();
    });

    const forward = (chunk: Buffer) => {
      if (flipAt >= rec.bytesIn && flipAt < rec.bytesIn + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[flipAt - rec.bytesIn] ^= 0x01;
        rec.flipped = true;
      }
      if (cutAt >= 0 && rec.bytesIn + chunk.length >= cutAt) {
        const head = chunk.subarray(0, cutAt - rec.bytesIn);
        rec.bytesIn += head.length;
        stopped = true;
        // let the head reach the upstream before both sides are cut
        upReq.write(head, () => cut());
        return;
      }
      rec.bytesIn += chunk.length;
      if (!upReq.write(chunk)) {
        req.pause();
        upReq.once('drain', () => req.resume());
      }
    };
    let stopped = false; // set at the cut point: later chunks are dropped
    const pump = () => {
      req.on('data', (chunk: Buffer) => {
        if (!stopped) forward(chunk);
      });
      req.on('end', () => {
        if (!stopped) upReq.end();
      });
      req.resume(); // a stalled body was paused explicitly
    };
    if (stall?.mode === 'body') {
      rec.stalled = true;
      req.pause();
      later(stall.ms, pump);
    } else pump();
  };

  const server = createServer({ requestTimeout: 0 }, handle);
  // a client's Expect: 100-continue is answered here; the upstream gets the body without it
  server.on('checkContinue', (req, res) => {
    res.writeContinue();
    handle(req, res);
  });
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.close(() => {
        resolveClosed();
        resolve();
      });
      for (const s of sockets) s.destroy();
    }));
  const life = setTimeout(() => void close(), options.lifetimeMs ?? 600_000);
  life.unref();
  void closed.then(() => clearTimeout(life));

  return {
    url,
    requests,
    faults,
    rewrite: (u) => {
      const x = new URL(u);
      if (x.origin !== up.origin) throw new Error(`fault proxy: ${u} is not on the upstream ${up.origin}`);
      return url + x.pathname.slice(upBase.length) + x.search;
    },
    closed,
    close,
  };
}
