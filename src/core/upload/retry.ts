// One retry policy for every part and small request of an upload: bounded exponential backoff
// with jitter. What is worth retrying: no answer (cut connection, stall), 5xx, 408/429, a part
// the server stored with another MD5 than ours (422 from Swift, an ETag that differs). What is
// not: 401 once the token was renewed, 403, 404, 413 (quota) and every other 4xx — sending the
// same request again cannot change those answers.
import { OpenStackError, isOpenStackError } from '../openstack/errors.ts';
import type { RetryPolicy, UploadClock } from './types.ts';
import { sleep } from '../sleep.ts';

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  stallTimeoutMs: 60_000,
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY, ...overrides };
}

const RETRYABLE_STATUS = new Set([408, 422, 425, 429]);
const RETRYABLE_KINDS = new Set<OpenStackError['kind']>(['network', 'timeout', 'server', 'hash-mismatch']);

/** True when sending the same request again may succeed. */
export function isRetryable(e: unknown): boolean {
  if (!isOpenStackError(e)) return false; // a bug or a local read failure: retrying hides it
  if (e.status !== undefined && RETRYABLE_STATUS.has(e.status)) return true;
  return RETRYABLE_KINDS.has(e.kind);
}

/** Delay before attempt `attempt + 1` (attempt ≥ 1): doubling, capped, "equal jitter" in [½, 1]. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

export const systemClock: UploadClock = {
  now: () => Date.now(),
  sleep,
};

export interface RetryContext {
  policy: RetryPolicy;
  clock: UploadClock;
  random?: () => number;
  signal?: AbortSignal;
  /** Told before each wait: the failure and the attempt that failed. */
  onRetry?: (e: OpenStackError, attempt: number) => void;
}

function abortedError(): OpenStackError {
  return new OpenStackError('The upload was stopped.', { code: 'upload.stopped', kind: 'aborted' });
}

/** Runs fn until it succeeds, fails with a final error, or the attempts run out (last error thrown). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal?.aborted) throw abortedError();
    try {
      return await fn(attempt);
    } catch (e) {
      if (ctx.signal?.aborted) throw abortedError();
      if (!isRetryable(e) || attempt >= ctx.policy.attempts) throw e;
      ctx.onRetry?.(e as OpenStackError, attempt);
      await ctx.clock.sleep(backoffMs(attempt, ctx.policy, ctx.random), ctx.signal);
    }
  }
}

/** One sentence for a retried failure (the progress line shows it while the engine retries). */
export function retryReason(e: OpenStackError, what: string): string {
  if (e.kind === 'timeout') return `${what} stalled; sending it again.`;
  if (e.kind === 'hash-mismatch' || e.status === 422) return `${what} arrived damaged (its MD5 differs); sending it again.`;
  if (e.kind === 'network') return `The connection dropped during ${what}; sending it again.`;
  return `${what} failed (${e.status ?? e.kind}); sending it again.`;
}
