// `image-inspector upload FILE …`: inspect (unsafe → exit 1), sign in, then run the upload
// engine (the page's engine) with streamed fetch, hash-wasm digests and the resume state under
// the cache dir. Progress on stderr; --json prints the outcome; exit 0 only when everything asked
// for is done and verified, 2 on any error with one sentence. SIGINT/SIGTERM pause: the state
// stays and the same command resumes.
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { isOpenStackError } from '../core/openstack/errors.ts';
import { GlanceClient } from '../core/openstack/glance.ts';
import { KeystoneSession } from '../core/openstack/keystone.ts';
import type { FetchLike, ImageCreateFields } from '../core/openstack/types.ts';
import { startUpload, UploadStoppedError } from '../core/upload/engine.ts';
import type { DigestProvider, ObjectCredentials, ObjectTarget, UploadProgress, UploadRequest } from '../core/upload/types.ts';
import type { InspectionResult } from '../core/inspection.ts';
import { ec2Keys, loadCloud } from './cloud-credentials.ts';
import { ArgsError, parseUploadArgs, usage, type UploadArgs } from './upload-args.ts';
import { nodeDigestProvider } from './node-digests.ts';
import { nodeHttpTransport } from './node-http-transport.ts';
import { agentFetch, tlsAgent } from './tls-fetch.ts';
import { fileStateStore } from './upload-state-file.ts';

export interface UploadIo {
  out?: (s: string) => void;
  err?: (s: string) => void;
  /** The inspection (default: the `inspect` command's, with the wasm qemu-img). */
  inspect?: (path: string, declaredFormat: string | undefined) => Promise<InspectionResult>;
  env?: NodeJS.ProcessEnv;
}

async function defaultInspect(path: string, declared: string | undefined): Promise<InspectionResult> {
  const [{ inspectFile }, qemu] = await Promise.all([import('./inspect-command.ts'), import('../../workers/qemu-img/node.ts')]);
  try {
    return await inspectFile(path, declared, (a, o) => qemu.runQemuImg(a, o));
  } finally {
    await qemu.shutdownQemuImg();
  }
}

function fieldsFrom(a: UploadArgs, r: InspectionResult): ImageCreateFields {
  const s = r.suggested;
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(s))
    if (!['disk_format', 'container_format', 'min_disk', 'min_ram'].includes(k)) properties[k] = String(v);
  Object.assign(properties, a.properties);
  const f: ImageCreateFields = {
    name: a.name ?? basename(a.file),
    disk_format: a.diskFormat ?? (s.disk_format !== undefined ? String(s.disk_format) : undefined),
    container_format: a.containerFormat ?? (s.container_format !== undefined ? String(s.container_format) : 'bare'),
    properties,
  };
  const minDisk = a.minDisk ?? (typeof s.min_disk === 'number' ? s.min_disk : undefined);
  if (minDisk !== undefined) f.min_disk = minDisk;
  if (a.minRam !== undefined) f.min_ram = a.minRam;
  if (a.isPublic) f.visibility = 'public';
  if (a.isProtected) f.protected = true;
  return f;
}

function progressLine(p: UploadProgress): string {
  const mib = (n: number) => (n / 1048576).toFixed(1);
  const pct = p.totalBytes ? ((p.storedBytes / p.totalBytes) * 100).toFixed(0) : '100';
  const rate = p.bytesPerSecond ? ` ${mib(p.bytesPerSecond)} MiB/s` : '';
  const left = p.secondsLeft !== null && p.phase === 'uploading' ? ` ${Math.ceil(p.secondsLeft)} s left` : '';
  const parts = p.parts.total > 1 ? ` parts ${p.parts.done}/${p.parts.total} (${p.parts.inFlight} in flight)` : '';
  const hashed = p.hashedBytes < p.totalBytes ? ` hashed ${mib(p.hashedBytes)} MiB` : '';
  return `${p.phase}: ${mib(p.storedBytes)}/${mib(p.totalBytes)} MiB ${pct}%${rate}${left}${parts}${hashed}${p.retries ? ` retries ${p.retries}` : ''}`;
}

/** The provider with its whole-file hashing also stopped by `signal`. */
function stoppable(p: DigestProvider, signal: AbortSignal): DigestProvider {
  return { ...p, whole: (blob, o) => p.whole(blob, { ...o, signal: o.signal ? AbortSignal.any([o.signal, signal]) : signal }) };
}

