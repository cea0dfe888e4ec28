// Which commands get pthreads in the threads flavour (runner.ts poolThreadsFor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolThreadsFor } from '../../../workers/qemu-img/runner.ts';

test('convert -c -W gets two pthreads per core, at most 4 (qcow2 compresses 4 clusters at once)', () => {
  const args = ['convert', '-p', '-f', 'raw', '-O', 'qcow2', '-c', '-W', 'a', 'b'];
  assert.equal(poolThreadsFor(args, 1), 2);
  assert.equal(poolThreadsFor(args, 2), 4);
  assert.equal(poolThreadsFor(args, 16), 4);
  assert.equal(poolThreadsFor(args, 0), 2);
  assert.equal(poolThreadsFor(args, Number.NaN), 2);
});

test('no pthread where the writes (and so the compressions) go one at a time, or nothing compresses', () => {
  assert.equal(poolThreadsFor(['convert', '-c', '-O', 'qcow2', 'a', 'b'], 8), 0);
  assert.equal(poolThreadsFor(['convert', '-W', '-O', 'qcow2', 'a', 'b'], 8), 0);
  assert.equal(poolThreadsFor(['info', '-c', '-W'], 8), 0);
  assert.equal(poolThreadsFor([], 8), 0);
});
