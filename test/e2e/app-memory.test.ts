// An 8 GiB sparse image (data across the 2 GiB and 4 GiB marks) is inspected without the page's
// memory growing by more than 100 MB: files are read by slices, never whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CDPSession } from 'playwright-core';
import { openApp, chooseFiles, waitForOutcomes, waitForIdle, readCards } from './helpers/app-page.ts';
import { nativeInfo, comparableInfo } from './helpers/native.ts';
import { appFixture } from './helpers/app-fixture.ts';

const fx = appFixture(5603);

const LIMIT = 100 * 1024 * 1024;

async function heapUsed(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = metrics.find((x) => x.name === 'JSHeapUsedSize');
  if (!m) throw new Error('no JSHeapUsedSize metric');
  return m.value;
}

for (const [file, format] of [
  ['big.raw', 'raw'],
  ['big.qcow2', 'qcow2'],
] as const) {
  test(`8 GiB sparse ${format}: inspected with the page heap growing < 100 MB`, async (t) => {
    const path = `${fx.corpus.base.dir}/${file}`;
    const native = nativeInfo(path, format);
    assert.equal(native['virtual-size'], 8 * 1024 ** 3);
    const app = await openApp(fx.browser, fx.server.origin);
    try {
      const cdp = await app.context.newCDPSession(app.page);
      await cdp.send('Performance.enable');
      const before = await heapUsed(cdp);
      let peak = before;
      const sampler = setInterval(() => {
        cdp.send('Performance.getMetrics').then(
          ({ metrics }) => {
            const v = metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0;
            peak = Math.max(peak, v);
          },
          () => undefined, // the session closes with the page at the end of the test
        );
      }, 50);
      await chooseFiles(app.page, [path]);
      const { inspected, errors } = await waitForOutcomes(app.page, 1, 120_000);
      clearInterval(sampler);
      await waitForIdle(app.page);
      assert.deepEqual(errors, []);
      const after = await heapUsed(cdp);
      const detail = inspected[0] as { info: unknown; virtualSize: number };
      assert.deepEqual(comparableInfo(detail.info), comparableInfo(native));
      const [card] = await readCards(app.page);
      assert.equal(Number(card!.fields['virtual-size']?.value), 8 * 1024 ** 3);
      t.diagnostic(
        `page JS heap: before ${(before / 1e6).toFixed(1)} MB, peak +${((peak - before) / 1e6).toFixed(1)} MB, after +${((after - before) / 1e6).toFixed(1)} MB`,
      );
      assert.equal(card!.phase, 'done');
      assert.ok(peak - before < LIMIT, `peak page heap grew by ${((peak - before) / 1e6).toFixed(1)} MB`);
      assert.ok(after - before < LIMIT, `page heap grew by ${((after - before) / 1e6).toFixed(1)} MB`);
    } finally {
      await app.close();
    }
  });
}
