// qemu-img map's block status for the guest step: zero ranges (no qemu-img run needed) and the
// allocated data ranges the free-space check intersects with the file systems' free runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockStatus } from '../../../src/core/guest/map-extents.ts';

const T = { timeout: 5_000 };
const MAP = JSON.stringify([
  { start: 0, length: 65536, depth: 0, present: true, zero: false, data: true, offset: 327680 },
  { start: 65536, length: 65536, depth: 0, present: true, zero: false, data: true, offset: 393216 },
  { start: 131072, length: 1048576, depth: 0, present: false, zero: true, data: false },
  { start: 1179648, length: 4096, depth: 0, present: true, zero: false, data: true, offset: 458752 },
  { start: 1183744, length: 8192, depth: 0, present: true, zero: true, data: false },
]);

test('zero ranges: only where no data extent overlaps, and only inside what the map covers', T, () => {
  const s = blockStatus(MAP)!;
  assert.equal(s.isZero(131072, 1048576), true);
  assert.equal(s.isZero(131072, 1048577), false, 'touches the next data extent');
  assert.equal(s.isZero(65535, 2), false);
  assert.equal(s.isZero(1183744, 8192), true, 'allocated but reading as zeros');
  assert.equal(s.isZero(1183744, 8193), false, 'past the end of the map: unknown');
});

test('allocated: adjacent data extents merge, ranges are clipped to the question', T, async () => {
  const s = blockStatus(MAP)!;
  assert.deepEqual(await s.allocated(1000, 2_000_000), [
    [1000, 130072],
    [1179648, 4096],
  ]);
  assert.deepEqual(await s.allocated(131072, 4096), []);
  assert.deepEqual(await s.allocated(1179650, 10), [[1179650, 10]]);
});

test('output that is not a contiguous extent list is not trusted', T, () => {
  assert.equal(blockStatus('not json'), null);
  assert.equal(blockStatus('{"start":0}'), null);
  assert.equal(
    blockStatus(
      JSON.stringify([
        { start: 0, length: 10, data: true },
        { start: 20, length: 5, data: false },
      ]),
    ),
    null,
  );
});
