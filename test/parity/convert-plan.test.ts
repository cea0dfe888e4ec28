// Conversion planning on real inspections (safety core + native qemu-img info of the shared
// corpus); the planned arguments are then run by native qemu-img and the output compared.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCorpus, type Corpus } from '../corpus/generate.ts';
import { blobSource } from '../../src/core/inspect/byte-source.ts';
import { inspectSafety } from '../../src/core/inspect/safety.ts';
import { buildInspection, type InspectionResult } from '../../src/core/inspection.ts';
import { planConversion, conversionAdvised, outputNameFor, spaceNeeded, CONVERT_TARGETS } from '../../src/core/convert/plan.ts';
import { conversionAdvice, fixAgreesWithAdvice } from '../../src/core/convert/advice.ts';
import { GLANCE_DISK_FORMATS, qemuDriverFor } from '../../src/core/inspect/glance-formats.ts';

let corpus: Corpus;
before(() => {
  corpus = ensureCorpus();
});

async function inspect(file: string): Promise<InspectionResult> {
  return inspectAt(join(corpus.dir, file), file);
}

async function inspectAt(path: string, file: string): Promise<InspectionResult> {
  const safety = await inspectSafety(blobSource(await openAsBlob(path), file));
  const driver = qemuDriverFor(safety.detected);
  const info =
    safety.qemuAccess !== 'none' && driver
      ? JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-f', driver, path], { encoding: 'utf8' }))
      : null;
  return buildInspection({ file, safety, info });
}

/** One card's advice and the fixes shown beside it agree: no fix offers a refused conversion. */
function assertOneVoice(r: InspectionResult): void {
  const advice = conversionAdvice(r);
  for (const f of r.safety.findings) {
    if (!fixAgreesWithAdvice(f, advice)) continue;
    if (advice.kind === 'refused' && advice.code !== 'missing-files' && advice.code !== 'needs-parent')
      assert.doesNotMatch(f.fix, /convert/i, `${f.code}: its shown fix offers a conversion the plan refuses`);
  }
}

