// The sentences the user sees for refusals the local cloud cannot be made to give on demand:
// Glance's import filters, a CORS-blocked page, an ETag the page may not read, bad S3 keys.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenStackError } from '../../src/core/openstack/errors.ts';
import { importFilterError } from '../../src/core/upload/register.ts';
import { etagUnreadable, objectCorsSettings, objectHttpError } from '../../src/core/upload/object-errors.ts';

describe('upload error sentences', { timeout: 10_000 }, () => {
  test('a web-download the filters refuse names the [import_filtering_opts] settings with the host, port and scheme', () => {
    const cause = new OpenStackError('x', { kind: 'bad-request', status: 400, detail: 'URI does not pass filtering' });
    const e = importFilterError('http://10.0.0.5:8080/v1/AUTH_p/images/disk.raw?temp_url_sig=abc&temp_url_expires=1', cause);
    assert.equal(e.kind, 'bad-request');
    assert.match(
      e.message,
      /\[import_filtering_opts\], add 10\.0\.0\.5 to allowed_hosts \(and 8080 to allowed_ports if that list is not empty, http to allowed_schemes\)/,
    );
    assert.doesNotMatch(e.message, /temp_url_sig/, 'the signed URL is not repeated');
  });

  test('CORS settings say exactly what to set for Swift and for an S3 bucket', () => {
    const swift = objectCorsSettings('swift', 'https://app.example');
    assert.match(swift, /cors_allow_origin = https:\/\/app\.example/);
    assert.match(swift, /cors_expose_headers = etag/);
    assert.match(objectCorsSettings('s3', 'https://app.example'), /ExposeHeader: ETag/);
    assert.match(etagUnreadable('swift', 'sending segment 1').message, /add etag to cors_expose_headers/);
    assert.match(etagUnreadable('s3', 'sending part 1').message, /ExposeHeaders/);
  });

  test('bad S3 keys and a vanished multipart upload get their own kinds', () => {
    const keys = objectHttpError('s3', 403, '<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>', 'sending part 1');
    assert.equal(keys.kind, 'wrong-credentials');
    assert.match(keys.message, /check the access key and secret/);
    assert.equal(objectHttpError('s3', 404, '<Error><Code>NoSuchUpload</Code></Error>', 'listing').kind, 'not-found');
    // s3api's own text (with its request id) gives way to the naming rules
    const bucket = objectHttpError(
      's3',
      400,
      '<Error><Code>InvalidBucketName</Code><BucketName>Bad_Bucket!</BucketName><RequestId>tx1</RequestId></Error>',
      'creating the bucket Bad_Bucket!',
    );
    assert.equal(bucket.code, 's3.bucket-name');
    assert.match(bucket.message, /^S3 refused the bucket name while creating the bucket Bad_Bucket!: use 3 to 63 lowercase letters/);
    assert.doesNotMatch(bucket.message, /tx1/);
    const five = objectHttpError('swift', 503, '<html><h1>Service Unavailable</h1></html>', 'sending segment 2');
    assert.equal(five.kind, 'server');
    assert.match(five.message, /^Swift failed with an internal error \(503\)/);
  });
});
