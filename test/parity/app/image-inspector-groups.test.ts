// How <image-inspector> groups a selection: VMDK text descriptors take the files their extent
// lines name (matched by base name), the rest stay single images, the user's order is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupFiles, descriptorExtentNames } from '../../../src/elements/inspector/image-inspector-groups.ts';

function fileOf(dir: string, name: string): File {
  return new File([readFileSync(join(dir, name))], name);
}

test('a twoGbMaxExtentSparse descriptor made by native qemu-img takes its extents; other files stay alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ii-groups-'));
  try {
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', 'split.vmdk', '5G'], { cwd: dir });
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', 'other.qcow2', '1M'], { cwd: dir });
    const extents = readdirSync(dir).filter((n) => /^split-s\d+\.vmdk$/.test(n)).sort();
    assert.equal(extents.length, 3);
    const files = [fileOf(dir, 'other.qcow2'), ...extents.map((e) => fileOf(dir, e)), fileOf(dir, 'split.vmdk')];
    const groups = await groupFiles(files);
    assert.deepEqual(groups.map((g) => g.name), ['other.qcow2', 'split.vmdk'], 'user order, extents folded in');
    const split = groups[1]!;
    assert.deepEqual([...split.extents.keys()], extents);
    assert.deepEqual(split.missing, []);

    const partial = await groupFiles([fileOf(dir, 'split.vmdk'), fileOf(dir, extents[0]!)]);
    assert.equal(partial.length, 1);
    assert.deepEqual(partial[0]!.missing, extents.slice(1), 'names exactly the extents not chosen');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extent lines: every access mode, quoted names; comments and ddb lines ignored', () => {
  const text = [
    '# Disk DescriptorFile',
    'createType="monolithicFlat"',
    'RW 2048 FLAT "a-flat.vmdk" 0',
    'RDONLY 4096 SPARSE "b.vmdk"',
    'NOACCESS 10 ZERO ""',
    '# RW 1 FLAT "commented.vmdk" 0',
    'ddb.adapterType = "ide"',
  ].join('\n');
  assert.deepEqual(descriptorExtentNames(text), ['a-flat.vmdk', 'b.vmdk', '']);
});
