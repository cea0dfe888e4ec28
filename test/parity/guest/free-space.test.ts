// guest.free-space-not-zeroed: image data in blocks the file system marks free (a deleted file's
// blocks, as debugfs leaves them) is found through the ext bitmaps and XFS free space B+trees,
// also through an LV striped over two PVs, and counted only where the image stores data.
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DEFAULT_BUDGET, diskDevice, Meter } from '../../../src/core/guest/device.ts';
import type { AllocatedAt } from '../../../src/core/guest/free-space.ts';
import { inspectGuest } from '../../../src/core/guest/inspect-guest.ts';
import { XfsFs } from '../../../src/core/guest/xfs.ts';
import { UUID } from './distros.ts';
import { fileReader, mkDisk, mkExt, mkXfs, partitionOffsets, sh, workdir } from './images.ts';
import { writeVg } from './lvm-writer.ts';

const dir = workdir();
const T = { timeout: 60_000 };
const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** Block status of a raw file the way a qcow2 would store it: 64 KiB clusters holding data. */
function allocatedOf(path: string): AllocatedAt {
  const bytes = readFileSync(path);
  return async (offset, length) => {
    const out: Array<[number, number]> = [];
    for (let c = Math.floor(offset / CHUNK) * CHUNK; c < offset + length; c += CHUNK) {
      const s = Math.max(c, offset);
      const e = Math.min(c + CHUNK, offset + length);
      if (bytes.subarray(c, c + CHUNK).some((x) => x !== 0)) out.push([s, e - s]);
    }
    return out;
  };
}

const tree = {
  'etc/os-release': 'ID=debian\nVERSION_ID=12\n',
  'etc/fstab': `UUID=${UUID.root} / ext4 defaults 0 1\n`,
  'data/junk.bin': 'J'.repeat(8 * MiB),
};

async function check(path: string) {
  const f = fileReader(path);
  try {
    const r = await inspectGuest(f.read, f.size, {}, allocatedOf(path));
    assert.ok(r);
    assert.deepEqual(r.findings, []);
    return { r, item: r.checklist.find((c) => c.code === 'guest.free-space-not-zeroed')! };
  } finally {
    f.close();
  }
}

describe('ext4', () => {
  test('a fresh file system has nothing to reclaim', T, async () => {
    const { r, item } = await check(mkExt(dir, 'fresh', tree, 24, UUID.root, 'r'));
    assert.equal(item.ok, true, item.detail);
    assert.ok(r.reclaimableBytes! < MiB, `${r.reclaimableBytes}`);
  });

  test('a deleted 8 MiB file is found', T, async () => {
    const img = mkExt(dir, 'deleted', tree, 24, UUID.root, 'r');
    sh('debugfs', ['-w', '-R', 'rm /data/junk.bin', img]);
    const { r, item } = await check(img);
    assert.equal(item.ok, false);
    assert.equal(item.step, 'Sparsify the image (virt-sparsify)');
    assert.match(item.detail, /\/dev\/sda 8\.\d MiB.*virt-sparsify --in-place/);
    assert.ok(r.reclaimableBytes! >= 8 * MiB && r.reclaimableBytes! < 9 * MiB, `${r.reclaimableBytes}`);
  });

  test('through an LV striped over two PVs', T, async () => {
    const img = mkExt(dir, 'deleted-lv', tree, 24, UUID.root, 'r');
    sh('debugfs', ['-w', '-R', 'rm /data/junk.bin', img]);
    const disk = mkDisk(
      dir,
      'striped',
      64,
      'label: gpt\nstart=2048, size=61440, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\nstart=63488, size=61440, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n',
    );
    const [p1, p2] = partitionOffsets(disk);
    writeVg(
      disk,
      'vg',
      8192,
      [p1!, p2!].map((p, i) => ({ offset: p.start, size: p.size, uuid: `Pv${i}ccccccccccccccccccccccccccccc` })),
      [
        {
          name: 'root',
          extents: 6,
          stripes: [
            [0, 0],
            [1, 0],
          ],
          stripeSectors: 128,
          image: img,
        },
      ],
    );
    const { r, item } = await check(disk);
    assert.equal(r.filesystems[0]!.device, '/dev/mapper/vg-root');
    assert.equal(item.ok, false);
    assert.ok(r.reclaimableBytes! >= 8 * MiB && r.reclaimableBytes! < 9 * MiB, `${r.reclaimableBytes}`);
  });

  test('without the block status there is no such item', T, async () => {
    const f = fileReader(mkExt(dir, 'nostatus', tree, 24, UUID.root, 'r'));
    const r = await inspectGuest(f.read, f.size);
    f.close();
    assert.equal(r?.reclaimableBytes, null);
    assert.ok(!r?.checklist.some((c) => c.code === 'guest.free-space-not-zeroed'));
  });
});

describe('XFS', () => {
  test('free extents match xfs_db freesp; data written into one is found', T, async () => {
    const img = mkXfs(dir, 'xfs-free', { ...tree, 'etc/fstab': `UUID=${UUID.root} / xfs defaults 0 0\n` }, 64, UUID.root, 'r');
    const f = fileReader(img);
    const fs = (await XfsFs.open(diskDevice(f.read, f.size, new Meter(DEFAULT_BUDGET))))!;
    const ranges = await fs.freeRanges();
    f.close();
    // freesp also counts each AG's free list (AGFL) blocks as one-block extents; the B+trees do not.
    const out = sh('xfs_db', ['-r', '-c', 'freesp -s', img]);
    let agfl = 0;
    for (let ag = 0; ag < fs.sb.agCount; ag++)
      agfl += Number(/flcount = (\d+)/.exec(sh('xfs_db', ['-r', '-c', `agf ${ag}`, '-c', 'p flcount', img]))![1]);
    assert.ok(agfl > 0);
    assert.equal(ranges.length, Number(/total free extents (\d+)/.exec(out)![1]) - agfl);
    assert.equal(
      ranges.reduce((a, [, l]) => a + l, 0),
      (Number(/total free blocks (\d+)/.exec(out)![1]) - agfl) * fs.sb.blockSize,
    );
    const before = await check(img);
    assert.equal(before.item.ok, true, before.item.detail);
    const [start, len] = ranges.reduce((a, b) => (b[1] > a[1] ? b : a));
    assert.ok(len >= 4 * MiB);
    const fd = openSync(img, 'r+');
    writeSync(fd, Buffer.alloc(4 * MiB, 0x5a), 0, 4 * MiB, start);
    closeSync(fd);
    const after = await check(img);
    assert.equal(after.item.ok, false);
    assert.equal(after.r.reclaimableBytes, 4 * MiB + (before.r.reclaimableBytes ?? 0));
  });
});
