// Corrupt and hostile layouts end the reading of that layout or file system with a finding, in
// bounded time; the rest of the disk is still inspected and nothing throws out of inspectGuest().
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { describe, test } from 'node:test';
import { inspectGuest } from '../../../src/core/guest/inspect-guest.ts';
import type { GuestResult } from '../../../src/core/guest/types.ts';
import { debianDisk, rhel7Disk, UUID } from './distros.ts';
import { fileReader, mkDisk, mkExt, mkSwap, mkXfs, partitionOffsets, place, sh, workdir } from './images.ts';
import { vgText, writePv } from './lvm-writer.ts';

const dir = workdir();
const T = { timeout: 60_000 };

async function inspect(disk: string, budget = {}): Promise<GuestResult> {
  const f = fileReader(disk);
  try {
    const r = await inspectGuest(f.read, f.size, budget);
    assert.ok(r);
    return r;
  } finally {
    f.close();
  }
}

function poke(path: string, offset: number, bytes: number[] | Uint8Array): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Uint8Array.from(bytes), 0, bytes.length, offset);
  closeSync(fd);
}

const codes = (r: GuestResult) => r.findings.map((f) => f.code);
const rootTree = {
  'etc/os-release': 'ID=debian\nVERSION_ID=12\n',
  'etc/fstab': `UUID=${UUID.root} / ext4 defaults 0 1\n`,
  'etc/hostname': 'h\n',
};

describe('partition tables', () => {
  test('logical partitions in an extended partition are read (/dev/sda5, /dev/sda6)', T, async () => {
    const disk = mkDisk(
      dir,
      'ext-ok',
      64,
      'label: dos\nstart=2048, size=8192, type=83\nstart=10240, size=120000, type=5\nstart=12288, size=40960, type=83\nstart=55296, size=40960, type=83\n',
    );
    const parts = partitionOffsets(disk);
    place(disk, mkExt(dir, 'logical-root', rootTree, 20, UUID.root, 'root'), parts[2]!.start);
    place(disk, mkExt(dir, 'logical-data', { x: 'y' }, 20, UUID.home, 'data'), parts[3]!.start);
    const r = await inspect(disk);
    assert.deepEqual(
      r.filesystems.map((f) => [f.device, f.label, f.mountpoint]),
      [
        ['/dev/sda5', 'root', '/'],
        ['/dev/sda6', 'data', null],
      ],
    );
    assert.equal(r.os.distro, 'debian');
  });

  test('an extended boot record chain that loops', T, async () => {
    const disk = mkDisk(
      dir,
      'ebr-loop',
      64,
      'label: dos\nstart=2048, size=8192, type=83\nstart=10240, size=120000, type=5\nstart=12288, size=40960, type=83\nstart=55296, size=40960, type=83\n',
    );
    const parts = partitionOffsets(disk);
    place(disk, mkExt(dir, 'p1-root', rootTree, 4, UUID.root, 'root'), parts[0]!.start);
    // The second EBR's "next" entry points back at the first EBR (relative LBA 0).
    const second = parts[3]!.start - 2048 * 512;
    const b = readFileSync(disk).subarray(second + 446 + 16, second + 446 + 32);
    b.writeUInt32LE(0, 8);
    b.writeUInt32LE(2048, 12);
    b[4] = 5;
    poke(disk, second + 446 + 16, b);
    const r = await inspect(disk);
    assert.deepEqual(codes(r), ['guest.partition-table-corrupt']);
    assert.match(r.findings[0]!.message, /loops/);
  });

  test('a partition past the end of the disk', T, async () => {
    const disk = mkDisk(dir, 'past-end', 8, 'label: dos\nstart=2048, size=4096, type=83\n');
    poke(disk, 446 + 12, [0xff, 0xff, 0xff, 0x00]);
    const r = await inspect(disk);
    assert.deepEqual(codes(r), ['guest.partition-table-corrupt']);
    assert.match(r.findings[0]!.message, /outside/);
  });
});

