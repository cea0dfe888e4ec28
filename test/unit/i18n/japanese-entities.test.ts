// The Japanese strings are shown as text (msg('…') and str`…`, no html`` templates), so they must
// hold the characters themselves: lit-localize's runtime build writes &, < and > as entities, and
// the page said "&lt;container&gt;_segments" and "passwd -d root &amp;&amp; passwd -l root" until
// scripts/l10n-build.mjs put them back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { templates } from '../../../src/locales/generated/ja.ts';

const textOf = (t: unknown): string => (typeof t === 'string' ? t : ((t as { strings?: readonly string[] }).strings ?? []).join('${}'));

test('no Japanese string carries an HTML entity where a character belongs', { timeout: 10_000 }, () => {
  const bad = Object.entries(templates).filter(([, t]) => /&(lt|gt|amp|quot|#\d+);/.test(textOf(t)));
  assert.deepEqual(
    bad.map(([id, t]) => `${id}: ${textOf(t)}`),
    [],
  );
});

test('the strings that hold <, > and & show them as typed', { timeout: 10_000 }, () => {
  const all = Object.values(templates).map(textOf);
  assert.ok(
    all.some((s) => s.includes('<container>_segments')),
    'the Swift container hint',
  );
  assert.ok(
    all.some((s) => s.includes('passwd -d root && passwd -l root')),
    'the root password fix',
  );
  assert.ok(
    all.some((s) => s.includes('echo "#" > /etc/udev/rules.d/75-persistent-net-generator.rules')),
    'the udev fix',
  );
});
