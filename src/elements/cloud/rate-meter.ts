// Bytes/s and time left for a transfer, smoothed over a sliding window so the display neither
// jumps with each progress event nor lags behind a stall.
export class RateMeter {
  #samples: { t: number; bytes: number }[] = [];
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(windowMs = 3000, now: () => number = () => performance.now()) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Records the bytes sent so far; returns the current rate and the seconds left. */
  update(sent: number, total: number): { bytesPerSecond: number; secondsLeft: number } {
    const t = this.#now();
    this.#samples.push({ t, bytes: sent });
    while (this.#samples.length > 2 && t - this.#samples[0].t > this.#windowMs) this.#samples.shift();
    const first = this.#samples[0];
    const dt = (t - first.t) / 1000;
    const bytesPerSecond = dt > 0 ? (sent - first.bytes) / dt : 0;
    const secondsLeft = bytesPerSecond > 0 ? (total - sent) / bytesPerSecond : Number.POSITIVE_INFINITY;
    return { bytesPerSecond, secondsLeft };
  }
}