export async function run(args: string[], io: UploadIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  const env = io.env ?? process.env;
  let a: UploadArgs | null;
  try {
    a = parseUploadArgs(args);
  } catch (e) {
    err(`image-inspector upload: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  if (!a) {
    out(usage);
    return 0;
  }
  const fail = (e: unknown) => {
    const text = e instanceof Error ? e.message : String(e);
    err(`image-inspector upload: ${text}\n`);
    return 2;
  };
  // Stopped on every way out: a failed upload or a refused file must not wait for the hashing
  // threads (they would keep the process, and the exit status the user waits for, alive).
  const hashing = new AbortController();
  try {
    return await upload(a, io, out, err, env, fail, hashing);
  } finally {
    hashing.abort();
  }
}

async function upload(
  a: UploadArgs,
  io: UploadIo,
  out: (s: string) => void,
  err: (s: string) => void,
  env: NodeJS.ProcessEnv,
  fail: (e: unknown) => number,
  hashing: AbortController,
): Promise<number> {
  const digests = nodeDigestProvider(a.file);
  // Inspection (qemu-img info/check/map: ~2 s for 1 GiB) and sign-in run at the same time; no
  // byte leaves before the verdict, and nothing is created in the cloud for an unsafe file. The
  // whole-file digests (needed at the end of any upload) start meanwhile: local work only.
  const inspecting = (async () => {
    const st = await stat(a.file);
    if (!st.isFile()) throw new Error(`${a.file} is not a regular file.`);
    digests.prefetch(st.size, hashing.signal);
    return (io.inspect ?? defaultInspect)(a.file, a.diskFormat);
  })();
  const signingIn = (async () => {
    const cloud = loadCloud(a.osCloud, { env });
    const agent = tlsAgent(cloud.tls);
    const fetchFn: FetchLike = agent ? agentFetch(agent) : (i, init) => globalThis.fetch(i, init);
    return { session: await KeystoneSession.signIn(cloud.auth, { fetch: fetchFn }), fetchFn, agent };
  })();
  signingIn.catch(() => undefined); // reported below, after the verdict
  let inspection: InspectionResult;
  try {
    inspection = await inspecting;
  } catch (e) {
    return fail(e);
  }
  if (!inspection.safety.safe) {
    err(`image-inspector upload: ${a.file} is not safe to upload as it is:\n`);
    for (const f of inspection.safety.findings.filter((x) => x.severity !== 'info')) err(`  ${f.code}: ${f.message}\n`);
    return 1;
  }

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { session, fetchFn, agent } = await signingIn;
    const glance = GlanceClient.fromSession(session, { fetch: fetchFn });
    const file = await openAsBlob(a.file);
    const { mtimeMs } = await stat(a.file);
    let target: ObjectTarget | undefined;
    let credentials: ObjectCredentials | undefined;
    const object = basename(a.file);
    const keystoneCreds: ObjectCredentials = {
      kind: 'keystone-token',
      getToken: () => session.getToken(),
      invalidate: (t) => session.invalidate(t),
    };
    if (a.via === 'swift') {
      const storageUrl = (a.storageUrl ?? env.OS_STORAGE_URL ?? session.endpoint('object-store')).replace(/\/+$/, '');
      target = { kind: 'swift', storageUrl, container: a.container, object, segmentContainer: `${a.container}_segments` };
      credentials = keystoneCreds;
    } else if (a.via === 's3') {
      let endpoint = env.AWS_ENDPOINT_URL;
      if (!endpoint) {
        try {
          endpoint = session.endpoint('s3');
        } catch {
          endpoint = new URL(a.storageUrl ?? session.endpoint('object-store')).origin; // s3api answers on the proxy's root
        }
      }
      const keys = await ec2Keys(session, env, fetchFn);
      if (keys.created)
        err(`Created EC2 credentials ${keys.accessKeyId} for this project in Keystone (see openstack ec2 credentials list).\n`);
      const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? session.defaults.region ?? 'us-east-1';
      target = { kind: 's3', endpoint: endpoint.replace(/\/+$/, ''), region, bucket: a.container, key: object };
      credentials = { kind: 's3', accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
    }
    const request: UploadRequest = {
      file,
      fileName: object,
      lastModified: Math.round(mtimeMs),
      via: a.via,
      target,
      credentials,
      partSize: a.segmentSize,
      parallel: a.parallel,
      register: a.register ? { fields: fieldsFrom(a, inspection), method: 'web-download', deleteObjectAfter: false } : null,
    };
    let last = 0;
    let lastPhase = '';
    const tty = process.stderr.isTTY === true;
    const handle = startUpload(request, {
      transport: nodeHttpTransport({ filePath: a.file, agent }),
      fetch: fetchFn,
      store: fileStateStore(env.XDG_CACHE_HOME ? `${env.XDG_CACHE_HOME}/image-inspector/uploads` : undefined),
      digests: stoppable(digests, hashing.signal),
      glance,
      onNotice: (s) => err(`${s}\n`),
      onProgress: (p) => {
        const t = Date.now();
        if (t - last < (tty ? 250 : 1000) && p.phase === lastPhase) return;
        lastPhase = p.phase;
        last = t;
        err(tty ? `\r\x1b[K${progressLine(p)}` : `${progressLine(p)}\n`);
      },
    });
    stop.signal.addEventListener('abort', () => handle.pause(), { once: true });
    if (stop.signal.aborted) handle.pause();
    try {
      const outcome = await handle.done;
      if (tty) err('\n');
      if (a.json) out(`${JSON.stringify(outcome)}\n`);
      else
        out(
          (outcome.image ? `image ${outcome.image.id} ${outcome.image.status}, sha512 verified\n` : '') +
            (outcome.object
              ? `object ${outcome.object.container}/${outcome.object.name} (${outcome.object.parts} parts, etag ${outcome.object.etag})\n`
              : '') +
            `sent ${outcome.bytesSent} bytes${outcome.resumed ? ' (resumed)' : ''}\n`,
        );
      return 0;
    } catch (e) {
      if (tty) err('\n');
      if (e instanceof UploadStoppedError && e.paused)
        return fail(
          new Error(
            a.via === 'glance'
              ? 'Interrupted; Glance cannot resume, so run the command again to upload anew.'
              : 'Interrupted; the parts stored so far are kept: run the same command again to resume.',
          ),
        );
      throw e;
    }
  } catch (e) {
    if (e instanceof ArgsError || isOpenStackError(e) || e instanceof Error) return fail(e);
    return fail(e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
