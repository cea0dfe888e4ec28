// `image-inspector upload` as scripts run it: the --json contract, exit codes, progress on
// stderr, credentials from clouds.yaml and Keystone's EC2 credentials, an unsafe file refused,
// formats the cloud does not accept refused before anything is sent, a run killed with SIGKILL
// at about half way that the same command then resumes, and a --via glance run interrupted that
// the same command finishes in the image it left queued.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteImages, makeRandomFile, readCloud, signIn, uniqueName, type CloudJson, type TestFile } from './helpers/cloud.ts';
import { deleteContainers, swiftAccess, swiftOf, uniqueBucket } from './helpers/object-storage.ts';
import type { GlanceUploadState, UploadOutcome } from '../../src/core/upload/types.ts';
import { BIN, ROOT, cliEnv as envOf, killAtHalf, objectStates, runUpload, spawnUpload, statesIn } from './helpers/upload-cli.ts';

const MiB = 1024 * 1024;
let cloud: CloudJson;
let file: TestFile;
let cache: string;
const images: string[] = [];
const containers: string[] = [];

/** An object-only Swift upload of the test file in small parts, one at a time: slow enough to interrupt. */
function slowSwiftArgs(container: string): string[] {
  return [
    file.path,
    '--via',
    'swift',
    '--os-cloud',
    'demo',
    '--container',
    container,
    '--segment-size',
    '2M',
    '--parallel',
    '1',
    '--no-register',
  ];
}

const cliEnv = (extra: NodeJS.ProcessEnv = {}) => envOf(cache, extra);
const cli = (args: string[], timeout = 120_000) => runUpload(args, cliEnv(), timeout);
const states = () => objectStates(cache);

