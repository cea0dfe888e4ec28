// One retry policy: what is retried, how long it waits, when it gives up.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenStackError } from '../../src/core/openstack/errors.ts';
import { backoffMs, isRetryable, retryPolicy, withRetry } from '../../src/core/upload/retry.ts';
import { objectHttpError } from '../../src/core/upload/object-errors.ts';
import type { UploadClock } from '../../src/core/upload/types.ts';

const err = (kind: OpenStackError['kind'], status?: number) => new OpenStackError('x', { kind, status });

function fakeClock(): UploadClock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, sleep: async (ms) => void slept.push(ms) };
}

describe('retry policy', { timeout: 10_000 }, () => {
  test('network cuts, stalls, 5xx, 408/429 and damaged parts are retried', () => {
    for (const e of [err('network'), err('timeout'), err('server', 503), err('bad-request', 408), err('bad-request', 429), err('hash-mismatch', 422), err('hash-mismatch')])
      assert.equal(isRetryable(e), true, `${e.kind} ${e.status}`);
  });

  test('401 after renewal, 403, 404, 413, other 4xx, cancellation and local bugs are not', () => {
    for (const e of [err('token-expired', 401), err('forbidden', 403), err('not-found', 404), err('too-large', 413), err('bad-request', 400), err('aborted'), err('cors')])
      assert.equal(isRetryable(e), false, `${e.kind} ${e.status}`);
    assert.equal(isRetryable(new TypeError('undefined is not a function')), false);
  });

  test('Swift 413 and S3 quota answers become one sentence of kind too-large; 422 a damaged part', () => {
    const q = objectHttpError('swift', 413, '<html><h1>Request Entity Too Large</h1><p>Upload exceeds quota.</p></html>', 'sending segment 3');
    assert.equal(q.kind, 'too-large');
    assert.equal(q.service, 'swift');
    assert.match(q.message, /^Swift refused the data while sending segment 3: the object store's quota or size limit is reached/);
    assert.equal(q.message.split('. ').length <= 3, true);
    const s3 = objectHttpError('s3', 403, '<Error><Code>QuotaExceeded</Code><Message>quota</Message></Error>', 'sending part 1');
    assert.equal(s3.kind, 'too-large');
    assert.equal(objectHttpError('swift', 422, 'Unprocessable Entity', 'x').kind, 'hash-mismatch');
  });

  test('backoff doubles up to the cap, with jitter between half and all of it', () => {
    const p = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    assert.equal(backoffMs(1, p, () => 0), 50);
    assert.equal(backoffMs(1, p, () => 0.999999), 100);
    assert.equal(backoffMs(3, p, () => 0.999999), 400);
    assert.equal(backoffMs(10, p, () => 0.999999), 1000);
  });

  test('withRetry retries until success, and gives up after the attempts with the last error', async () => {
    const clock = fakeClock();
    let calls = 0;
    const got = await withRetry(async () => {
      if (++calls < 3) throw err('network');
      return 'ok';
    }, { policy: retryPolicy({ attempts: 5, baseDelayMs: 10 }), clock, random: () => 0 });
    assert.equal(got, 'ok');
    assert.deepEqual(clock.slept, [5, 10]);
    calls = 0;
    await assert.rejects(withRetry(async () => { calls++; throw err('server', 500); }, { policy: retryPolicy({ attempts: 4 }), clock }), (e: unknown) => (e as OpenStackError).status === 500);
    assert.equal(calls, 4);
    calls = 0;
    await assert.rejects(withRetry(async () => { calls++; throw err('forbidden', 403); }, { policy: retryPolicy(), clock }), /x/);
    assert.equal(calls, 1);
  });
});
