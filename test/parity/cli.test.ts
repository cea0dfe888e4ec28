// `npx image-inspector qemu-img …` as a user runs it: a child process through bin/, compared with
// native qemu-img byte for byte (stdout, stderr, exit status), with relative paths and a cwd, and
// into a pipe whose reader goes away (`| head -1`, `2>&1 | head -1`).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCorpus } from '../corpus/generate.ts';
import { native, tempDir, type Ran, ENGINE_REFUSES_NO_EXTENTS, NO_EXTENTS_MESSAGE } from './helpers.ts';
import { CRASH_EXIT_CODE } from '../../workers/qemu-img/types.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

const corpus = ensureCorpus();
const BIN = fileURLToPath(new URL('../../bin/image-inspector.mjs', import.meta.url));

function cli(args: string[], cwd?: string): Ran {
  const r = spawnSync(process.execPath, [BIN, 'qemu-img', ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { exitCode: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function assertSame(args: string[], cwd?: string, opts: { libcGetoptLine?: string } = {}) {
  const n = native(args, cwd);
  const w = cli(args, cwd);
  assert.equal(w.exitCode, n.exitCode, `exit: wasm ${w.exitCode} native ${n.exitCode}\n${w.stderr}`);
  assert.equal(w.stdout, n.stdout);
  if (opts.libcGetoptLine !== undefined && n.stderr !== w.stderr) {
    // QEMU >= 10 lets the C library's getopt_long word a bad option (glibc natively: "unrecognized
    // option '--x'", the wasm's musl: "unrecognized option: x"): that line names the option on
    // both sides, every other line is identical.
    const [nFirst, ...nRest] = n.stderr.split('\n');
    const [wFirst, ...wRest] = w.stderr.split('\n');
    assert.ok(nFirst!.includes(opts.libcGetoptLine) && wFirst!.includes(opts.libcGetoptLine), `${wFirst} / ${nFirst}`);
    assert.match(wFirst!, /^qemu-img( \w+)?: unrecognized option/);
    assert.deepEqual(wRest, nRest);
  } else {
    assert.equal(w.stderr, n.stderr);
  }
}

describe('image-inspector qemu-img CLI', () => {
  const vmdk = corpus.images.find((i) => i.id === 'small.vmdk-twoGbMaxExtentSparse')!;

  test('info --output=json on a multi-file VMDK by relative path prints native JSON', () => {
    // actual-size comes from st_blocks through NODEFS: the same file, the same number.
    assertSame(['info', '-f', 'vmdk', '--output=json', basename(vmdk.path)], dirname(vmdk.path));
  });

  test('human info, check and map by absolute path are byte-identical', () => {
    const q = corpus.matrixSources.qcow2;
    assertSame(['info', '-f', 'qcow2', q.path]);
    assertSame(['check', '-f', 'qcow2', q.path]);
    assertSame(['map', '-f', 'qcow2', q.path]);
  });

  test('errors: missing file, unknown format, bad option', () => {
    const t = tempDir('cli');
    try {
      assertSame(['info', '-f', 'qcow2', 'does-not-exist.qcow2'], t.dir);
      assertSame(['info', '-f', 'nosuchformat', corpus.matrixSources.raw.path]);
      assertSame(['convert', '--no-such-option'], undefined, { libcGetoptLine: 'no-such-option' });
      assertSame(['create', '-f', 'qcow2', join(t.dir, 'c.qcow2'), '16M']);
    } finally {
      t.remove();
    }
  });

  test('option listings (-o help, -o ?, amend -o help): what native prints (glib called their sort callbacks with the wrong type: a wasm trap)', () => {
    const q = corpus.matrixSources.qcow2;
    for (const fmt of ['qcow2', 'raw', 'vmdk', 'vpc', 'vhdx', 'vdi']) assertSame(['create', '-f', fmt, '-o', 'help']);
    assertSame(['create', '-f', 'qcow2', '-o', '?']);
    assertSame(['amend', '-f', 'qcow2', '-o', 'help', q.path]);
  });

  test('an image native crashes on: exits 134 like native with the reason, or (v2) a clear error', () => {
    const h = corpus.hostile.find((x) => x.id === 'no-extents.vmdk')!;
    const n = native(['info', '-f', 'vmdk', h.path]);
    const w = cli(['info', '-f', 'vmdk', h.path]);
    assert.equal(n.exitCode, CRASH_EXIT_CODE);
    if (ENGINE_REFUSES_NO_EXTENTS) {
      assert.equal(w.exitCode, 1, w.stderr);
      assert.equal(w.stderr, `qemu-img: Could not open '${h.path}': ${NO_EXTENTS_MESSAGE}\n`);
    } else {
      assert.equal(w.exitCode, CRASH_EXIT_CODE);
      assert.match(w.stderr, /s->num_extents/);
    }
  });

  test('convert -p streams the same progress bytes', () => {
    const t = tempDir('clip');
    try {
      const src = corpus.matrixSources.qcow2.path;
      const n = native(['convert', '-p', '-f', 'qcow2', '-O', 'raw', src, 'n.raw'], t.dir);
      const w = cli(['convert', '-p', '-f', 'qcow2', '-O', 'raw', src, 'w.raw'], t.dir);
      assert.equal(w.exitCode, 0, w.stderr);
      assert.equal(w.stdout, n.stdout);
      assert.equal(native(['compare', '-f', 'raw', '-F', 'raw', join(t.dir, 'n.raw'), join(t.dir, 'w.raw')]).exitCode, 0);
    } finally {
      t.remove();
    }
  });
});

/** `CMD | head -1` (stderr apart) or `CMD 2>&1 | head -1` in bash: what head printed, CMD's own
 *  exit status (PIPESTATUS) and CMD's stderr when apart. */
function throughHead(cmd: string[], cwd: string, both: boolean): { line: string; status: number; stderr: string } {
  const quoted = cmd.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const script = `${quoted} ${both ? '2>&1' : '2>"$ERR"'} | head -1; echo "status=\${PIPESTATUS[0]}"`;
  const err = join(cwd, 'stderr.txt');
  const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ERR: err } });
  if (r.error) throw r.error;
  const m = /^([\s\S]*?)status=(\d+)\n$/.exec(r.stdout);
  assert.ok(m, r.stdout + r.stderr);
  return { line: m[1]!, status: Number(m[2]), stderr: both ? '' : readFileSync(err, 'utf8') };
}

/** A qcow2 of 512-byte clusters, every other one data: 32768 map entries (~4 MiB of JSON), far
 *  more than a pipe's 64 KiB, so the writer meets the closed reader. */
function alternating(dir: string, name: string): string {
  const raw = join(dir, `${name}.raw`);
  const b = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < b.length; i += 1024) b.fill(1, i, i + 512);
  writeFileSync(raw, b);
  const out = join(dir, name);
  assert.equal(native(['convert', '-S', '512', '-f', 'raw', '-O', 'qcow2', '-o', 'cluster_size=512', raw, out]).exitCode, 0);
  return out;
}

