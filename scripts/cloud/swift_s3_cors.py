"""CORS headers for the S3 answers Swift's s3api builds itself.

s3api passes Swift's CORS headers on when it relays a Swift answer (UploadPart, GET, PUT
bucket), but the answers it composes (InitiateMultipartUpload, ListParts,
CompleteMultipartUpload, AbortMultipartUpload, DeleteObject, its XML errors) carry none: a browser then cannot
read the UploadId, the part list or the final ETag. Swift 2.30 (Debian bookworm) and Swift's
master behave alike. This filter, placed just before s3api, adds the proxy's own CORS settings
(`cors_allow_origin`, `cors_expose_headers` of [DEFAULT]) to S3 answers that lack them, which is
what an AWS or Ceph RGW bucket with a CORS rule (AllowedOrigin, ExposeHeader ETag) sends.

    [filter:s3cors]
    paste.filter_factory = swift_s3_cors:filter_factory

(the proxy needs this directory on PYTHONPATH: scripts/cloud/swift.sh sets it).
"""

SWIFT_PATHS = ('/v1/', '/v1.0/', '/info', '/healthcheck')


def _csv(value):
    return [v.strip() for v in (value or '').split(',') if v.strip()]


def filter_factory(global_conf, **local_conf):
    conf = dict(global_conf, **local_conf)
    origins = set(_csv(conf.get('cors_allow_origin')))
    expose = ', '.join(_csv(conf.get('cors_expose_headers')) + ['ETag', 'x-amz-request-id', 'x-amz-id-2', 'x-amz-version-id'])

    def make(app):
        def s3cors(env, start_response):
            origin = env.get('HTTP_ORIGIN')
            # Swift API requests get Swift's own CORS; preflights are s3api's
            if (not origin or origin not in origins or env.get('REQUEST_METHOD') == 'OPTIONS'
                    or env.get('PATH_INFO', '').startswith(SWIFT_PATHS)):
                return app(env, start_response)

            def respond(status, headers, exc_info=None):
                if not any(k.lower() == 'access-control-allow-origin' for k, _ in headers):
                    headers = list(headers) + [
                        ('Access-Control-Allow-Origin', origin),
                        ('Access-Control-Expose-Headers', expose),
                        ('Vary', 'Origin'),
                    ]
                return start_response(status, headers, exc_info)

            return app(env, respond)

        return s3cors

    return make
