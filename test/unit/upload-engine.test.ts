// The object-upload state machine with a small in-memory store backend, for the rare edge cases
// the real-cloud tests cannot provoke on demand: a part stored with a wrong ETag, a part the
// server lost, a pause mid-upload, a file changed between runs (another file, or the same one
// rewritten in place where the fingerprint does not sample).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { md5OfBlob, inlineDigestProvider } from '../../src/core/upload/digests.ts';
import { sampleRanges } from '../../src/core/upload/fingerprint.ts';
import { uploadObject } from '../../src/core/upload/object-upload.ts';
import type { PartBackend, ServerPart } from '../../src/core/upload/part-backend.ts';
import { S3_LIMITS } from '../../src/core/upload/part-size.ts';
import { ProgressTracker } from '../../src/core/upload/progress.ts';
import { retryPolicy } from '../../src/core/upload/retry.ts';
import type { UploadEnv, UploadRequest, UploadState, UploadStateStore } from '../../src/core/upload/types.ts';

const MiB = 1024 * 1024;

function memoryStore(): UploadStateStore & { map: Map<string, UploadState> } {
  const map = new Map<string, UploadState>();
  return {
    map,
    get: async (id) => (map.has(id) ? structuredClone(map.get(id)) : undefined),
    put: async (s) => void map.set(s.id, structuredClone(s as UploadState)),
    delete: async (id) => void map.delete(id),
    list: async () => [...map.values()],
  };
}

