// `image-inspector upload FILE …`: inspect (unsafe → exit 1), sign in, then run the upload
// engine (the page's engine) with streamed fetch, hash-wasm digests and the resume state under
// the cache dir. Progress on stderr; --json prints the outcome; exit 0 only when everything asked
// for is done and verified, 2 on any error with one sentence. SIGINT/SIGTERM, from the start,
// stop with exit 2 and a sentence: the state stays and the same command resumes.
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readableFileSize } from './file-errors.ts';
import { GlanceClient } from '../core/openstack/glance.ts';
import { KeystoneSession } from '../core/openstack/keystone.ts';
import type { FetchLike } from '../core/openstack/types.ts';
import { startUpload, UploadStoppedError } from '../core/upload/engine.ts';
import type { DigestProvider, ObjectCredentials, ObjectTarget, UploadProgress, UploadRequest } from '../core/upload/types.ts';
import { comparedHashes } from '../core/upload/verify.ts';
import type { InspectionResult } from '../core/inspection.ts';
import { ec2Keys, loadCloud } from './cloud-credentials.ts';
import { parseUploadArgs, usage, type UploadArgs } from './upload-args.ts';
import { fieldsFrom, formatProblem } from './upload-fields.ts';
import { nodeDigestProvider } from './node-digests.ts';
import { nodeHttpTransport } from './node-http-transport.ts';
import { agentFetch, tlsAgent } from './tls-fetch.ts';
import { fileStateStore, uploadStateDir } from './upload-state-file.ts';

export interface UploadIo {
  out?: (s: string) => void;
  err?: (s: string) => void;
  /** The inspection (default: the `inspect` command's, with the wasm qemu-img), stopped by `signal`. */
  inspect?: (path: string, declaredFormat: string | undefined, signal: AbortSignal) => Promise<InspectionResult>;
  env?: NodeJS.ProcessEnv;
}

async function defaultInspect(path: string, declared: string | undefined, signal: AbortSignal): Promise<InspectionResult> {
  const [{ inspectFile }, qemu] = await Promise.all([import('./inspect-command.ts'), import('../../workers/qemu-img/node.ts')]);
  try {
    // an interrupt stops qemu-img too: its thread would otherwise keep the process alive
    return await inspectFile(path, declared, (a, o) =>
      qemu.runQemuImg(a, { ...o, signal: o.signal ? AbortSignal.any([o.signal, signal]) : signal }),
    );
  } finally {
    await qemu.shutdownQemuImg();
  }
}

/** A signal before the upload started (inspection, sign-in, the format check). */
class Interrupted extends Error {
  constructor() {
    super('Interrupted before anything was sent; the resume state is kept as it was: run the same command again to resume.');
  }
}

