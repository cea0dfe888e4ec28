// What inspect (and convert, which inspects IN the same way) says about a path that names no
// image file: a directory was read and failed with Node's bare "EISDIR: illegal operation on a
// directory, read"; it is one plain sentence, before qemu-img is ever started.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/inspect-command.ts';
import { fileSource } from '../../src/cli/node-byte-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'ii-cli-file-args-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a directory as the image: the byte source refuses it in plain words', async () => {
  await assert.rejects(fileSource(dir), { message: 'it is a directory, not a disk image file' });
});

test('inspect DIR: exit 2 and one sentence, qemu-img never run', async () => {
  const said: string[] = [];
  const never = () => Promise.reject(new Error('qemu-img must not run for a directory'));
  const code = await run(['--no-guest', dir], { runner: never, guestRunner: never, out: (s) => said.push(s), err: (s) => said.push(s) });
  assert.equal(code, 2);
  assert.deepEqual(said, [`image-inspector inspect: ${dir}: it is a directory, not a disk image file\n`]);
});
