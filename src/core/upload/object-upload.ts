// An object-storage upload (Swift SLO or S3 multipart) from the file to the assembled object:
// resume state matched by fingerprint, the server's part list trusted (a part is re-sent only when
// the server lacks it or holds other bytes), N parts in flight each checked against its local
// MD5 and retried under one policy, the whole-file digests computed alongside, state persisted
// after every part so that a kill loses at most the parts in flight.
import { OpenStackError, isOpenStackError } from '../openstack/errors.ts';
import type { ImageDigests } from '../hash/image-hasher.ts';
import { fileIdentity, sameDestination, sameFile, uploadStateId } from './fingerprint.ts';
import { dropEarlierImage } from './register.ts';
import { isGlanceState } from './glance-state.ts';
import type { PartBackend, ServerPart } from './part-backend.ts';
import { DEFAULT_PARALLEL, MAX_PARALLEL, choosePartSize, partSpans, type PartSpan } from './part-size.ts';
import type { ProgressTracker } from './progress.ts';
import { retryReason, withRetry } from './retry.ts';
import type { FileIdentity, RetryPolicy, StoredObject, StoredPart, UploadClock, UploadEnv, UploadRequest, UploadState } from './types.ts';

export interface ObjectRunContext {
  request: UploadRequest;
  env: UploadEnv;
  backend: PartBackend;
  signal: AbortSignal;
  progress: ProgressTracker;
  policy: RetryPolicy;
  clock: UploadClock;
  /** Told the state as soon as it exists (the handle needs it to cancel). */
  onState: (state: UploadState) => void;
}

export interface StoredResult {
  state: UploadState;
  object: StoredObject;
  /** The whole-file digests, possibly still being computed. */
  digests: Promise<ImageDigests>;
  resumed: boolean;
}

function now(): string {
  return new Date().toISOString();
}

/** Serialises state writes (parts finish concurrently; the last write must hold them all). */
function stateWriter(env: UploadEnv, state: UploadState) {
  let chain: Promise<void> = Promise.resolve();
  return () => {
    const snapshot: UploadState = { ...state, parts: [...state.parts], updatedAt: now() };
    chain = chain.then(() => env.store.put(snapshot));
    return chain;
  };
}

interface OpenedState {
  state: UploadState;
  earlier: boolean;
  /**
   * The file's lastModified differs from the one the parts were recorded with: it may have been
   * rewritten in place (the fingerprint samples only part of it), so recorded ETags are not trusted.
   */
  touched: boolean;
  /** The file as it is now (the state keeps the recorded lastModified until its parts are checked). */
  identity: FileIdentity;
}

function partMd5(ctx: ObjectRunContext, p: { offset: number; size: number }, signal: AbortSignal): Promise<string> {
  return ctx.env.digests.md5(ctx.request.file.slice(p.offset, p.offset + p.size), signal);
}

async function openState(ctx: ObjectRunContext): Promise<OpenedState> {
  const { request, env, backend } = ctx;
  const target = request.target!;
  const identity = await fileIdentity(request.file, request.fileName, request.lastModified);
  const id = await uploadStateId(target, identity);
  const found = await env.store.get(id);
  const old = found && !isGlanceState(found) ? found : undefined;
  let reusable = !!old && sameFile(old.file, identity) && (request.partSize === undefined || request.partSize === old.partSize);
  const touched = !!old && old.file.lastModified !== identity.lastModified;
  // An object assembled from a file touched since: it stands only if every part still hashes the same
  if (reusable && touched && old!.status !== 'uploading')
    for (const p of old!.parts) if ((await partMd5(ctx, p, ctx.signal)) !== p.etag) reusable = false;
  if (old && reusable) {
    if (request.register && old.register?.imageId) request.register.imageId ??= old.register.imageId;
    // until its parts are checked again, a touched file's state keeps the lastModified they were recorded with
    const file = touched && old.status === 'uploading' ? { ...identity, lastModified: old.file.lastModified } : identity;
    return { state: { ...old, file, register: request.register ?? undefined }, earlier: true, touched, identity };
  }
  // a size the store refuses fails here, before an earlier upload's parts are given up for it
  const partSize = choosePartSize(request.file.size, await backend.limits(), request.partSize);
  if (old) {
    const image = await earlierImage(ctx, old);
    await backend.discard(old).catch(() => undefined); // the parts are unusable either way: a failed delete leaves garbage, not a wrong image
    await env.store.delete(id);
    env.onNotice?.(
      `An earlier upload of this file to the same place used other settings or another file: its parts are deleted${image}. The upload starts over.`,
    );
  }
  await supersede(ctx, id);
  const t = now();
  return {
    state: {
      version: 1,
      id,
      createdAt: t,
      updatedAt: t,
      file: identity,
      target,
      partSize,
      parts: [],
      register: request.register ?? undefined,
      status: 'uploading',
    },
    earlier: false,
    touched: false,
    identity,
  };
}

