// `npm run bench -- upload-object`: the same file (1 GiB random data) to the same local cloud by
// `image-inspector upload` via Swift (SLO) and via S3 (multipart), against python-swiftclient's
// `swift upload --segment-size` (Debian's python3-swiftclient, 10 segment threads) and against
// today's single Glance PUT with curl. The CLI runs as users run it (process start, inspection,
// sign-in, parts, digests, manifest); --no-register, so that all sides store the same object.
// The --parallel sweep (at swiftclient's segment size) chose the CLI's default; "its defaults" is
// the CLI with neither --segment-size nor --parallel, as users run it. S3 runs at the CLI's default part size (64 MiB)
// against its ceiling on this cloud: the same parts PUT by curl (--aws-sigv4, 8 at once) through
// s3api, whose every request is a Keystone signature check (s3token) that no client can avoid.
// IMAGE_INSPECTOR_BENCH_OBJECT_MIB sets the size;
// the cloud must run with Swift (CLOUD_WITH_SWIFT=1), else it is started (and stopped) here.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudCommand, makeRandomFile, readCloud, signIn, uniqueName } from '../integration/helpers/cloud.ts';
import { deleteContainers, swiftAccess, swiftOf, uniqueBucket } from '../integration/helpers/object-storage.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const MIB = Number(process.env.IMAGE_INSPECTOR_BENCH_OBJECT_MIB ?? 1024);
const ROUNDS = Number(process.env.IMAGE_INSPECTOR_BENCH_ROUNDS ?? 2);
const SEGMENT = '32M';
const S3_PART = '64M'; // the CLI's default for S3 (src/core/upload/part-size.ts)

// the CLI as `npm install` leaves it (precompiled), not the sources through tsx on every start
if (spawnSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'inherit' }).status !== 0)
  throw new Error('building the CLI failed');
const startedHere = !existsSync(join(ROOT, '.cloud/cloud.json'));
if (startedHere) cloudCommand(['start'], { CLOUD_WITH_SWIFT: '1' });
const cloud = readCloud();
const sw = swiftOf(cloud);
const swift = await swiftAccess(cloud);
const { session, glance } = await signIn(cloud);
const file = await makeRandomFile(MIB * 1024 * 1024, 'bench-object.raw');
const work = mkdtempSync(join(tmpdir(), 'ii-bench-object-'));
const containers: string[] = [];
const images: string[] = [];
const demo = cloud.users.demo;

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OS_') && !k.startsWith('AWS_')) env[k] = v;
  return env;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  return ms;
}

/** `parallel` / `segment` undefined: the CLI's own defaults (as users run it). */
function cli(via: 'swift' | 's3', parallel: number | undefined, segment: string | undefined = SEGMENT): number {
  const c = uniqueBucket(`bench-${via}`);
  containers.push(c, `${c}_segments`, `${c}+segments`);
  const env = { ...baseEnv(), OS_CLIENT_CONFIG_FILE: join(ROOT, '.cloud/clouds.yaml'), XDG_CACHE_HOME: work };
  const args = [
    join(ROOT, 'bin/image-inspector.mjs'),
    'upload',
    file.path,
    '--via',
    via,
    '--os-cloud',
    'demo',
    '--container',
    c,
    ...(segment ? ['--segment-size', segment] : []),
    ...(parallel ? ['--parallel', String(parallel)] : []),
    '--no-register',
    '--json',
  ];
  return timed(process.execPath, args, env);
}

function swiftclient(): number {
  const c = uniqueBucket('bench-swiftclient');
  containers.push(c, `${c}_segments`);
  // the password reaches swiftclient through its environment, never its command line
  const env = {
    ...baseEnv(),
    OS_AUTH_URL: cloud.keystone.authUrl,
    OS_IDENTITY_API_VERSION: '3',
    OS_USERNAME: demo.username,
    OS_PASSWORD: demo.password,
    OS_USER_DOMAIN_NAME: demo.userDomainName,
    OS_PROJECT_NAME: demo.projectName,
    OS_PROJECT_DOMAIN_NAME: demo.projectDomainName,
    OS_REGION_NAME: cloud.region,
  };
  return timed('/usr/bin/swift', ['upload', '--segment-size', SEGMENT, '--object-name', 'bench-object.raw', c, file.path], env);
}

async function curlGlance(): Promise<number> {
  const img = await glance.createImage({ name: uniqueName('bench-curl'), disk_format: 'raw', container_format: 'bare' });
  images.push(img.id);
  const headers = join(work, 'headers');
  writeFileSync(headers, `X-Auth-Token: ${await session.getToken()}\nContent-Type: application/octet-stream\n`, { mode: 0o600 });
  const ms = timed(
    'curl',
    ['-sS', '-f', '-o', '/dev/null', '-T', file.path, '-H', `@${headers}`, `${glance.endpoint}/v2/images/${img.id}/file`],
    baseEnv(),
  );
  rmSync(headers);
  return ms;
}

/** curl with SigV4 (no payload hash, as our client): bucket, initiate, the parts 8 at once, complete. */
const s3 = swiftOf(cloud).s3;
const curlConfig = join(work, 'curl-s3.cfg');
const s3Keys = s3.credentials.demo;
writeFileSync(curlConfig, `user = "${s3Keys.access}:${s3Keys.secret}"\naws-sigv4 = "aws:amz:${s3.region}:s3"\n`, { mode: 0o600 });
const partDir = join(work, 'parts');
if (spawnSync('sh', ['-c', `mkdir -p '${partDir}' && split -b ${S3_PART} -d -a 4 '${file.path}' '${partDir}/p'`]).status !== 0)
  throw new Error('splitting the file failed');