/** `p`, or Interrupted as soon as `signal` aborts (what `p` was doing is stopped by the same signal or abandoned). */
function unlessStopped<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  p.catch(() => undefined); // an abandoned step's failure is not reported
  if (signal.aborted) return Promise.reject(new Interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
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
    // one sentence: a message ending with its own full stop (a size's) does not keep it before "; see"
    err(`image-inspector upload: ${(e as Error).message.replace(/\.$/, '')}; see image-inspector upload --help.\n`);
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
  // From the start: a signal during inspection or sign-in also ends with a sentence, not a bare 130
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Stopped on every way out: a failed upload or a refused file must not wait for the hashing
  // threads (they would keep the process, and the exit status the user waits for, alive).
  const hashing = new AbortController();
  try {
    return await upload(a, io, out, err, env, stop.signal, hashing);
  } catch (e) {
    return fail(e);
  } finally {
    hashing.abort();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function upload(
  a: UploadArgs,
  io: UploadIo,
  out: (s: string) => void,
  err: (s: string) => void,
  env: NodeJS.ProcessEnv,
  stop: AbortSignal,
  hashing: AbortController,
): Promise<number> {
  const digests = nodeDigestProvider(a.file);
  // Inspection (qemu-img info/check/map: ~2 s for 1 GiB) and sign-in run at the same time; no
  // byte leaves before the verdict, and nothing is created in the cloud for an unsafe file. The
  // whole-file digests (needed at the end of any upload) start meanwhile: local work only.
  const inspecting = (async () => {
    digests.prefetch(await readableFileSize(a.file), hashing.signal);
    return (io.inspect ?? defaultInspect)(a.file, a.diskFormat, stop);
  })();
  const signingIn = (async () => {
    const cloud = loadCloud(a.osCloud, { env });
    const agent = tlsAgent(cloud.tls);
    const fetchFn: FetchLike = agent ? agentFetch(agent) : (i, init) => globalThis.fetch(i, init);
    return { session: await KeystoneSession.signIn(cloud.auth, { fetch: fetchFn }), fetchFn, agent };
  })();
  signingIn.catch(() => undefined); // reported below, after the verdict
  const inspection = await unlessStopped(inspecting, stop);
  if (!inspection.safety.safe) {
    err(`image-inspector upload: ${a.file} is not safe to upload as it is:\n`);
    for (const f of inspection.safety.findings.filter((x) => x.severity !== 'info')) err(`  ${f.code}: ${f.message}\n`);
    return 1;
  }

  const { session, fetchFn, agent } = await unlessStopped(signingIn, stop);
  const glance = GlanceClient.fromSession(session, { fetch: fetchFn });
  const fields = a.register ? fieldsFrom(a, inspection) : null;
  if (fields) {
    const problem = formatProblem(fields, await unlessStopped(glance.imageSchema(), stop));
    if (problem) throw new Error(problem);
  }
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
    const keys = await unlessStopped(ec2Keys(session, env, fetchFn), stop);
    if (keys.created)
      err(`Created EC2 credentials ${keys.accessKeyId} for this project in Keystone (see openstack ec2 credentials list).\n`);
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? session.defaults.region ?? 'us-east-1';
    target = { kind: 's3', endpoint: endpoint.replace(/\/+$/, ''), region, bucket: a.container, key: object };
    credentials = { kind: 's3', accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
  }
  if (stop.aborted) throw new Interrupted();
  const request: UploadRequest = {
    file,
    fileName: object,
    lastModified: Math.round(mtimeMs),
    via: a.via,
    target,
    credentials,
    partSize: a.segmentSize,
    parallel: a.parallel,
    register: fields ? { fields, deleteObjectAfter: false } : null,
    // with it a via-glance run records its image, and the same command reuses it while queued
    project: session.token.project?.id,
  };
  let last = 0;
  let lastPhase = '';
  const tty = process.stderr.isTTY === true;
  const handle = startUpload(request, {
    transport: nodeHttpTransport({ filePath: a.file, agent }),
    fetch: fetchFn,
    store: fileStateStore(uploadStateDir(env)),
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
  stop.addEventListener('abort', () => handle.pause(), { once: true });
  if (stop.aborted) handle.pause();
  try {
    const outcome = await handle.done;
    if (tty) err('\n');
    if (a.json) out(`${JSON.stringify(outcome)}\n`);
    else
      out(
        (outcome.image ? `image ${outcome.image.id} ${outcome.image.status}, size, ${comparedHashes(outcome.image)} verified\n` : '') +
          (outcome.object
            ? `object ${outcome.object.container}/${outcome.object.name} (${outcome.object.parts} parts, etag ${outcome.object.etag})\n`
            : '') +
          `sent ${outcome.bytesSent} bytes${outcome.resumed ? ' (resumed)' : ''}\n`,
      );
    return 0;
  } catch (e) {
    if (tty) err('\n');
    // once the object is complete only Glance's part is left: the next run sends nothing again
    const stored = a.via !== 'glance' && ['registering', 'importing', 'verifying'].includes(lastPhase);
    const where = `${a.container}/${object}`;
    if (stored && !(e instanceof UploadStoppedError))
      throw new Error(
        `${(e as Error).message.replace(/\.$/, '')}. The object ${where} is stored and kept: run the command again (changed as this asks) to register it without sending it again.`,
        { cause: e },
      );
    if (e instanceof UploadStoppedError && e.paused)
      throw new Error(
        stored
          ? `Interrupted while Glance registers the stored object ${where}: run the same command again to finish; nothing is sent again.`
          : a.via !== 'glance'
            ? 'Interrupted; the parts stored so far are kept: run the same command again to resume.'
            : handle.id
              ? `Interrupted; the image ${handle.id} is kept queued without data: run the same command again to upload into it.`
              : 'Interrupted before the image was created; nothing was sent: run the same command again to start.',
        { cause: e },
      );
    throw e;
  }
}
