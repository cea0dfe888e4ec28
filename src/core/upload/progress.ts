// The one progress model (UploadProgress) for every target: stored bytes (confirmed by the
// server, earlier runs included), sent bytes (this run, retries counted), a smoothed rate over
// the bytes that matter (stored + in flight) and the time left, parts done and in flight,
// retries, and hashing. Reports are throttled: a part's progress callback fires very often.
import type { UploadPhase, UploadProgress } from './types.ts';

/** Smoothed rate over a sliding window of samples. */
export class RateMeter {
  #samples: { t: number; bytes: number }[] = [];
  constructor(private readonly windowMs = 5000, private readonly now: () => number = () => Date.now()) {}
  add(bytes: number): number {
    const t = this.now();
    this.#samples.push({ t, bytes });
    while (this.#samples.length > 2 && t - this.#samples[0].t > this.windowMs) this.#samples.shift();
    const first = this.#samples[0];
    const dt = (t - first.t) / 1000;
    return dt > 0.2 ? (bytes - first.bytes) / dt : 0;
  }
}

export class ProgressTracker {
  phase: UploadPhase = 'preparing';
  storedBytes = 0;
  sentBytes = 0;
  hashedBytes = 0;
  retries = 0;
  lastRetryReason: string | undefined;
  partsTotal = 0;
  partsDone = 0;
  /** Bytes sent so far by each part in flight (part number → bytes). */
  readonly #inFlight = new Map<number, number>();
  readonly #meter: RateMeter;
  #rate = 0;
  #lastReport = -Infinity;

  constructor(
    readonly totalBytes: number,
    private readonly listener: ((p: UploadProgress) => void) | undefined,
    private readonly now: () => number = () => Date.now(),
    private readonly intervalMs = 200,
  ) {
    this.#meter = new RateMeter(5000, now);
  }

  setPhase(phase: UploadPhase): void {
    this.phase = phase;
    this.report(true);
  }

  partStarted(n: number): void {
    this.#inFlight.set(n, 0);
    this.report();
  }

  /** A part's request reports its own byte count (from 0 again when retried). */
  partProgress(n: number, sentInRequest: number): void {
    const before = this.#inFlight.get(n) ?? 0;
    if (sentInRequest > before) this.sentBytes += sentInRequest - before;
    this.#inFlight.set(n, sentInRequest);
    this.report();
  }

  /** The request failed and will be sent again: its bytes no longer count as in flight. */
  partRetry(n: number, reason: string): void {
    this.#inFlight.set(n, 0);
    this.retries++;
    this.lastRetryReason = reason;
    this.report(true);
  }

  partDone(n: number, size: number): void {
    this.#inFlight.delete(n);
    this.partsDone++;
    this.storedBytes += size;
    this.report(true);
  }

  partLeft(n: number): void {
    this.#inFlight.delete(n);
  }

  /** A part already on the server (an earlier run): stored, not sent. */
  partReused(size: number): void {
    this.partsDone++;
    this.storedBytes += size;
  }

  hashed(bytes: number): void {
    this.hashedBytes = bytes;
    this.report();
  }

  snapshot(): UploadProgress {
    let flying = 0;
    for (const b of this.#inFlight.values()) flying += b;
    const moving = this.storedBytes + flying;
    if (this.phase === 'uploading') this.#rate = this.#meter.add(this.sentBytes);
    const left = Math.max(0, this.totalBytes - moving);
    return {
      phase: this.phase,
      totalBytes: this.totalBytes,
      storedBytes: this.storedBytes,
      sentBytes: this.sentBytes,
      hashedBytes: this.hashedBytes,
      bytesPerSecond: this.#rate,
      secondsLeft: this.phase === 'done' ? 0 : this.#rate > 0 ? left / this.#rate : null,
      parts: { total: this.partsTotal, done: this.partsDone, inFlight: this.#inFlight.size },
      retries: this.retries,
      lastRetryReason: this.lastRetryReason,
    };
  }

  report(force = false): void {
    if (!this.listener) return;
    const t = this.now();
    if (!force && t - this.#lastReport < this.intervalMs) return;
    this.#lastReport = t;
    this.listener(this.snapshot());
  }
}
