// The local cloud's knobs the upload engine's fault tests use, against the real services:
// `cloud.sh restart swift` in the middle of a PUT, and Keystone tokens that expire while Swift
// holds them (KEYSTONE_TOKEN_EXPIRATION on a Keystone restart).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cloudCommand, readCloud } from './helpers/cloud.ts';
import { md5Hex, MiB, objectStorageSuite, swiftAccess, swiftOf, unquote } from './helpers/object-storage.ts';

const T = { timeout: 180_000 };
const ROOT = new URL('../../', import.meta.url).pathname;
const fx = objectStorageSuite(4 * MiB);

/** cloud.sh without blocking the event loop (a request is in flight meanwhile) */
function cloudAsync(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/cloud/cloud.sh', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cloud.sh ${args.join(' ')}: ${code} ${err}`))));
  });
}

describe('restarts and expiry (real Swift and Keystone)', () => {
  test('the Swift proxy restarted in the middle of a PUT: the PUT fails, nothing is stored, the next PUT works', T, async () => {
    const c = await fx.newContainer('restart');
    const pidBefore = swiftOf(fx.cloud).pids.proxy;
    const chunk = fx.bytes.subarray(0, MiB);
    let sent = 0;
    let restarted: Promise<void> | undefined;
    // a slow body: 1 MiB every 300 ms, the restart starts after the second
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        if (sent === 2) restarted = cloudAsync(['restart', 'swift']);
        if (sent >= 40) return ctl.close();
        await new Promise((r) => setTimeout(r, 300));
        ctl.enqueue(chunk.slice());
        sent++;
      },
    });
    const put = fetch(`${fx.swift.storageUrl}/${c}/interrupted`, {
      method: 'PUT',
      body,
      duplex: 'half',
      headers: { 'X-Auth-Token': await fx.swift.token() },
    } as RequestInit);
    await assert.rejects(put, 'the connection is cut by the restart');
    await restarted;
    const pidAfter = swiftOf(readCloud()).pids.proxy;
    assert.notEqual(pidAfter, pidBefore, 'a new proxy process');
    assert.equal((await fx.swift.fetch(`/${c}/interrupted`, { method: 'HEAD' })).status, 404, 'no partial object');
    const again = await fx.putObject(`/${c}/interrupted`, chunk);
    assert.equal(unquote(again.headers.get('etag')), md5Hex(chunk));
  });

  test('a token that expired is refused by Swift with 401; a renewed one is accepted', T, async (t) => {
    cloudCommand(['restart', 'keystone'], { KEYSTONE_TOKEN_EXPIRATION: '8' });
    t.after(() => void cloudCommand(['restart', 'keystone'], { KEYSTONE_TOKEN_EXPIRATION: '' }));
    const short = await swiftAccess(fx.cloud);
    const c = await fx.newContainer('expiry');
    const token = await short.token();
    const ok = await fetch(`${short.storageUrl}/${c}/a`, { method: 'PUT', body: 'a', headers: { 'X-Auth-Token': token } });
    assert.equal(ok.status, 201);
    await new Promise((r) => setTimeout(r, 9_000));
    const late = await fetch(`${short.storageUrl}/${c}/b`, { method: 'PUT', body: 'b', headers: { 'X-Auth-Token': token } });
    assert.equal(late.status, 401, 'Swift checks the expiry even of a token it has cached');
    await late.body?.cancel();
    await short.session.renew();
    const renewed = await short.fetch(`/${c}/b`, { method: 'PUT', body: 'b' });
    assert.equal(renewed.status, 201);
  });
});
