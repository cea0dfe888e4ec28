// The worker's progress relay thins reports but never loses the last one: a part stored just
// before a pause reaches the page before the run's outcome does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { progressRelay } from '../../../workers/upload/progress-relay.ts';
import type { UploadProgress } from '../../../src/core/upload/types.ts';

function report(done: number, phase: UploadProgress['phase'] = 'uploading'): UploadProgress {
  return {
    phase,
    totalBytes: 100,
    storedBytes: done * 10,
    sentBytes: done * 10,
    hashedBytes: 0,
    bytesPerSecond: 1,
    secondsLeft: 1,
    parts: { total: 10, done, inFlight: 1 },
    retries: 0,
  };
}

describe('progress relay', () => {
  test('reports inside the interval are held back, and flush() sends the last one', async () => {
    let t = 0;
    const got: number[] = [];
    const relay = progressRelay(
      (p) => void got.push(p.parts.done),
      150,
      () => t,
    );
    relay.report(report(1));
    t = 50;
    relay.report(report(2));
    t = 60;
    relay.report(report(3));
    assert.deepEqual(got, [1]);
    await relay.flush();
    assert.deepEqual(got, [1, 3]);
    await relay.flush();
    assert.deepEqual(got, [1, 3], 'nothing held back any more');
  });

  test('a held-back report is sent when the interval is over, without a flush', async () => {
    const got: number[] = [];
    const relay = progressRelay((p) => void got.push(p.parts.done), 20);
    relay.report(report(1));
    relay.report(report(2));
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(got, [1, 2]);
  });

  test('a change of phase crosses at once', () => {
    const got: string[] = [];
    const relay = progressRelay(
      (p) => void got.push(p.phase),
      150,
      () => 0,
    );
    relay.report(report(1));
    relay.report(report(1, 'finishing'));
    assert.deepEqual(got, ['uploading', 'finishing']);
  });

  test('flush() resolves once the page has taken the report', async () => {
    const order: string[] = [];
    const relay = progressRelay(async () => {
      await new Promise((r) => setTimeout(r, 10));
      order.push('page has it');
    });
    relay.report(report(1));
    await relay.flush();
    order.push('outcome');
    assert.deepEqual(order, ['page has it', 'outcome']);
  });
});
