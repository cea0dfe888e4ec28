// `image-inspector upload` with what an operator brings instead of clouds.yaml: the OS_* variables
// of an openrc, and --os-storage-url replacing the catalog's object-store endpoint (as in
// python-swiftclient); and an S3 multipart run killed at about half way that the same command
// resumes from s3api's own list of parts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRandomFile, readCloud, type CloudJson, type TestFile } from './helpers/cloud.ts';
import { deleteContainers, s3Access, swiftAccess, swiftOf, uniqueBucket, xmlValues } from './helpers/object-storage.ts';
import type { UploadOutcome } from '../../src/core/upload/types.ts';
import { openrcOf } from '../helpers/openrc.ts';
import { cliEnv, killAtHalf, objectStates, runUpload, spawnUpload } from './helpers/upload-cli.ts';

const MiB = 1024 * 1024;
let cloud: CloudJson;
let file: TestFile;
let cache: string;
let home: string;
const containers: string[] = [];

/** An openrc of the demo user, and no clouds.yaml anywhere the search looks. */
function openrcEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const u = cloud.users.demo;
  return cliEnv(cache, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    OS_CLIENT_CONFIG_FILE: join(home, 'no-clouds.yaml'),
    ...openrcOf(cloud, u),
    OS_INTERFACE: 'public',
    ...extra,
  });
}

before(async () => {
  cloud = readCloud();
  swiftOf(cloud);
  file = await makeRandomFile(64 * MiB + 4321, 'sources.raw');
  cache = await mkdtemp(join(tmpdir(), 'ii-cli-sources-cache-'));
  home = await mkdtemp(join(tmpdir(), 'ii-cli-sources-home-'));
});

after(async () => {
  await deleteContainers(await swiftAccess(readCloud()), containers);
  await file?.cleanup();
  await rm(cache, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

describe('image-inspector upload: credentials and endpoints without clouds.yaml', { timeout: 600_000 }, () => {
  test("an openrc's OS_* variables alone sign in; the object lands in the user's project", async () => {
    const c = uniqueBucket('cli-openrc');
    containers.push(c, `${c}_segments`);
    const r = runUpload([file.path, '--via', 'swift', '--container', c, '--no-register', '--json'], openrcEnv());
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as UploadOutcome;
    assert.equal(out.sha512, file.sha512);
    const head = await (await swiftAccess(cloud, 'demo')).fetch(`/${c}/${encodeURIComponent(out.object!.name)}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), file.size);
    const wrong = runUpload(
      [file.path, '--via', 'swift', '--container', c, '--no-register'],
      openrcEnv({ OS_PASSWORD: 'not-the-password' }),
    );
    assert.equal(wrong.status, 2);
    assert.equal(wrong.stderr.trim().split('\n').length, 1, wrong.stderr);
    assert.match(wrong.stderr, /password|credentials|401/i);
  });

  test('--os-storage-url replaces the catalog: a dead one is named in the sentence, another spelling of the real one works', async () => {
    const c = uniqueBucket('cli-storage-url');
    containers.push(c, `${c}_segments`);
    const real = swiftOf(cloud).storageUrls.demo;
    const dead = real.replace(/^http:\/\/[^/]+/, 'http://127.0.0.1:9');
    const r = runUpload([file.path, '--via', 'swift', '--container', c, '--no-register', '--os-storage-url', dead], openrcEnv());
    assert.equal(r.status, 2, r.stderr);
    // after the progress lines, one sentence naming the URL given, not the catalog's
    assert.match(r.stderr.trim().split('\n').at(-1)!, /^image-inspector upload: Could not reach http:\/\/127\.0\.0\.1:9 while .*\.$/);
    const other = real.replace('://127.0.0.1:', '://localhost:');
    const ok = runUpload(
      [file.path, '--via', 'swift', '--container', c, '--no-register', '--json', '--os-storage-url', other],
      openrcEnv(),
    );
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as UploadOutcome).object?.size, file.size);
  });

  test('S3 killed with SIGKILL at about half way: the same command resumes from ListParts, no upload left open', async () => {
    const b = uniqueBucket('cli-s3-kill');
    containers.push(b, `${b}+segments`);
    const args = [
      file.path,
      '--via',
      's3',
      '--os-cloud',
      'demo',
      '--container',
      b,
      '--segment-size',
      '5M',
      '--parallel',
      '1',
      '--no-register',
      '--json',
    ];
    const own = await mkdtemp(join(tmpdir(), 'ii-cli-s3-kill-cache-')); // this run's state alone
    const env = cliEnv(own);
    const kept = await killAtHalf(spawnUpload(args, env), own, file.size);
    assert.ok(kept >= file.size / 2 && kept < file.size, `killed with ${kept} bytes stored`);
    const r = runUpload(args, env);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as UploadOutcome;
    assert.equal(out.resumed, true);
    assert.ok(out.bytesSent < file.size - kept + 5 * MiB, `sent ${out.bytesSent} of the ${file.size - kept} left`);
    assert.equal(out.sha512, file.sha512);
    assert.match(out.object!.etag, /-13$/);
    const s3 = s3Access(cloud);
    const head = await s3.fetch(`/${b}/${encodeURIComponent(out.object!.name)}`, { method: 'HEAD' });
    assert.equal(Number(head.headers.get('content-length')), file.size);
    const open = await (await s3.fetch(`/${b}?uploads`)).text();
    assert.deepEqual(xmlValues(open, 'UploadId'), [], 'the multipart upload was completed, none left open');
    assert.equal(objectStates(own).length, 0, 'done and verified: no state left');
    await rm(own, { recursive: true, force: true });
  });
});