describe('LVM', () => {
  function lvmDisk(name: string, edit: (text: string) => string): string {
    const disk = mkDisk(dir, name, 64, 'label: dos\nstart=2048, size=16384, type=83\nstart=18432, size=110592, type=8e\n');
    const [p1, p2] = partitionOffsets(disk);
    place(disk, mkExt(dir, `${name}-boot`, { 'vmlinuz-1': 'k' }, 8, UUID.boot, 'boot'), p1!.start);
    const pv = { offset: p2!.start, size: p2!.size, uuid: 'PvLieaaaaaaaaaaaaaaaaaaaaaaaaaaa' };
    const fd = openSync(disk, 'r+');
    writePv(fd, pv, edit(vgText('vg', 8192, [pv], [{ name: 'root', extents: 10, stripes: [[0, 0]] }])));
    closeSync(fd);
    return disk;
  }

  const lies: Array<[string, (t: string) => string, RegExp]> = [
    ['a PV claims more extents than the device holds', (t) => t.replace(/pe_count = \d+/, 'pe_count = 99999'), /claims 99999 extents/],
    ['an LV runs past the end of its PV', (t) => t.replace('extent_count = 10', 'extent_count = 40'), /runs past the end/],
    ['an LV names a PV that is not there', (t) => t.replace('"pv0", 0', '"pv7", 0'), /needs pv7/],
    ['a thin pool segment', (t) => t.replace('type = "striped"', 'type = "thin-pool"'), /thin-pool segments are not read/],
    ['the metadata text does not parse', (t) => t.replace('extent_size = 8192', 'extent_size = = 8192'), /LVM metadata: unexpected/],
    ['a huge number', (t) => t.replace('extent_size = 8192', 'extent_size = 99999999999999999999'), /out of range/],
  ];
  for (const [name, edit, why] of lies) {
    test(name, T, async () => {
      const r = await inspect(lvmDisk(name.replace(/\W+/g, '-'), edit));
      assert.deepEqual(codes(r), ['guest.lvm-corrupt']);
      assert.match(r.findings[0]!.message, why);
      assert.deepEqual(
        r.filesystems.map((f) => f.device),
        ['/dev/sda1'],
        'the /boot partition is still read',
      );
    });
  }

  test('a striped LV missing one of its two PVs', T, async () => {
    const disk = debianDisk(dir, true);
    const [, p2] = partitionOffsets(disk);
    poke(disk, p2!.start + 512, new Uint8Array(512));
    const r = await inspect(disk);
    assert.deepEqual(codes(r), ['guest.lvm-corrupt']);
    assert.match(r.findings[0]!.message, /needs pv1, which is not in this image/);
  });
});

/** Overwrites the inode number of the directory entry named `name` (ext: 4 bytes before rec_len). */
function patchExtDirent(img: string, name: string, inode: number): void {
  const all = readFileSync(img);
  const at = all.indexOf(Buffer.from(name));
  assert.ok(at > 8);
  const b = Buffer.alloc(4);
  b.writeUInt32LE(inode);
  poke(img, at - 8, b);
}

describe('file systems', () => {
  test('ext4: a directory entry with an inode number out of range', T, async () => {
    const img = mkExt(dir, 'ext-hostile', { ...rootTree, 'etc/machine-id': 'abc\n', 'var/log/x': 'y' }, 8, UUID.root, 'root', 'ext4', [
      '-O',
      '^metadata_csum',
    ]);
    patchExtDirent(img, 'machine-id', 0x7ffffff0);
    const r = await inspect(img);
    assert.deepEqual(codes(r), ['guest.fs-corrupt']);
    assert.match(r.findings[0]!.message, /inode 2147483632 is out of range/);
    assert.equal(r.os.distro, 'debian', 'facts read before the bad entry are kept');
  });

  test('XFS: a root inode outside the allocation groups', T, async () => {
    const img = mkXfs(dir, 'xfs-rootino', rootTree, 24, UUID.root, 'root');
    poke(img, 56, [0, 0, 0x10, 0, 0, 0, 0, 0]);
    const r = await inspect(img);
    assert.deepEqual(codes(r), ['guest.fs-corrupt']);
    assert.equal(r.os.distro, null);
  });

  test('ext4: an implausible inode size in the superblock', T, async () => {
    const img = mkExt(dir, 'ext-isize', rootTree, 8, UUID.root, 'root');
    poke(img, 1024 + 88, [0x03, 0x00]);
    const r = await inspect(img);
    assert.deepEqual(codes(r), ['guest.fs-corrupt']);
    assert.match(r.findings[0]!.message, /inode size 3/);
  });
});

