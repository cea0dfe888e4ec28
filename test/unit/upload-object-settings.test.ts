// The page's part size and parts-in-flight fields, read as the CLI reads --segment-size and
// --parallel: blank leaves the engine's choice, anything else is a number or one sentence.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manyPartsHint, readPartSettings, swiftContainerName } from '../../src/elements/cloud/object-settings.ts';
import { MAX_PARALLEL } from '../../src/core/upload/part-size.ts';

const MiB = 1024 * 1024;

describe('part settings typed in the create form', { timeout: 10_000 }, () => {
  test('blank or spaces leave both to the engine; sizes take suffixes', () => {
    assert.deepEqual(readPartSettings({}), {});
    assert.deepEqual(readPartSettings({ partSize: '  ', parallel: '' }), {});
    assert.deepEqual(readPartSettings({ partSize: ' 16M ', parallel: '3' }), { partSize: 16 * MiB, parallel: 3 });
    assert.deepEqual(readPartSettings({ partSize: '1.5g' }), { partSize: 1.5 * 1024 * MiB });
  });

  test('a size that is not one and a count out of range are refused with what was typed', () => {
    assert.throws(() => readPartSettings({ partSize: '16 megs' }), /"16 megs" is not a size/);
    for (const bad of ['0', '2.5', '-1', String(MAX_PARALLEL + 1), 'eight'])
      assert.throws(
        () => readPartSettings({ parallel: bad }),
        (e: Error & { kind?: string }) => e.kind === 'bad-config' && e.message.includes(`from 1 to ${MAX_PARALLEL} (got "${bad}")`),
        bad,
      );
    assert.deepEqual(readPartSettings({ parallel: String(MAX_PARALLEL) }), { parallel: MAX_PARALLEL });
  });

  test('a part size that cuts the file into many parts is warned of (Glance imports them one by one), never refused', () => {
    assert.equal(
      manyPartsHint('100K', 48 * MiB),
      "That makes 492 parts: Glance's import reads them one after the other, so parts this small make it slow.",
    );
    assert.equal(manyPartsHint('8M', 48 * MiB), '', '6 parts');
    assert.equal(manyPartsHint('', 48 * MiB), '', 'blank: the engine chooses');
    assert.equal(manyPartsHint('lots', 48 * MiB), '', 'not a size: the engine says so when the upload starts');
    assert.equal(manyPartsHint('1K', undefined), '', 'no file yet');
  });

  test('a Swift container name with "/" or too long for its "_segments" container is refused before anything is sent', () => {
    assert.equal(swiftContainerName('  '), 'images');
    assert.equal(swiftContainerName(' my-images '), 'my-images');
    assert.throws(
      () => swiftContainerName('bad/container'),
      (e: Error & { kind?: string }) => e.kind === 'bad-config' && /cannot contain "\/" \(got "bad\/container"\)/.test(e.message),
    );
    assert.equal(swiftContainerName('x'.repeat(247)), 'x'.repeat(247));
    assert.throws(
      () => swiftContainerName('x'.repeat(248)),
      (e: Error & { kind?: string }) => e.kind === 'bad-config' && /must fit in 256 bytes/.test(e.message),
    );
  });
});