/** The image an upload being given up created (first: it may be importing the object's parts). */
function earlierImage(ctx: ObjectRunContext, old: UploadState): Promise<string> {
  const id = old.register?.imageId;
  return id && ctx.env.glance ? dropEarlierImage(ctx.env.glance, id) : Promise.resolve('');
}

/**
 * Unfinished uploads of another file to the same object: this one overwrites that object, so
 * they could only finish by undoing it (resumed later, one would replace this file's object with
 * the other file). Their parts, their resume state and the image they created while it holds no
 * data are removed, and said.
 */
async function supersede(ctx: ObjectRunContext, id: string): Promise<void> {
  const { env, backend, request } = ctx;
  for (const other of await env.store.list()) {
    if (other.id === id || isGlanceState(other) || !sameDestination(other.target, request.target!)) continue;
    const image = await earlierImage(ctx, other);
    await backend.discard(other).catch(() => undefined); // a failed delete leaves garbage, never a wrong image
    await env.store.delete(other.id);
    env.onNotice?.(
      `An unfinished upload of another file (${other.file.name}, ${other.file.size} bytes) to the same object is given up, as this upload replaces that object: its parts are deleted${image}.`,
    );
  }
}

/** The server's parts, or none when the multipart upload vanished (then it starts again). */
async function serverParts(ctx: ObjectRunContext, state: UploadState): Promise<Map<number, ServerPart>> {
  try {
    return await ctx.backend.listStored(state);
  } catch (e) {
    if (!(isOpenStackError(e, 'not-found') && state.uploadId)) throw e;
    ctx.env.onNotice?.('The earlier multipart upload is gone on the server (aborted or expired): starting it again.');
    state.uploadId = undefined;
    state.parts = [];
    await ctx.backend.prepare(state);
    return new Map();
  }
}

