// `image-inspector inspect` with the guest step, on disks test/parity/guest builds, converted by
// native qemu-img to qcow2, VMDK and VHDX and read through the wasm qemu-img: the contract's
// `guest` object and `suggested.*` keys exactly, the same values as the readers give on the raw
// disk, `guest: null` without a guest, `--no-guest`, and the human Guest section.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../../../src/cli/inspect-command.ts';
import { guestJson } from '../../../src/core/guest/contract.ts';
import { inspectGuest } from '../../../src/core/guest/inspect-guest.ts';
import type { InspectionResult } from '../../../src/core/inspection.ts';
import { debianDisk, rhel6Disk, rhel7Disk } from './distros.ts';
import { fileReader, sh, workdir } from './images.ts';

const T = { timeout: 120_000 };
const dir = workdir();

async function cli(args: string[]): Promise<{ status: number; out: string }> {
  let out = '';
  const status = await run(args, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      out += s;
    },
  });
  return { status, out };
}

async function inspectJson(file: string, ...extra: string[]): Promise<InspectionResult> {
  const { out } = await cli(['--json', ...extra, file]);
  return JSON.parse(out) as InspectionResult;
}

function convert(raw: string, fmt: string, opts: string[] = []): string {
  const out = join(dir, `${raw.split('/').pop()}.${fmt}`);
  sh('qemu-img', ['convert', '-f', 'raw', '-O', fmt, ...opts, raw, out]);
  return out;
}

/** What the readers find on the raw disk: the oracle for the converted images. */
async function rawGuest(raw: string) {
  const f = fileReader(raw);
  try {
    return guestJson(await inspectGuest(f.read, f.size));
  } finally {
    f.close();
  }
}

/** The checklist item the CLI adds when it knows the block status (qemu-img map). */
const withoutSparsify = (g: ReturnType<typeof guestJson>['guest']) =>
  g && { ...g, checklist: g.checklist.filter((c) => c.code !== 'guest.free-space-not-zeroed') };

test('qcow2 of a prepared RHEL 7 (XFS on LVM, GPT): the contract exactly', T, async () => {
  const raw = rhel7Disk(dir, true, 'gpt');
  const r = await inspectJson(convert(raw, 'qcow2'));
  const g = r.guest!;
  assert.deepEqual(Object.keys(g), ['os', 'filesystems', 'checklist']);
  assert.deepEqual(g.os, { type: 'linux', distro: 'rhel', version: '7.9', arch: 'x86_64', hostname: 'rhel7-template', firmware: 'bios' });
  for (const f of g.filesystems) assert.deepEqual(Object.keys(f), ['device', 'type', 'uuid', 'label', 'mountpoint', 'size', 'used']);
  for (const c of g.checklist) assert.deepEqual(Object.keys(c), ['code', 'ok', 'step', 'detail']);
  assert.deepEqual(
    g.filesystems.map((f) => [f.device, f.type, f.mountpoint]),
    [
      ['/dev/sda1', 'ext4', '/boot'],
      ['/dev/mapper/rhel-root', 'xfs', '/'],
    ],
  );
  assert.deepEqual(withoutSparsify(g), withoutSparsify((await rawGuest(raw)).guest));
  assert.deepEqual(
    g.checklist.filter((c) => !c.ok).map((c) => c.code),
    [],
  );
  const sparsify = g.checklist.find((c) => c.code === 'guest.free-space-not-zeroed');
  assert.equal(sparsify?.ok, true, 'converted by qemu-img: free blocks hold no data');
  assert.equal(r.suggested['os_distro'], 'rhel');
  assert.equal(r.suggested['os_version'], '7.9');
  assert.equal(r.suggested['architecture'], 'x86_64');
  assert.equal(r.suggested['os_type'], 'linux');
  assert.equal(r.suggested['hw_firmware_type'], 'bios');
  assert.equal(r.suggested['hw_qemu_guest_agent'], 'yes');
  assert.equal(r.suggestedFrom['os_distro'], 'guest /etc/os-release');
  assert.equal(r.suggestedFrom['architecture'], 'guest /bin/bash');
  assert.equal(r.suggested['disk_format'], 'qcow2', 'the verdict and its suggestions stay');
  assert.equal(r.safety.safe, true);
  assert.ok(r.guestStats && r.guestStats.qemuRuns > 0 && r.guestStats.bytesFetched < 64 * 1024 * 1024);
});

test('VMDK of an unprepared RHEL 6 and VHDX of an unprepared Debian: same guest as the raw disk', T, async () => {
  for (const [raw, fmt, opts] of [
    [rhel6Disk(dir, false), 'vmdk', ['-o', 'subformat=monolithicSparse']],
    [debianDisk(dir, false), 'vhdx', []],
  ] as const) {
    const r = await inspectJson(convert(raw, fmt, [...opts]));
    const expected = await rawGuest(raw);
    assert.deepEqual(withoutSparsify(r.guest ?? null), withoutSparsify(expected.guest), fmt);
    assert.ok(r.guest!.checklist.some((c) => c.code === 'guest.machine-id-set' && !c.ok));
    for (const [k, v] of Object.entries(expected.suggested)) assert.equal(r.suggested[k], v, `${fmt} suggested.${k}`);
  }
});

test('no guest: "guest": null; --no-guest: no guest key and no guest suggestions', T, async () => {
  const empty = join(dir, 'empty.qcow2');
  sh('qemu-img', ['create', '-f', 'qcow2', empty, '64M']);
  const r = await inspectJson(empty);
  assert.equal(r.guest, null);
  assert.ok(!('os_distro' in r.suggested));
  const human = await cli([empty]);
  assert.match(human.out, /\n {2}guest: no readable guest file system\n/);

  const raw = rhel7Disk(dir, false, 'dos');
  const skipped = await inspectJson(raw, '--no-guest');
  assert.ok(!('guest' in skipped));
  assert.ok(!('os_distro' in skipped.suggested));
  assert.equal(skipped.suggested['disk_format'], 'raw');
});

test('human output: a Guest section with the OS, file systems and what is left to do', T, async () => {
  const { status, out } = await cli([convert(rhel7Disk(dir, false, 'dos'), 'qcow2', ['-c'])]);
  assert.equal(status, 0);
  assert.match(out, /\n {2}guest: rhel 7\.9 x86_64 \(linux, bios\), hostname rhel7-template\n/);
  assert.match(out, /\n {4}\/dev\/mapper\/rhel-root xfs on \/ [\d.]+ MiB of 40 MiB used {2}LABEL=root UUID=0f2b5c6e-/);
  assert.match(out, /\n {4}TODO guest\.machine-id-set: Clean up the VM \(virt-sysprep\)\n {9}\/etc\/machine-id holds /);
  assert.match(out, /os_distro=rhel {4}\(guest \/etc\/os-release\)/);
});