const partFiles = readdirSync(partDir).sort();

function curlAsync(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('curl', ['-sS', '-f', '-K', curlConfig, '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', ...args]);
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl ${args.slice(0, 3).join(' ')} failed (${code}): ${err}`))));
  });
}

async function curlS3(): Promise<number> {
  const bucket = uniqueBucket('bench-curl-s3');
  containers.push(bucket, `${bucket}+segments`);
  const base = `${s3.endpoint}/${bucket}`;
  const t0 = process.hrtime.bigint();
  await curlAsync(['-X', 'PUT', '-o', '/dev/null', base]);
  const init = await curlAsync(['-X', 'POST', '-d', '', `${base}/obj?uploads=`]);
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(init)?.[1];
  if (!id) throw new Error(`no UploadId in ${init.slice(0, 200)}`);
  const etags: string[] = [];
  const queue = partFiles.map((f, i) => ({ f, n: i + 1 }));
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const head = await curlAsync([
        '-D',
        '-',
        '-o',
        '/dev/null',
        '-T',
        join(partDir, p.f),
        `${base}/obj?partNumber=${p.n}&uploadId=${id}`,
      ]);
      const etag = /^etag:\s*(\S+)/im.exec(head)?.[1];
      if (!etag) throw new Error(`part ${p.n}: no ETag`);
      etags[p.n - 1] = etag;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const done = await curlAsync(['-X', 'POST', '--data-binary', xml, `${base}/obj?uploadId=${id}`]);
  if (!/<ETag>/.test(done)) throw new Error(`CompleteMultipartUpload: ${done.slice(0, 300)}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const runs: Record<string, number[]> = {};
const loads: number[] = [];
const load = () => loads.push(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
const add = (k: string, ms: number) => (runs[k] ??= []).push(ms);
const PARALLEL = [2, 4, 8];
try {
  for (let i = 0; i < ROUNDS; i++) {
    // alternate so that a noisy neighbour on the shared cores hurts every side alike
    load();
    add('swiftclient', swiftclient());
    // The CLI's runs in reverse order every other round: the run right after another one (Swift's
    // updaters, the disk's writeback of what was just stored) must not always be the same one.
    const runsOfCli: Array<[string, () => number]> = [
      ...PARALLEL.map((p): [string, () => number] => [`cli swift --parallel ${p}`, () => cli('swift', p)]),
      ['cli swift (its defaults)', () => cli('swift', undefined, undefined)],
      ['cli swift --segment-size 64M', () => cli('swift', undefined, '64M')],
    ];
    for (const [name, once] of i % 2 ? runsOfCli.reverse() : runsOfCli) add(name, once());
    load();
    add(`cli s3 --parallel 8 (${S3_PART})`, cli('s3', 8, S3_PART));
    add(`curl s3 ceiling (${S3_PART})`, await curlS3());
    add('curl glance PUT', await curlGlance());
    load();
    await deleteContainers(swift, containers.splice(0));
    for (const id of images.splice(0)) await glance.deleteImage(id);
  }
  const best = (k: string) => Math.min(...runs[k]!);
  const rate = (ms: number) => (MIB / (ms / 1000)).toFixed(0);
  console.log(
    `file: ${MIB} MiB random data, segments ${SEGMENT}, ${ROUNDS} rounds, best of each; Swift ${sw.url}; load average ${Math.min(...loads)}-${Math.max(...loads)}`,
  );
  for (const k of Object.keys(runs))
    console.log(
      `${k.padEnd(26)} ${best(k).toFixed(0).padStart(7)} ms ${rate(best(k)).padStart(5)} MiB/s  ratio vs swiftclient ${(best('swiftclient') / best(k)).toFixed(2)}x  runs: ${runs[k]!.map((x) => x.toFixed(0)).join(', ')}`,
    );
  const fastest = PARALLEL.reduce((a, b) => (best(`cli swift --parallel ${b}`) < best(`cli swift --parallel ${a}`) ? b : a));
  console.log(`fastest --parallel for the CLI via swift here: ${fastest}`);
  console.log(
    `ratio cli swift (its defaults) / swiftclient: ${(best('swiftclient') / best('cli swift (its defaults)')).toFixed(3)}x (target >= 1.0x); with --segment-size ${SEGMENT} as swiftclient, best --parallel: ${(best('swiftclient') / best(`cli swift --parallel ${fastest}`)).toFixed(3)}x`,
  );
  console.log(
    `ratio cli s3 / swiftclient: ${(best('swiftclient') / best(`cli s3 --parallel 8 (${S3_PART})`)).toFixed(3)}x; cli s3 / curl s3 ceiling: ${(best(`curl s3 ceiling (${S3_PART})`) / best(`cli s3 --parallel 8 (${S3_PART})`)).toFixed(3)}x; cli swift / curl glance PUT: ${(best('curl glance PUT') / best('cli swift (its defaults)')).toFixed(3)}x`,
  );
} finally {
  await deleteContainers(swift, containers).catch((e: unknown) => console.error(`cleanup: ${(e as Error).message}`));
  for (const id of images) await glance.deleteImage(id).catch((e: unknown) => console.error(`cleanup: ${(e as Error).message}`));
  await file.cleanup();
  rmSync(work, { recursive: true, force: true });
  if (startedHere) spawnSync('bash', [join(ROOT, 'scripts/cloud/cloud.sh'), 'stop'], { cwd: ROOT, stdio: 'inherit' });
}
