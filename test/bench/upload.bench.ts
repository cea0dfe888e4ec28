// `npm run bench -- upload`: upload throughput to the local Glance from Chromium through the
// upload worker (XHR from a disk-backed File, sha512 + md5 computed locally while sending, then
// `active` and hash verification) vs `curl -T` of the same file to the same Glance in the same run.
// Target: browser/curl >= 0.95. IMAGE_INSPECTOR_BENCH_UPLOAD_MIB sets the size (default 512).
// Starts the local cloud if it is not running (and stops it again afterwards).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { startClientsServer } from '../integration/pages/clients-server.ts';
import type { PageResult } from '../integration/pages/clients-page.ts';
import { cloudCommand, makeRandomFile, passwordConfig, readCloud, signIn, uniqueName } from '../integration/helpers/cloud.ts';
import type { GlanceClient } from '../../src/core/openstack/index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const MIB = Number(process.env.IMAGE_INSPECTOR_BENCH_UPLOAD_MIB ?? 512);
const ROUNDS = 3;
const PORT = 5596;

const startedHere = !existsSync(join(ROOT, '.cloud/cloud.json'));
if (startedHere) cloudCommand(['start']);
const cloud = readCloud();
const { session, glance } = await signIn(cloud);
const file = await makeRandomFile(MIB * 1024 * 1024, 'bench.raw');
const secretDir = mkdtempSync(join(tmpdir(), 'ii-bench-'));
const created: string[] = [];

async function curlOnce(g: GlanceClient): Promise<number> {
  const img = await g.createImage({ name: uniqueName('bench-curl'), disk_format: 'raw', container_format: 'bare' });
  created.push(img.id);
  // the token goes to curl in a 0600 file, never on its command line
  const headers = join(secretDir, 'headers');
  writeFileSync(headers, `X-Auth-Token: ${await session.getToken()}\nContent-Type: application/octet-stream\n`, { mode: 0o600 });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    'curl',
    ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-T', file.path, '-H', `@${headers}`, `${g.endpoint}/v2/images/${img.id}/file`],
    {
      encoding: 'utf8',
    },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.stdout.trim() !== '204') throw new Error(`curl upload failed: ${r.stdout} ${r.stderr}`);
  const done = await g.getImage(img.id);
  if (done.status !== 'active' || done.os_hash_value !== file.sha512)
    throw new Error('curl upload did not give an active image with the right hash');
  return ms;
}

async function browserOnce(page: Page, hashes: boolean): Promise<number> {
  const img = (await page.evaluate(
    (name) => (window as unknown as { clients: { createImage(n: string): Promise<unknown> } }).clients.createImage(name),
    uniqueName('bench-browser'),
  )) as PageResult<{ id: string }>;
  if (!img.ok) throw new Error(img.message);
  created.push(img.id);
  const r = (await page.evaluate(
    ([id, known]) =>
      (window as unknown as { clients: { upload(i: string, o: unknown): Promise<unknown> } }).clients.upload(id, {
        via: 'worker',
        knownDigests: known,
      }),
    [img.id, hashes ? undefined : { sha512: file.sha512, md5: file.md5, size: file.size }] as const,
  )) as PageResult<{ ms: number; osHash: string; status: string }>;
  if (!r.ok) throw new Error(r.message);
  if (r.status !== 'active' || r.osHash !== file.sha512) throw new Error('browser upload did not give an active image with the right hash');
  return r.ms;
}

const server = await startClientsServer(PORT);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(server.origin + server.pagePath);
  await page.waitForFunction(() => 'clients' in window, undefined, { timeout: 180_000 }); // Vite's first bundling
  await page.locator('#file').setInputFiles(file.path);
  const signed = (await page.evaluate(
    (cfg) => (window as unknown as { clients: { signIn(c: unknown): Promise<unknown> } }).clients.signIn(cfg),
    passwordConfig(cloud),
  )) as PageResult<object>;
  if (!signed.ok) throw new Error(signed.message);

  const curl: number[] = [];
  const web: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // alternate so that a noisy neighbour on the 2 cores hurts all sides alike
    curl.push(await curlOnce(glance));
    web.push(await browserOnce(page, true));
    bare.push(await browserOnce(page, false));
    for (const id of created.splice(0)) await glance.deleteImage(id);
  }
  const best = (xs: number[]) => Math.min(...xs);
  const rate = (ms: number) => (MIB / (ms / 1000)).toFixed(0);
  console.log(`file: ${MIB} MiB random data, ${ROUNDS} rounds, best of each`);
  console.log(
    `curl -T (PUT only)                                  ${best(curl).toFixed(0).padStart(6)} ms  ${rate(best(curl))} MiB/s   runs: ${curl.map((x) => x.toFixed(0)).join(', ')}`,
  );
  console.log(
    `browser worker (PUT + sha512/md5 + active + verify) ${best(web).toFixed(0).padStart(6)} ms  ${rate(best(web))} MiB/s   runs: ${web.map((x) => x.toFixed(0)).join(', ')}`,
  );
  console.log(
    `browser worker, hashing off (transfer + active)     ${best(bare).toFixed(0).padStart(6)} ms  ${rate(best(bare))} MiB/s   runs: ${bare.map((x) => x.toFixed(0)).join(', ')}`,
  );
  console.log(`throughput ratio browser without hashing/curl: ${(best(curl) / best(bare)).toFixed(3)}x`);
  const ratio = best(curl) / best(web);
  console.log(`throughput ratio browser/curl: ${ratio.toFixed(3)}x (target >= 0.95x)`);
} finally {
  for (const id of created) {
    try {
      await glance.deleteImage(id);
    } catch (e) {
      console.error(`could not delete benchmark image ${id}: ${(e as Error).message}`);
    }
  }
  await browser.close();
  await server.close();
  await file.cleanup();
  rmSync(secretDir, { recursive: true, force: true });
  // Not cloudCommand: it reads .cloud/cloud.json back, which `stop` removes.
  if (startedHere) spawnSync('bash', [join(ROOT, 'scripts/cloud/cloud.sh'), 'stop'], { cwd: ROOT, stdio: 'inherit' });
}