/** The images --via glance runs left to come back to. */
function glanceStates(): GlanceUploadState[] {
  return statesIn(join(cache, 'image-inspector/uploads')).filter((s): s is GlanceUploadState => s.target.kind === 'glance');
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

describe('image-inspector upload (CLI)', { timeout: 600_000 }, () => {
  test('--via swift --json: exactly the contract, exit 0, image verified, progress on stderr, no state left', () => {
    const c = uniqueBucket('cli-swift');
    containers.push(c, `${c}_segments`);
    const r = cli([
      file.path,
      '--via',
      'swift',
      '--os-cloud',
      'demo',
      '--container',
      c,
      '--segment-size',
      '8M',
      '--json',
      '--name',
      'cli-swift',
      '--property',
      'hw_disk_bus=virtio',
      '--min-ram',
      '64',
    ]);
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
    const kept = await killAtHalf(spawnUpload(args, cliEnv()), cache, file.size);
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
    const child = spawn(process.execPath, [BIN, 'upload', ...slowSwiftArgs(c)], {
      cwd: ROOT,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    for (let i = 0; i < 6000 && !states().find((s) => s.target.kind === 'swift' && s.target.container === c)?.parts.length; i++)
      await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    assert.equal(await exited, 2);
    assert.match(stderr, /Interrupted; the parts stored so far are kept: run the same command again to resume\.\n$/);
    assert.ok(states().some((s) => s.target.kind === 'swift' && s.target.container === c && s.parts.length > 0));
  });

  test('an unsafe file is refused with exit 1 before anything is sent; bad flags give exit 2 and one sentence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ii-cli-unsafe-'));
    try {
      const q = join(dir, 'backed.qcow2');
      const made = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', '/etc/hostname', '-F', 'raw', q, '1M'], {
        encoding: 'utf8',
      });
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
    // one sentence pointing to --help, not the whole usage after it
    assert.match(
      bad.stderr,
      /^image-inspector upload: --via must be glance, swift or s3 \(got "ftp"\); see image-inspector upload --help\.\n$/,
    );
    const help = cli(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: image-inspector upload FILE/);
    const size = cli([file.path, '--via', 's3', '--segment-size', '1M', '--os-cloud', 'demo']);
    assert.equal(size.status, 2);
    assert.match(size.stderr, /below the minimum of 5 MiB \(s3api \/info\)/);
  });

  test('a container format the cloud does not accept is refused with exit 2 before anything is sent', async () => {
    const c = uniqueBucket('cli-format');
    containers.push(c, `${c}_segments`);
    const r = cli([file.path, '--via', 'swift', '--os-cloud', 'demo', '--container', c, '--container-format', 'floppy']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /^image-inspector upload: This cloud does not accept the container format "floppy": give --container-format, one of [a-z, ]*\bbare\b[a-z, ]*\.\n$/,
    );
    const swift = await swiftAccess(cloud);
    assert.equal((await swift.fetch(`/${c}`, { method: 'HEAD' })).status, 404, 'no container was created');
    assert.equal(states().filter((s) => s.target.kind === 'swift' && s.target.container === c).length, 0);
  });

  test('Glance refusing the image once the object is stored (--public as a member): exit 2 says the object is kept; run again without it, nothing is sent', async () => {
    const c = uniqueBucket('cli-public');
    containers.push(c, `${c}_segments`);
    const name = uniqueName('cli-public');
    const base = [file.path, '--via', 'swift', '--os-cloud', 'demo', '--container', c, '--segment-size', '16M', '--name', name];
    const refused = cli([...base, '--public']);
    assert.equal(refused.status, 2, refused.stderr);
    const last = refused.stderr.trim().split('\n').at(-1)!;
    assert.match(
      last,
      /^image-inspector upload: Only the cloud's administrators may make an image public here \(Glance's publicize_image policy\): choose another visibility, or ask the cloud operator to make it public\. The object .*\/cli\.raw is stored and kept: run the command again \(changed as this asks\) to register it without sending it again\.$/,
    );
    const again = cli([...base, '--json']);
    assert.equal(again.status, 0, again.stderr);
    const out = JSON.parse(again.stdout) as UploadOutcome;
    images.push(out.image!.id);
    assert.equal(out.bytesSent, 0, 'the stored object was not sent again');
    assert.equal(out.resumed, true);
    assert.equal(out.image?.status, 'active');
    assert.notEqual(out.image?.visibility, 'public'); // Glance's default (shared) for an image made without --public
  });

  test('a relative XDG_CACHE_HOME is not used (the XDG spec ignores it): the state goes under ~/.cache', async () => {
    const home = await mkdtemp(join(tmpdir(), 'ii-cli-home-'));
    const relative = `ii-relative-cache-${Date.now().toString(36)}`;
    try {
      const c = uniqueBucket('cli-xdg');
      containers.push(c, `${c}_segments`);
      const args = slowSwiftArgs(c);
      const child = spawn(process.execPath, [BIN, 'upload', ...args], {
        cwd: ROOT,
        env: { ...cliEnv(), HOME: home, XDG_CACHE_HOME: relative },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      const dir = join(home, '.cache/image-inspector/uploads');
      for (let i = 0; i < 6000 && !statesIn(dir).some((s) => s.target.kind === 'swift' && s.target.container === c); i++)
        await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGTERM');
      assert.equal(await exited, 2);
      assert.ok(statesIn(dir).some((s) => s.target.kind === 'swift' && s.target.container === c));
      assert.equal(existsSync(join(ROOT, relative)), false, 'nothing under the relative path');
    } finally {
      await rm(home, { recursive: true, force: true });
      await rm(join(ROOT, relative), { recursive: true, force: true });
    }
  });

  test('--via glance interrupted: the sentence names the queued image, the same command uploads into it', async () => {
    const { glance } = await signIn(cloud);
    const name = uniqueName('cli-glance-resume');
    const args = [file.path, '--os-cloud', 'demo', '--name', name, '--json'];
    assert.equal(glanceStates().length, 0);
    const child = spawn(process.execPath, [BIN, 'upload', ...args], { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // recorded right after the image is created, before the PUT of its data starts
    for (let i = 0; i < 6000 && !glanceStates().length; i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    assert.equal(await exited, 2, stderr);
    const [left] = glanceStates();
    assert.ok(left, 'the image is recorded for the next run');
    images.push(left.imageId);
    assert.match(
      stderr,
      new RegExp(`Interrupted; the image ${left.imageId} is kept queued without data: run the same command again to upload into it\\.\\n$`),
    );
    const r = cli(args);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as UploadOutcome;
    assert.equal(out.image!.id, left.imageId, 'the same image, not a duplicate');
    assert.equal(out.resumed, true);
    assert.equal(out.image!.status, 'active');
    assert.equal(out.image!.os_hash_value, file.sha512);
    assert.equal(out.bytesSent, file.size);
    assert.match(r.stderr, new RegExp(`Uploading into the image ${left.imageId} that an earlier run created and left queued`));
    assert.deepEqual(
      (await glance.listImages({ name })).images.map((i) => i.id),
      [left.imageId],
    );
    assert.equal(glanceStates().length, 0, 'done and verified: nothing left to come back to');
  });
});
