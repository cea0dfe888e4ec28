// The verification's two lanes in the page's worker (workers/qemu-img/compare-lanes.ts): a second
// run at the same time goes to a helper worker; a helper that cannot start or dies leaves its run
// to this worker, after the one in flight. Real Chromium: test/e2e/runner.test.ts (split compare).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCompareLanes, type Helper, type LaneRun } from '../../workers/qemu-img/compare-lanes.ts';
import type { BrowserRunRequest, RunResult } from '../../workers/qemu-img/types.ts';

const ok = (who: string): RunResult => ({ exitCode: 0, stdout: who, stderr: '', durationMs: 1 });
const req = (n: number): BrowserRunRequest => ({ args: ['compare', String(n)] });

/** This worker's runner: records overlapping runs (there must be none). */
function hereRunner() {
  let running = 0;
  let overlapped = false;
  const done: string[] = [];
  const run: LaneRun = async (r) => {
    running++;
    if (running > 1) overlapped = true;
    await new Promise((res) => setTimeout(res, 5));
    running--;
    done.push(r.args[1]!);
    return ok('here');
  };
  return { run, done, overlapped: () => overlapped };
}

test('two runs at once: one here, one in the helper; the helper is disposed with the lanes', async () => {
  const here = hereRunner();
  let disposed = 0;
  const helper: Helper = { run: async () => ok('helper'), dispose: () => void disposed++ };
  const lanes = createCompareLanes(here.run, () => helper);
  const [a, b] = await Promise.all([lanes.run(req(1)), lanes.run(req(2))]);
  assert.deepEqual([a.stdout, b.stdout], ['here', 'helper']);
  // one at a time afterwards: here again
  assert.equal((await lanes.run(req(3))).stdout, 'here');
  lanes.dispose();
  assert.equal(disposed, 1);
});

test('a helper that dies: its run is done here, after the one in flight, and it is not asked again', async () => {
  const here = hereRunner();
  let started = 0;
  const lanes = createCompareLanes(here.run, () => {
    started++;
    return { run: async () => undefined, dispose: () => {} };
  });
  const rs = await Promise.all([lanes.run(req(1)), lanes.run(req(2)), lanes.run(req(3))]);
  assert.deepEqual(
    rs.map((r) => r.stdout),
    ['here', 'here', 'here'],
  );
  assert.deepEqual(here.done.sort(), ['1', '2', '3']);
  assert.equal(here.overlapped(), false, 'two runs at once in this worker');
  assert.equal(started, 1);
});

test('a helper that cannot start (new Worker refused): every run here, one at a time', async () => {
  const here = hereRunner();
  const lanes = createCompareLanes(here.run, () => {
    throw new Error('refused by the CSP');
  });
  const rs = await Promise.all([lanes.run(req(1)), lanes.run(req(2))]);
  assert.deepEqual(
    rs.map((r) => r.stdout),
    ['here', 'here'],
  );
  assert.equal(here.overlapped(), false);
  lanes.dispose();
});

test("a run that fails inside the helper is that run's result, not a fallback", async () => {
  const here = hereRunner();
  const failed: RunResult = { exitCode: 139, stdout: '', stderr: 'trap', failure: 'crashed', durationMs: 1 };
  const lanes = createCompareLanes(here.run, () => ({ run: async () => failed, dispose: () => {} }));
  const [, b] = await Promise.all([lanes.run(req(1)), lanes.run(req(2))]);
  assert.equal(b, failed);
  assert.deepEqual(here.done, ['1']);
});
