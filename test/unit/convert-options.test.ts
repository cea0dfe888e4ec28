// The shared conversion model: argv construction, `-o` parsing and the refusals (their native
// counterparts are in test/parity/convert-cli-options.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConvertOptions, qemuDriverOf, recordsHoles, CONVERT_FORMATS } from '../../src/core/convert/options.ts';
import { applyQemuOptions, convertArgs, formatCommandLine, parseQemuOptions, parseQemuSize } from '../../src/core/convert/command.ts';
import { checkConvertOptions } from '../../src/core/convert/check.ts';

const NO_ZSTD = { zstd: false };
const src = { path: '/in/a.vhd', format: 'vpc' };
const out = { path: '/out/a.qcow2' };

describe('convertArgs', { timeout: 5_000 }, () => {
  test('defaults per target: explicit source format, -p, one -o', () => {
    const o = defaultConvertOptions();
    assert.deepEqual(convertArgs(src, out, 'qcow2', o), [
      'convert',
      '-p',
      '-f',
      'vpc',
      '-O',
      'qcow2',
      '-o',
      'compat=1.1',
      '/in/a.vhd',
      '/out/a.qcow2',
    ]);
    assert.deepEqual(convertArgs(src, out, 'raw', o), ['convert', '-p', '-f', 'vpc', '-O', 'raw', '/in/a.vhd', '/out/a.qcow2']);
    assert.deepEqual(convertArgs(src, out, 'vmdk', o).slice(4, 8), ['-O', 'vmdk', '-o', 'subformat=streamOptimized']);
    assert.deepEqual(convertArgs(src, out, 'vhd', o).slice(4, 8), ['-O', 'vpc', '-o', 'subformat=dynamic']);
    for (const t of CONVERT_FORMATS) assert.equal(convertArgs(src, out, t, o)[5], qemuDriverOf(t));
  });

  test("file names that begin with '-' come after '--' (qemu-img would read them as options); others without it", () => {
    const o = defaultConvertOptions();
    assert.deepEqual(convertArgs({ path: '-in.vhd', format: 'vpc' }, { path: '-out.raw' }, 'raw', o), [
      'convert',
      '-p',
      '-f',
      'vpc',
      '-O',
      'raw',
      '--',
      '-in.vhd',
      '-out.raw',
    ]);
    assert.deepEqual(convertArgs(src, { path: '-out.raw' }, 'raw', o).slice(-3), ['--', '/in/a.vhd', '-out.raw']);
    assert.ok(!convertArgs(src, out, 'raw', o).includes('--'));
  });

  test('-c, -S 0, every typed option and escaped commas', () => {
    const o = defaultConvertOptions();
    o.compress = true;
    o.zeroDetection = false;
    o.qcow2 = { compat: '1.1', compressionType: 'zlib', clusterSize: 131072, lazyRefcounts: true };
    o.extra = [['backing_fmt', 'a,b']];
    assert.deepEqual(convertArgs(src, out, 'qcow2', o), [
      'convert',
      '-p',
      '-f',
      'vpc',
      '-O',
      'qcow2',
      '-c',
      '-W',
      '-S',
      '0',
      '-o',
      'compat=1.1,compression_type=zlib,cluster_size=131072,lazy_refcounts=on,backing_fmt=a,,b',
      '/in/a.vhd',
      '/out/a.qcow2',
    ]);
  });

  test('--image-opts source', () => {
    const args = convertArgs(
      { path: 'x.ova', format: 'vmdk', imageOpts: 'driver=vmdk,file.driver=raw' },
      out,
      'raw',
      defaultConvertOptions(),
    );
    assert.deepEqual(args, ['convert', '-p', '--image-opts', '-O', 'raw', 'driver=vmdk,file.driver=raw', '/out/a.qcow2']);
  });
});

describe('-o parsing', { timeout: 5_000 }, () => {
  test('commas, doubled commas, bare keys', () => {
    assert.deepEqual(parseQemuOptions('a=1,b=x,,y,c'), [
      ['a', '1'],
      ['b', 'x,y'],
      ['c', 'on'],
    ]);
    assert.deepEqual(parseQemuOptions(''), []);
  });

  test('sizes as qemu writes them', () => {
    assert.equal(parseQemuSize('64k'), 65536);
    assert.equal(parseQemuSize('1.5M'), 1572864);
    assert.equal(parseQemuSize('0x10000'), 65536);
    assert.equal(parseQemuSize('65536B'), 65536);
    assert.equal(parseQemuSize('1.5'), undefined);
    assert.equal(parseQemuSize('big'), undefined);
  });

  test('known keys become typed fields, others pass through, bad values are problems', () => {
    const r = applyQemuOptions(
      'qcow2',
      defaultConvertOptions(),
      parseQemuOptions('compat=v2,cluster_size=64k,lazy_refcounts=yes,extended_l2=on'),
    );
    assert.equal(r.options.qcow2.compat, '0.10');
    assert.equal(r.options.qcow2.clusterSize, 65536);
    assert.equal(r.options.qcow2.lazyRefcounts, true);
    assert.deepEqual(r.options.extra, [['extended_l2', 'on']]);
    assert.deepEqual(r.problems, []);
    const bad = applyQemuOptions('vmdk', defaultConvertOptions(), [['adapter_type', 'scsi']]);
    assert.equal(bad.problems[0]?.code, 'bad-value');
    assert.deepEqual(bad.problems[0]?.params, { key: 'adapter_type', value: 'scsi', expected: 'ide, lsilogic, buslogic, legacyESX' });
  });
});

