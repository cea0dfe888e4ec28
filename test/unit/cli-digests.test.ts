// The CLI's DigestProvider (src/cli/node-digests.ts + digest-thread.mjs): the whole file's sha512
// and md5 from two threads over one shared read, started early by prefetch or on demand by
// whole(), equal to node:crypto's over the same bytes; stopped by its signal; a file that is not
// the size it was said to be is reported; part MD5s by range.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeDigestProvider } from '../../src/cli/node-digests.ts';

const hex = (alg: string, b: Uint8Array) => createHash(alg).update(b).digest('hex');

describe('nodeDigestProvider (threads over the file by path)', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ii-cli-digests-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // more than the ring's 8 slots of 1 MiB, and not a whole number of slots
  const data = randomBytes(11 * 1024 * 1024 + 3);
  const path = join(dir, 'f.bin');
  writeFileSync(path, data);

  test('whole(): sha512 and md5 of every byte, progress up to the size', async () => {
    const seen: number[] = [];
    const d = await nodeDigestProvider(path).whole(await openAsBlob(path), { onProgress: (n) => seen.push(n) });
    assert.deepEqual(d, { sha512: hex('sha512', data), md5: hex('md5', data), size: data.length });
    assert.ok(seen.every((n) => n >= 0 && n <= data.length));
    assert.equal(seen.at(-1), data.length, 'the last progress is the whole size');
  });

  test('prefetch() starts them early; whole() of that size gets the same job', async () => {
    const p = nodeDigestProvider(path);
    const stop = new AbortController();
    p.prefetch(data.length, stop.signal);
    const d = await p.whole(await openAsBlob(path), {});
    assert.equal(d.sha512, hex('sha512', data));
    assert.equal(d.md5, hex('md5', data));
    stop.abort(); // after the digests: harmless
  });

  test('an empty file has the empty digests', async () => {
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    const d = await nodeDigestProvider(empty).whole(await openAsBlob(empty), {});
    assert.deepEqual(d, { sha512: hex('sha512', new Uint8Array()), md5: hex('md5', new Uint8Array()), size: 0 });
  });

  test('the signal stops them with an AbortError', async () => {
    const p = nodeDigestProvider(path);
    const stop = new AbortController();
    p.prefetch(data.length, stop.signal);
    const d = p.whole(await openAsBlob(path), {});
    stop.abort();
    await assert.rejects(d, { name: 'AbortError' });
  });

  test('a file longer than the size given is reported as changed', async () => {
    const p = nodeDigestProvider(path);
    p.prefetch(data.length - 10, new AbortController().signal);
    await assert.rejects(p.whole(new Blob([new Uint8Array(data.length - 10)]), {}), /changed while it was hashed/);
  });

  test('md5Range(): the MD5 of a byte range', async () => {
    const p = nodeDigestProvider(path);
    assert.equal(
      await p.md5Range!(5 * 1024 * 1024 + 1, 4 * 1024 * 1024 + 7),
      hex('md5', data.subarray(5 * 1024 * 1024 + 1, 9 * 1024 * 1024 + 8)),
    );
  });
});
