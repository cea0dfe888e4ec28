// The error-code table and the code stay in step: every catalogued code is given to some
// OpenStackError, and the HTTP/transport mappings carry a code and the params their sentence names.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from '../../../src/core/openstack/error-codes.ts';
import { httpError } from '../../../src/core/openstack/errors.ts';
import { transportError } from '../../../src/core/openstack/transport-errors.ts';
import { objectHttpError } from '../../../src/core/upload/object-errors.ts';

const root = new URL('../../../', import.meta.url).pathname;
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every catalogued error code is used by the core', { timeout: 10_000 }, () => {
  const sources = files(join(root, 'src/core'))
    .filter((f) => !f.endsWith('error-codes.ts'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  assert.deepEqual(
    Object.keys(ERROR_CODES).filter((c) => !sources.includes(`'${c}'`)),
    [],
  );
});

test('HTTP failures carry their code and the values the sentence names', { timeout: 10_000 }, () => {
  const signIn = httpError(401, '', { service: 'keystone', action: 'signing in', signIn: true });
  assert.equal(signIn.code, 'sign-in.wrong-credentials');
  const gone = httpError(404, '{"message": "No image"}', { service: 'glance', action: 'reading the image' });
  assert.equal(gone.code, 'http.not-found');
  assert.deepEqual(gone.params, { service: 'Glance', action: 'reading the image', status: 404, detail: 'No image' });
  assert.equal(httpError(409, '', { service: 'glance', action: 'uploading the image data' }).code, 'http.conflict-upload');
  assert.equal(httpError(503, '', { service: 'glance', action: 'listing images', requestId: 'req-1' }).params?.['requestId'], 'req-1');
  const net = transportError(new TypeError('Failed to fetch'), { service: 'glance', action: 'listing images', url: 'http://h:9292/v2' });
  assert.equal(net.code, 'transport.network');
  assert.deepEqual(net.params, { host: 'http://h:9292', action: 'listing images' });
});

test('object-store failures keep the code of the HTTP mapping with the store named', { timeout: 10_000 }, () => {
  const quota = objectHttpError('swift', 413, '', 'sending segment 3');
  assert.equal(quota.code, 'object.quota');
  assert.equal(quota.params?.['service'], 'Swift');
  const denied = objectHttpError('s3', 403, '<Error><Code>AccessDenied</Code></Error>', 'sending part 2');
  assert.equal(denied.code, 'http.forbidden');
  assert.equal(denied.params?.['service'], 'S3');
  assert.equal(
    objectHttpError('s3', 403, '<Error><Code>SignatureDoesNotMatch</Code></Error>', 'sending part 2').code,
    's3.wrong-credentials',
  );
});
