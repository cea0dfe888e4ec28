// clouds.yaml / openrc parsing and error-text edge cases that the local cloud's own files do not
// cover (test/integration/keystone.test.ts signs in with those).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  OpenStackError,
  extractDetail,
  httpError,
  imagePatch,
  parseCloudFile,
  parseCloudsYaml,
  parseOpenrc,
  type GlanceImage,
} from '../../src/core/openstack/index.ts';

describe('clouds.yaml', () => {
  const yaml = `
clouds:
  prod:
    auth:
      auth_url: https://keystone.example.com:5000
      username: alice
      project_name: web
      user_domain_name: Corp
      project_domain_id: abc123
    region_name: RegionTwo
    interface: internalURL
  ci:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.com/v3
      application_credential_id: 7f
      application_credential_secret: s3cret
`;
  test('picks the named cloud, reports the missing password (secure.yaml), normalises the interface', () => {
    const p = parseCloudsYaml(yaml, 'prod');
    assert.deepEqual(p.cloudNames, ['prod', 'ci']);
    assert.deepEqual(p.missing, ['password']);
    assert.equal(p.config.regionName, 'RegionTwo');
    assert.equal(p.config.interface, 'internal');
    assert.deepEqual(p.config.auth, { type: 'password', username: 'alice', password: '', userDomainName: 'Corp', userDomainId: undefined });
    assert.deepEqual(p.config.scope, { projectName: 'web', projectId: undefined, projectDomainName: undefined, projectDomainId: 'abc123' });
  });
  test('application credential cloud', () => {
    const p = parseCloudsYaml(yaml, 'ci');
    assert.equal(p.config.auth.type, 'application-credential');
    assert.deepEqual(p.missing, []);
    assert.equal(p.config.scope, undefined);
  });
  test('several clouds without a choice, unknown name, not YAML, unsupported auth type: each says what is wrong', () => {
    assert.throws(() => parseCloudsYaml(yaml), /several clouds \(prod, ci\): choose one/);
    assert.throws(() => parseCloudsYaml(yaml, 'nope'), /No cloud named "nope".*prod, ci/);
    assert.throws(
      () => parseCloudsYaml('clouds: [1, 2'),
      (e: unknown) => e instanceof OpenStackError && e.kind === 'bad-config' && /not valid YAML/.test(e.message),
    );
    assert.throws(() => parseCloudsYaml('foo: 1'), /no "clouds:" section/);
    assert.throws(
      () => parseCloudsYaml('clouds:\n  x:\n    auth_type: v3oidcpassword\n    auth:\n      auth_url: http://k\n'),
      /auth_type "v3oidcpassword", which this page does not support/,
    );
  });
});

describe('openrc', () => {
  test("Horizon's v3 openrc: the prompted password is missing, quotes stripped, endpoint type mapped", () => {
    const rc = `#!/usr/bin/env bash
export OS_AUTH_URL=https://keystone.example.com:5000/v3
export OS_PROJECT_ID=0123
export OS_PROJECT_NAME="web app"
export OS_USER_DOMAIN_NAME="Default"
unset OS_TENANT_ID
export OS_USERNAME="alice"
echo "Please enter your OpenStack Password for project $OS_PROJECT_NAME as user $OS_USERNAME: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME="RegionOne"
export OS_INTERFACE=public
export OS_ENDPOINT_TYPE=publicURL
`;
    const p = parseCloudFile(rc);
    assert.deepEqual(p.missing, ['password']);
    assert.equal(p.config.scope?.projectName, 'web app');
    assert.equal(p.config.scope?.projectId, '0123');
    assert.equal(p.config.interface, 'public');
    assert.equal(p.config.auth.type, 'password');
  });
  test('token openrc and a file that is not one', () => {
    const p = parseOpenrc("export OS_AUTH_URL=http://k:5000\nexport OS_AUTH_TYPE=v3token\nexport OS_TOKEN='gAAAA'\n");
    assert.deepEqual(p.config.auth, { type: 'token', token: 'gAAAA' });
    assert.throws(() => parseOpenrc('export FOO=1'), /sets no OS_AUTH_URL/);
  });
});

describe('error text', () => {
  test('webob HTML pages lose their markup and repeated status line', () => {
    const body =
      '<html><head><title>413 Request Entity Too Large</title></head><body><h1>413 Request Entity Too Large</h1>Image exceeds the storage quota: 5 bytes remaining.<br /><br />\n</body></html>';
    assert.equal(extractDetail(body), 'Image exceeds the storage quota: 5 bytes remaining.');
    assert.equal(
      extractDetail('{"error": {"message": "The request you have made requires authentication.", "code": 401}}'),
      'The request you have made requires authentication.',
    );
    assert.equal(extractDetail(''), undefined);
  });
  test('status → kind, with a sentence that never echoes a secret it was not given', () => {
    assert.equal(httpError(401, '', { service: 'keystone', action: 'signing in', signIn: true }).kind, 'wrong-credentials');
    assert.equal(httpError(401, '', { service: 'glance', action: 'listing images' }).kind, 'token-expired');
    assert.equal(httpError(415, '', { service: 'glance', action: 'x' }).kind, 'unsupported-media');
    // the visibility hint is Glance's (publicize_image): a Swift container or a Keystone credential has no visibility
    assert.match(httpError(403, '', { service: 'glance', action: 'creating the image' }).message, /\(e\.g\. private visibility\)\.$/);
    assert.equal(
      httpError(403, '', { service: 'Swift', action: 'creating the container c' }).message,
      'Swift policy does not allow this (creating the container c). Ask the cloud operator for the needed role.',
    );
    const e = httpError(503, '<h1>Service Unavailable</h1>', { service: 'glance', action: 'listing images', requestId: 'req-1' });
    assert.equal(e.kind, 'server');
    assert.match(e.message, /internal error \(503\) while listing images \(Glance said: Service Unavailable\).*req-1/);
    // a service's root (here Glance's, given as --os-storage-url) answers its versions: not a JSON dump
    const root = httpError(300, '{"versions": [{"id": "v2.16", "status": "CURRENT"}]}', {
      service: 'Swift',
      action: 'creating the container c',
    });
    assert.equal(root.code, 'http.version-list');
    assert.equal(
      root.message,
      "Swift answered with a list of API versions (300) while creating the container c: the address is not the API itself. Check the endpoint URL (an object store's ends in /v1/AUTH_<project>).",
    );
  });
});

describe('JSON-patch from edits', () => {
  const image = {
    id: 'i',
    name: 'a',
    status: 'queued',
    visibility: 'private',
    protected: false,
    min_disk: 0,
    min_ram: 0,
    tags: [],
    disk_format: null,
    container_format: null,
    os_distro: 'debian',
    foo: 'bar',
  } as unknown as GlanceImage;
  test('add for null core fields, replace for changed, remove for dropped properties, nothing for equal', () => {
    const ops = imagePatch(image, {
      core: { name: 'a', disk_format: 'qcow2', min_ram: 512 },
      properties: { os_distro: 'ubuntu', hw_qemu_guest_agent: 'yes' },
    });
    assert.deepEqual(ops, [
      { op: 'add', path: '/disk_format', value: 'qcow2' },
      { op: 'replace', path: '/min_ram', value: 512 },
      { op: 'replace', path: '/os_distro', value: 'ubuntu' },
      { op: 'add', path: '/hw_qemu_guest_agent', value: 'yes' },
      { op: 'remove', path: '/foo' },
    ]);
  });
});
