// The create form's progress line is honest at both ends: before bytes flow it names no rate or
// time left ("— left"), once everything is stored it says so (no "at 0 B/s, 0 s left").
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { percentOf, progressText } from '../../src/elements/cloud/create-form-upload.ts';
import type { UploadProgress } from '../../src/core/upload/types.ts';

const MiB = 1024 * 1024;
const T = { timeout: 10_000 };

function progress(p: Partial<UploadProgress>): UploadProgress {
  return {
    phase: 'uploading',
    totalBytes: 64 * MiB,
    storedBytes: 0,
    sentBytes: 0,
    hashedBytes: 0,
    bytesPerSecond: 0,
    secondsLeft: null,
    parts: { total: 1, done: 0, inFlight: 0 },
    retries: 0,
    ...p,
  };
}

describe('upload progress text', () => {
  test('at the start: no rate, no "— left", says when they will show', T, () => {
    const t = progressText(progress({}), 'uploading');
    assert.equal(t, '0% — 0 B stored of 64.0 MiB; the rate and the time left show once bytes flow.');
    assert.doesNotMatch(t, /— left|0 B\/s/);
  });

  test('in flight: stored, sent, rate and time left', T, () => {
    const t = progressText(
      progress({ storedBytes: 16 * MiB, sentBytes: 20 * MiB, bytesPerSecond: 8 * MiB, secondsLeft: 5.5 }),
      'uploading',
    );
    assert.equal(t, '31% — 16.0 MiB stored of 64.0 MiB, 20.0 MiB sent at 8.0 MiB/s, 6 s left');
  });

  test('a rate without an estimate says the time left is unknown', T, () => {
    const t = progressText(progress({ sentBytes: MiB, storedBytes: 0, bytesPerSecond: MiB, secondsLeft: null }), 'uploading');
    assert.match(t, /time left unknown$/);
  });

  test('at the end (all stored, or a later phase): everything stored, no zero rate', T, () => {
    const done = progress({ storedBytes: 64 * MiB, sentBytes: 64 * MiB, bytesPerSecond: 0, secondsLeft: 0 });
    assert.equal(progressText(done, 'uploading'), '100% — all 64.0 MiB stored.');
    assert.equal(progressText(done, 'verifying'), '100% — all 64.0 MiB stored.');
    assert.equal(progressText(done, 'done' as never), '100% — all 64.0 MiB stored.');
  });

  test('paused, cancelled or failed part-way: what is stored, not "all stored", and no bytes in flight counted', T, () => {
    const mid = progress({ storedBytes: 8 * MiB, sentBytes: 20 * MiB, bytesPerSecond: 4 * MiB, secondsLeft: 9 });
    for (const phase of ['paused', 'cancelled', 'failed'] as const) {
      assert.equal(progressText(mid, phase), '12% — 8.0 MiB of 64.0 MiB stored.', phase);
      assert.equal(percentOf(mid, phase), 12, phase);
    }
    assert.equal(percentOf(mid, 'uploading'), 31);
    const whole = progress({ storedBytes: 64 * MiB, sentBytes: 64 * MiB });
    assert.equal(progressText(whole, 'failed'), '100% — all 64.0 MiB stored.');
  });
});
