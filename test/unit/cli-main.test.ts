// `image-inspector` itself: no command or an unknown one is an argument error, exit 2 as every
// command's (it was 1, which inspect, convert and upload use for "not safe": a script checking
// for 1 after a typo such as `image-inspector covnert` read it as an unsafe image).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/image-inspector.mjs', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

test('no command: the usage on stderr, exit 2', () => {
  const r = cli([]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^usage: image-inspector <command>/);
});

test('an unknown command: named on stderr, exit 2', () => {
  const r = cli(['covnert', 'a', 'b']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^image-inspector: unknown command 'covnert'\nusage: /);
});

test('--help: the usage on stdout, exit 0', () => {
  const r = cli(['--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^usage: image-inspector <command>/);
  assert.equal(r.stderr, '');
});
