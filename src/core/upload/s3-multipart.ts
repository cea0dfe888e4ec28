// S3 multipart upload (Swift's s3api in the tests, Ceph RGW and AWS in the field): SigV4 by
// aws4fetch's AwsV4Signer — signing only; part bodies go through the injected BodyTransport (XHR
// progress in a page). Each part carries Content-MD5 (the store refuses damaged bytes) and its
// answered ETag is checked; ListParts is the truth on resume; CompleteMultipartUpload's ETag
// (MD5 of the parts' binary MD5s, "-N") is checked; a presigned GET feeds Glance's web-download.
import { AwsV4Signer } from 'aws4fetch';
import { md5 } from 'hash-wasm';
import { OpenStackError } from '../openstack/errors.ts';
import { objectHttpError, objectTransportError, etagUnreadable } from './object-errors.ts';
import { S3_LIMITS, type PartLimits, type PartSpan } from './part-size.ts';
import { encodePath, unquote, type BackendDeps, type PartBackend, type PutPartOptions, type ServerPart } from './part-backend.ts';
import type { ObjectTarget, StoredObject, UploadState } from './types.ts';

type S3Target = Extract<ObjectTarget, { kind: 's3' }>;

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** The multipart object's ETag: MD5 of the parts' binary MD5s, then "-<count>". */
export async function multipartEtag(partMd5s: string[]): Promise<string> {
  const all = new Uint8Array(partMd5s.length * 16);
  partMd5s.forEach((h, i) => all.set(hexToBytes(h), i * 16));
  return `${await md5(all)}-${partMd5s.length}`;
}

function xmlValues(xml: string, tag: string): string[] {
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  return [...xml.matchAll(re)].map((m) =>
    m[1]!
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>'),
  );
}

export class S3Multipart implements PartBackend {
  readonly service = 's3' as const;
  readonly #t: S3Target;
  readonly #deps: BackendDeps;
  readonly #cred: Extract<BackendDeps['credentials'], { kind: 's3' }>;

  constructor(target: S3Target, deps: BackendDeps) {
    if (deps.credentials.kind !== 's3')
      throw new OpenStackError('An S3 upload needs EC2-style credentials (access key and secret).', { kind: 'bad-config', service: 's3' });
    this.#t = target;
    this.#deps = deps;
    this.#cred = deps.credentials;
  }

