// The SLO manifest's ETag is the one check of the assembled object when no Glance image follows
// (--no-register): a manifest PUT answered without an ETag is checked by a HEAD of the object,
// and fails when that cannot tell either.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenStackError } from '../../src/core/openstack/errors.ts';
import { SwiftSlo, sloManifestEtag } from '../../src/core/upload/swift-slo.ts';
import type { UploadState } from '../../src/core/upload/types.ts';

const target = {
  kind: 'swift',
  storageUrl: 'http://swift.test/v1/AUTH_p',
  container: 'c',
  object: 'disk.raw',
  segmentContainer: 'c_segments',
} as const;

function state(): UploadState {
  return {
    version: 1,
    id: 'swift-x',
    createdAt: '',
    updatedAt: '',
    file: { name: 'disk.raw', size: 20, lastModified: 1, fingerprint: 'f' },
    target,
    partSize: 10,
    segmentPrefix: '1',
    parts: [
      { number: 1, offset: 0, size: 10, etag: 'a'.repeat(32) },
      { number: 2, offset: 10, size: 10, etag: 'b'.repeat(32) },
    ],
    status: 'uploading',
  };
}

/** Swift answering the manifest PUT without an ETag, and a HEAD with `headEtag` (none when undefined). */
function swift(headEtag: string | undefined) {
  const calls: string[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${url}`);
    if (init?.method === 'HEAD') return new Response(null, { status: 200, headers: headEtag ? { etag: headEtag } : {} });
    return new Response('', { status: 201 });
  };
  const slo = new SwiftSlo(target, {
    fetch,
    transport: { send: () => Promise.reject(new Error('no bodies here')) },
    credentials: { kind: 'keystone-token', getToken: async () => 't', invalidate: () => undefined },
  });
  return { slo, calls };
}

describe('Swift manifest without an ETag in the answer', { timeout: 10_000 }, () => {
  test("the object's ETag, read by HEAD, is checked", async () => {
    const expected = await sloManifestEtag(['a'.repeat(32), 'b'.repeat(32)]);
    const { slo, calls } = swift(`"${expected}"`);
    const object = await slo.finish(state());
    assert.equal(object.etag, expected);
    assert.deepEqual(
      calls.map((c) => c.split(' ')[0]),
      ['PUT', 'HEAD'],
    );
  });

  test('another ETag is a mismatch; none at all cannot be verified', async () => {
    await assert.rejects(
      swift(`"${'0'.repeat(32)}"`).slo.finish(state()),
      (e: unknown) => e instanceof OpenStackError && e.code === 'swift.manifest-mismatch',
    );
    await assert.rejects(
      swift(undefined).slo.finish(state()),
      (e: unknown) => e instanceof OpenStackError && e.code === 'swift.manifest-unverified' && e.kind === 'hash-mismatch',
    );
  });
});