/** Drops the L1 table: every cluster leaks, and `check` reports each on stderr (~40 bytes a line). */
function leaky(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const h = Buffer.alloc(48);
    readSync(fd, h, 0, 48, 0);
    const entries = h.readUInt32BE(36);
    writeSync(fd, Buffer.alloc(entries * 8), 0, entries * 8, Number(h.readBigUInt64BE(40)));
  } finally {
    closeSync(fd);
  }
}

describe('image-inspector qemu-img into a pipe whose reader goes away', { timeout: 120_000 }, () => {
  // Native qemu-img ignores SIGPIPE: it runs to its end and exits with its own status, quietly.
  const wasmCmd = (args: string[]) => [process.execPath, BIN, 'qemu-img', ...args];
  const nativeCmd = (args: string[]) => [NATIVE_QEMU_IMG, ...args];

  test('`info F | head -1` and `map F | head -1`: the same line, status and (empty) stderr as native', () => {
    const t = tempDir('clip-pipe');
    try {
      const img = alternating(t.dir, 'alt.qcow2');
      for (const args of [
        ['info', '-f', 'qcow2', 'alt.qcow2'],
        ['map', '--output=json', '-f', 'qcow2', 'alt.qcow2'],
      ]) {
        const n = throughHead(nativeCmd(args), t.dir, false);
        const w = throughHead(wasmCmd(args), t.dir, false);
        assert.deepEqual(w, n, `${args[0]} ${img}`);
        assert.equal(w.stderr, '');
      }
    } finally {
      t.remove();
    }
  });

  test('`check F 2>&1 | head -1` on a leaky image (stderr outgrows the pipe): as native', () => {
    const t = tempDir('clip-pipe2');
    try {
      leaky(alternating(t.dir, 'leaky.qcow2'));
      const args = ['check', '-f', 'qcow2', 'leaky.qcow2'];
      const n = throughHead(nativeCmd(args), t.dir, true);
      const w = throughHead(wasmCmd(args), t.dir, true);
      assert.match(n.line, /^Leaked cluster \d+ refcount=1 reference=0\n$/);
      assert.deepEqual(w, n);
    } finally {
      t.remove();
    }
  });
});
