// Part sizes from the file size and the store's limits; sizes the user asks for are checked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { S3_LIMITS, choosePartSize, parseSize, partSpans, swiftLimits, DEFAULT_PART_SIZE } from '../../src/core/upload/part-size.ts';
import { OpenStackError } from '../../src/core/openstack/errors.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('part sizes', { timeout: 10_000 }, () => {
  test('a small file gets the default size; a 40 GiB file grows it to stay within 1000 parts', () => {
    const swift = swiftLimits({});
    assert.equal(choosePartSize(100 * MiB, swift), DEFAULT_PART_SIZE);
    // from 1 GiB up, 64 MiB segments: fewer requests for the store
    assert.equal(choosePartSize(1 * GiB - 1, swift), DEFAULT_PART_SIZE);
    assert.equal(choosePartSize(1 * GiB, swift), 64 * MiB);
    assert.equal(choosePartSize(1 * GiB, swiftLimits(undefined)), 64 * MiB);
    const big = choosePartSize(40 * GiB, swift);
    assert.equal(big, 64 * MiB);
    assert.ok(Math.ceil((40 * GiB) / big) <= 1000);
  });

  test('S3 starts from 64 MiB parts from 1 GiB up (every request costs a signature check) and grows from there', () => {
    assert.equal(choosePartSize(100 * MiB, S3_LIMITS), 32 * MiB); // fewer than 16 parts of 64 MiB
    assert.equal(choosePartSize(1 * GiB - 1, S3_LIMITS), 32 * MiB);
    assert.equal(choosePartSize(1 * GiB, S3_LIMITS), 64 * MiB);
    assert.equal(choosePartSize(40 * GiB, S3_LIMITS), 64 * MiB);
    assert.equal(choosePartSize(100 * GiB, S3_LIMITS), 128 * MiB);
    assert.equal(choosePartSize(100 * MiB, S3_LIMITS, 8 * MiB), 8 * MiB); // asked for: kept
  });

  test("Swift /info's limits are read; missing keys fall back to Swift's defaults", () => {
    const l = swiftLimits({ swift: { max_file_size: 10 * GiB }, slo: { max_manifest_segments: 10, min_segment_size: 2 * MiB } });
    assert.deepEqual([l.maxParts, l.minPartSize, l.maxPartSize], [10, 2 * MiB, 10 * GiB]);
    assert.equal(choosePartSize(1 * GiB, l), 128 * MiB); // 1 GiB / 10 parts → 103 MiB → next power of two MiB
    assert.equal(swiftLimits({}).maxParts, 1000);
  });

  test('requested sizes below the minimum, above the maximum or needing too many parts are refused with the limit named', () => {
    assert.throws(
      () => choosePartSize(100 * MiB, S3_LIMITS, 1 * MiB),
      (e: unknown) => e instanceof OpenStackError && /minimum of 5 MiB \(s3api\)/.test(e.message),
    );
    assert.throws(() => choosePartSize(100 * MiB, S3_LIMITS, 6 * GiB), /above the largest object of 5 GiB/);
    // Swift's default max_file_size (5 GiB + 2 bytes) in the unit the request was given in, the exact count beside
    assert.throws(
      () => choosePartSize(100 * MiB, swiftLimits({ swift: { max_file_size: 5 * GiB + 2 } }), 6 * GiB),
      /The segment size 6 GiB is above the largest object of 5\.00 GiB \(5368709122 bytes\)/,
    );
    assert.throws(() => choosePartSize(10 * GiB, S3_LIMITS, 5 * MiB), /needs 2048 parts, more than the 1000 allowed/);
    assert.equal(choosePartSize(100 * MiB, S3_LIMITS, 8 * MiB), 8 * MiB);
  });

  test('each refusal carries a code and the values the page needs to say it in its own language', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        const o = e as OpenStackError;
        return [o.kind, o.code, o.params];
      }
      return 'not refused';
    };
    assert.deepEqual(
      code(() => choosePartSize(100 * MiB, S3_LIMITS, 1 * MiB)),
      ['bad-config', 'part-size.below-minimum', { size: '1 MiB', source: 's3api', min: '5 MiB' }],
    );
    assert.deepEqual(
      code(() => choosePartSize(10 * GiB, S3_LIMITS, 5 * MiB)),
      [
        'bad-config',
        'part-size.too-many-parts',
        { size: '5 MiB', source: 's3api', fileSize: '10 GiB', parts: 2048, maxParts: 1000, atLeast: '11 MiB' },
      ],
    );
    assert.deepEqual(
      code(() => parseSize('64Q')),
      ['bad-config', 'part-size.not-a-size', { text: '64Q' }],
    );
  });

  test('spans cover the file exactly, the last one shorter', () => {
    const spans = partSpans(20 * MiB + 5, 8 * MiB);
    assert.deepEqual(
      spans.map((s) => s.size),
      [8 * MiB, 8 * MiB, 4 * MiB + 5],
    );
    assert.deepEqual(
      spans.map((s) => s.number),
      [1, 2, 3],
    );
    assert.equal(spans[2]!.offset, 16 * MiB);
  });

  test('SIZE takes K/M/G suffixes and refuses anything else', () => {
    assert.equal(parseSize('64M'), 64 * MiB);
    assert.equal(parseSize('1.5G'), 1.5 * GiB);
    assert.equal(parseSize('512k'), 512 * 1024);
    assert.equal(parseSize('1048576'), MiB);
    assert.throws(() => parseSize('ten megs'), /not a size/);
    assert.throws(() => parseSize('0'), /not a positive size/);
  });
});
