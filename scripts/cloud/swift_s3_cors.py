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

Swift's account requests get no CORS at all (Swift 2.30 and master: the account controller has no
cors_validation, and its OPTIONS says "a future change could allow CORS requests to the Account
level"), so a page can neither read nor set the account's X-Account-Meta-Temp-URL-Key. For the
listed origins this filter also answers account preflights (GET, HEAD, POST) and adds
Access-Control-Allow-Origin and the TempURL key headers to Access-Control-Expose-Headers of the
account's answers. Swift still decides who may read or set the key (the account's owner).
"""
import re

SWIFT_PATHS = ('/v1/', '/v1.0/', '/info', '/healthcheck')
ACCOUNT_PATH = re.compile(r'^/v1(\.0)?/[^/]+/?$')
ACCOUNT_METHODS = 'GET, HEAD, POST'
ACCOUNT_EXPOSE = ['X-Account-Meta-Temp-URL-Key', 'X-Account-Meta-Temp-URL-Key-2', 'X-Account-Bytes-Used',
                  'X-Account-Container-Count', 'X-Account-Object-Count']


def _csv(value):
    return [v.strip() for v in (value or '').split(',') if v.strip()]


def filter_factory(global_conf, **local_conf):
    conf = dict(global_conf, **local_conf)
    origins = set(_csv(conf.get('cors_allow_origin')))
    expose = ', '.join(_csv(conf.get('cors_expose_headers')) + ['ETag', 'x-amz-request-id', 'x-amz-id-2', 'x-amz-version-id'])

    account_expose = ', '.join(_csv(conf.get('cors_expose_headers')) + ACCOUNT_EXPOSE)

    def account(env, start_response, app, origin):
        if env.get('REQUEST_METHOD') == 'OPTIONS' and env.get('HTTP_ACCESS_CONTROL_REQUEST_METHOD'):
            if env['HTTP_ACCESS_CONTROL_REQUEST_METHOD'] not in ACCOUNT_METHODS.split(', '):
                start_response('401 Unauthorized', [('Content-Length', '0')])
                return [b'']
            headers = [
                ('Access-Control-Allow-Origin', origin),
                ('Access-Control-Allow-Methods', ACCOUNT_METHODS),
                ('Access-Control-Max-Age', '600'),
                ('Vary', 'Origin'),
                ('Content-Length', '0'),
            ]
            asked = env.get('HTTP_ACCESS_CONTROL_REQUEST_HEADERS')
            if asked:
                headers.append(('Access-Control-Allow-Headers', asked))
            start_response('200 OK', headers)
            return [b'']

        def respond(status, headers, exc_info=None):
            headers = [h for h in headers if not h[0].lower().startswith('access-control-')] + [
                ('Access-Control-Allow-Origin', origin),
                ('Access-Control-Expose-Headers', account_expose),
                ('Vary', 'Origin'),
            ]
            return start_response(status, headers, exc_info)

        return app(env, respond)

    def make(app):
        def s3cors(env, start_response):
            origin = env.get('HTTP_ORIGIN')
            if origin and origin in origins and ACCOUNT_PATH.match(env.get('PATH_INFO', '')):
                return account(env, start_response, app, origin)
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