describe('checkConvertOptions', { timeout: 5_000 }, () => {
  const codes = (
    t: Parameters<typeof checkConvertOptions>[0],
    edit: (o: ReturnType<typeof defaultConvertOptions>) => void,
    f = NO_ZSTD,
  ) => {
    const o = defaultConvertOptions();
    edit(o);
    return checkConvertOptions(t, o, f).map((p) => p.code);
  };

  test('defaults pass for every target', () => {
    for (const t of CONVERT_FORMATS)
      assert.deepEqual(
        codes(t, () => {}),
        [],
        t,
      );
  });

  test('each refused combination has its code', () => {
    assert.deepEqual(
      codes('raw', (o) => (o.compress = true)),
      ['compress-unsupported'],
    );
    assert.deepEqual(
      codes('vmdk', (o) => ((o.compress = true), (o.vmdk.subformat = 'monolithicFlat'))),
      ['compress-flat-vmdk'],
    );
    assert.deepEqual(
      codes('qcow2', (o) => ((o.compress = true), (o.qcow2.preallocation = 'metadata'))),
      ['compress-preallocation'],
    );
    assert.deepEqual(
      codes('qcow2', (o) => (o.qcow2 = { compat: '0.10', lazyRefcounts: true })),
      ['compat-lazy-refcounts'],
    );
    assert.deepEqual(
      codes('qcow2', (o) => (o.qcow2 = { compat: '0.10', compressionType: 'zstd' }), { zstd: true }),
      ['compat-compression-type'],
    );
    assert.deepEqual(
      codes('qcow2', (o) => (o.qcow2.compressionType = 'zstd')),
      ['zstd-unavailable'],
    );
    assert.deepEqual(
      codes('qcow2', (o) => (o.qcow2.compressionType = 'zstd'), { zstd: true }),
      [],
    );
    assert.deepEqual(
      codes('qcow2', (o) => (o.qcow2.clusterSize = 3 * 1024 * 1024)),
      ['cluster-size'],
    );
    assert.deepEqual(
      codes('vhdx', (o) => (o.vhdx.blockSize = 3 * 1024 * 1024)),
      ['block-size'],
    );
    assert.deepEqual(
      codes('vhdx', (o) => (o.vhdx.blockSize = 1000)),
      [],
      'qemu-img clamps small sizes to 1 MiB',
    );
    assert.deepEqual(
      codes('vmdk', (o) => ((o.vmdk.hwversion = '6'), (o.extra = [['compat6', 'on']]))),
      ['hwversion-compat6'],
    );
  });

  test('messages are sentences with their parameters', () => {
    const o = defaultConvertOptions();
    o.qcow2.clusterSize = 1000;
    const [p] = checkConvertOptions('qcow2', o, NO_ZSTD);
    assert.deepEqual(p?.params, { size: 1000 });
    assert.match(p!.message, /^The qcow2 cluster size .* \(not 1000\)\.$/);
  });
});

describe('formatCommandLine', { timeout: 5_000 }, () => {
  test('quotes only what a shell would split or expand', () => {
    assert.equal(
      formatCommandLine(['qemu-img', 'convert', '-o', 'a=1,b=2', 'my disk.vhd', "it's.raw", '/x/y.qcow2']),
      `qemu-img convert -o a=1,b=2 'my disk.vhd' 'it'\\''s.raw' /x/y.qcow2`,
    );
    assert.equal(formatCommandLine(['$HOME', 'a*b', '']), `'$HOME' 'a*b' ''`);
  });
});

test('recordsHoles: the targets whose compare skips their holes by itself', () => {
  const o = defaultConvertOptions();
  assert.equal(recordsHoles('qcow2', o), true);
  assert.equal(recordsHoles('qcow2', { ...o, qcow2: { ...o.qcow2, preallocation: 'metadata' } }), false);
  assert.equal(recordsHoles('raw', o), false);
  assert.equal(recordsHoles('vmdk', o), true);
  assert.equal(recordsHoles('vmdk', { ...o, vmdk: { subformat: 'monolithicFlat' } }), false);
  assert.equal(recordsHoles('vhd', o), true);
  assert.equal(recordsHoles('vhd', { ...o, vhd: { subformat: 'fixed' } }), false);
  assert.equal(recordsHoles('vhdx', o), true);
  assert.equal(recordsHoles('vhdx', { ...o, vhdx: { subformat: 'fixed' } }), false);
  assert.equal(recordsHoles('vdi', o), true);
  assert.equal(recordsHoles('vdi', { ...o, vdi: { static: true } }), false);
  assert.equal(recordsHoles('qcow2', { ...o, extra: [['preallocation', 'full']] }), false);
});
