// The final check of every upload against Glance's record, for clouds whose hashing_algorithm is
// not sha512: the record's own algorithm is computed locally when hash-wasm has it, and what was
// compared is said exactly (the CLI prints it instead of a blanket "sha512 verified").
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { OpenStackError } from '../../src/core/openstack/errors.ts';
import type { GlanceImage } from '../../src/core/openstack/types.ts';
import { comparedHashes, verifyStoredImage } from '../../src/core/upload/verify.ts';

const bytes = randomBytes(200_000);
const file = new Blob([new Uint8Array(bytes)]);
const hex = (algo: string, b: Buffer = bytes) => createHash(algo).update(b).digest('hex');
const digests = { sha512: hex('sha512'), md5: hex('md5'), size: bytes.length };

function record(algo: string | null, value: string | null, checksum: string | null = digests.md5): GlanceImage {
  return { size: bytes.length, checksum, os_hash_algo: algo, os_hash_value: value } as unknown as GlanceImage;
}

const mismatch = (e: unknown) => e instanceof OpenStackError && e.kind === 'hash-mismatch';

describe("verification against Glance's hashing algorithm", { timeout: 10_000 }, () => {
  test('sha512 (the default) is compared as before', async () => {
    await verifyStoredImage(record('sha512', digests.sha512), digests, file);
    await assert.rejects(verifyStoredImage(record('sha512', 'f'.repeat(128)), digests, file), mismatch);
    assert.equal(comparedHashes(record('sha512', digests.sha512)), 'md5 and sha512');
  });

  test('another algorithm hash-wasm has is computed from the file and compared', async () => {
    for (const [glance, node] of [
      ['sha256', 'sha256'],
      ['sha384', 'sha384'],
      ['sha3_256', 'sha3-256'],
      ['SHA3-512', 'sha3-512'],
      ['blake2b', 'blake2b512'],
    ] as const) {
      await verifyStoredImage(record(glance, hex(node)), digests, file);
      const other = hex(node, Buffer.concat([bytes, Buffer.from([1])]));
      // the md5 checksum matches: only the record's own algorithm can tell
      await assert.rejects(verifyStoredImage(record(glance, other), digests, file), (e: unknown) => {
        assert.ok(mismatch(e));
        assert.match((e as Error).message, new RegExp(glance.toLowerCase().replace('-', '_')));
        return true;
      });
    }
    assert.equal(comparedHashes(record('sha256', hex('sha256'))), 'md5 and sha256');
  });

  test('an algorithm not computed here is named; without an md5 checksum nothing could be compared', async () => {
    await verifyStoredImage(record('whirlpool', 'ab'.repeat(64)), digests, file);
    assert.equal(comparedHashes(record('whirlpool', 'ab'.repeat(64))), "md5 (Glance's whirlpool is not computed here)");
    await assert.rejects(verifyStoredImage(record('whirlpool', 'ab'.repeat(64), null), digests, file), mismatch);
    // a name that is an Object.prototype key is just another unknown algorithm
    await verifyStoredImage(record('constructor', 'ab'), digests, file);
  });
});
