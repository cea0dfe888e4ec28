// The convert command's staging: what a killed run left is cleared by the next run for the same OUT.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planOutput } from '../../src/cli/convert-output.ts';

/** A pid that belonged to a process that has exited (and is not reused this soon). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('a staging directory of a dead run for the same OUT is removed; a live one and other files are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ii-convert-output-'));
  try {
    const stale = join(dir, `.out.qcow2.partial-${deadPid()}-abc123`);
    const live = join(dir, `.out.qcow2.partial-${process.pid}-def456`);
    const other = join(dir, `.other.qcow2.partial-${deadPid()}-ghi789`);
    for (const d of [stale, live, other]) {
      mkdirSync(d);
      writeFileSync(join(d, 'out.qcow2'), 'partial');
    }
    const plan = planOutput(join(dir, 'out.qcow2'), true);
    assert.equal(existsSync(stale), false, 'the dead run’s directory is gone');
    assert.equal(existsSync(live), true, 'a running conversion’s directory stays');
    assert.equal(existsSync(other), true, 'another OUT’s directory stays');
    assert.match(plan.writePath, /\.out\.qcow2\.partial-\d+-[^/]+\/out\.qcow2$/);
    assert.equal(plan.discard(), 'no output was left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an OUT that is a directory: written in place (qemu-img refuses it), and said to be as it was', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ii-convert-output-'));
  try {
    const plan = planOutput(dir, true);
    assert.equal(plan.writePath, dir);
    assert.equal(plan.discard(), `${dir} is as it was`);
    assert.equal(existsSync(dir), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
