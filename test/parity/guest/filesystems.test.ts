// The ext2/3/4, XFS and FAT readers against images made by mke2fs -d, mkfs.xfs -p and mkfs.vfat:
// every on-disk variant the readers claim (block maps with double-indirect blocks, extents,
// 64-bit descriptors, metadata_csum, inline data, htree directories; XFS v4/v5, short-form,
// block, leaf and node directories, local and remote symlinks), file contents byte for byte.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_BUDGET, diskDevice, Meter } from '../../../src/core/guest/device.ts';
import { recognise, type Recognised } from '../../../src/core/guest/probe.ts';
import { GuestVfs } from '../../../src/core/guest/vfs.ts';
import { fileReader, mkEsp, mkExt, mkXfs, sh, workdir, type Tree } from './images.ts';

const dir = workdir();
const T = { timeout: 60_000 };
const UUID = '6b8f2d1e-3c4a-4b5d-9e6f-7a8b9c0d1e2f';

/** Deterministic bytes (latin1 string) so contents can be compared exactly. */
function pattern(n: number, seed: number): string {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += String.fromCharCode(x >>> 24);
  }
  return s;
}

const longTarget = `/${'very-long-directory-name/'.repeat(20)}target`;
function tree(entries: number): Tree {
  const t: Tree = {
    'etc/os-release': 'ID=test\n',
    'data/big.bin': pattern(700 * 1024, 7),
    'data/small.txt': 'hello\n',
    'data/empty': '',
    'links/fast': { link: '../data/small.txt' },
    'links/slow': { link: longTarget },
    'links/loop': { link: 'loop' },
    'links/abs': { link: '/data/small.txt' },
    'links/dirlink': { link: '../data' },
    'links/up': { link: '../../../../data/small.txt' },
  };
  for (let i = 0; i < entries; i++) t[`many/entry-with-a-longish-name-${String(i).padStart(5, '0')}`] = `${i}\n`;
  return t;
}

async function open(img: string): Promise<{ rec: Recognised; vfs: GuestVfs; meter: Meter }> {
  const f = fileReader(img);
  const meter = new Meter(DEFAULT_BUDGET);
  const rec = await recognise(diskDevice(f.read, f.size, meter));
  assert.ok(rec?.fs, 'recognised');
  return { rec, vfs: new GuestVfs(new Map([['/', rec.fs]])), meter };
}

async function checkTree(vfs: GuestVfs, entries: number): Promise<void> {
  assert.equal(await vfs.readText('/etc/os-release'), 'ID=test\n');
  const big = await vfs.readBytes('/data/big.bin', 1024 * 1024);
  assert.equal(big && Buffer.from(big).toString('latin1'), pattern(700 * 1024, 7), 'the 700 KiB file reads back byte for byte');
  assert.equal((await vfs.readBytes('/data/big.bin', 1000))?.length, 1000, 'reads stop at the limit');
  assert.equal(await vfs.readText('/data/empty'), '');
  assert.equal(await vfs.readText('/links/fast'), 'hello\n');
  assert.equal(await vfs.readText('/links/abs'), 'hello\n');
  assert.equal(await vfs.readText('/links/up'), 'hello\n', '.. above the root stays at the root');
  assert.equal(await vfs.readText('/links/dirlink/small.txt'), 'hello\n');
  assert.equal(await vfs.readText('/links/loop'), null, 'a symlink loop ends');
  assert.ok(await vfs.exists('/links/slow'));
  assert.equal(await vfs.readText('/links/slow'), null, 'a dangling long symlink');
  assert.equal(await vfs.readText('/nope/x'), null);
  const names = (await vfs.list('/many'))!;
  assert.equal(names.length, entries);
  assert.equal(new Set(names).size, entries);
  assert.ok(names.includes(`entry-with-a-longish-name-${String(entries - 1).padStart(5, '0')}`));
  assert.deepEqual((await vfs.list('/data'))!.sort(), ['big.bin', 'empty', 'small.txt']);
  assert.deepEqual([...vfs.problems.values()], []);
}

