// What inspect (and convert, which inspects IN the same way) says about a path that names no
// image file: a directory was read and failed with Node's bare "EISDIR: illegal operation on a
// directory, read"; it is one plain sentence, before qemu-img is ever started. And file names
// beginning with '-', taken after `--` by inspect and upload as by convert ("unknown option --").
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/inspect-command.ts';
import { fileSource } from '../../src/cli/node-byte-source.ts';
import { parseUploadArgs } from '../../src/cli/upload-args.ts';

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

test("inspect -- -x: the file named '-x' is inspected, not refused as an option", async () => {
  const dashed = join(dir, '-x.img');
  writeFileSync(dashed, '');
  let out = '';
  let err = '';
  const never = () => Promise.reject(new Error('no qemu-img in this test'));
  await run(['--no-guest', '--', dashed], { runner: never, guestRunner: never, out: (s) => (out += s), err: (s) => (err += s) });
  assert.doesNotMatch(err, /unknown option/);
  assert.ok(`${out}${err}`.startsWith(`${dashed}: `) || err.startsWith(`image-inspector inspect: ${dashed}: `), `${out}${err}`);
});

test("upload -- -x: '-x' is the FILE; without '--' it is an unknown option", () => {
  assert.equal(parseUploadArgs(['--via', 'swift', '--', '-x.qcow2'])?.file, '-x.qcow2');
  assert.throws(() => parseUploadArgs(['-x.qcow2']), { message: 'unknown option -x.qcow2' });
  assert.throws(() => parseUploadArgs(['--', 'a', 'b']), { message: 'give exactly one FILE' });
});
