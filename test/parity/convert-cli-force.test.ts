// `convert --force` on an image qemu-img cannot read: the refusal's reason says "Fix the findings
// above first", and --force had skipped the list of findings, so nothing was above it. The
// findings come first, then the reason; exit 2, nothing written.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native, tempDir, describeRun, assertOk } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/image-inspector.mjs', import.meta.url));
const work = tempDir('convert-force');
after(() => work.remove());

test('--force on a qcow2 cut after its header: the findings, then the reason; exit 2, no output', { timeout: 120_000 }, () => {
  const src = join(work.dir, 'cut.qcow2');
  assertOk(native(['create', '-f', 'qcow2', src, '64M']), 'make the image');
  truncateSync(src, 72);
  const r = spawnSync(process.execPath, [BIN, 'convert', src, join(work.dir, 'out.qcow2'), '--to', 'qcow2', '--force'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const ran = { exitCode: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  assert.equal(ran.exitCode, 2, describeRun('convert --force', ran));
  assert.equal(ran.stdout, '');
  const lines = ran.stderr.split('\n');
  const reason = lines.findIndex((l) => l.includes('Fix the findings above first'));
  const finding = lines.findIndex((l) => /^ {2}error image\.truncated: /.test(l));
  assert.ok(reason > 0, describeRun('the reason', ran));
  assert.ok(finding >= 0 && finding < reason, describeRun('a finding above the reason', ran));
  assert.deepEqual(readdirSync(work.dir), ['cut.qcow2']);
});
