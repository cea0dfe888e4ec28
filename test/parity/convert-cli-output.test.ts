// `npx image-inspector convert`'s output, as scripts see it: never a partial OUT (the conversion is
// staged beside OUT and renamed onto it, so even SIGKILL leaves no OUT), a pre-existing OUT as it
// was after any failure (staged or, for multi-file VMDKs, written in place), SIGHUP handled like
// SIGINT, a symlinked OUT written through, `inspection` exactly `inspect --json OUT`, and argument
// errors in one sentence.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native, tempDir, describeRun, assertOk, type Ran } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/image-inspector.mjs', import.meta.url));
const MiB = 1024 * 1024;
const work = tempDir('convert-output');
after(() => work.remove());

function cli(args: string[], cwd = work.dir): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { exitCode: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** Names in the work directory that a run left: staged directories are hidden (`.OUT.partial-…`). */
const leftovers = (prefix: string) => readdirSync(work.dir).filter((n) => n.startsWith(prefix) || n.startsWith(`.${prefix}`));

/** A 16 MiB qcow2 with data in a few places. */
const src = join(work.dir, 'src.qcow2');
before(() => {
  const raw = join(work.dir, 'src.raw');
  const b = Buffer.alloc(16 * MiB);
  randomBytes(200_000).copy(b, 4321);
  randomBytes(50_000).copy(b, 11 * MiB + 7);
  writeFileSync(raw, b);
  assertOk(native(['convert', '-f', 'raw', '-O', 'qcow2', raw, src]), 'make the source');
});

describe('a failure keeps a pre-existing OUT', { timeout: 120_000 }, () => {
  test('staged (qcow2): an option qemu-img refuses leaves OUT as it was, no staged file', () => {
    const out = join(work.dir, 'kept.qcow2');
    writeFileSync(out, 'the previous OUT\n');
    const r = cli(['convert', src, out, '--to', 'qcow2', '-o', 'refcount_bits=3']);
    assert.equal(r.exitCode, 2, describeRun('refused by qemu-img', r));
    assert.match(r.stderr, /qemu-img convert failed/);
    assert.match(r.stderr, /kept\.qcow2 is as it was\n$/);
    assert.doesNotMatch(r.stderr, /partial/, 'messages name OUT, not the staged file');
    assert.equal(readFileSync(out, 'utf8'), 'the previous OUT\n');
    assert.deepEqual(leftovers('kept'), ['kept.qcow2']);
  });

  test('in place (twoGbMaxExtentSparse): an option qemu-img refuses leaves OUT and its extents as they were', () => {
    const out = join(work.dir, 'multi.vmdk');
    const ok = cli(['convert', src, out, '--to', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse']);
    assert.equal(ok.exitCode, 0, describeRun('multi-file VMDK', ok));
    const before = Object.fromEntries(leftovers('multi').map((n) => [n, readFileSync(join(work.dir, n)).toString('base64')]));
    assert.deepEqual(Object.keys(before).sort(), ['multi-s001.vmdk', 'multi.vmdk']);
    const r = cli(['convert', src, out, '--to', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse,nonsense=1']);
    assert.equal(r.exitCode, 2, describeRun('refused by qemu-img', r));
    const now = Object.fromEntries(leftovers('multi').map((n) => [n, readFileSync(join(work.dir, n)).toString('base64')]));
    assert.deepEqual(now, before);
  });
});

describe('the published output', { timeout: 180_000 }, () => {
  /** inspect's guestStats.elapsedMs is what one run took, not a fact of the image. */
  const timeless = (v: Record<string, unknown>) => {
    const stats = v.guestStats as Record<string, unknown> | undefined;
    if (stats) delete stats.elapsedMs;
    return v;
  };

  for (const [to, o] of [
    ['qcow2', []],
    ['vmdk', ['-o', 'subformat=monolithicSparse']],
  ] as const) {
    test(`--to ${to}: --json's inspection is \`inspect --json OUT\` (relative paths)`, () => {
      const name = `same.${to}`;
      const r = cli(['convert', 'src.qcow2', name, '--to', to, ...o, '--json']);
      assert.equal(r.exitCode, 0, describeRun('convert', r));
      const j = JSON.parse(r.stdout) as { command: string[]; inspection: Record<string, unknown> };
      assert.equal(j.command.at(-1), name, 'the command is the one to run natively');
      const i = cli(['inspect', '--json', name]);
      assert.equal(i.exitCode, 0, describeRun('inspect', i));
      assert.deepEqual(timeless(j.inspection), timeless(JSON.parse(i.stdout) as Record<string, unknown>));
      assert.doesNotMatch(r.stdout, /partial/);
      assert.deepEqual(
        leftovers('same').filter((n) => n.startsWith('.')),
        [],
      );
    });
  }

  test('a monolithic VMDK records its own name, as native writes it', () => {
    assert.ok(readFileSync(join(work.dir, 'same.vmdk'), 'latin1').includes('SPARSE "same.vmdk"'));
  });

  test('an OUT that is a symlink is written through it, as native does', () => {
    const target = join(work.dir, 'target.qcow2');
    writeFileSync(target, 'old');
    const link = join(work.dir, 'link.qcow2');
    symlinkSync(target, link);
    const r = cli(['convert', src, link, '--to', 'qcow2']);
    assert.equal(r.exitCode, 0, describeRun('convert onto a symlink', r));
    assert.ok(lstatSync(link).isSymbolicLink());
    assertOk(native(['compare', '-f', 'qcow2', '-F', 'qcow2', src, target]), 'the target holds the output');
  });

  test('-o backing_file relative to OUT (as native resolves it): written in place, verified, the backing file named as given', () => {
    const base = join(work.dir, 'base.qcow2');
    writeFileSync(base, readFileSync(src));
    const out = join(work.dir, 'overlay.qcow2');
    const r = cli(['convert', src, out, '--to', 'qcow2', '-o', 'backing_file=base.qcow2,backing_fmt=qcow2', '--json']);
    assert.equal(r.exitCode, 0, describeRun('convert with a relative backing file', r));
    assert.equal((JSON.parse(r.stdout) as { verified: boolean }).verified, true);
    const info = native(['info', '--output=json', '-f', 'qcow2', out]);
    assertOk(info, 'native info');
    assert.equal((JSON.parse(info.stdout) as { 'backing-filename': string })['backing-filename'], 'base.qcow2');
    assertOk(native(['compare', '-f', 'qcow2', '-F', 'qcow2', src, out]), 'the overlay reads as the source');
    assert.deepEqual(leftovers('overlay'), ['overlay.qcow2']);
  });

  test('an OUT that is IN under another name (a symlink or hard link to it) is refused, IN untouched', () => {
    const inCopy = join(work.dir, 'self.qcow2');
    writeFileSync(inCopy, readFileSync(src));
    const before = readFileSync(inCopy).toString('base64');
    const sym = join(work.dir, 'self-sym.qcow2');
    const hard = join(work.dir, 'self-hard.qcow2');
    symlinkSync(inCopy, sym);
    linkSync(inCopy, hard);
    for (const out of [sym, hard]) {
      const r = cli(['convert', inCopy, out, '--to', 'raw']);
      assert.equal(r.exitCode, 2, describeRun(`convert onto ${out}`, r));
      assert.match(r.stderr, /OUT must not be IN, nor a link to it/);
      assert.equal(readFileSync(inCopy).toString('base64'), before, 'IN is as it was');
    }
    assert.ok(lstatSync(sym).isSymbolicLink());
  });

  test("an OUT that is one of IN's extent files (monolithicFlat's -flat.vmdk) is refused, IN untouched", () => {
    const desc = join(work.dir, 'flatsrc.vmdk');
    assertOk(native(['convert', '-f', 'qcow2', '-O', 'vmdk', '-o', 'subformat=monolithicFlat', src, desc]), 'make a flat VMDK');
    const extent = join(work.dir, 'flatsrc-flat.vmdk');
    const before = readFileSync(extent).toString('base64');
    const r = cli(['convert', desc, extent, '--to', 'qcow2', '--force']);
    assert.equal(r.exitCode, 2, describeRun('convert onto its own extent', r));
    assert.match(r.stderr, /OUT must not be .*flatsrc-flat\.vmdk, a file IN reads/);
    assert.equal(readFileSync(extent).toString('base64'), before, 'the extent is as it was');
  });
});

/** A ~1 GiB raw that is sparse but written in many places: long enough to stop mid-conversion. */
function bigSource(): string {
  const path = join(work.dir, 'big.raw');
  const fd = openSync(path, 'w');
  try {
    for (let at = 0; at < 1024 * MiB; at += 4 * MiB) writeSync(fd, randomBytes(256 * 1024), 0, 256 * 1024, at);
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Starts a conversion to OUT and sends `signal` once the staged output is being written. */
async function stopMidway(
  input: string,
  out: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string; sent: boolean }> {
  const name = out.slice(work.dir.length + 1);
  const staged = () => readdirSync(work.dir).some((n) => n.startsWith(`.${name}.partial-`) && existsSync(join(work.dir, n, name)));
  const child = spawn(process.execPath, [BIN, 'convert', input, out, '--to', 'qcow2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && /converting: \d+ %/.test(stderr) && staged()) {
      sent = true;
      child.kill(signal);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, stderr, sent };
}

describe('a stopped run leaves no partial OUT', { timeout: 300_000 }, () => {
  let big = '';
  before(() => (big = bigSource()));
  after(() => rmSync(big, { force: true }));

  test('SIGKILL mid-conversion: no OUT, only the hidden staged directory', async () => {
    const out = join(work.dir, 'killed.qcow2');
    const r = await stopMidway(big, out, 'SIGKILL');
    assert.ok(r.sent, `the conversion ended before it could be killed:\n${r.stderr}`);
    assert.equal(existsSync(out), false);
    const left = leftovers('killed');
    assert.equal(left.length, 1, left.join(' '));
    assert.match(left[0]!, /^\.killed\.qcow2\.partial-\d+-/);
    rmSync(join(work.dir, left[0]!), { recursive: true });
  });

  test('SIGHUP mid-conversion: exit 2, a pre-existing OUT as it was, nothing staged left', async () => {
    const out = join(work.dir, 'hangup.qcow2');
    writeFileSync(out, 'the previous OUT\n');
    const r = await stopMidway(big, out, 'SIGHUP');
    assert.ok(r.sent, `the conversion ended before it could be stopped:\n${r.stderr}`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /interrupted by SIGHUP; .*hangup\.qcow2 is as it was\n$/);
    assert.equal(readFileSync(out, 'utf8'), 'the previous OUT\n');
    assert.deepEqual(leftovers('hangup'), ['hangup.qcow2']);
  });
});

describe('argument errors', () => {
  test('one sentence that points to --help; --help prints the usage', () => {
    for (const [args, sentence] of [
      [['convert', src], 'IN and OUT are needed'],
      [['convert', src, 'x.qcow2'], '--to FORMAT is needed'],
      [['convert', src, 'x.qcow2', '--to', 'qcow2', '--bogus'], 'unknown option --bogus'],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.exitCode, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `image-inspector convert: ${sentence} (see image-inspector convert --help)\n`);
    }
    const h = cli(['convert', '--help']);
    assert.equal(h.exitCode, 0);
    assert.match(h.stdout, /^usage: image-inspector convert IN OUT --to FORMAT/);
  });
});
