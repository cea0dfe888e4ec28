// The CLI's HTTPS with a cloud's own CA bundle or with checks off: a local HTTPS server whose
// certificate (test/unit/fixtures/tls, self-signed for 127.0.0.1 and localhost, made with
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
// -subj "/CN=image-inspector test" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"`) no
// system trusts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { agentFetch, tlsAgent } from '../../src/cli/tls-fetch.ts';
import { nodeHttpTransport } from '../../src/cli/node-http-transport.ts';

const dir = new URL('./fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('localhost.pem', dir), 'utf8');
const key = readFileSync(new URL('localhost.key', dir), 'utf8');

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const seen: Seen[] = [];
let base = '';
let plainBase = '';

function route(req: IncomingMessage, res: ServerResponse, body: string) {
  seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
  const to = (status: number, location: string) => res.writeHead(status, { location }).end();
  if (req.url === '/see-other') return to(303, '/echo');
  if (req.url === '/temporary') return to(307, '/echo');
  if (req.url === '/elsewhere') return to(302, `${plainBase}/echo`);
  if (req.url === '/loop') return to(302, '/loop');
  if (req.url === '/empty') return res.writeHead(204, { 'x-request-id': 'req-1' }).end();
  res.writeHead(req.method === 'PUT' ? 201 : 200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
  res.end(JSON.stringify({ method: req.method, body }));
}

function handler(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => route(req, res, Buffer.concat(chunks).toString('utf8')));
}

const servers: Server[] = [];
const agents: Agent[] = [];
function agent(a: Agent | undefined): Agent {
  assert.ok(a);
  agents.push(a);
  return a;
}

before(async () => {
  const https = createServer({ cert, key }, handler);
  const plain = createHttpServer(handler);
  for (const s of [https, plain]) {
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  }
  base = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  plainBase = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});
after(() => {
  agents.forEach((a) => a.destroy());
  servers.forEach((s) => (s.closeAllConnections(), s.close()));
});

describe('tlsAgent and agentFetch', () => {
  test('without the CA the certificate is refused (by Node fetch too); with it, or with checks off, the request goes through', async () => {
    assert.equal(tlsAgent({ insecure: false }), undefined);
    await assert.rejects(globalThis.fetch(`${base}/echo`), TypeError);
    await assert.rejects(agentFetch(agent(new Agent()))(`${base}/echo`), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.match(String((e.cause as { code?: string }).code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
      return true;
    });
    const withCa = await agentFetch(agent(tlsAgent({ ca: cert, insecure: false })))(`${base}/echo`);
    assert.deepEqual(await withCa.json(), { method: 'GET', body: '' });
    const unchecked = await agentFetch(agent(tlsAgent({ insecure: true })))(`${base}/echo`);
    assert.equal(unchecked.status, 200);
  });

  test("sends fetch's method, headers and body; answers with status, all headers and the body", async () => {
    const f = agentFetch(agent(tlsAgent({ ca: cert, insecure: false })));
    const body = JSON.stringify({ auth: { password: `p$ss'w"rd` } });
    const res = await f(`${base}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': 'tok' }, body });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-multi'), 'a, b');
    assert.deepEqual(await res.json(), { method: 'POST', body });
    const got = seen.at(-1)!;
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['x-auth-token'], 'tok');
    assert.equal(got.headers['content-length'], String(Buffer.byteLength(body)));
    await f(`${base}/echo`, { method: 'PUT', body: 'text' });
    assert.equal(seen.at(-1)!.headers['content-type'], 'text/plain;charset=UTF-8');
    const empty = await f(`${base}/empty`, { method: 'DELETE' });
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
    assert.equal(empty.headers.get('x-request-id'), 'req-1');
    const head = await f(`${base}/echo`, { method: 'HEAD' });
    assert.equal(head.body, null);
  });

  test('follows redirects as fetch does: 303 becomes GET without a body, 307 keeps both, Authorization stays on its origin', async () => {
    const f = agentFetch(agent(tlsAgent({ ca: cert, insecure: false })));
    assert.deepEqual(await (await f(`${base}/see-other`, { method: 'POST', body: 'x' })).json(), { method: 'GET', body: '' });
    assert.deepEqual(await (await f(`${base}/temporary`, { method: 'POST', body: 'x' })).json(), { method: 'POST', body: 'x' });
    await f(`${base}/elsewhere`, { headers: { Authorization: 'secret', 'X-Auth-Token': 'tok' } });
    const last = seen.at(-1)!;
    assert.equal(last.url, '/echo');
    assert.equal(last.headers.authorization, undefined);
    assert.equal(last.headers['x-auth-token'], 'tok');
    await assert.rejects(f(`${base}/loop`), TypeError);
    assert.equal((await f(`${base}/see-other`, { redirect: 'manual' })).status, 303);
  });

  test('a cancelled request rejects with an AbortError', async () => {
    const f = agentFetch(agent(tlsAgent({ ca: cert, insecure: false })));
    await assert.rejects(f(`${base}/echo`, { signal: AbortSignal.abort() }), (e: unknown) => (e as Error).name === 'AbortError');
  });
});

describe('nodeHttpTransport({ agent })', () => {
  test('sends bodies over HTTPS with the cloud CA, and plain HTTP still works beside it', async () => {
    const t = nodeHttpTransport({ agent: agent(tlsAgent({ ca: cert, insecure: false })) });
    const r = await t.send({ url: `${base}/put`, method: 'PUT', headers: {}, body: new Blob(['0123456789']) });
    assert.equal(r.status, 201);
    assert.deepEqual(JSON.parse(r.body), { method: 'PUT', body: '0123456789' });
    assert.equal((await t.send({ url: `${plainBase}/put`, method: 'PUT', headers: {}, body: 'abc' })).status, 201);
    await assert.rejects(nodeHttpTransport().send({ url: `${base}/put`, method: 'PUT', headers: {}, body: 'abc' }));
  });
});
