// Which commands get pthreads in the threads flavour (runner.ts poolThreadsFor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolThreadsFor } from '../../../workers/qemu-img/runner.ts';

test('convert -c -W gets one pthread per core, at most 4, at least 1', () => {
  const args = ['convert', '-p', '-f', 'raw', '-O', 'qcow2', '-c', '-W', 'a', 'b'];
  assert.equal(poolThreadsFor(args, 2), 2);
  assert.equal(poolThreadsFor(args, 16), 4);
  assert.equal(poolThreadsFor(args, 0), 1);
  assert.equal(poolThreadsFor(args, Number.NaN), 1);
});

test('no pthread where the writes (and so the compressions) go one at a time, or nothing compresses', () => {
  assert.equal(poolThreadsFor(['convert', '-c', '-O', 'qcow2', 'a', 'b'], 8), 0);
  assert.equal(poolThreadsFor(['convert', '-W', '-O', 'qcow2', 'a', 'b'], 8), 0);
  assert.equal(poolThreadsFor(['info', '-c', '-W'], 8), 0);
  assert.equal(poolThreadsFor([], 8), 0);
});