describe('the whole step', () => {
  test('the byte budget ends it with what was found so far', T, async () => {
    const r = await inspect(rhel7Disk(dir, true, 'gpt'), { maxBytes: 96 * 1024 });
    assert.deepEqual(codes(r), ['guest.budget-exceeded']);
    assert.ok(r.bytesRead <= 96 * 1024 + 4 * 1024 * 1024);
  });

  test('the directory entry budget', T, async () => {
    const r = await inspect(rhel7Disk(dir, true, 'dos'), { maxDirEntries: 5 });
    assert.deepEqual(codes(r), ['guest.budget-exceeded']);
    assert.match(r.findings[0]!.message, /directory entries/);
  });

  test('an I/O error from the reader becomes a finding', T, async () => {
    const f = fileReader(rhel7Disk(dir, true, 'dos'));
    let n = 0;
    const r = await inspectGuest(async (o, l) => {
      if (++n > 20) throw new Error('EIO: the disk went away');
      return f.read(o, l);
    }, f.size);
    f.close();
    assert.ok(r);
    assert.deepEqual(codes(r), ['guest.read-failed']);
    assert.match(r.findings[0]!.message, /EIO/);
  });

  test('a reader returning short data is a finding, not a crash', T, async () => {
    const r = await inspectGuest(async (_o, l) => new Uint8Array(Math.max(0, l - 1)), 1024 * 1024);
    assert.ok(r);
    assert.deepEqual(codes(r), ['guest.partition-table-corrupt', 'guest.fs-corrupt']);
    assert.match(r.findings[0]!.message, /short read/);
  });
});

describe('recognised, not read', () => {
  test('LUKS (cryptsetup luksFormat) and swap (mkswap) partitions', T, async () => {
    const disk = mkDisk(
      dir,
      'luks-swap',
      64,
      'label: gpt\nstart=2048, size=16384, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\nstart=18432, size=40960, type=CA7D7CCB-63ED-4C53-861C-1742536059CC\nstart=59392, size=8192, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F\n',
    );
    const [p1, p2, p3] = partitionOffsets(disk);
    place(disk, mkExt(dir, 'luks-root', rootTree, 8, UUID.root, 'root'), p1!.start);
    const luks = `${disk}.luks`;
    sh('truncate', ['-s', '20M', luks]);
    sh(
      'cryptsetup',
      [
        'luksFormat',
        '--batch-mode',
        '--pbkdf',
        'pbkdf2',
        '--pbkdf-force-iterations',
        '1000',
        '--uuid',
        '5d5d5d5d-6e6e-4f4f-8a8a-7b7b7b7b7b7b',
        luks,
        '-',
      ],
      { input: 'pw' },
    );
    place(disk, luks, p2!.start);
    place(disk, mkSwap(dir, 'luks-swap', 4), p3!.start);
    const r = await inspect(disk);
    assert.deepEqual(
      r.filesystems.map((f) => [f.device, f.type, f.uuid, f.mountpoint]),
      [
        ['/dev/sda1', 'ext4', UUID.root, '/'],
        ['/dev/sda2', 'crypto_LUKS', '5d5d5d5d-6e6e-4f4f-8a8a-7b7b7b7b7b7b', null],
        ['/dev/sda3', 'swap', '3c3c3c3c-4d4d-4e4e-8f8f-606060606060', null],
      ],
    );
    assert.deepEqual(codes(r), ['guest.encrypted']);
    assert.equal(r.os.distro, 'debian');
  });
});

test('LVM metadata whose checksum does not match its text', T, async () => {
  const disk = rhel7Disk(dir, true, 'dos');
  const [, p2] = partitionOffsets(disk);
  const at = readFileSync(disk).indexOf(Buffer.from('extent_count = 10'), p2!.start);
  poke(disk, at, Buffer.from('extent_count = 11'));
  const r = await inspect(disk);
  assert.deepEqual(codes(r), ['guest.lvm-corrupt']);
  assert.match(r.findings[0]!.message, /metadata text checksum is wrong/);
});
