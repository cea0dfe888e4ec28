// The CLI finds credentials as the openstack CLI does: clouds.yaml and secure.yaml in
// openstacksdk's search order (merged), the OS_* variables taken as they are, the CA bundle and
// verify settings. Every case runs in a temp dir standing in for the cwd, the home and /etc.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadCloud } from '../../src/cli/cloud-credentials.ts';
import { cloudFileCandidates, mergeClouds } from '../../src/cli/cloud-files.ts';
import { OpenStackError } from '../../src/core/openstack/errors.ts';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const PASSWORD = `p$ss'w"rd \\ $HOME #x`;

function place() {
  const root = mkdtempSync(join(tmpdir(), 'ii-creds-'));
  roots.push(root);
  const cwd = join(root, 'work');
  const home = join(root, 'home');
  const etc = join(root, 'etc');
  for (const d of [cwd, home, etc]) mkdirSync(d, { recursive: true });
  const put = (path: string, text: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const load = (cloud: string | undefined, env: Record<string, string> = {}) =>
    loadCloud(cloud, { env, cwd, home, etc, platform: 'linux' });
  return { root, cwd, home, etc, put, load, userDir: join(home, '.config', 'openstack'), siteDir: join(etc, 'openstack') };
}

/** A clouds.yaml with cloud "lab"; `auth` and `cloud` are extra lines for its auth and itself. */
function lab(o: { user?: string; auth?: string; cloud?: string } = {}): string {
  return `clouds:
  lab:
    auth:
      auth_url: https://keystone.example.com:5000/v3
      username: ${o.user ?? 'alice'}
      project_name: web
      user_domain_name: Default
      project_domain_name: Default
${o.auth ? `      ${o.auth}\n` : ''}${o.cloud ? `    ${o.cloud}\n` : ''}    region_name: RegionTwo
`;
}
const LAB = lab();

function badConfig(pattern: RegExp) {
  return (e: unknown) => e instanceof OpenStackError && e.kind === 'bad-config' && pattern.test(e.message);
}

describe('clouds.yaml and secure.yaml', () => {
  test("secure.yaml's entry is merged over clouds.yaml's, key by key, even from another directory", () => {
    const p = place();
    p.put(join(p.userDir, 'clouds.yaml'), LAB);
    p.put(
      join(p.siteDir, 'secure.yaml'),
      `clouds:\n  lab:\n    auth:\n      password: '${PASSWORD.replace(/'/g, "''")}'\n      project_name: ops\n`,
    );
    const c = p.load('lab');
    assert.deepEqual(c.auth.auth, {
      type: 'password',
      username: 'alice',
      password: PASSWORD,
      userDomainName: 'Default',
      userDomainId: undefined,
    });
    assert.equal(c.auth.scope?.projectName, 'ops');
    assert.equal(c.auth.regionName, 'RegionTwo');
    assert.equal(c.auth.authUrl, 'https://keystone.example.com:5000/v3');
    assert.deepEqual(c.tls, { insecure: false });
  });

  test('a cloud only secure.yaml has is found; OS_CLIENT_SECURE_FILE comes before ./secure.yaml', () => {
    const p = place();
    p.put(join(p.cwd, 'secure.yaml'), lab({ user: 'bob', auth: 'password: from-cwd' }));
    const override = p.put(join(p.cwd, 'elsewhere', 'my-secure.yaml'), 'clouds:\n  lab:\n    auth:\n      password: from-override\n');
    p.put(join(p.userDir, 'clouds.yaml'), LAB);
    assert.equal((p.load('lab').auth.auth as { password: string }).password, 'from-cwd');
    const c = p.load('lab', { OS_CLIENT_SECURE_FILE: override });
    assert.equal((c.auth.auth as { password: string; username: string }).password, 'from-override');
    // the override's entry has no username: clouds.yaml's stays, not ./secure.yaml's
    assert.equal((c.auth.auth as { username: string }).username, 'alice');
    const q = place();
    q.put(join(q.siteDir, 'secure.yaml'), lab({ auth: 'password: pw' }));
    assert.equal((q.load('lab').auth.auth as { password: string }).password, 'pw');
  });

  test('search order: OS_CLIENT_CONFIG_FILE, ./, $XDG_CONFIG_HOME, ~/.config, the XDG site dir, /etc; .yaml, .yml, .json in each', () => {
    const p = place();
    const xdg = join(p.home, 'xdg');
    const env = { OS_CLIENT_CONFIG_FILE: '/x/c.yaml', XDG_CONFIG_HOME: xdg, XDG_CONFIG_DIRS: '/site' };
    const dirs = [p.cwd, join(xdg, 'openstack'), p.userDir, '/site/openstack', p.siteDir];
    assert.deepEqual(cloudFileCandidates('clouds', { env, cwd: p.cwd, home: p.home, etc: p.etc, platform: 'linux' }), [
      '/x/c.yaml',
      ...dirs.flatMap((d) => ['yaml', 'yml', 'json'].map((s) => join(d, `clouds.${s}`))),
    ]);
    // several XDG_CONFIG_DIRS reach openstacksdk as one ':'-joined path that never exists
    const several = cloudFileCandidates('secure', {
      env: { XDG_CONFIG_DIRS: '/a:/b' },
      cwd: p.cwd,
      home: p.home,
      etc: p.etc,
      platform: 'linux',
    });
    assert.equal(several.filter((f) => f.startsWith('/a') || f.startsWith('/b')).length, 0);
    assert.equal(several[0], join(p.cwd, 'secure.yaml'));
  });

  test('the first file found wins: ./clouds.yaml over ~/.config, .yml and .json are read, the override first', () => {
    const p = place();
    p.put(join(p.siteDir, 'clouds.yaml'), lab({ user: 'etc' }));
    p.put(
      join(p.userDir, 'clouds.json'),
      JSON.stringify({ clouds: { lab: { auth: { auth_url: 'http://k', username: 'json', password: 'x' } } } }),
    );
    assert.equal((p.load('lab').auth.auth as { username: string }).username, 'json');
    p.put(join(p.cwd, 'clouds.yml'), lab({ user: 'cwd' }));
    assert.equal((p.load('lab', { OS_PASSWORD: 'x' }).auth.auth as { username: string }).username, 'cwd');
    const own = p.put(join(p.root, 'own.yaml'), lab({ user: 'own' }));
    assert.equal((p.load('lab', { OS_CLIENT_CONFIG_FILE: own, OS_PASSWORD: 'x' }).auth.auth as { username: string }).username, 'own');
  });

  test('a file that is not YAML is passed over (as openstacksdk does); one that is not a mapping stops the search', () => {
    const p = place();
    p.put(join(p.cwd, 'clouds.yaml'), 'clouds: [1, 2');
    p.put(join(p.userDir, 'clouds.yaml'), LAB);
    assert.equal(p.load('lab', { OS_PASSWORD: 'pw' }).auth.cloudName, 'lab');
    assert.throws(() => p.load('nope'), badConfig(/passing over .*work\/clouds\.yaml \(not valid YAML/));
    p.put(join(p.cwd, 'clouds.yaml'), '- just\n- a list\n');
    assert.throws(() => p.load('lab'), badConfig(/work\/clouds\.yaml is not a mapping of settings/));
  });

  test('a missing password is named with the cloud and the files; OS_PASSWORD fills it', () => {
    const p = place();
    const file = p.put(join(p.userDir, 'clouds.yaml'), LAB);
    assert.throws(
      () => p.load('lab'),
      (e: unknown) =>
        e instanceof OpenStackError &&
        e.message === `Cloud "lab" in ${file} has no auth.password: set it there or in secure.yaml, or export OS_PASSWORD.`,
    );
    assert.equal((p.load('lab', { OS_PASSWORD: PASSWORD }).auth.auth as { password: string }).password, PASSWORD);
    const secure = p.put(join(p.userDir, 'secure.yaml'), 'clouds:\n  lab:\n    auth:\n      username: ""\n');
    assert.throws(
      () => p.load('lab'),
      badConfig(new RegExp(`Cloud "lab" in ${file} and ${secure} has no auth\\.password, auth\\.username`)),
    );
  });

  test('an unknown cloud names what there is; no file at all lists where it looked', () => {
    const p = place();
    assert.throws(
      () => p.load('lab'),
      badConfig(
        new RegExp(`^No clouds\\.yaml for cloud "lab": none of ${join(p.cwd, 'clouds.yaml')}, .*${join(p.siteDir, 'clouds.yaml')} exists`),
      ),
    );
    assert.throws(() => p.load(undefined), badConfig(/^No cloud to sign in to: .*none of /));
    const file = p.put(join(p.siteDir, 'clouds.yaml'), LAB + LAB.replace('clouds:\n  lab:', '  ci:'));
    assert.throws(() => p.load('prod'), badConfig(new RegExp(`^No cloud named "prod" in ${file} \\(it has lab, ci\\)\\.$`)));
    assert.throws(() => p.load(undefined), badConfig(/^Several clouds are defined in .* \(lab, ci\): choose one/));
  });

  test('without a cloud name or OS_* description, the only cloud is used (OS_REGION_NAME only selects)', () => {
    const p = place();
    p.put(join(p.userDir, 'clouds.yaml'), LAB);
    p.put(join(p.userDir, 'secure.yaml'), 'clouds:\n  lab:\n    auth:\n      password: pw\n');
    assert.equal(p.load(undefined, { OS_REGION_NAME: 'R' }).auth.cloudName, 'lab');
    assert.throws(() => p.load(undefined, { OS_PASSWORD: 'pw' }), badConfig(/^The OS_\* variables set no OS_AUTH_URL/));
  });

  test('mergeClouds merges mappings key by key and replaces anything else', () => {
    const merged = mergeClouds(
      { a: { b: 1, c: [1] }, d: 'x' },
      { a: { c: [2], e: { f: 1 } }, d: { g: 1 }, ['__proto__']: { polluted: true } },
    );
    assert.deepEqual(merged, { a: { b: 1, c: [2], e: { f: 1 } }, d: { g: 1 } });
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });
});

describe('OS_* variables', () => {
  const rc = {
    OS_AUTH_URL: 'https://keystone.example.com:5000/v3',
    OS_USERNAME: "o'brien",
    OS_PASSWORD: PASSWORD,
    OS_PROJECT_NAME: 'web app',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_ID: 'default',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'internal',
  };
  test('values are taken as they are: quotes, $, backslashes and # survive', () => {
    const c = place().load(undefined, rc);
    assert.deepEqual(c.auth.auth, {
      type: 'password',
      username: "o'brien",
      password: PASSWORD,
      userDomainName: 'Default',
      userDomainId: undefined,
    });
    assert.deepEqual(c.auth.scope, {
      projectName: 'web app',
      projectId: undefined,
      projectDomainName: undefined,
      projectDomainId: 'default',
    });
    assert.equal(c.auth.regionName, 'RegionOne');
    assert.equal(c.auth.interface, 'internal');
  });
  test('an application credential, and what is missing named by its variable', () => {
    const p = place();
    const c = p.load(undefined, {
      OS_AUTH_URL: 'http://k',
      OS_AUTH_TYPE: 'v3applicationcredential',
      OS_APPLICATION_CREDENTIAL_ID: 'id1',
      OS_APPLICATION_CREDENTIAL_SECRET: `s$'"`,
    });
    assert.deepEqual(c.auth.auth, {
      type: 'application-credential',
      id: 'id1',
      name: undefined,
      secret: `s$'"`,
      username: undefined,
      userId: undefined,
      userDomainName: undefined,
      userDomainId: undefined,
    });
    assert.throws(
      () => p.load(undefined, { OS_AUTH_URL: 'http://k', OS_USERNAME: 'a' }),
      (e: unknown) => e instanceof OpenStackError && e.message === 'The OS_* variables set no OS_PASSWORD.',
    );
  });
  test('a cloud name wins over the OS_* variables, except the envvars cloud (OS_CLOUD_NAME)', () => {
    const p = place();
    p.put(join(p.userDir, 'clouds.yaml'), LAB);
    assert.equal(p.load('lab', rc).auth.cloudName, 'lab');
    assert.equal(p.load(undefined, { ...rc, OS_CLOUD: 'lab' }).auth.cloudName, 'lab');
    assert.equal(p.load(undefined, { ...rc, OS_CLOUD: 'envvars' }).auth.cloudName, undefined);
    assert.equal(p.load('mine', { ...rc, OS_CLOUD_NAME: 'mine' }).auth.authUrl, rc.OS_AUTH_URL);
  });
});

describe('CA bundle and verification', () => {
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  test('cacert is read relative to the cwd or ~; OS_CACERT replaces it', () => {
    const p = place();
    p.put(join(p.cwd, 'certs', 'ca.pem'), PEM);
    const homeCa = p.put(join(p.home, 'ca2.pem'), PEM.replace('MIIB', 'MIIC'));
    p.put(join(p.userDir, 'clouds.yaml'), lab({ cloud: 'cacert: certs/ca.pem' }));
    const c = p.load('lab', { OS_PASSWORD: 'x' });
    assert.deepEqual(c.tls, { ca: PEM, caFile: join(p.cwd, 'certs', 'ca.pem'), insecure: false });
    assert.deepEqual(p.load('lab', { OS_PASSWORD: 'x', OS_CACERT: '~/ca2.pem' }).tls, {
      ca: PEM.replace('MIIB', 'MIIC'),
      caFile: homeCa,
      insecure: false,
    });
  });
  test('an unreadable CA bundle is named with where it was set', () => {
    const p = place();
    p.put(join(p.userDir, 'clouds.yaml'), lab({ cloud: 'cacert: /nowhere/ca.pem' }));
    assert.throws(
      () => p.load('lab', { OS_PASSWORD: 'x' }),
      (e: unknown) =>
        e instanceof OpenStackError &&
        e.message === 'Cannot read the CA bundle /nowhere/ca.pem (cacert of cloud "lab"): there is no such file.',
    );
    assert.throws(
      () => p.load(undefined, { OS_AUTH_URL: 'http://k', OS_TOKEN: 't', OS_CACERT: '/nowhere/x.pem' }),
      badConfig(/\/nowhere\/x\.pem \(OS_CACERT\): there is no such file/),
    );
  });
  test('verify: false, insecure: true and OS_INSECURE=true turn checks off (and the CA bundle is then not read); OS_INSECURE=1 does not', () => {
    const p = place();
    const file = join(p.userDir, 'clouds.yaml');
    p.put(file, lab({ cloud: 'verify: false\n    cacert: /nowhere/ca.pem' }));
    assert.deepEqual(p.load('lab', { OS_PASSWORD: 'x' }).tls, { insecure: true });
    p.put(file, lab({ cloud: 'insecure: "True"' }));
    assert.deepEqual(p.load('lab', { OS_PASSWORD: 'x' }).tls, { insecure: true });
    p.put(file, LAB);
    assert.deepEqual(p.load('lab', { OS_PASSWORD: 'x', OS_INSECURE: 'TRUE' }).tls, { insecure: true });
    const env = { OS_AUTH_URL: 'http://k', OS_TOKEN: 't' };
    assert.deepEqual(p.load(undefined, { ...env, OS_INSECURE: 'true' }).tls, { insecure: true });
    assert.deepEqual(p.load(undefined, { ...env, OS_INSECURE: '1' }).tls, { insecure: false });
  });
});
