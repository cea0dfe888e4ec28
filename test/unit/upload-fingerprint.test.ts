// The fingerprint tells a rewritten file from the one the stored parts came from.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileFingerprint, sampleRanges, uploadStateId } from '../../src/core/upload/fingerprint.ts';

describe('fingerprint', { timeout: 10_000 }, () => {
  test('samples 16 ranges of 64 KiB in order, the first at 0 and the last ending at the end', () => {
    const size = 100 * 1024 * 1024 + 3;
    const r = sampleRanges(size);
    assert.equal(r.length, 16);
    assert.deepEqual(r[0], [0, 65536]);
    assert.equal(r[15]![1], size);
    for (let i = 1; i < r.length; i++) assert.ok(r[i]![0] >= r[i - 1]![1]);
    assert.deepEqual(sampleRanges(1000), [[0, 1000]]);
    assert.deepEqual(sampleRanges(0), []);
  });

  test('same bytes, same fingerprint; one sampled byte changed or another size, another one', async () => {
    const bytes = randomBytes(4 * 1024 * 1024);
    const a = await fileFingerprint(new Blob([bytes]));
    assert.equal(await fileFingerprint(new Blob([Buffer.from(bytes)])), a);
    const changed = Buffer.from(bytes);
    changed[changed.length - 1] ^= 1; // the last sample covers the last byte
    assert.notEqual(await fileFingerprint(new Blob([changed])), a);
    assert.notEqual(await fileFingerprint(new Blob([bytes.subarray(1)])), a);
    assert.match(a, /^[0-9a-f]{64}$/);
  });

  test('the state id depends on destination and file, not on lastModified', async () => {
    const t = { kind: 'swift' as const, storageUrl: 'http://s/v1/AUTH_p', container: 'images', object: 'a', segmentContainer: 'images_segments' };
    const f = { name: 'a.raw', size: 10, lastModified: 1, fingerprint: 'ff' };
    const id = await uploadStateId(t, f);
    assert.equal(await uploadStateId(t, { ...f, lastModified: 2 }), id);
    assert.notEqual(await uploadStateId({ ...t, object: 'b' }, f), id);
    assert.notEqual(await uploadStateId(t, { ...f, fingerprint: 'fe' }), id);
    assert.match(id, /^swift-[0-9a-f]{32}$/);
  });
});
