// Rate and time left of a running conversion, from qemu-img's percent and the runner's byte
// counters. Pure (no DOM, no Lit) so it is unit-tested in Node.
//
// Honest at both ends: no time left is claimed until the run has been going for a while and has
// made measurable progress (the first seconds are spent on metadata and tell nothing), and a
// finished run reports its average rate over the whole run, not the last (often idle) window.

export interface ProgressSample {
  /** qemu-img -p's percent, 0..100, when it printed one yet. */
  percent?: number;
  bytesRead: number;
  bytesWritten: number;
}

export interface ProgressFigures {
  percent: number;
  bytesRead: number;
  bytesWritten: number;
  /** Bytes read per second over the recent window; undefined until it can be measured. */
  rate?: number;
  /** Seconds left; undefined while it cannot be estimated honestly. */
  secondsLeft?: number;
  elapsedMs: number;
}

/** How far back the rate looks: long enough to smooth qemu-img's bursts, short enough to follow
 *  a change of pace (zeros read fast, data slowly). */
const WINDOW_MS = 3000;
/** No estimate before this much time and progress: both are noise at the start. */
const MIN_ELAPSED_MS = 1500;
const MIN_PERCENT = 1;

export class ProgressMeter {
  readonly #started: number;
  #samples: Array<{ t: number; read: number }> = [];
  #last: ProgressFigures;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.#started = now();
    this.#last = { percent: 0, bytesRead: 0, bytesWritten: 0, elapsedMs: 0 };
  }

  sample(s: ProgressSample): ProgressFigures {
    const t = this.now();
    const elapsedMs = t - this.#started;
    const percent = Math.max(this.#last.percent, Math.min(100, s.percent ?? this.#last.percent));
    this.#samples.push({ t, read: s.bytesRead });
    while (this.#samples.length > 2 && t - this.#samples[1]!.t >= WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const span = t - first.t;
    const rate = span >= 500 ? ((s.bytesRead - first.read) * 1000) / span : undefined;
    let secondsLeft: number | undefined;
    if (elapsedMs >= MIN_ELAPSED_MS && percent >= MIN_PERCENT && percent < 100) {
      // From the percent's own pace over the whole run: qemu-img's percent counts sectors of the
      // virtual disk (holes included), which the bytes read do not.
      secondsLeft = ((elapsedMs / 1000) * (100 - percent)) / percent;
    }
    this.#last = {
      percent,
      bytesRead: s.bytesRead,
      bytesWritten: s.bytesWritten,
      ...(rate !== undefined ? { rate } : {}),
      ...(secondsLeft !== undefined ? { secondsLeft } : {}),
      elapsedMs,
    };
    return this.#last;
  }

  /** The figures of a finished run: 100 %, nothing left, the average rate of the whole run. */
  finish(): ProgressFigures {
    const elapsedMs = this.now() - this.#started;
    const { bytesRead, bytesWritten } = this.#last;
    return {
      percent: 100,
      bytesRead,
      bytesWritten,
      ...(elapsedMs > 0 ? { rate: (bytesRead * 1000) / elapsedMs } : {}),
      secondsLeft: 0,
      elapsedMs,
    };
  }
}

/** A conversion and the verification after it, one meter per phase: the conversion's figures are
 *  kept when the verification starts, so the card shows what the conversion took, and how long
 *  the verification took besides. */
export class PhaseMeters {
  #meter: ProgressMeter | undefined;
  #converted: ProgressFigures | undefined;

  /** A status of the run: 'running' and 'verifying' each start a phase. */
  status(status: string | undefined): void {
    if (status === 'verifying' && this.#meter) this.#converted = this.#meter.finish();
    if (status === 'running' || status === 'verifying') this.#meter = new ProgressMeter();
  }

  /** The current phase's figures; undefined before a phase started. */
  sample(s: ProgressSample): ProgressFigures | undefined {
    return this.#meter?.sample(s);
  }

  /** The finished run's figures: the conversion's, and the verification's time when there was one. */
  finish(): Partial<ProgressFigures> & { verifyMs?: number } {
    const verifyMs = this.#converted && this.#meter ? this.#meter.finish().elapsedMs : undefined;
    return {
      ...(this.#converted ?? this.#meter?.finish() ?? { percent: 100 }),
      ...(verifyMs !== undefined ? { verifyMs } : {}),
    };
  }
}

/** 75 s → "1:15", 3725 s → "1:02:05" (language-neutral digits). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
