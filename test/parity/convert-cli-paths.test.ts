// Odd OUT paths as an operator types them: 'dir/' (a trailing slash), 'file/x', '' and a symlink
// whose target does not exist yet; IN and OUT named '-…' (given after `--`). The wasm qemu-img must answer exactly as native (emscripten's
// own path lookup dropped the trailing slash and wrote the file 'dir', or overwrote 'file' for
// 'file/'), and `image-inspector convert` must neither publish a file native would not write nor
// end with a stack trace.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native, tempDir, describeRun, assertOk, type Ran } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/image-inspector.mjs', import.meta.url));
const MiB = 1024 * 1024;
const work = tempDir('convert-paths');
after(() => work.remove());

function cli(args: string[]): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work.dir, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { exitCode: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** What is in the work directory besides the source, with each file's size. */
function listing(): Record<string, number | 'link'> {
  const l: Record<string, number | 'link'> = {};
  for (const n of readdirSync(work.dir).sort()) {
    if (n.startsWith('src.')) continue;
    const st = lstatSync(join(work.dir, n));
    l[n] = st.isSymbolicLink() ? 'link' : st.size;
  }
  return l;
}

function clean(): void {
  for (const n of readdirSync(work.dir)) if (!n.startsWith('src.')) rmSync(join(work.dir, n), { recursive: true, force: true });
}

const src = join(work.dir, 'src.qcow2');
before(() => {
  const raw = join(work.dir, 'src.raw');
  const b = Buffer.alloc(4 * MiB);
  randomBytes(100_000).copy(b, 12345);
  writeFileSync(raw, b);
  assertOk(native(['convert', '-f', 'raw', '-O', 'qcow2', raw, src]), 'make the source');
});

/** Each case: how the work directory looks before, and OUT as typed. */
const CASES: [string, () => void, string][] = [
  ['a trailing slash, nothing there', () => {}, 'newdir/'],
  ['a trailing slash after a file', () => writeFileSync(join(work.dir, 'file.qcow2'), 'keep me\n'), 'file.qcow2/'],
  ['a path through a file', () => writeFileSync(join(work.dir, 'file.qcow2'), 'keep me\n'), 'file.qcow2/x'],
  ['a symlink to a file not there yet', () => symlinkSync('target.qcow2', join(work.dir, 'link.qcow2')), 'link.qcow2'],
  ['the empty path', () => {}, ''],
];

describe('wasm qemu-img convert: odd OUT paths as native', { timeout: 120_000 }, () => {
  for (const [what, prepare, out] of CASES)
    test(what, () => {
      const args = ['convert', '-f', 'qcow2', '-O', 'raw', 'src.qcow2', out];
      clean();
      prepare();
      const n = native(args, work.dir);
      const nativeLeft = listing();
      clean();
      prepare();
      const w = cli(['qemu-img', ...args]);
      assert.deepEqual({ exitCode: w.exitCode, stderr: w.stderr }, { exitCode: n.exitCode, stderr: n.stderr }, describeRun('wasm', w));
      assert.deepEqual(listing(), nativeLeft, 'the same files written');
    });
});

describe('image-inspector convert: odd OUT paths', { timeout: 120_000 }, () => {
  test("'dir/' and 'file/' are refused as native refuses them: nothing written, the file kept, one message", () => {
    for (const [prepare, out] of [
      [() => {}, 'newdir/'],
      [() => writeFileSync(join(work.dir, 'file.qcow2'), 'keep me\n'), 'file.qcow2/'],
      [() => writeFileSync(join(work.dir, 'file.qcow2'), 'keep me\n'), 'file.qcow2/x'],
      [() => {}, ''],
    ] as const) {
      clean();
      prepare();
      const before = listing();
      const r = cli(['convert', 'src.qcow2', out, '--to', 'qcow2']);
      assert.equal(r.exitCode, 2, describeRun(`convert to '${out}'`, r));
      assert.match(r.stderr, /qemu-img convert failed \(exit 1\): qemu-img: .*Could not create/, describeRun(out, r));
      assert.doesNotMatch(r.stderr, /unexpected error|\n {4}at /);
      assert.deepEqual(listing(), before);
      if (existsSync(join(work.dir, 'file.qcow2'))) assert.equal(readFileSync(join(work.dir, 'file.qcow2'), 'utf8'), 'keep me\n');
    }
  });

  test('a dangling symlink: its target is created and verified, the link kept; a failed run leaves no target', () => {
    clean();
    symlinkSync('target.qcow2', join(work.dir, 'link.qcow2'));
    const r = cli(['convert', 'src.qcow2', 'link.qcow2', '--to', 'qcow2', '--json']);
    assert.equal(r.exitCode, 0, describeRun('convert onto a dangling symlink', r));
    assert.equal((JSON.parse(r.stdout) as { verified: boolean }).verified, true);
    assert.ok(lstatSync(join(work.dir, 'link.qcow2')).isSymbolicLink());
    assertOk(native(['compare', '-f', 'qcow2', '-F', 'qcow2', src, join(work.dir, 'target.qcow2')]), 'the target holds the output');
    rmSync(join(work.dir, 'target.qcow2'));
    const f = cli(['convert', 'src.qcow2', 'link.qcow2', '--to', 'qcow2', '-o', 'nonsense=1']);
    assert.equal(f.exitCode, 2, describeRun('refused by qemu-img', f));
    assert.deepEqual(listing(), { 'link.qcow2': 'link' });
  });

  test("IN and OUT named '-…' after '--': converted and verified; the command shown runs natively as it is", () => {
    clean();
    writeFileSync(join(work.dir, '-in.qcow2'), readFileSync(src));
    const r = cli(['convert', '--to', 'raw', '--json', '--', '-in.qcow2', '-out.raw']);
    assert.equal(r.exitCode, 0, describeRun('convert -- -in.qcow2 -out.raw', r));
    const j = JSON.parse(r.stdout) as { command: string[]; verified: boolean };
    assert.equal(j.verified, true);
    assert.deepEqual(j.command.slice(-3), ['--', '-in.qcow2', '-out.raw']);
    const again = native([...j.command.slice(0, -1), '-native.raw'], work.dir);
    assertOk(again, 'the command run natively');
    assert.ok(readFileSync(join(work.dir, '-out.raw')).equals(readFileSync(join(work.dir, '-native.raw'))), 'the same bytes as native');
  });
});
