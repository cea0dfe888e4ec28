// The runs of one verification in the page's worker (compare-split.ts splits a compare into two
// windows run at once): the first at a time runs in this worker, a second one at the same time
// in a helper worker started for it. A helper that cannot start or dies (a host page whose CSP
// forbids nested workers, a failed load) costs nothing but time: its run goes to this worker
// after the one in flight, as if there were one lane. A run that fails inside the helper (a
// qemu-img error, a wasm trap) is that run's result, as it would be here.
import type { BrowserRunRequest, RunProgress, RunResult } from './types.ts';

export type LaneRun = (req: BrowserRunRequest, onProgress?: (p: RunProgress) => void) => Promise<RunResult>;

export interface Helper {
  /** The run's result, or undefined when the helper itself died (it answers nothing more). */
  run(req: BrowserRunRequest, onProgress?: (p: RunProgress) => void): Promise<RunResult | undefined>;
  dispose(): void;
}

export interface CompareLanes {
  run: LaneRun;
  /** Terminates the helper, if one was started. */
  dispose(): void;
}

export function createCompareLanes(here: LaneRun, startHelper: () => Helper): CompareLanes {
  /** Runs asked of this worker and not yet done (counted when asked: the next ask must see it). */
  let pending = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let helper: Helper | undefined;
  let helperDead = false;
  /** This worker's lane: one run at a time, in the order asked. */
  const local: LaneRun = (req, onProgress) => {
    pending++;
    const next = queue.then(() => here(req, onProgress)).finally(() => pending--);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    async run(req, onProgress) {
      if (pending === 0 || helperDead) return local(req, onProgress);
      if (!helper) {
        try {
          helper = startHelper();
        } catch {
          // `new Worker` itself refused (a CSP without worker-src for this script): one lane.
          helperDead = true;
          return local(req, onProgress);
        }
      }
      const r = await helper.run(req, onProgress);
      if (r) return r;
      helperDead = true;
      return local(req, onProgress);
    },
    dispose() {
      helper?.dispose();
    },
  };
}
