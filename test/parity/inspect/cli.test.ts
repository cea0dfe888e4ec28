// `image-inspector inspect`: output shapes, exit status, and how qemu-img is called — always with
// an explicit format, never on a hostile file. qemu-img here is native qemu-img behind the
// runner interface (the wasm runner is compared with native in cli-wasm.test.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { run } from '../../../src/cli/inspect-command.ts';
import type { InspectionResult } from '../../../src/core/inspection.ts';
import { MiB, nativeInfo, qemuCreate, sh, workdir } from './helpers.ts';
import { NATIVE_QEMU_IMG } from '../../helpers/engine.ts';

const dir = workdir();

function nativeRunner(calls: string[][]) {
  return async (args: string[]) => {
    calls.push(args);
    const r = spawnSync(NATIVE_QEMU_IMG, args, { encoding: 'utf8' });
    return { exitCode: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, durationMs: 0 };
  };
}

async function cli(args: string[], calls: string[][] = []): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await run(args, {
    runner: nativeRunner(calls),
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
  });
  return { status, out, err };
}

describe('inspect CLI', () => {
  const good = qemuCreate(dir, 'good.qcow2', 'qcow2', 64 * MiB);
  const backing = qemuCreate(dir, 'child.qcow2', 'qcow2', 64 * MiB, {}, ['-b', good, '-F', 'qcow2']);

  test('--json for one file prints one object equal to native info; exit 0 when safe', async () => {
    const calls: string[][] = [];
    const { status, out } = await cli(['--json', good], calls);
    assert.equal(status, 0);
    const r = JSON.parse(out) as InspectionResult;
    assert.equal(Array.isArray(r), false);
    assert.deepEqual(r.info, nativeInfo(good, 'qcow2'));
    assert.equal(r.format, 'qcow2');
    assert.equal(r.virtualSize, 64 * MiB);
    assert.equal(r.safety.safe, true);
    assert.equal(r.check?.status, 'clean');
    assert.equal(r.allocation?.virtualSize ?? r.allocation?.zero, 64 * MiB);
    assert.deepEqual(
      calls.map((c) => c[0]),
      ['info', 'check', 'map'],
    );
    for (const c of calls) assert.deepEqual(c.slice(-3), ['-f', 'qcow2', good]);
  });

  test('several files print an array; exit 1 when one is unsafe; backing files are only given to info', async () => {
    const calls: string[][] = [];
    const { status, out } = await cli(['--json', good, backing], calls);
    assert.equal(status, 1);
    const rs = JSON.parse(out) as InspectionResult[];
    assert.equal(rs.length, 2);
    assert.equal(rs[1]!.safety.safe, false);
    assert.ok(rs[1]!.safety.findings.some((f) => f.code === 'qcow2.backing-file'));
    assert.deepEqual(
      calls.filter((c) => c.includes(backing)).map((c) => c[0]),
      ['info'],
    );
  });

  test('--format checks the declared disk_format', async () => {
    const { status, out } = await cli(['--json', '--format', 'raw', good]);
    assert.equal(status, 1);
    assert.ok((JSON.parse(out) as InspectionResult).safety.findings.some((f) => f.code === 'format.mismatch'));
  });

  test('a hostile VMDK is never opened by qemu-img', async () => {
    const evil = join(dir, 'evil.vmdk');
    writeFileSync(evil, '# Disk DescriptorFile\ncreateType="monolithicFlat"\nRW 2048 FLAT "/etc/passwd" 0\n');
    const empty = join(dir, 'empty.vmdk');
    writeFileSync(empty, '# Disk DescriptorFile\ncreateType="monolithicSparse"\n');
    const calls: string[][] = [];
    const { status, out } = await cli(['--json', evil, empty], calls);
    assert.equal(status, 1);
    assert.deepEqual(calls, []);
    const rs = JSON.parse(out) as InspectionResult[];
    assert.ok(rs[0]!.safety.findings.some((f) => f.code === 'vmdk.extent-path'));
    assert.ok(rs[1]!.safety.findings.some((f) => f.code === 'vmdk.no-extents'));
    assert.ok(rs.every((r) => r.info === null && r.safety.findings.some((f) => f.code === 'qemu.not-opened')));
  });

  test('the disk inside an OVA is given to qemu-img by byte range, with its format', async () => {
    const sub = join(dir, 'ova');
    sh('mkdir', ['-p', sub]);
    const disk = qemuCreate(sub, 'disk1.vmdk', 'vmdk', 32 * MiB, { subformat: 'streamOptimized' });
    writeFileSync(
      join(sub, 'a.ovf'),
      '<Envelope><References><File ovf:href="disk1.vmdk" ovf:id="f1"/></References><DiskSection><Disk ovf:diskId="d1" ovf:fileRef="f1" ovf:capacity="32" ovf:capacityAllocationUnits="byte * 2^20"/></DiskSection></Envelope>',
    );
    const ova = join(dir, 'a.ova');
    sh('tar', ['--format=ustar', '-cf', ova, '-C', sub, 'a.ovf', 'disk1.vmdk']);
    const calls: string[][] = [];
    const { out } = await cli(['--json', ova], calls);
    const r = JSON.parse(out) as InspectionResult;
    assert.equal(r.detected, 'ova');
    assert.equal(r.info?.['virtual-size'], nativeInfo(disk, 'vmdk')['virtual-size']);
    assert.equal(r.info?.format, 'vmdk');
    assert.ok(calls.length >= 1 && calls.every((c) => c.includes('--image-opts') && c.some((a) => a.startsWith('driver=vmdk,'))));
    assert.equal(r.suggested.container_format, 'ova');
    assert.equal(r.suggested.disk_format, 'vmdk');
    assert.deepEqual(
      r.appliance?.disks.map((d) => d.name),
      ['disk1.vmdk'],
    );
  });

  test('the readable summary names the verdict, findings and suggestions', async () => {
    const { status, out } = await cli([backing]);
    assert.equal(status, 1);
    assert.match(out, /NOT SAFE/);
    assert.match(out, /qcow2\.backing-file/);
    assert.match(out, /disk_format=qcow2/);
  });

  test('usage errors and unreadable files exit 2; --help exits 0', async () => {
    assert.equal((await cli([])).status, 2);
    assert.equal((await cli(['--bogus', good])).status, 2);
    assert.equal((await cli(['--format', 'qcow3', good])).status, 2);
    const missing = await cli([join(dir, 'nope.img')]);
    assert.equal(missing.status, 2);
    assert.match(missing.err, /nope\.img/);
    const help = await cli(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.out, /exit status/);
  });
});
