// `npx image-inspector convert` as scripts run it (a child process through bin/): the contract of
// issue 9 for every target, checked with NATIVE qemu-img (compare and info of the output), -o
// passed through, refusals, --force, host paths under /dev (a /dev/shm cwd, a loop device, the
// shell's descriptors as /dev/stdin and /proc/self/fd/N), a
// closed stdout, and an interrupted run that leaves nothing behind (more on the output's
// publication: convert-cli-output.test.ts).
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type StdioOptions } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native, tempDir, describeRun, assertOk, type Ran } from './helpers.ts';
import { NATIVE_QEMU_IMG } from '../helpers/engine.ts';

const BIN = fileURLToPath(new URL('../../bin/image-inspector.mjs', import.meta.url));
const MiB = 1024 * 1024;
const work = tempDir('convert-cli');
const shm = mkdtempSync('/dev/shm/ii-convert-cli-');
after(() => {
  work.remove();
  rmSync(shm, { recursive: true, force: true });
});

function cli(args: string[], cwd?: string): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 90_000 });
  if (r.error) throw r.error;
  return { exitCode: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

interface ConvertJson {
  source: { file: string; format: string; virtualSize: number };
  output: { file: string; format: string; size: number; virtualSize: number };
  command: string[];
  verified: boolean;
  inspection: { file: string; format: string; safety: { safe: boolean } };
}

/** A 16 MiB qcow2 with data at a few unaligned places and holes between. */
let src = '';
before(() => {
  const raw = join(work.dir, 'src.raw');
  writeFileSync(raw, Buffer.alloc(0));
  const fd = Buffer.alloc(16 * MiB);
  randomBytes(300_000).copy(fd, 12_345);
  randomBytes(70_000).copy(fd, 9 * MiB + 511);
  fd.fill(0x5a, 15 * MiB, 15 * MiB + 4096);
  writeFileSync(raw, fd);
  src = join(work.dir, 'src.qcow2');
  assertOk(native(['convert', '-f', 'raw', '-O', 'qcow2', raw, src]), 'make the source');
});

function nativeInfo(path: string, driver: string): Record<string, unknown> {
  const r = native(['info', '--output=json', '-f', driver, path]);
  assertOk(r, `native info ${path}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function assertIdentical(a: string, aFmt: string, b: string, bFmt: string): void {
  const c = native(['compare', '-f', aFmt, '-F', bFmt, a, b]);
  assert.equal(c.exitCode, 0, describeRun('native compare', c));
  assert.match(c.stdout, /Images are identical\.\n$/);
}

const CASES: Array<{ to: string; driver: string; o?: string; extra?: string[]; check(out: string, info: Record<string, unknown>): void }> =
  [
    {
      to: 'qcow2',
      driver: 'qcow2',
      o: 'compat=0.10,cluster_size=128k',
      extra: ['--compress'],
      check: (_o, i) => {
        assert.equal(i['cluster-size'], 131072);
        assert.equal((i['format-specific'] as { data: { compat: string } }).data.compat, '0.10');
      },
    },
    { to: 'raw', driver: 'raw', check: (out) => assert.ok(statSync(out).blocks * 512 < 2 * MiB, 'raw output stays sparse') },
    {
      to: 'vmdk',
      driver: 'vmdk',
      o: 'subformat=monolithicSparse,adapter_type=lsilogic',
      check: (out, i) => {
        assert.equal((i['format-specific'] as { data: { 'create-type': string } }).data['create-type'], 'monolithicSparse');
        assert.ok(readFileSync(out).includes('ddb.adapterType = "lsilogic"'));
      },
    },
    {
      to: 'vhd',
      driver: 'vpc',
      o: 'subformat=fixed,force_size=on',
      check: (out, i) => {
        assert.equal(i['virtual-size'], 16 * MiB, 'force_size keeps the exact size');
        assert.equal(statSync(out).size, 16 * MiB + 512, 'a fixed VHD is the disk plus its footer');
      },
    },
    { to: 'vhdx', driver: 'vhdx', o: 'block_size=8M', check: (_o, i) => assert.equal(i['cluster-size'], 8 * MiB) },
    {
      to: 'vdi',
      driver: 'vdi',
      o: 'static=on',
      check: (out) => assert.ok(statSync(out).size >= 16 * MiB, 'a static VDI is fully allocated'),
    },
  ];

describe('image-inspector convert: the contract for every target', { timeout: 120_000 }, () => {
  for (const c of CASES) {
    test(`--to ${c.to}${c.o ? ` -o ${c.o}` : ''} --json: verified, identical and as asked by native qemu-img`, () => {
      const out = join(work.dir, `out-${c.to}.${c.to}`);
      const r = cli(['convert', src, out, '--to', c.to, ...(c.o ? ['-o', c.o] : []), ...(c.extra ?? []), '--json']);
      assert.equal(r.exitCode, 0, describeRun('convert', r));
      const j = JSON.parse(r.stdout) as ConvertJson;
      assert.deepEqual(j.source, { file: src, format: 'qcow2', virtualSize: 16 * MiB });
      assert.equal(j.output.file, out);
      assert.equal(j.output.format, c.to);
      assert.equal(j.output.size, statSync(out).size);
      assert.equal(j.verified, true);
      assert.deepEqual(j.command.slice(0, 6), ['convert', '-p', '-f', 'qcow2', '-O', c.driver]);
      assert.deepEqual(j.command.slice(-2), [src, out]);
      assert.equal(j.inspection.file, out);
      assert.equal(j.inspection.format, c.driver);
      assert.match(r.stderr, /converting: 100 %/);
      assert.match(r.stderr, /verifying: 100 %/);
      assertIdentical(src, 'qcow2', out, c.driver);
      const info = nativeInfo(out, c.driver);
      assert.equal(info['virtual-size'], j.output.virtualSize);
      c.check(out, info);
    });
  }
});

describe('image-inspector convert: refusals, --force, bad input', { timeout: 120_000 }, () => {
  test('a combination qemu-img refuses: exit 2 with the sentence, before anything is written', () => {
    const out = join(work.dir, 'refused.raw');
    const r = cli(['convert', src, out, '--to', 'raw', '--compress']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /qemu-img cannot compress raw output/);
    assert.equal(existsSync(out), false);
    const bad = cli(['convert', src, out, '--to', 'vmdk', '-o', 'adapter_type=scsi']);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /does not accept adapter_type=scsi \(expected ide, lsilogic, buslogic, legacyESX\)/);
    assert.equal(cli(['convert', src, out, '--to', 'vpc']).exitCode, 2, 'vpc is spelled vhd here');
  });

  test("-o help (and -o ?) lists the target's options as native convert does, exit 0, nothing written", () => {
    for (const [to, driver, o] of [
      ['qcow2', 'qcow2', 'help'],
      ['vhd', 'vpc', '?'],
    ] as const) {
      const out = join(work.dir, `listed.${to}`);
      const r = cli(['convert', src, out, '--to', to, '-o', o]);
      const n = native(['convert', '-O', driver, '-o', o, src, out]);
      assert.equal(r.exitCode, 0, describeRun(`-o ${o}`, r));
      assert.equal(r.stdout, n.stdout);
      assert.match(r.stdout, /^Supported options:\n/);
      assert.equal(existsSync(out), false);
    }
  });

  test('an unsafe source (QED) is refused with exit 1; --force converts it', () => {
    const qed = join(work.dir, 'src.qed');
    assertOk(native(['convert', '-f', 'qcow2', '-O', 'qed', src, qed]), 'make a QED');
    const out = join(work.dir, 'from-qed.qcow2');
    const r = cli(['convert', qed, out, '--to', 'qcow2']);
    assert.equal(r.exitCode, 1, describeRun('unsafe', r));
    assert.match(r.stderr, /qed\.banned/);
    assert.equal(existsSync(out), false);
    const f = cli(['convert', qed, out, '--to', 'qcow2', '--force', '--no-verify', '--json']);
    assert.equal(f.exitCode, 0, describeRun('--force', f));
    assert.equal((JSON.parse(f.stdout) as ConvertJson).verified, false, '--no-verify says so');
    assertIdentical(qed, 'qed', out, 'qcow2');
  });

  test("a missing source: exit 2 naming it in one plain sentence (not Node's errno text), no output", () => {
    const out = join(work.dir, 'junk.qcow2');
    const r = cli(['convert', join(work.dir, 'missing.qcow2'), out, '--to', 'qcow2']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /missing\.qcow2: cannot open it: there is no such file\n$/);
    assert.doesNotMatch(r.stderr, /ENOENT/);
    assert.equal(existsSync(out), false);
  });

  test('a qcow2 with a backing file: exit 1; --force merges the chain as native does; its parent gone, qemu-img says so', () => {
    const sub = join(work.dir, 'chain');
    mkdirSync(sub, { recursive: true });
    const parent = join(sub, 'parent.qcow2');
    const child = join(sub, 'child.qcow2');
    writeFileSync(parent, readFileSync(src));
    assertOk(native(['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', 'parent.qcow2', child]), 'make the child');
    const out = join(sub, 'merged.raw');
    const r = cli(['convert', child, out, '--to', 'raw']);
    assert.equal(r.exitCode, 1, describeRun('unsafe', r));
    assert.match(r.stderr, /qcow2\.backing-file/);
    const f = cli(['convert', child, out, '--to', 'raw', '--force', '--json']);
    assert.equal(f.exitCode, 0, describeRun('--force', f));
    assert.equal((JSON.parse(f.stdout) as ConvertJson).verified, true);
    assertIdentical(child, 'qcow2', out, 'raw');
    rmSync(parent);
    const gone = cli(['convert', child, join(sub, 'orphan.raw'), '--to', 'raw', '--force']);
    assert.equal(gone.exitCode, 2, describeRun('parent gone', gone));
    assert.match(gone.stderr, /Could not open backing file/);
    assert.equal(existsSync(join(sub, 'orphan.raw')), false);
  });
});

describe('image-inspector convert: a disk inside an OVA', { timeout: 60_000 }, () => {
  test('is converted in place from its byte range (--image-opts), verified', () => {
    const sub = join(work.dir, 'ova');
    mkdirSync(sub, { recursive: true });
    assertOk(
      native(['convert', '-f', 'qcow2', '-O', 'vmdk', '-o', 'subformat=streamOptimized', src, join(sub, 'disk1.vmdk')]),
      'make the disk',
    );
    writeFileSync(
      join(sub, 'a.ovf'),
      '<Envelope><References><File ovf:href="disk1.vmdk" ovf:id="f1"/></References><DiskSection><Disk ovf:diskId="d1" ovf:fileRef="f1" ovf:capacity="16" ovf:capacityAllocationUnits="byte * 2^20"/></DiskSection></Envelope>',
    );
    const ova = join(work.dir, 'a.ova');
    const tar = spawnSync('tar', ['--format=ustar', '-cf', ova, '-C', sub, 'a.ovf', 'disk1.vmdk']);
    assert.equal(tar.status, 0, String(tar.stderr));
    const out = join(work.dir, 'from-ova.qcow2');
    const r = cli(['convert', ova, out, '--to', 'qcow2', '--json']);
    assert.equal(r.exitCode, 0, describeRun('convert an OVA', r));
    const j = JSON.parse(r.stdout) as ConvertJson;
    assert.equal(j.source.format, 'vmdk');
    assert.ok(j.command.includes('--image-opts') && j.command.some((a) => a.startsWith('driver=vmdk,file.driver=raw,file.offset=')));
    assert.equal(j.verified, true);
    assertIdentical(src, 'qcow2', out, 'qcow2');
  });
});

describe('host paths under /dev', { timeout: 120_000 }, () => {
  test('cwd under /dev/shm with relative IN and OUT', () => {
    const r = cli(['convert', 'in.qcow2', 'out.vhdx', '--to', 'vhdx'], prepareShm());
    assert.equal(r.exitCode, 0, describeRun('convert in /dev/shm', r));
    assert.match(r.stdout, /verified: Images are identical\./);
    assertIdentical(src, 'qcow2', join(shm, 'out.vhdx'), 'vhdx');
    const q = cli(['qemu-img', 'info', '-f', 'vhdx', 'out.vhdx'], shm);
    const n = native(['info', '-f', 'vhdx', 'out.vhdx'], shm);
    assert.equal(q.exitCode, 0, q.stderr);
    assert.equal(q.stdout.split('\n')[0], n.stdout.split('\n')[0]);
  });

  test('a loop device as the source (a block device, sized from sysfs)', () => {
    const l = spawnSync('losetup', ['-f', '--show', src], { encoding: 'utf8' });
    assert.equal(l.status, 0, l.stderr);
    const dev = l.stdout.trim();
    try {
      const out = join(shm, 'from-loop.raw');
      const r = cli(['convert', dev, out, '--to', 'raw', '--json']);
      assert.equal(r.exitCode, 0, describeRun('convert a loop device', r));
      assert.equal((JSON.parse(r.stdout) as ConvertJson).source.format, 'qcow2');
      assertIdentical(src, 'qcow2', out, 'raw');
      const w = cli(['qemu-img', 'compare', '-f', 'qcow2', '-F', 'raw', dev, out]);
      assert.equal(w.stdout, 'Images are identical.\n', w.stderr);
    } finally {
      spawnSync('losetup', ['-d', dev]);
    }
  });

  test('a loop device as OUT: written in place, verified, output.size is the device size', () => {
    const backing = join(work.dir, 'loop-out.img');
    writeFileSync(backing, Buffer.alloc(0));
    truncateSync(backing, 20 * MiB);
    const l = spawnSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' });
    assert.equal(l.status, 0, l.stderr);
    const dev = l.stdout.trim();
    try {
      const r = cli(['convert', src, dev, '--to', 'raw', '--json']);
      assert.equal(r.exitCode, 0, describeRun('convert onto a loop device', r));
      const j = JSON.parse(r.stdout) as ConvertJson;
      assert.equal(j.verified, true);
      assert.equal(j.output.size, 20 * MiB, "the device size, not stat's 0");
      assert.equal(j.output.virtualSize, 20 * MiB);
      const c = native(['compare', '-f', 'qcow2', '-F', 'raw', src, dev]);
      assert.equal(c.exitCode, 0, describeRun('native compare', c));
    } finally {
      spawnSync('losetup', ['-d', dev]);
    }
  });

  // The descriptors a shell hands over (`< file`, `3< file`), as native qemu-img opens them; a pipe
  // is refused with native's own sentence.
  test('/dev/stdin and /proc/self/fd/N: the file the shell opened, as native; a pipe refused as native', () => {
    /** Runs with `src` open as descriptor `fd` (0: stdin), as `< src` or `3< src` would. */
    const withFd = (cmd: string, args: string[], fd: 0 | 3) => {
      const f = openSync(src, 'r');
      try {
        const stdio: StdioOptions = fd === 0 ? [f, 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', f];
        return spawnSync(cmd, args, { encoding: 'utf8', stdio });
      } finally {
        closeSync(f);
      }
    };
    const both = (args: string[], fd: 0 | 3) =>
      [withFd(process.execPath, [BIN, 'qemu-img', ...args], fd), withFd(NATIVE_QEMU_IMG, args, fd)] as const;
    for (const [path, fd] of [
      ['/dev/stdin', 0],
      ['/proc/self/fd/0', 0],
      ['/proc/self/fd/3', 3],
    ] as const) {
      const [ours, theirs] = both(['info', '--output=json', path], fd);
      assert.equal(theirs.status, 0, `native: ${theirs.stderr}`);
      assert.equal(ours.status, 0, `${path}: ${ours.stderr}`);
      assert.deepEqual(JSON.parse(ours.stdout), JSON.parse(theirs.stdout), path);
    }
    const out = join(work.dir, 'from-fd3.raw');
    const c = withFd(process.execPath, [BIN, 'qemu-img', 'convert', '-f', 'qcow2', '-O', 'raw', '/proc/self/fd/3', out], 3);
    assert.equal(c.status, 0, c.stderr);
    assertIdentical(src, 'qcow2', out, 'raw');
    const piped = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', input: readFileSync(src) });
    const ours = piped(process.execPath, [BIN, 'qemu-img', 'info', '/proc/self/fd/0']);
    const theirs = piped(NATIVE_QEMU_IMG, ['info', '/proc/self/fd/0']);
    assert.equal(theirs.status, 1);
    assert.equal(ours.status, 1, ours.stdout);
    assert.equal(ours.stderr, theirs.stderr);
  });
});

function prepareShm(): string {
  mkdirSync(shm, { recursive: true });
  writeFileSync(join(shm, 'in.qcow2'), readFileSync(src));
  return shm;
}

/** Runs a command with its stdout (or its stderr) closed before it writes. */
function withClosed(
  which: 'stdout' | 'stderr',
  args: string[],
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child[which].destroy();
    let stdout = '';
    let stderr = '';
    if (which !== 'stdout') child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    if (which !== 'stderr') child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('a closed stdout and an interrupted run', { timeout: 120_000 }, () => {
  test('qemu-img ends as native (which ignores SIGPIPE); inspect quietly with 141', async () => {
    const map = ['map', '--output=json', '-f', 'qcow2', src];
    const q = await withClosed('stdout', [process.execPath, BIN, 'qemu-img', ...map]);
    const n = await withClosed('stdout', [NATIVE_QEMU_IMG, ...map]);
    assert.deepEqual({ code: q.code, stderr: q.stderr }, { code: n.code, stderr: n.stderr });
    const i = await withClosed('stdout', [process.execPath, BIN, 'inspect', '--json', src]);
    assert.deepEqual({ code: i.code, stderr: i.stderr }, { code: 141, stderr: '' });
  });

  // native `qemu-img convert -p … | head -1` ignores SIGPIPE, converts to the end and exits 0:
  // convert did the conversion, then exited 141 (closed stdout) or discarded it (closed stderr)
  for (const which of ['stdout', 'stderr'] as const)
    test(`convert with its ${which} closed runs to its end as native convert: exit 0, OUT published and verified`, async () => {
      const nativeOut = join(work.dir, `closed-${which}-native.qcow2`);
      const n = await withClosed(which, [NATIVE_QEMU_IMG, 'convert', '-p', '-f', 'qcow2', '-O', 'qcow2', src, nativeOut]);
      assert.equal(n.code, 0);
      const out = join(work.dir, `closed-${which}.qcow2`);
      const c = await withClosed(which, [process.execPath, BIN, 'convert', src, out, '--to', 'qcow2', '--json']);
      assert.equal(c.code, n.code, `convert: exit ${c.code}\n${c.stdout}${c.stderr}`);
      assert.doesNotMatch(c.stderr, /EPIPE|Error/);
      if (which === 'stderr') assert.equal((JSON.parse(c.stdout) as { verified: boolean }).verified, true);
      assertOk(native(['compare', '-f', 'qcow2', '-F', 'qcow2', src, out]), 'OUT holds the conversion');
    });

  test('SIGINT mid-conversion: exit 2, the partial output removed', async () => {
    const big = join(work.dir, 'random.raw');
    writeFileSync(big, randomBytes(96 * MiB));
    const out = join(work.dir, 'interrupted.vmdk');
    const child = spawn(process.execPath, [BIN, 'convert', big, out, '--to', 'vmdk'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // The run writes a staged `.interrupted.vmdk.partial-…/interrupted.vmdk` (OUT appears only
      // when verified): stop it once that is being written.
      const staged = readdirSync(work.dir).some(
        (f) => f.startsWith('.interrupted.vmdk.partial-') && existsSync(join(work.dir, f, 'interrupted.vmdk')),
      );
      if (!sent && /converting: \d+ %/.test(stderr) && staged) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    assert.ok(sent, `the conversion ended before it could be interrupted:\n${stderr}`);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /interrupted by SIGINT; no output was left behind/);
    assert.deepEqual(
      readdirSync(work.dir).filter((f) => f.startsWith('interrupted') || f.startsWith('.interrupted')),
      [],
    );
    rmSync(big);
  });
});