async function inspectHostile(id: string): Promise<InspectionResult> {
  const path = corpus.hostile.find((h) => h.id === id)!.path;
  return inspectAt(path, path.replace(/^.*\//, ''));
}

describe('conversion advice: one voice per card', () => {
  test('a truncated qcow2: no conversion unless the user accepts incomplete data', async () => {
    const r = await inspectHostile('truncated.qcow2');
    const refused = planConversion(r, 'qcow2', 'truncated.qcow2');
    assert.equal(refused.ok ? '' : refused.code, 'incomplete');
    assert.equal(conversionAdvice(r).kind, 'incomplete');
    assert.equal(planConversion(r, 'qcow2', 'truncated.qcow2', { acceptIncomplete: true }).ok, true);
    for (const f of r.safety.findings) if (/convert/i.test(f.fix)) assert.equal(fixAgreesWithAdvice(f, conversionAdvice(r)), false);
  });

  test('descriptors qemu-img is kept from, and a backing-file qcow2: fixes agree with the refusal', async () => {
    for (const id of ['no-extents.vmdk', 'escaping-extent.vmdk']) {
      const r = await inspectHostile(id);
      assert.deepEqual(conversionAdvice(r), { kind: 'refused', code: 'not-opened', advised: true });
      const shown = r.safety.findings.filter((f) => fixAgreesWithAdvice(f, conversionAdvice(r)));
      assert.ok(!shown.some((f) => f.code === 'vmdk.create-type'), `${id}: the create-type "convert it here" is withheld`);
      assertOneVoice(r);
    }
    const overlay = await inspect('overlay.qcow2');
    assert.deepEqual(conversionAdvice(overlay), { kind: 'refused', code: 'needs-parent', advised: true });
    const backing = overlay.safety.findings.find((f) => f.code === 'qcow2.backing-file')!;
    assert.doesNotMatch(backing.fix, /\bhere\b/, 'the fix does not promise a conversion here');
    assert.equal(fixAgreesWithAdvice(backing, conversionAdvice(overlay)), true);
  });

  test('a split VMDK with all its extents read: no "select the descriptor" left', async () => {
    const r = await inspect('small-twoGbMaxExtentSparse.vmdk');
    assert.equal(conversionAdvice(r).kind, 'advised');
    for (const f of r.safety.findings) assert.doesNotMatch(f.fix, /select the descriptor/i, f.code);
  });
});

describe('planConversion', () => {
  test('monolithicFlat VMDK: advised, planned to qcow2 with an explicit -f vmdk', async () => {
    const r = await inspect('small-monolithicFlat.vmdk');
    assert.equal(r.safety.safe, false);
    assert.equal(conversionAdvised(r), true);
    const out = planConversion(r, 'qcow2', 'small-monolithicFlat.vmdk');
    assert.ok(out.ok, out.ok ? '' : out.reason);
    assert.deepEqual(out.plan.args, [
      'convert',
      '-p',
      '-f',
      'vmdk',
      '-O',
      'qcow2',
      '/in/small-monolithicFlat.vmdk',
      '/out/small-monolithicFlat.qcow2',
    ]);
    assert.deepEqual(out.plan.measureArgs.slice(0, 6), ['measure', '--output=json', '-f', 'vmdk', '-O', 'qcow2']);
    assert.equal(out.plan.target, 'qcow2');
  });

  test('vmdk target is streamOptimized; every target names a Glance disk_format', async () => {
    const r = await inspect('small.qcow2');
    assert.equal(conversionAdvised(r), false);
    for (const t of CONVERT_TARGETS) {
      const out = planConversion(r, t, 'small.qcow2');
      assert.ok(out.ok);
      assert.ok((GLANCE_DISK_FORMATS as readonly string[]).includes(out.plan.target), `${t} is a Glance disk_format`);
      assert.equal(out.plan.args.includes('subformat=streamOptimized'), t === 'vmdk');
      assert.ok(!out.plan.args.includes('/out/small.qcow2'), 'never the source name');
    }
  });

  test('refuses what the safety core keeps qemu-img away from, backing chains and unknown targets', async () => {
    // A lone extent of a split VMDK: the safety core keeps qemu-img away (qemuAccess 'none').
    const extent = await inspect('small-twoGbMaxExtentSparse-s001.vmdk');
    const p = planConversion(extent, 'qcow2', 'small-twoGbMaxExtentSparse-s001.vmdk');
    assert.equal(p.ok, false);
    assert.equal(p.ok ? '' : p.code, 'not-opened');
    const overlay = await inspect('overlay.qcow2');
    const o = planConversion(overlay, 'qcow2', 'overlay.qcow2');
    assert.equal(o.ok, false);
    assert.equal(o.ok ? '' : o.code, 'needs-parent');
    // Parallels is rejected by Glance but safe for qemu-img to read: converting is its fix.
    const parallels = await inspect('small.parallels');
    assert.equal(conversionAdvised(parallels), true);
    assert.equal(planConversion(parallels, 'qcow2', 'small.parallels').ok, true);
    const bad = planConversion(await inspect('small.qcow2'), 'qed', 'small.qcow2');
    assert.equal(bad.ok ? '' : bad.code, 'bad-target');
  });

  test('output names', () => {
    assert.equal(outputNameFor('dir/disk.vmdk', 'qcow2'), 'disk.qcow2');
    assert.equal(outputNameFor('disk.qcow2', 'qcow2'), 'disk-converted.qcow2');
    assert.equal(outputNameFor('my disk<1>.img', 'raw'), 'my_disk_1_.raw');
  });

  test('space: measure required, else the virtual size bound', () => {
    assert.equal(spaceNeeded(1 << 20, '{"required": 12345, "fully-allocated": 99999}'), 12345);
    assert.ok(spaceNeeded(1 << 30, null) > 1 << 30);
    assert.ok(spaceNeeded(1 << 30, 'garbage') > 1 << 30);
  });

  test('the planned command, run by native qemu-img, yields an image equal to the source', async () => {
    const r = await inspect('small-monolithicFlat.vmdk');
    const out = planConversion(r, 'qcow2', 'small-monolithicFlat.vmdk');
    assert.ok(out.ok);
    const dir = mkdtempSync(join(tmpdir(), 'ii-plan-'));
    try {
      const args = out.plan.args
        .filter((a) => a !== '-p')
        .map((a) => (a.startsWith('/in/') ? join(corpus.dir, a.slice(4)) : a.startsWith('/out/') ? join(dir, a.slice(5)) : a));
      execFileSync('qemu-img', args);
      execFileSync('qemu-img', [
        'compare',
        '-q',
        '-f',
        'vmdk',
        '-F',
        'qcow2',
        join(corpus.dir, 'small-monolithicFlat.vmdk'),
        join(dir, out.plan.outputName),
      ]);
      const measured = execFileSync(
        'qemu-img',
        out.plan.measureArgs.map((a) => (a.startsWith('/in/') ? join(corpus.dir, a.slice(4)) : a)),
        { encoding: 'utf8' },
      );
      assert.ok(spaceNeeded(r.virtualSize ?? 0, measured) > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
