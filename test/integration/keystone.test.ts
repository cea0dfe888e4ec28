// Sign-in against the real local Keystone through our client: every auth method, the catalog,
// clouds.yaml/openrc files written by cloud.sh, wrong credentials, token renewal and sign-out.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GlanceClient,
  KeystoneSession,
  OpenStackError,
  authenticate,
  catalogRegions,
  findEndpoint,
  parseCloudsYaml,
  parseOpenrc,
  revokeToken,
} from '../../src/core/openstack/index.ts';
import { passwordConfig, readCloud, type CloudJson } from './helpers/cloud.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
let cloud: CloudJson;
before(() => {
  cloud = readCloud();
});

describe('Keystone sign-in (real Keystone)', () => {
  test('password sign-in returns a project-scoped token with the catalog', async () => {
    const s = await KeystoneSession.signIn(passwordConfig(cloud));
    assert.equal(s.token.user.name, 'demo');
    assert.equal(s.token.project?.id, cloud.users.demo.projectId);
    assert.ok(s.token.roles.some((r) => r.name === 'member'));
    assert.ok(s.token.value.length > 20);
    assert.ok(s.expiresInMs > 60_000, 'token lifetime is at least a minute');
    assert.deepEqual(catalogRegions(s.catalog), ['RegionOne']);
    assert.equal(s.endpoint('image'), cloud.glance.url);
    assert.equal(s.endpoint('image', { interface: 'internal' }), cloud.glance.url);
    assert.equal(findEndpoint(s.catalog, 'identity', { region: 'RegionOne' }), cloud.keystone.authUrl);
    assert.throws(
      () => s.endpoint('image', { region: 'Elsewhere' }),
      (e: unknown) => e instanceof OpenStackError && e.kind === 'no-endpoint' && /RegionOne\/public/.test(e.message),
    );
    await s.signOut();
    assert.equal(s.signedIn, false);
  });

  test('wrong password gives a plain sign-in failure, not an expired-token message', async () => {
    const cfg = passwordConfig(cloud);
    if (cfg.auth.type !== 'password') throw new Error('unexpected');
    cfg.auth.password = 'not-the-password';
    await assert.rejects(authenticate(cfg), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.kind, 'wrong-credentials');
      assert.equal(e.status, 401);
      assert.match(e.message, /user name, password/);
      assert.doesNotMatch(e.message, /not-the-password/);
      return true;
    });
  });

  test('unknown project is reported as a sign-in failure', async () => {
    const cfg = passwordConfig(cloud);
    cfg.scope = { projectName: 'no-such-project', projectDomainName: 'Default' };
    await assert.rejects(authenticate(cfg), (e: unknown) => e instanceof OpenStackError && e.kind === 'wrong-credentials');
  });

  test('application credential sign-in (no scope needed) reaches Glance', async () => {
    const ac = cloud.applicationCredential;
    const s = await KeystoneSession.signIn({
      authUrl: cloud.keystone.url, // without /v3: the client adds it
      auth: { type: 'application-credential', id: ac.id, secret: ac.secret },
    });
    assert.equal(s.token.project?.id, ac.projectId);
    assert.deepEqual(s.token.methods, ['application_credential']);
    const glance = GlanceClient.fromSession(s);
    const page = await glance.listImages({ limit: 1 });
    assert.ok(Array.isArray(page.images));
    assert.equal(s.canRenew, true);
  });

  test('existing-token sign-in: as is without a scope, rescoped with one; cannot renew; revoked is reported', async () => {
    const pw = await KeystoneSession.signIn(passwordConfig(cloud));
    const asIs = await KeystoneSession.signIn({ authUrl: cloud.keystone.authUrl, auth: { type: 'token', token: pw.token.value } });
    assert.equal(asIs.token.value, pw.token.value, 'the pasted token itself, not a new one');
    assert.equal(asIs.token.project?.id, cloud.users.demo.projectId);
    assert.equal(asIs.canRenew, false);
    assert.equal(asIs.endpoint('image'), cloud.glance.url);
    await asIs.signOut(); // forgets a pasted token without revoking it
    assert.equal(asIs.signedIn, false);
    await GlanceClient.fromSession(pw).listImages({ limit: 1 });
    await assert.rejects(asIs.getToken(), (e: unknown) => e instanceof OpenStackError && e.kind === 'token-expired');
    const rescoped = await KeystoneSession.signIn({
      authUrl: cloud.keystone.authUrl,
      auth: { type: 'token', token: pw.token.value },
      scope: { projectId: cloud.users.demo.projectId },
    });
    assert.notEqual(rescoped.token.value, pw.token.value);
    assert.equal(rescoped.token.user.name, 'demo');
    await GlanceClient.fromSession(rescoped).listImages({ limit: 1 });

    // a token Glance never saw (it caches validations), revoked: Glance's 401 → sign in again
    const fresh = await KeystoneSession.signIn(passwordConfig(cloud));
    const tok = await KeystoneSession.signIn({ authUrl: cloud.keystone.authUrl, auth: { type: 'token', token: fresh.token.value } });
    await revokeToken(cloud.keystone.authUrl, fresh.token.value);
    await assert.rejects(GlanceClient.fromSession(tok).listImages({ limit: 1 }), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.kind, 'token-expired');
      assert.match(e.message, /Sign in again/);
      return true;
    });
    // and pasting the revoked token is refused at sign-in with a token-specific sentence
    await assert.rejects(
      KeystoneSession.signIn({ authUrl: cloud.keystone.authUrl, auth: { type: 'token', token: fresh.token.value } }),
      (e: unknown) => {
        assert.ok(e instanceof OpenStackError);
        assert.equal(e.kind, 'wrong-credentials');
        assert.match(e.message, /refused the token/);
        return true;
      },
    );
  });

  test('a password session renews a revoked token by itself and keeps working', async () => {
    let renewals = 0;
    const s = await KeystoneSession.signIn(passwordConfig(cloud), { onRenew: () => renewals++ });
    const glance = GlanceClient.fromSession(s);
    const first = s.token.value;
    // revoke the session's token behind its back (as an expiry would)
    await revokeToken(cloud.keystone.authUrl, first);
    await glance.listImages({ limit: 1 });
    assert.equal(renewals, 1);
    assert.notEqual(s.token.value, first);
  });

  test('renews before expiry when the margin is reached', async () => {
    let clock = Date.now();
    const s = await KeystoneSession.signIn(passwordConfig(cloud), { now: () => clock, renewMarginMs: 60_000 });
    const first = await s.getToken();
    assert.equal(await s.getToken(), first, 'no renewal while far from expiry');
    clock = s.token.expiresAt.getTime() - 30_000; // inside the margin
    const second = await s.getToken();
    assert.notEqual(second, first);
    assert.ok(s.token.expiresAt.getTime() > Date.now() + 60_000);
  });

  test('.cloud/clouds.yaml and .cloud/openrc written by cloud.sh sign in', async () => {
    const yaml = readFileSync(join(ROOT, '.cloud/clouds.yaml'), 'utf8');
    const parsed = parseCloudsYaml(yaml, 'demo');
    assert.deepEqual(parsed.missing, []);
    assert.deepEqual(parsed.cloudNames.sort(), ['admin', 'alt', 'demo', 'demo-appcred']);
    const s1 = await KeystoneSession.signIn(parsed.config);
    assert.equal(s1.token.project?.name, 'demo');
    const ac = parseCloudsYaml(yaml, 'demo-appcred');
    assert.equal(ac.config.auth.type, 'application-credential');
    const s2 = await KeystoneSession.signIn(ac.config);
    assert.equal(s2.token.user.name, 'demo');
    const rc = parseOpenrc(readFileSync(join(ROOT, '.cloud/openrc'), 'utf8'));
    assert.equal(rc.config.regionName, 'RegionOne');
    const s3 = await KeystoneSession.signIn(rc.config);
    assert.equal(s3.endpoint('image'), cloud.glance.url);
  });

  test('an unreachable Keystone is a network failure, not a credentials failure', async () => {
    const cfg = passwordConfig(cloud);
    cfg.authUrl = 'http://127.0.0.1:5599/v3'; // nothing listens there
    await assert.rejects(authenticate(cfg), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.kind, 'network');
      assert.match(e.message, /Could not reach http:\/\/127\.0\.0\.1:5599/);
      return true;
    });
  });
});
