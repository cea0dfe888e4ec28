// `image-inspector upload` as scripts run it: the --json contract, exit codes, progress on
// stderr, credentials from clouds.yaml and Keystone's EC2 credentials, an unsafe file refused,
// and a run killed with SIGKILL at about half way that the same command then resumes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteImages, makeRandomFile, readCloud, signIn, type CloudJson, type TestFile } from './helpers/cloud.ts';
import { deleteContainers, swiftAccess, swiftOf, uniqueBucket } from './helpers/object-storage.ts';
import type { UploadOutcome, UploadState } from '../../src/core/upload/types.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/image-inspector.mjs');
const MiB = 1024 * 1024;
let cloud: CloudJson;
let file: TestFile;
let cache: string;
const images: string[] = [];
const containers: string[] = [];

function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OS_') && !k.startsWith('AWS_')) env[k] = v;
  return { ...env, OS_CLIENT_CONFIG_FILE: join(ROOT, '.cloud/clouds.yaml'), XDG_CACHE_HOME: cache };
}

function cli(args: string[], timeout = 120_000) {
  const r = spawnSync(process.execPath, [BIN, 'upload', ...args], { cwd: ROOT, env: cliEnv(), encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function states(): UploadState[] {
  const dir = join(cache, 'image-inspector/uploads');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.endsWith('.json')).map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as UploadState);
}

before(async () => {
  cloud = readCloud();
  swiftOf(cloud);
  file = await makeRandomFile(64 * MiB + 777, 'cli.raw');
  cache = await mkdtemp(join(tmpdir(), 'ii-cli-cache-'));
});

after(async () => {
  const { glance } = await signIn(readCloud());
  await deleteImages(glance, images);
  await deleteContainers(await swiftAccess(readCloud()), containers);
  await file?.cleanup();
  await rm(cache, { recursive: true, force: true });
});

describe('image-inspector upload (CLI)', { timeout: 300_000 }, () => {
  test('--via swift --json: exactly the contract, exit 0, image verified, progress on stderr, no state left', () => {
    const c = uniqueBucket('cli-swift');
    containers.push(c, `${c}_segments`);
    const r = cli([file.path, '--via', 'swift', '--os-cloud', 'demo', '--container', c, '--segment-size', '8M', '--json', '--name', 'cli-swift', '--property', 'hw_disk_bus=virtio', '--min-ram', '64']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as UploadOutcome;
    assert.deepEqual(Object.keys(out).sort(), ['bytesSent', 'image', 'md5', 'object', 'resumed', 'sha512']);
    assert.deepEqual(Object.keys(out.object!).sort(), ['container', 'etag', 'name', 'parts', 'size']);
    images.push(out.image!.id);
    assert.equal(out.image!.status, 'active');
    assert.equal(out.image!.os_hash_value, file.sha512);
    assert.equal(out.image!.name, 'cli-swift');
    assert.equal(out.image!.hw_disk_bus, 'virtio');
    assert.equal(out.image!.min_ram, 64);
    assert.equal(out.image!.disk_format, 'raw');
    assert.deepEqual([out.sha512, out.md5, out.bytesSent, out.resumed], [file.sha512, file.md5, file.size, false]);
    assert.deepEqual([out.object!.container, out.object!.parts, out.object!.size], [c, 9, file.size]);
    assert.match(r.stderr, /uploading: .* MiB/);
    assert.equal(states().length, 0);
  });

  test('--via s3 with the EC2 credentials Keystone lists, --no-register: object only, image null', () => {
    const b = uniqueBucket('cli-s3');
    containers.push(b, `${b}+segments`);
    const r = cli([file.path, '--via', 's3', '--os-cloud', 'demo', '--container', b, '--no-register', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as UploadOutcome;
    assert.equal(out.image, null);
    assert.equal(out.sha512, file.sha512);
    assert.match(out.object!.etag, /-\d+$/);
    assert.doesNotMatch(r.stderr, /Created EC2 credentials/); // demo has some already
  });

  test('killed with SIGKILL at about half way, the same command resumes: less than the rest + one part is sent', async () => {
    const c = uniqueBucket('cli-kill');
    containers.push(c, `${c}_segments`);
    const args = [file.path, '--via', 'swift', '--os-cloud', 'demo', '--container', c, '--segment-size', '2M', '--parallel', '1', '--json'];
    const child = spawn(process.execPath, [BIN, 'upload', ...args], { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    let kept = 0;
    for (let i = 0; i < 6000; i++) {
      const s = states()[0];
      const bytes = s?.parts.reduce((n, p) => n + p.size, 0) ?? 0;
      if (bytes >= file.size / 2) {
        child.kill('SIGKILL');
        kept = bytes;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await exited;
    assert.ok(kept >= file.size / 2 && kept < file.size, `killed with ${kept} bytes stored`);
    const r = cli(args);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as UploadOutcome;
    images.push(out.image!.id);
    assert.equal(out.resumed, true);
    assert.ok(out.bytesSent < file.size - kept + 2 * MiB, `sent ${out.bytesSent} of the ${file.size - kept} left`);
    assert.equal(out.image!.os_hash_value, file.sha512);
    assert.match(r.stderr, /Resuming: \d+ of 33 parts are already stored/);
  });

  test('SIGTERM stops with exit 2 and one sentence, keeping the state', async () => {
    const c = uniqueBucket('cli-term');
    containers.push(c, `${c}_segments`);
    const child = spawn(process.execPath, [BIN, 'upload', file.path, '--via', 'swift', '--os-cloud', 'demo', '--container', c, '--segment-size', '2M', '--parallel', '1', '--no-register'], { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    for (let i = 0; i < 6000 && !(states().find((s) => s.target.kind === 'swift' && s.target.container === c)?.parts.length); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    assert.equal(await exited, 2);
    assert.match(stderr, /Interrupted; the parts stored so far are kept: run the same command again to resume\.\n$/);
    assert.ok(states().some((s) => s.target.kind === 'swift' && s.target.container === c && s.parts.length > 0));
  });

  test('an unsafe file is refused with exit 1 before anything is sent; bad flags give exit 2 and one sentence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ii-cli-unsafe-'));
    try {
      const q = join(dir, 'backed.qcow2');
      const made = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', '/etc/hostname', '-F', 'raw', q, '1M'], { encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
      const r = cli([q, '--via', 'swift', '--os-cloud', 'demo']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /not safe to upload as it is/);
      assert.match(r.stderr, /backing/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const bad = cli([file.path, '--via', 'ftp']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^image-inspector upload: --via must be glance, swift or s3 \(got "ftp"\)\n/);
    const size = cli([file.path, '--via', 's3', '--segment-size', '1M', '--os-cloud', 'demo']);
    assert.equal(size.status, 2);
    assert.match(size.stderr, /below the minimum of 5 MiB \(s3api \/info\)/);
  });
});
