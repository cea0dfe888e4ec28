#!/usr/bin/python3
"""Creates the local cloud's projects, users, roles, image service endpoints and a demo
application credential through Keystone's REST API (one process: far faster than running the
openstack CLI once per object). Prints a JSON summary of what exists.

Usage: provision.py KEYSTONE_URL GLANCE_URL  (passwords come from the environment)
"""
import json
import os
import secrets
import sys
import urllib.error
import urllib.request

KS, GLANCE = sys.argv[1].rstrip('/'), sys.argv[2].rstrip('/')
REGION = 'RegionOne'
PW = {
    'admin': os.environ['ADMIN_PASSWORD'],
    'demo': os.environ['DEMO_PASSWORD'],
    'alt': os.environ['ALT_PASSWORD'],
    'glance': os.environ['GLANCE_SERVICE_PASSWORD'],
    'swift': os.environ.get('SWIFT_SERVICE_PASSWORD', ''),
}
# Optional object store (cloud.sh with CLOUD_WITH_SWIFT=1): its service user and endpoints.
SWIFT = os.environ.get('SWIFT_URL', '').rstrip('/')
APPCRED_SECRET = os.environ['DEMO_APPCRED_SECRET']


def call(method, path, token=None, body=None, ok=(200, 201, 204)):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(KS + path, data=data, method=method)
    req.add_header('Content-Type', 'application/json')
    if token:
        req.add_header('X-Auth-Token', token)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            return r.status, r.headers, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        if e.code in ok:
            return e.code, e.headers, None
        raise SystemExit(f'provision: {method} {path} -> {e.code} {e.read()[:300]!r}')


def login(user, project):
    body = {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': 'default'}, 'password': PW[user]}}},
        'scope': {'project': {'name': project, 'domain': {'id': 'default'}}}}}
    _, headers, _ = call('POST', '/v3/auth/tokens', body=body)
    return headers['X-Subject-Token']


def find(token, collection, name, query=''):
    _, _, body = call('GET', f'/v3/{collection}?name={name}{query}', token)
    items = body[collection]
    return items[0] if items else None


def ensure(token, collection, singular, attrs, query=''):
    found = find(token, collection, attrs['name'], query)
    if found:
        return found
    _, _, body = call('POST', f'/v3/{collection}', token, {singular: attrs})
    return body[singular]


admin = login('admin', 'admin')
roles = {n: find(admin, 'roles', n) for n in ('admin', 'member', 'reader')}
for n, r in roles.items():
    if r is None:
        roles[n] = ensure(admin, 'roles', 'role', {'name': n})

projects, users = {}, {}
for name, desc in (('service', 'OpenStack service users'), ('demo', 'Demo project'),
                   ('alt', 'Second project for policy tests')):
    projects[name] = ensure(admin, 'projects', 'project',
                            {'name': name, 'domain_id': 'default', 'description': desc})
service_users = [('glance', 'service', ('admin', 'service'))]
if SWIFT:
    service_users.append(('swift', 'service', ('admin', 'service')))
for name, project, role_names in (*service_users,
                                  ('demo', 'demo', ('member', 'reader')),
                                  ('alt', 'alt', ('member', 'reader'))):
    users[name] = ensure(admin, 'users', 'user', {
        'name': name, 'domain_id': 'default', 'password': PW[name],
        'default_project_id': projects[project]['id']})
    for rn in role_names:
        role = roles.get(rn) or ensure(admin, 'roles', 'role', {'name': rn})
        roles[rn] = role
        call('PUT', f"/v3/projects/{projects[project]['id']}/users/{users[name]['id']}/roles/{role['id']}", admin)

admin_user = find(admin, 'users', 'admin')
admin_project = find(admin, 'projects', 'admin')

def ensure_service(stype, name, description, url):
    _, _, body = call('GET', f'/v3/services?type={stype}', admin)
    service = body['services'][0] if body['services'] else call(
        'POST', '/v3/services', admin, {'service': {'type': stype, 'name': name, 'description': description}})[2]['service']
    _, _, body = call('GET', f"/v3/endpoints?service_id={service['id']}", admin)
    have = {e['interface'] for e in body['endpoints']}
    for iface in ('public', 'internal', 'admin'):
        if iface not in have:
            call('POST', '/v3/endpoints', admin, {'endpoint': {
                'service_id': service['id'], 'interface': iface, 'url': url, 'region_id': REGION}})


ensure_service('image', 'glance', 'Image service', GLANCE)
if SWIFT:
    ensure_service('object-store', 'swift', 'Object storage', SWIFT + '/v1/AUTH_%(project_id)s')
    # Swift's s3api answers S3 path-style requests on the proxy's root (as devstack registers it)
    ensure_service('s3', 's3', 'S3 API of the object storage (Swift s3api)', SWIFT)

demo = login('demo', 'demo')
_, _, body = call('GET', f"/v3/users/{users['demo']['id']}/application_credentials?name=demo-appcred", demo)
if body['application_credentials']:
    appcred = body['application_credentials'][0]
else:
    _, _, body = call('POST', f"/v3/users/{users['demo']['id']}/application_credentials", demo, {
        'application_credential': {'name': 'demo-appcred', 'secret': APPCRED_SECRET,
                                   'description': 'image-inspector local cloud'}})
    appcred = body['application_credential']




def ensure_ec2(token, user, project):
    """The user's EC2 credential for its project (what `openstack ec2 credentials create` makes),
    created once: s3token checks S3 signatures against it."""
    _, _, body = call('GET', f"/v3/credentials?user_id={user['id']}&type=ec2", token)
    for c in body['credentials']:
        blob = json.loads(c['blob'])
        if c.get('project_id') == project['id'] and blob.get('access') and blob.get('secret'):
            return {'access': blob['access'], 'secret': blob['secret']}
    blob = {'access': secrets.token_hex(16), 'secret': secrets.token_hex(16)}
    call('POST', '/v3/credentials', token, {'credential': {
        'type': 'ec2', 'user_id': user['id'], 'project_id': project['id'], 'blob': json.dumps(blob)}})
    return blob


ec2 = {}
if SWIFT:
    ec2['demo'] = ensure_ec2(demo, users['demo'], projects['demo'])
    ec2['alt'] = ensure_ec2(login('alt', 'alt'), users['alt'], projects['alt'])


def user_entry(name, user, project):
    return {'username': name, 'password': PW[name], 'userId': user['id'], 'userDomainName': 'Default',
            'projectName': project['name'], 'projectId': project['id'], 'projectDomainName': 'Default'}


json.dump({
    'users': {
        'admin': user_entry('admin', admin_user, admin_project),
        'demo': user_entry('demo', users['demo'], projects['demo']),
        'alt': user_entry('alt', users['alt'], projects['alt']),
    },
    'service': {'username': 'glance', 'projectName': 'service'},
    'applicationCredential': {'id': appcred['id'], 'name': 'demo-appcred', 'secret': APPCRED_SECRET,
                              'user': 'demo', 'projectId': projects['demo']['id']},
    'ec2': ec2,
}, sys.stdout, indent=2)