/** Stores parts in memory; `corruptOnce` answers a wrong ETag the first time a part is sent. */
class FakeStore implements PartBackend {
  readonly service = 's3' as const;
  parts = new Map<number, ServerPart & { bytes: Buffer }>();
  sends: number[] = [];
  corruptOnce = new Set<number>();
  blockAfter = Infinity;
  onSend?: (n: number) => void;
  limits = async () => ({ ...S3_LIMITS, minPartSize: 1 });
  prepare = async (s: UploadState) => void (s.uploadId ??= 'u1');
  listStored = async () => new Map([...this.parts].map(([n, p]) => [n, { etag: p.etag, size: p.size }]));
  async putPart(
    _s: UploadState,
    span: { number: number },
    body: Blob,
    _md5: string,
    o: { signal: AbortSignal; onProgress: (n: number) => void },
  ) {
    this.sends.push(span.number);
    this.onSend?.(span.number);
    if (o.signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    const bytes = Buffer.from(await body.arrayBuffer());
    o.onProgress(bytes.length);
    const etag = createHash('md5').update(bytes).digest('hex');
    if (this.corruptOnce.delete(span.number)) return '0'.repeat(32);
    this.parts.set(span.number, { etag, size: bytes.length, bytes });
    return etag;
  }
  finish = async (s: UploadState) => ({ container: 'b', name: 'k', etag: 'e', size: s.file.size, parts: s.parts.length });
  discard = async () => void this.parts.clear();
  downloadUrl = async () => 'http://x/';
}

function setup(bytes: Buffer, store = memoryStore()) {
  const file = new Blob([new Uint8Array(bytes)]);
  const request: UploadRequest = {
    file,
    fileName: 'disk.raw',
    lastModified: 1,
    via: 's3',
    partSize: 1 * MiB,
    parallel: 2,
    register: null,
    target: { kind: 's3', endpoint: 'http://s3', region: 'us-east-1', bucket: 'b', key: 'k' },
    credentials: { kind: 's3', accessKeyId: 'a', secretAccessKey: 's' },
  };
  const env = { store, digests: inlineDigestProvider() } as unknown as UploadEnv;
  return { file, request, env, store };
}

function run(backend: FakeStore, request: UploadRequest, env: UploadEnv, signal = new AbortController().signal) {
  const progress = new ProgressTracker(request.file.size, undefined);
  const clock = { now: () => 0, sleep: async () => undefined };
  return {
    progress,
    result: uploadObject({
      request,
      env,
      backend,
      signal,
      progress,
      policy: retryPolicy({ attempts: 3 }),
      clock,
      onState: () => undefined,
    }),
  };
}

describe('object upload state machine', { timeout: 30_000 }, () => {
  test('every part is sent once, checked against its MD5, and the whole-file digests come along', async () => {
    const bytes = randomBytes(5 * MiB + 100);
    const { request, env } = setup(bytes);
    const b = new FakeStore();
    const { result, progress } = run(b, request, env);
    const r = await result;
    assert.deepEqual([...b.sends].sort(), [1, 2, 3, 4, 5, 6]);
    assert.equal(Buffer.concat([...b.parts.keys()].sort((x, y) => x - y).map((n) => b.parts.get(n)!.bytes)).equals(bytes), true);
    assert.equal((await r.digests).sha512, createHash('sha512').update(bytes).digest('hex'));
    assert.equal(progress.sentBytes, bytes.length);
    assert.equal(r.resumed, false);
  });

  test('a part answered with a wrong ETag is sent again and only that part', async () => {
    const { request, env } = setup(randomBytes(3 * MiB));
    const b = new FakeStore();
    b.corruptOnce.add(2);
    const { result, progress } = run(b, request, env);
    await result;
    assert.deepEqual([...b.sends].sort(), [1, 2, 2, 3]);
    assert.equal(progress.retries, 1);
    assert.match(progress.lastRetryReason ?? '', /Part 2 arrived damaged/);
  });

  test('after a pause the next run sends only the parts the server lacks; a lost part and a wrong one are re-sent', async () => {
    const bytes = randomBytes(6 * MiB);
    const { request, env, store } = setup(bytes);
    const b = new FakeStore();
    const ctl = new AbortController();
    b.onSend = (n) => {
      if (b.sends.length >= 4) ctl.abort();
      void n;
    };
    await assert.rejects(run(b, request, env, ctl.signal).result);
    const [saved] = store.map.values();
    assert.ok(saved && saved.parts.length >= 2 && saved.parts.length < 6, `saved ${saved?.parts.length} parts`);
    // the server lost one part and holds another with other bytes
    const kept = saved!.parts.map((p) => p.number).sort();
    b.parts.delete(kept[0]!);
    const wrong = b.parts.get(kept[1]!)!;
    b.parts.set(kept[1]!, { ...wrong, etag: 'f'.repeat(32) });
    b.sends = [];
    b.onSend = undefined;
    const { result, progress } = run(b, request, env);
    const r = await result;
    assert.equal(r.resumed, true);
    const resent = new Set(b.sends);
    assert.ok(resent.has(kept[0]!) && resent.has(kept[1]!));
    for (const n of kept.slice(2)) assert.equal(resent.has(n), false, `part ${n} was sent again`);
    assert.equal(progress.sentBytes, b.sends.length * MiB);
    const all = Buffer.concat([1, 2, 3, 4, 5, 6].map((n) => b.parts.get(n)!.bytes));
    assert.equal(all.equals(bytes), true);
  });

  test('a part the server holds but the state never recorded is reused when its MD5 matches the local bytes', async () => {
    const bytes = randomBytes(2 * MiB);
    const { request, env, store } = setup(bytes);
    const b = new FakeStore();
    await run(b, request, env, AbortSignal.abort()).result.catch(() => undefined); // creates the state only
    const [saved] = store.map.values();
    assert.ok(saved);
    const first = bytes.subarray(0, MiB);
    b.parts.set(1, { etag: await md5OfBlob(new Blob([new Uint8Array(first)])), size: MiB, bytes: Buffer.from(first) });
    const { result } = run(b, request, env);
    await result;
    assert.deepEqual(b.sends, [2]);
  });

  test('another file with the same name and size does not reuse the parts', async () => {
    const store = memoryStore();
    const b = new FakeStore();
    const one = setup(randomBytes(2 * MiB), store);
    const ctl = new AbortController();
    b.onSend = () => ctl.abort();
    await assert.rejects(run(b, one.request, one.env, ctl.signal).result);
    b.onSend = undefined;
    b.sends = [];
    const two = setup(randomBytes(2 * MiB), store);
    const { result } = run(b, two.request, two.env);
    const r = await result;
    assert.equal(r.resumed, false);
    assert.deepEqual([...b.sends].sort(), [1, 2]);
  });

  test('a file rewritten in place (new lastModified, same fingerprint) has its recorded parts checked against its bytes', async () => {
    const bytes = randomBytes(6 * MiB);
    const { request, env, store } = setup(bytes);
    const b = new FakeStore();
    const ctl = new AbortController();
    b.onSend = () => {
      if (b.sends.length >= 4) ctl.abort();
    };
    await assert.rejects(run(b, request, env, ctl.signal).result);
    const [saved] = store.map.values();
    assert.ok(saved && saved.parts.length >= 1);
    // one byte changed inside a recorded part, outside every range the fingerprint samples
    const part = saved!.parts[0]!;
    const sampled = sampleRanges(bytes.length);
    let at = part.offset;
    while (sampled.some(([s, e]) => at >= s && at < e)) at++;
    assert.ok(at < part.offset + part.size, 'a byte of the part outside the samples');
    const changed = Buffer.from(bytes);
    changed[at] = changed[at]! ^ 0xff;
    const again = setup(changed, store);
    again.request.lastModified = 2;
    b.sends = [];
    b.onSend = undefined;
    const r = await run(b, again.request, again.env).result;
    assert.equal(r.resumed, true, 'the same file by its fingerprint: the state is resumed');
    assert.ok(b.sends.includes(part.number), `part ${part.number} (changed) was sent again`);
    const all = Buffer.concat([1, 2, 3, 4, 5, 6].map((n) => b.parts.get(n)!.bytes));
    assert.equal(all.equals(changed), true, 'the object holds the file as it is now');
    assert.equal((await r.digests).sha512, createHash('sha512').update(changed).digest('hex'));
    // checked once, the state holds the new lastModified: a third run trusts the parts again
    assert.equal([...store.map.values()][0]?.file.lastModified, 2);
  });

  test('an object assembled from a file rewritten since is not reused: its parts no longer hash the same', async () => {
    const bytes = randomBytes(3 * MiB);
    const { request, env, store } = setup(bytes);
    const b = new FakeStore();
    await run(b, request, env).result; // stored; the state stays until registration clears it
    assert.equal([...store.map.values()][0]?.status, 'stored');
    const changed = Buffer.from(bytes);
    changed[MiB + 100_000] = changed[MiB + 100_000]! ^ 0xff; // outside the sampled ranges of a 3 MiB file
    const again = setup(changed, store);
    again.request.lastModified = 2;
    b.sends = [];
    const r = await run(b, again.request, again.env).result;
    assert.equal(r.resumed, false);
    assert.deepEqual([...b.sends].sort(), [1, 2, 3]);
    assert.equal(Buffer.concat([1, 2, 3].map((n) => b.parts.get(n)!.bytes)).equals(changed), true);
  });

  test('a part size the store refuses, asked for on a later run, fails before the earlier parts are given up', async () => {
    const bytes = randomBytes(4 * MiB);
    const { request, env, store } = setup(bytes);
    const b = new FakeStore();
    const ctl = new AbortController();
    b.onSend = () => {
      if (b.sends.length >= 2) ctl.abort();
    };
    await assert.rejects(run(b, request, env, ctl.signal).result);
    const stored = b.parts.size;
    assert.ok(stored >= 1, `parts stored before the stop: ${stored}`);
    b.onSend = undefined;
    b.limits = async () => ({ ...S3_LIMITS, minPartSize: 1, maxPartSize: 2 * MiB });
    await assert.rejects(
      run(b, { ...request, partSize: 3 * MiB }, env).result,
      (e: Error & { code?: string }) => e.code === 'part-size.above-maximum' && /above the largest object of 2 MiB/.test(e.message),
    );
    assert.equal(b.parts.size, stored, 'the stored parts are still there');
    assert.equal(store.map.size, 1, 'and so is the state that resumes them');
    b.sends = [];
    const r = await run(b, request, env).result;
    assert.equal(r.resumed, true);
    assert.equal(b.sends.length, 4 - stored, 'the run with the earlier size sends only the rest');
  });
});
