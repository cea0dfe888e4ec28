// Guest block access through the wasm qemu-img (workers/qemu-img/guest-reader.ts) on a RHEL 7-like
// disk converted by native qemu-img to each format qemu-img opens: every byte read through the
// reader equals the raw disk's, and inspectGuest() finds the same guest in every format.
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inspectGuest } from '../../../src/core/guest/inspect-guest.ts';
import { fileSource } from '../../../src/cli/node-byte-source.ts';
import { inspectImage } from '../../../src/core/inspection-pipeline.ts';
import { createGuestReader } from '../../../workers/qemu-img/guest-reader.ts';
import { runQemuImg, shutdownQemuImg } from '../../../workers/qemu-img/node.ts';
import { rhel7Disk } from './distros.ts';
import { sh, workdir } from './images.ts';

const T = { timeout: 120_000 };
const dir = workdir();
const raw = rhel7Disk(dir, false, 'dos');
const size = statSync(raw).size;
after(() => shutdownQemuImg());

function rawBytes(offset: number, length: number): Uint8Array {
  const fd = openSync(raw, 'r');
  try {
    const b = new Uint8Array(length);
    readSync(fd, b, 0, length, offset);
    return b;
  } finally {
    closeSync(fd);
  }
}

function reader(image: string[]) {
  return createGuestReader({ image, size, run: (args, out) => runQemuImg(args, { memoryOutputs: [out], timeoutMs: 60_000 }) });
}

const OFFSETS: Array<[number, number]> = [
  [0, 512],
  [1024 * 1024 + 1024, 1024], // /boot's ext4 superblock
  [9 * 1024 * 1024 + 4000, 300_000], // spans chunks
  [size - 700, 700],
];

async function sameAsRaw(image: string[]): Promise<void> {
  const r = reader(image);
  for (const [o, n] of OFFSETS) assert.deepEqual(await r.read(o, n), rawBytes(o, n), `${o}+${n}`);
  const g = await inspectGuest(r.read, size);
  assert.deepEqual(
    { distro: g?.os.distro, version: g?.os.version, fs: g?.filesystems.map((f) => `${f.device} ${f.type} ${f.mountpoint}`) },
    { distro: 'rhel', version: '7.9', fs: ['/dev/sda1 ext4 /boot', '/dev/mapper/rhel-root xfs /'] },
  );
  const s = r.stats();
  assert.ok(s.runs > 0 && s.runs < 40, `${s.runs} runs`);
}

for (const [fmt, opts] of [
  ['qcow2', []],
  ['vmdk', ['-o', 'subformat=twoGbMaxExtentSparse']],
  ['vhdx', []],
  ['vpc', ['-o', 'subformat=fixed']],
  ['vdi', []],
] as const) {
  test(`${fmt}: guest bytes and guest facts equal the raw disk's`, T, async () => {
    const out = join(dir, `disk.${fmt}`);
    sh('qemu-img', ['convert', '-f', 'raw', '-O', fmt, ...opts, raw, out]);
    await sameAsRaw(['-f', fmt, out]);
  });
}

test("an OVA's disk read in place (raw window under the vmdk driver)", T, async () => {
  const vmdk = join(dir, 'disk1.vmdk');
  sh('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, vmdk]);
  writeFileSync(join(dir, 'a.ovf'), '<?xml version="1.0"?><Envelope/>\n');
  const ova = join(dir, 'a.ova');
  sh('tar', ['--format=ustar', '-C', dir, '-cf', ova, 'a.ovf', 'disk1.vmdk']);
  // ustar: header, the 512-byte-padded ovf, then the disk's header.
  const offset = 512 + 512 + 512;
  const opts = `driver=vmdk,file.driver=raw,file.offset=${offset},file.size=${statSync(vmdk).size},file.file.driver=file,file.file.filename=${ova}`;
  await sameAsRaw(['--image-opts', opts]);
});

test('a file qemu-img cannot open is an error with its message, not a hang', T, async () => {
  const bad = join(dir, 'bad.qcow2');
  writeFileSync(bad, 'QFI\xfb not really');
  await assert.rejects(reader(['-f', 'qcow2', bad]).read(0, 512), /could not read guest bytes 0\+262144 \(exit 1: qemu-img: /);
});

test('the pipeline: the verdict comes first, the budget ends the guest step with a finding, the verdict stands', T, async () => {
  const file = join(dir, 'disk.qcow2');
  sh('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, file]);
  const source = await fileSource(file);
  const events: string[] = [];
  try {
    const r = await inspectImage({
      file,
      source,
      guest: { budget: { maxBytes: 64 * 1024 } },
      open: (target) => {
        const image = ['-f', target.format, file];
        return {
          image,
          run: (args, o) => runQemuImg(args, o),
          guest: (sz, isZero) =>
            createGuestReader({
              image,
              size: sz,
              run: (args, out) => runQemuImg(args, { memoryOutputs: [out] }),
              ...(isZero ? { isZero } : {}),
            }),
        };
      },
      onVerdict: (v) => {
        events.push(`verdict ${v.safety.safe} ${'guest' in v}`);
      },
      onGuest: () => {
        events.push('guest');
      },
    });
    assert.deepEqual(events, ['verdict true false', 'guest']);
    assert.equal(r.safety.safe, true);
    const f = r.safety.findings.find((x) => x.code === 'guest.budget-exceeded');
    assert.ok(f, JSON.stringify(r.safety.findings));
    assert.match(f.message, /more than 65536 bytes fetched through qemu-img/);
  } finally {
    await source.close();
  }
});