export async function uploadObject(ctx: ObjectRunContext): Promise<StoredResult> {
  const { request, env, backend, progress, signal } = ctx;
  const file = request.file;
  const { state, earlier, touched, identity } = await openState(ctx);
  ctx.onState(state);
  const save = stateWriter(env, state);
  const spans = partSpans(file.size, state.partSize);
  progress.partsTotal = spans.length;

  const known = request.knownDigests ?? (earlier && !touched && state.digests?.size === file.size ? state.digests : undefined);
  const digests = known ? Promise.resolve(known) : env.digests.whole(file, { signal, onProgress: (n) => progress.hashed(n) });
  digests.catch(() => undefined); // awaited by the caller; never unhandled when the parts fail first

  if (state.status !== 'uploading') {
    // an earlier run assembled the object already: nothing to send
    for (const p of state.parts) progress.partReused(p.size);
    const object = state.object ?? (await backend.finish(state, signal));
    return { state, object, digests, resumed: true };
  }

  await backend.prepare(state);
  await save();
  const onServer = earlier ? await serverParts(ctx, state) : new Map<number, ServerPart>();
  const recorded = new Map(state.parts.map((p) => [p.number, p]));
  const kept: StoredPart[] = [];
  const todo: PartSpan[] = [];
  for (const span of spans) {
    const there = onServer.get(span.number);
    let ok = false;
    if (there && there.size === span.size) {
      const mine = recorded.get(span.number);
      // recorded with this ETag by an earlier run from the file as it is now: trusted; otherwise our bytes decide
      ok = (!touched && mine?.etag === there.etag) || (await partMd5(ctx, span, signal)) === there.etag;
    }
    if (ok) {
      kept.push({ ...span, etag: there!.etag });
      progress.partReused(span.size);
    } else todo.push(span);
  }
  state.parts = kept;
  state.file = identity; // every kept part is checked against the file as it is now
  await save();
  if (earlier && kept.length) env.onNotice?.(`Resuming: ${kept.length} of ${spans.length} parts are already stored.`);

  progress.setPhase('uploading');
  const inner = new AbortController();
  const stop = () => inner.abort();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) inner.abort();
  const parallel = Math.max(1, Math.min(request.parallel ?? DEFAULT_PARALLEL, MAX_PARALLEL));
  // Part MD5s are computed in order, `md5Lanes` at a time (the provider hashes that many together),
  // up to `parallel` parts ahead of the senders: when every worker hashed its own next part first,
  // all of them hashed at once with nothing in flight (measured: waves of 8 parts, the link idle).
  const md5s = new Map<number, Promise<string>>();
  let hashedUpTo = 0;
  const lanes: Promise<unknown>[] = Array.from({ length: Math.max(1, env.digests.md5Lanes ?? 1) }, () => Promise.resolve());
  const md5Ahead = (index: number) => {
    for (; hashedUpTo < todo.length && hashedUpTo <= index + parallel; hashedUpTo++) {
      const sp = todo[hashedUpTo]!;
      const d = env.digests;
      const lane = hashedUpTo % lanes.length;
      const p = lanes[lane]!.then(() =>
        d.md5Range ? d.md5Range(sp.offset, sp.size, inner.signal) : d.md5(file.slice(sp.offset, sp.offset + sp.size), inner.signal),
      );
      p.catch(() => undefined); // awaited by the worker that sends this part
      lanes[lane] = p.catch(() => undefined);
      md5s.set(sp.number, p);
    }
  };
  let taken = 0;
  const queue = [...todo];
  const worker = async () => {
    for (let span = queue.shift(); span; span = queue.shift()) {
      md5Ahead(taken++);
      const body = file.slice(span.offset, span.offset + span.size);
      const md5 = await md5s.get(span.number)!;
      md5s.delete(span.number);
      const what = `${backend.service === 'swift' ? 'Segment' : 'Part'} ${span.number}`;
      const s = span;
      const etag = await withRetry(
        async () => {
          progress.partStarted(s.number);
          const got = await backend.putPart(state, s, body, md5, {
            signal: inner.signal,
            stallTimeoutMs: ctx.policy.stallTimeoutMs,
            onProgress: (n) => progress.partProgress(s.number, n),
          });
          if (got !== md5)
            throw new OpenStackError(`${what} was stored with ETag ${got} instead of its MD5 ${md5}.`, {
              code: 'object.part-etag-mismatch',
              params: { part: what, etag: got, md5 },
              kind: 'hash-mismatch',
              service: backend.service,
            });
          return got;
        },
        {
          policy: ctx.policy,
          clock: ctx.clock,
          random: env.random,
          signal: inner.signal,
          onRetry: (e) => progress.partRetry(s.number, retryReason(e, what)),
        },
      ).catch((e: unknown) => {
        progress.partLeft(s.number);
        throw e;
      });
      state.parts.push({ ...s, etag });
      progress.partDone(s.number, s.size);
      await save();
    }
  };
  try {
    const workers = Array.from({ length: Math.min(parallel, Math.max(1, todo.length)) }, () =>
      worker().catch((e: unknown) => {
        inner.abort(); // one part failed for good: the others stop, their state is kept
        throw e;
      }),
    );
    const settled = await Promise.allSettled(workers);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    signal.removeEventListener('abort', stop);
  }

  progress.setPhase('finishing');
  const object = await backend.finish(state, signal);
  state.status = 'stored';
  state.object = object;
  await save();
  return { state, object, digests, resumed: earlier && (kept.length > 0 || !!state.register?.imageId) };
}
