// The sentence of an active upload says what a resume saved, and claims no saving when the earlier
// attempt had stored nothing (it left only its image or its upload record).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { activeText } from '../../src/elements/cloud/upload-outcome-text.ts';
import type { GlanceImage } from '../../src/core/openstack/types.ts';
import type { UploadOutcome } from '../../src/core/upload/types.ts';

const MiB = 1024 * 1024;
const image = { id: 'i1', name: 'disk', size: 60 * MiB } as GlanceImage;
const outcome = (o: Partial<UploadOutcome>): UploadOutcome => ({
  image,
  object: { container: 'images', name: 'disk', etag: 'e', size: 60 * MiB, parts: 6 },
  sha512: 'a'.repeat(128),
  md5: 'b'.repeat(32),
  bytesSent: 60 * MiB,
  resumed: false,
  ...o,
});

describe('the active upload sentence', () => {
  test('a resume that reused stored parts says what was sent and what was already there', () => {
    const t = activeText(image, outcome({ resumed: true, bytesSent: 20 * MiB }), false);
    assert.match(t, /Resumed: 20\.0 MiB sent this time, 40\.0 MiB were already stored\./);
  });

  test('a continued attempt that had stored nothing claims no saving', () => {
    const t = activeText(image, outcome({ resumed: true }), false);
    assert.doesNotMatch(t, /Resumed/);
    assert.match(t, /none of its data had been stored, so the whole file was sent \(60\.0 MiB\)/);
  });

  test('a fresh upload says nothing of a resume', () => {
    assert.doesNotMatch(activeText(image, outcome({}), true), /Resumed|Continued/);
  });
});