  #url(query = '', object = true): string {
    const base = `${this.#t.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(this.#t.bucket)}`;
    return (object ? `${base}/${encodePath(this.#t.key)}` : base) + (query ? `?${query}` : '');
  }

  async #sign(method: string, url: string, headers: Record<string, string> = {}, signQuery = false, expires?: number) {
    const u = new URL(url);
    if (expires) u.searchParams.set('X-Amz-Expires', String(expires));
    const signer = new AwsV4Signer({
      method,
      url: u.toString(),
      headers,
      accessKeyId: this.#cred.accessKeyId,
      secretAccessKey: this.#cred.secretAccessKey,
      sessionToken: this.#cred.sessionToken,
      service: 's3',
      region: this.#t.region,
      signQuery,
    });
    const signed = await signer.sign();
    const out: Record<string, string> = {};
    signed.headers.forEach((v, k) => (out[k] = v));
    delete out.host; // the transport sets Host itself (browsers refuse it)
    return { url: signed.url.toString(), headers: out };
  }

  async #small(
    method: string,
    url: string,
    action: string,
    body?: string,
    ok: (s: number) => boolean = (s) => s < 300,
    signal?: AbortSignal,
  ) {
    const signed = await this.#sign(method, url, body ? { 'Content-Type': 'application/xml' } : {});
    let res: Response;
    try {
      res = await this.#deps.fetch(signed.url, { method, headers: signed.headers, body, signal });
    } catch (e) {
      throw await objectTransportError('s3', this.#deps.fetch, url, e, action);
    }
    const text = await res.text();
    if (!ok(res.status)) throw objectHttpError('s3', res.status, text, action, res.headers.get('x-amz-request-id') ?? undefined);
    // CompleteMultipartUpload may answer 200 with an <Error> body
    if (res.status < 300 && /<Error>/.test(text)) throw objectHttpError('s3', 500, text, action);
    return { res, text };
  }

  /** s3api announces its limits in Swift's /info; other S3 stores get the s3api defaults (AWS allows more). */
  async limits(): Promise<PartLimits> {
    try {
      const res = await this.#deps.fetch(`${this.#t.endpoint.replace(/\/+$/, '')}/info`, { method: 'GET' });
      if (!res.ok) return S3_LIMITS;
      const info = (await res.json()) as { s3api?: { max_upload_part_num?: unknown; min_segment_size?: unknown } };
      const n = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
      if (!info.s3api) return S3_LIMITS;
      return {
        ...S3_LIMITS,
        maxParts: n(info.s3api.max_upload_part_num, S3_LIMITS.maxParts),
        minPartSize: n(info.s3api.min_segment_size, S3_LIMITS.minPartSize),
        source: 's3api /info',
      };
    } catch {
      return S3_LIMITS; // not a Swift proxy (RGW, AWS): their published limits are at least s3api's
    }
  }

  async prepare(state: UploadState): Promise<void> {
    // 409: the bucket exists (s3api answers BucketAlreadyExists even for our own)
    await this.#small('PUT', this.#url('', false), `creating the bucket ${this.#t.bucket}`, undefined, (s) => s < 300 || s === 409);
    if (state.uploadId) return;
    const { text } = await this.#small('POST', this.#url('uploads='), 'starting the multipart upload');
    const id = xmlValues(text, 'UploadId')[0];
    if (!id) throw new OpenStackError('S3 started the multipart upload without an UploadId.', { kind: 'server', service: 's3' });
    state.uploadId = id;
  }

  async listStored(state: UploadState): Promise<Map<number, ServerPart>> {
    const out = new Map<number, ServerPart>();
    if (!state.uploadId) return out;
    let marker = '';
    for (;;) {
      const q = new URLSearchParams({ uploadId: state.uploadId, 'max-parts': '1000' });
      if (marker) q.set('part-number-marker', marker);
      const { text } = await this.#small('GET', this.#url(q.toString()), 'listing the stored parts');
      for (const part of xmlValues(text, 'Part')) {
        const n = Number(xmlValues(part, 'PartNumber')[0]);
        out.set(n, { etag: unquote(xmlValues(part, 'ETag')[0]) ?? '', size: Number(xmlValues(part, 'Size')[0]) });
      }
      if (xmlValues(text, 'IsTruncated')[0] !== 'true') return out;
      marker = xmlValues(text, 'NextPartNumberMarker')[0] ?? '';
      if (!marker) return out;
    }
  }

  async putPart(state: UploadState, span: PartSpan, body: Blob, md5hex: string, o: PutPartOptions): Promise<string> {
    const url = this.#url(new URLSearchParams({ partNumber: String(span.number), uploadId: state.uploadId! }).toString());
    const action = `sending part ${span.number}`;
    const signed = await this.#sign('PUT', url, { 'Content-MD5': base64(hexToBytes(md5hex)) });
    let res;
    try {
      res = await this.#deps.transport.send({
        url: signed.url,
        method: 'PUT',
        headers: signed.headers,
        body,
        signal: o.signal,
        onProgress: o.onProgress,
        stallTimeoutMs: o.stallTimeoutMs,
        fileOffset: span.offset,
      });
    } catch (e) {
      throw await objectTransportError('s3', this.#deps.fetch, url, e, action);
    }
    // s3api answers a Content-MD5 mismatch with 400 BadDigest: the bytes were damaged on the way
    if (res.status === 400 && /BadDigest|InvalidDigest/.test(res.body))
      throw new OpenStackError(`S3 received other bytes than were sent while ${action} (BadDigest).`, {
        code: 's3.bad-digest',
        params: { action },
        kind: 'hash-mismatch',
        status: 400,
        service: 's3',
      });
    if (res.status >= 300) throw objectHttpError('s3', res.status, res.body, action, res.headers['x-amz-request-id']);
    const etag = unquote(res.headers.etag);
    if (!etag) throw etagUnreadable('s3', action);
    return etag;
  }

  async finish(state: UploadState, signal?: AbortSignal): Promise<StoredObject> {
    const parts = [...state.parts].sort((a, b) => a.number - b.number);
    const xml =
      '<CompleteMultipartUpload>' +
      parts.map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>"${p.etag}"</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    const { text } = await this.#small(
      'POST',
      this.#url(new URLSearchParams({ uploadId: state.uploadId! }).toString()),
      'completing the multipart upload',
      xml,
      undefined,
      signal,
    );
    const etag = unquote(xmlValues(text, 'ETag')[0]);
    const expected = await multipartEtag(parts.map((p) => p.etag));
    if (etag && etag !== expected)
      throw new OpenStackError(`S3 assembled the object with ETag ${etag} instead of ${expected}: the part list is not the one sent.`, {
        code: 's3.assembled-mismatch',
        params: { etag, expected },
        kind: 'hash-mismatch',
        service: 's3',
      });
    return { container: this.#t.bucket, name: this.#t.key, etag: expected, size: state.file.size, parts: parts.length };
  }

  async discard(state: UploadState): Promise<void> {
    if (state.status === 'uploading' && state.uploadId)
      await this.#small(
        'DELETE',
        this.#url(new URLSearchParams({ uploadId: state.uploadId }).toString()),
        'aborting the multipart upload',
        undefined,
        (s) => s < 300 || s === 404,
      );
    else await this.#small('DELETE', this.#url(), 'deleting the object', undefined, (s) => s < 300 || s === 404);
  }

  async downloadUrl(_state: UploadState, seconds: number): Promise<string> {
    return (await this.#sign('GET', this.#url(), {}, true, Math.min(seconds, 604_800))).url;
  }
}
