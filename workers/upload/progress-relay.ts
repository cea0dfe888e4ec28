// Progress from the engine to the page, thinned: the engine reports every 200 ms and at every part
// stored or retried, and a postMessage per report is wasted work. What is held back is sent once
// the interval is over, and flush() delivers it before the run's outcome: a part stored in the
// last moments before a pause is in the page's figures (they agree with the resume state).
import type { UploadProgress } from '../../src/core/upload/types.ts';

export interface ProgressRelay {
  report(p: UploadProgress): void;
  /** Sends what is held back, if anything; resolves once the page has it. */
  flush(): Promise<void>;
}

export function progressRelay(
  send: (p: UploadProgress) => Promise<void> | void,
  intervalMs = 150,
  now: () => number = () => Date.now(),
): ProgressRelay {
  let last = -Infinity;
  let phase = '';
  let held: UploadProgress | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sent: Promise<void> = Promise.resolve();
  const emit = (p: UploadProgress) => {
    held = null;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    last = now();
    phase = p.phase;
    sent = Promise.resolve(send(p));
    sent.catch(() => undefined); // the page went away: nothing is waiting for progress then
  };
  return {
    report(p) {
      // phase changes always cross at once
      if (p.phase !== phase || now() - last >= intervalMs) return emit(p);
      held = p;
      timer ??= setTimeout(() => held && emit(held), Math.max(0, intervalMs - (now() - last)));
    },
    async flush() {
      if (held) emit(held);
      await sent;
    },
  };
}
