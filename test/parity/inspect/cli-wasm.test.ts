// The inspect CLI with the real WebAssembly qemu-img (workers/qemu-img/node.ts): its `info`
// equals native `qemu-img info` on files native qemu-img made, and the verdict on crafted unsafe
// files holds (hostile ones are never opened).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../../../src/cli/inspect-command.ts';
import type { InspectionResult } from '../../../src/core/inspection.ts';
import { MiB, nativeInfo, qemuCreate, sh, workdir } from './helpers.ts';

const dir = workdir();

async function inspectJson(files: string[]): Promise<{ status: number; results: InspectionResult[] }> {
  let out = '';
  const status = await run(['--json', ...files], { out: (s) => { out += s; }, err: () => {} });
  const parsed = JSON.parse(out) as InspectionResult | InspectionResult[];
  return { status, results: Array.isArray(parsed) ? parsed : [parsed] };
}

test('wasm qemu-img info equals native qemu-img info for every writable format', async () => {
  const cases: [string, string, Record<string, string>][] = [
    ['a.qcow2', 'qcow2', {}],
    ['a.vmdk', 'vmdk', { adapter_type: 'lsilogic' }],
    ['so.vmdk', 'vmdk', { subformat: 'streamOptimized' }],
    ['a.vhd', 'vpc', {}],
    ['a.vhdx', 'vhdx', {}],
    ['a.vdi', 'vdi', {}],
    ['a.raw', 'raw', {}],
  ];
  const files = cases.map(([name, fmt, o]) => qemuCreate(dir, name, fmt, 96 * MiB, o));
  const { status, results } = await inspectJson(files);
  assert.equal(status, 0, JSON.stringify(results.map((r) => r.safety.findings)));
  for (const [i, [, fmt]] of cases.entries()) {
    const r = results[i]!;
    // actual-size is the host's block accounting of the file, which the wasm sees through NODEFS.
    const { 'actual-size': _a, ...wasmInfo } = r.info ?? {};
    const { 'actual-size': _n, ...native } = nativeInfo(files[i]!, fmt);
    assert.deepEqual(wasmInfo, native, files[i]);
    assert.equal(r.virtualSize, nativeInfo(files[i]!, fmt)['virtual-size']);
    assert.equal(r.safety.safe, true, files[i]);
  }
});

test('wasm verdicts on unsafe files; hostile descriptors are never opened', async () => {
  const base = qemuCreate(dir, 'base.qcow2', 'qcow2', 16 * MiB);
  const child = qemuCreate(dir, 'child.qcow2', 'qcow2', 16 * MiB, {}, ['-b', base, '-F', 'qcow2']);
  const noExtents = join(dir, 'noext.vmdk');
  writeFileSync(noExtents, '# Disk DescriptorFile\nversion=1\ncreateType="monolithicSparse"\n');
  const qed = qemuCreate(dir, 'a.qed', 'qed', 16 * MiB);
  const gz = qemuCreate(dir, 'z.qcow2', 'qcow2', 16 * MiB);
  sh('gzip', ['-k', gz]);
  const { status, results } = await inspectJson([child, noExtents, qed, `${gz}.gz`]);
  assert.equal(status, 1);
  const [c, n, q, z] = results as [InspectionResult, InspectionResult, InspectionResult, InspectionResult];
  assert.equal(c.info?.['backing-filename'], base);
  assert.equal(c.check, undefined); // check would open the backing file
  assert.ok(c.safety.findings.some((f) => f.code === 'qcow2.backing-file'));
  assert.equal(n.info, null);
  assert.ok(n.safety.findings.some((f) => f.code === 'vmdk.no-extents'));
  assert.ok(n.safety.findings.some((f) => f.code === 'qemu.not-opened'));
  assert.equal(q.info?.['virtual-size'], nativeInfo(qed, 'qed')['virtual-size']);
  assert.ok(q.safety.findings.some((f) => f.code === 'qed.banned'));
  assert.equal(z.format, 'gzip');
  assert.equal(z.info, null);
});