describe('ext2/3/4', () => {
  const cases: Array<[string, string, string[], number]> = [
    ['ext2, 1 KiB blocks: block maps with double-indirect blocks', 'ext2', ['-b', '1024'], 300],
    ['ext3', 'ext3', ['-b', '4096'], 50],
    ['ext4 without 64bit or metadata_csum', 'ext4', ['-O', '^64bit,^metadata_csum'], 50],
    ['ext4, 64-bit descriptors, metadata_csum, 1 KiB blocks', 'ext4', ['-O', '64bit,metadata_csum', '-b', '1024'], 400],
    ['ext4 with inline data', 'ext4', ['-O', 'inline_data'], 5],
  ];
  for (const [name, type, opts, entries] of cases) {
    test(name, T, async () => {
      const img = mkExt(dir, `${type}-${entries}`, tree(entries), 24, UUID, 'lbl', type, opts);
      const { rec, vfs } = await open(img);
      assert.equal(rec.type, type);
      assert.equal(rec.uuid, UUID);
      assert.equal(rec.label, 'lbl');
      assert.equal(rec.size, 24 * 1024 * 1024);
      await checkTree(vfs, entries);
    });
  }

  test('htree directories (e2fsck -D) read as linear', T, async () => {
    const img = mkExt(dir, 'htree', tree(3000), 32, UUID, 'h', 'ext4', ['-b', '1024']);
    sh('e2fsck', ['-fyD', img]);
    const out = sh('debugfs', ['-R', 'htree many', img]);
    assert.match(out, /Number of entries \(count\)/, 'the directory is indexed');
    const { vfs } = await open(img);
    await checkTree(vfs, 3000);
  });
});

describe('XFS', () => {
  const cases: Array<[string, string[], number]> = [
    ['v5, short-form directory', [], 10],
    ['v5, block directory', [], 60],
    ['v5, leaf directory', [], 400],
    ['v5, node directory', [], 3000],
    ['v4 (no CRCs), node directory', ['-m', 'crc=0'], 3000],
    ['v4 without ftype, leaf directory', ['-m', 'crc=0', '-n', 'ftype=0'], 400],
    ['v5, 64 KiB directory blocks', ['-n', 'size=65536'], 3000],
  ];
  for (const [name, opts, entries] of cases) {
    test(name, T, async () => {
      const img = mkXfs(dir, `xfs-${opts.join('')}-${entries}`, tree(entries), 64, UUID, 'xlbl', opts);
      const { rec, vfs } = await open(img);
      assert.equal(rec.type, 'xfs');
      assert.equal(rec.uuid, UUID);
      assert.equal(rec.label, 'xlbl');
      await checkTree(vfs, entries);
    });
  }

  test('the node directory above is held in a B+tree data fork; /etc is short-form (xfs_db)', T, async () => {
    const img = mkXfs(dir, 'xfs-formats', tree(3000), 64, UUID, 'f');
    const fmt = (p: string) => sh('xfs_db', ['-r', '-c', `path /${p}`, '-c', 'print core.format', img]);
    assert.match(fmt('etc'), /core\.format = 1 \(local\)/);
    assert.match(fmt('many'), /core\.format = 3 \(btree\)/);
    assert.match(fmt('data'), /core\.format = 1 \(local\)/);
    const { vfs } = await open(img);
    await checkTree(vfs, 3000);
  });
});

test('FAT (ESP): long names, case-insensitive lookup, file contents', T, async () => {
  const img = mkEsp(
    dir,
    'esp',
    { 'EFI/BOOT/BOOTX64.EFI': 'MZ loader', 'EFI/redhat/grub.cfg': 'set root\n', 'EFI/redhat/A Long File Name.txt': pattern(5000, 3) },
    8,
    '1234ABCD',
  );
  const { rec, vfs } = await open(img);
  assert.deepEqual([rec.type, rec.uuid, rec.label], ['vfat', '1234-ABCD', 'EFI']);
  assert.equal(await vfs.readText('/efi/boot/bootx64.efi'), 'MZ loader');
  assert.equal(await vfs.readText('/EFI/redhat/grub.cfg'), 'set root\n');
  const long = await vfs.readBytes('/EFI/redhat/A Long File Name.txt');
  assert.equal(long && Buffer.from(long).toString('latin1'), pattern(5000, 3));
});
