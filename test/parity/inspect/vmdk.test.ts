// VMDK rules, re-expressed from oslo.utils' tests (descriptor parsing, descriptor location and
// size bound, footer consistency, createType allow-list) plus multi-file descriptors.
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { footerProblems, GD_AT_END } from '../../../src/core/inspect/formats/vmdk-sparse.ts';
import { missingExtents, parseVmdkDescriptor } from '../../../src/core/inspect/vmdk-descriptor.ts';
import { codes, inspectBytes, inspectPath, le64, MiB, nativeInfo, patch, qemuCreate, read, sh, sizeOf, workdir } from './helpers.ts';

const dir = workdir();

function sparseHeader(
  o: { sig?: string; ver?: number; capacity?: number; descSec?: number; descNum?: number; gd?: bigint } = {},
): Uint8Array {
  const b = new Uint8Array(512);
  const dv = new DataView(b.buffer);
  b.set(new TextEncoder().encode(o.sig ?? 'KDMV'), 0);
  dv.setUint32(4, o.ver ?? 1, true);
  dv.setBigUint64(12, BigInt(o.capacity ?? 2048), true);
  dv.setBigUint64(20, 128n, true);
  dv.setBigUint64(28, BigInt(o.descSec ?? 1), true);
  dv.setBigUint64(36, BigInt(o.descNum ?? 1), true);
  dv.setUint32(44, 512, true);
  dv.setBigUint64(56, o.gd ?? 0n, true);
  return b;
}

function sparseFile(descriptor: string, header = sparseHeader()): Uint8Array {
  const b = new Uint8Array(4096);
  b.set(header, 0);
  b.set(new TextEncoder().encode(descriptor), 512);
  return b;
}

describe('descriptor parsing (oslo.utils test_vmdk_safety_checks)', () => {
  const lines = ['# a comment', 'createType monolithicFlat', '', ' ', 'someUnknownThing=foo', 'ddb whatever', 'rw 0 somefile.vmdk'];
  const run = (l: string[]) => inspectBytes(sparseFile(l.join('\n')));

  test('a broken createType line is refused', async () => {
    assert.ok(codes(await run(lines), 'error').includes('vmdk.create-type'));
  });
  test('createType monolithicFlat is not allowed', async () => {
    const r = await run(lines.map((l, i) => (i === 1 ? 'createType="monolithicFlat"' : l)));
    assert.deepEqual(codes(r, 'error'), ['vmdk.create-type']);
    assert.equal(r.findings.find((f) => f.code === 'vmdk.create-type')?.params?.createType, 'monolithicFlat');
  });
  const good = lines.map((l, i) => (i === 1 ? 'createType="monolithicSparse"' : l));
  test('monolithicSparse with comments, settings, ddb and an extent is safe', async () => {
    const r = await run(good);
    assert.equal(r.safe, true, JSON.stringify(r.findings));
    assert.equal(r.details.vmdk?.createType, 'monolithicSparse');
  });
  test('an extent with an unknown access mode is an unknown line', async () => {
    const r = await run([...good, 'wronly 2048 somefile2.vmdk']);
    assert.deepEqual(codes(r, 'error'), ['vmdk.descriptor-line']);
    assert.equal(r.qemuAccess, 'none');
  });
  test('an extent naming a path with "/" is refused', async () => {
    const r = await run([...good, 'rw 2048 /etc/hosts']);
    assert.deepEqual(codes(r, 'error'), ['vmdk.extent-path']);
    assert.equal(r.qemuAccess, 'none');
  });
  test('no extents is refused (and qemu-img must not see it: native 7.2 aborts)', async () => {
    const r = await run(good.filter((l) => !l.startsWith('rw')));
    assert.deepEqual(codes(r, 'error'), ['vmdk.no-extents']);
    assert.equal(r.qemuAccess, 'none');
  });
  test('non-ASCII bytes in the descriptor are refused', async () => {
    const r = await run([...good, '# caf\u00e9']);
    assert.ok(codes(r, 'error').includes('vmdk.descriptor-invalid'));
  });
});

describe('sparse header checks (oslo.utils test_vmdk_format_checks, bad descriptor offset)', () => {
  test('an unknown version is refused', async () => {
    const r = await inspectBytes(sparseFile('createType="monolithicSparse"\nRW 2048 SPARSE "x.vmdk"\n', sparseHeader({ ver: 4 })));
    assert.ok(codes(r, 'error').includes('vmdk.version'));
  });
  for (const subformat of ['monolithicSparse', 'streamOptimized']) {
    test(`a descriptor away from sector 1 is refused (${subformat})`, async () => {
      const path = qemuCreate(dir, `badoff-${subformat}.vmdk`, 'vmdk', 10 * MiB, { subformat });
      patch(path, 0x1c, le64(0x400 / 512));
      const r = await inspectPath(path);
      assert.ok(codes(r, 'error').includes('vmdk.descriptor-location'));
      assert.equal(r.qemuAccess, 'none');
    });
    test(`a descriptor claiming 2 MiB is read only up to 1 MiB (${subformat})`, async () => {
      const raw = join(dir, `rand-${subformat}.raw`);
      sh('dd', ['if=/dev/urandom', `of=${raw}`, 'bs=1M', 'count=5', 'status=none']);
      const path = join(dir, `big-${subformat}.vmdk`);
      sh('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', `subformat=${subformat}`, '-S', '0', raw, path]);
      patch(path, 0x1c + 8, le64((2 << 20) / 512));
      const r = await inspectPath(path);
      assert.equal(r.details.virtualSize, 5 * MiB);
      assert.ok(r.bytesRead < 1.5 * MiB, `${r.bytesRead} bytes read`);
      assert.ok((r.details.vmdk?.descriptorBytes ?? Infinity) < MiB);
    });
  }
});

describe('truncated copies', () => {
  for (const subformat of ['monolithicSparse', 'streamOptimized']) {
    test(`a ${subformat} VMDK cut in half is truncated; whole it is not`, async () => {
      const raw = join(dir, `t-${subformat}.raw`);
      sh('dd', ['if=/dev/urandom', `of=${raw}`, 'bs=1M', 'count=6', 'status=none']);
      const path = join(dir, `t-${subformat}.vmdk`);
      sh('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', `subformat=${subformat}`, raw, path]);
      assert.equal((await inspectPath(path)).safe, true);
      sh('truncate', ['-s', String(Math.floor(sizeOf(path) / 2)), path]);
      const r = await inspectPath(path);
      assert.ok(codes(r, 'error').includes('image.truncated'), JSON.stringify(r.findings));
    });
  }
});

describe('footer (LP 2073262; oslo.utils test_vmdk_with_footer, test_vmdk_footer_checks)', () => {
  test('a streamOptimized VMDK with an invalid footer is refused, a consistent one accepted', async () => {
    const path = qemuCreate(dir, 'footer.vmdk', 'vmdk', 10 * MiB, { subformat: 'streamOptimized' });
    patch(path, 56, le64(GD_AT_END));
    appendFileSync(path, new Uint8Array(1536));
    const bad = await inspectPath(path);
    assert.ok(codes(bad, 'error').includes('vmdk.footer-mismatch'));
    assert.equal(bad.qemuAccess, 'none');

    const header = read(path).slice(0, 512);
    header[56] = 0x00; // the footer's gdOffset must not announce another footer
    const size = sizeOf(path);
    patch(path, size - 1536 + 12, [3, 0, 0, 0]);
    patch(path, size - 1024, header);
    const good = await inspectPath(path);
    assert.equal(good.safe, true, JSON.stringify(good.findings));
    assert.equal(good.details.vmdk?.hasFooter, true);
    assert.ok(codes(good, 'info').includes('vmdk.footer'));
  });

  const footer = (
    o: { fmTyp?: number; fmSz?: number; fmPad?: number; eosTyp?: number; eosSz?: number; eosPad?: number } & Parameters<
      typeof sparseHeader
    >[0] = {},
  ) => {
    const r = new Uint8Array(1536);
    r.set(sparseHeader({ gd: GD_AT_END, ...o }), 512);
    r[8] = o.fmSz ?? 0;
    r[12] = o.fmTyp ?? 3;
    r.fill(o.fmPad ?? 0, 16, 512);
    r[1024 + 8] = o.eosSz ?? 0;
    r[1024 + 12] = o.eosTyp ?? 0;
    r.fill(o.eosPad ?? 0, 1024 + 16);
    return r;
  };
  const header = sparseHeader({ gd: GD_AT_END });
  const vectors: [string, Parameters<typeof footer>[0], RegExp][] = [
    ['signature must match', { sig: 'leak', gd: 123n }, /signature/],
    ['version must match', { ver: 2, gd: 123n }, /version/],
    ['descriptor cannot be longer', { descNum: 2, gd: 123n }, /descriptor/],
    ['descriptor cannot move', { descSec: 3, gd: 123n }, /descriptor/],
    ['no footer announcing another', {}, /another footer/],
    ['footer marker type', { gd: 123n, fmTyp: 7 }, /footer marker/],
    ['footer marker size', { gd: 123n, fmSz: 1 }, /footer marker/],
    ['footer marker padding', { gd: 123n, fmPad: 1 }, /footer marker/],
    ['EOS marker type', { gd: 123n, eosTyp: 7 }, /end-of-stream/],
    ['EOS marker size', { gd: 123n, eosSz: 1 }, /end-of-stream/],
    ['EOS marker padding', { gd: 123n, eosPad: 1 }, /end-of-stream/],
  ];
  for (const [name, o, re] of vectors) {
    test(name, () => {
      const problems = footerProblems(header, footer(o));
      assert.ok(
        problems.some((p) => re.test(p)),
        problems.join('; '),
      );
    });
  }
  test('everything in place passes', () => assert.deepEqual(footerProblems(header, footer({ gd: 123n })), []));
});

describe('multi-file and text descriptors', () => {
  test('monolithicFlat (descriptor + flat extent) is unsafe as-is and names its extent', async () => {
    const path = qemuCreate(dir, 'flat.vmdk', 'vmdk', 10 * MiB, { subformat: 'monolithicFlat' });
    const r = await inspectPath(path);
    assert.equal(r.detected, 'vmdk');
    assert.equal(r.details.vmdk?.variant, 'descriptor');
    assert.deepEqual(r.details.vmdk?.externalFiles, ['flat-flat.vmdk']);
    assert.deepEqual(codes(r, 'error'), ['vmdk.create-type']);
    assert.match(r.findings.find((f) => f.code === 'vmdk.create-type')!.fix, /flat-flat\.vmdk/);
    assert.equal(r.details.virtualSize, nativeInfo(path, 'vmdk')['virtual-size']);
  });

  test('twoGbMaxExtentSparse lists all its extents; missingExtents names the absent ones', async () => {
    const path = qemuCreate(dir, 'split.vmdk', 'vmdk', 5 * 1024 * MiB, { subformat: 'twoGbMaxExtentSparse' });
    const r = await inspectPath(path);
    const files = r.details.vmdk?.externalFiles ?? [];
    assert.deepEqual(files, ['split-s001.vmdk', 'split-s002.vmdk', 'split-s003.vmdk']);
    const d = parseVmdkDescriptor(new TextDecoder().decode(read(path)));
    assert.deepEqual(missingExtents(d, ['split.vmdk', 'split-s001.vmdk', 'split-s003.vmdk']), ['split-s002.vmdk']);
    // One extent chosen on its own is recognised as such.
    const part = await inspectPath(join(dir, 'split-s002.vmdk'));
    assert.deepEqual(codes(part, 'error'), ['vmdk.extent-file']);
    assert.equal(part.qemuAccess, 'none');
    assert.equal(r.details.virtualSize, nativeInfo(path, 'vmdk')['virtual-size']);
  });

  test('a text descriptor whose extent points elsewhere is refused and never opened', async () => {
    const path = join(dir, 'evil.vmdk');
    writeFileSync(
      path,
      '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\nRW 2048 FLAT "../../etc/passwd" 0\n',
    );
    const r = await inspectPath(path);
    assert.ok(codes(r, 'error').includes('vmdk.extent-path'));
    assert.equal(r.qemuAccess, 'none');
    // Nothing advises the user to go and select ../../etc/passwd.
    assert.equal(codes(r).includes('vmdk.multi-file'), false);
    assert.equal(
      r.findings.some((f) => f.fix.includes('passwd')),
      false,
    );
  });

  test('adapter type, hardware version and createType come from the descriptor', async () => {
    const r = await inspectPath(qemuCreate(dir, 'lsi.vmdk', 'vmdk', 10 * MiB, { adapter_type: 'lsilogic', hwversion: '7' }));
    assert.equal(r.details.vmdk?.adapterType, 'lsilogic');
    assert.equal(r.details.vmdk?.hwVersion, '7');
    assert.equal(r.details.vmdk?.createType, 'monolithicSparse');
  });
});

test('terminal escapes from a hostile descriptor are shown, not executed', async () => {
  const r = await inspectBytes(sparseFile('createType="monolithicSparse"\n\u001b[2Jevil line\nRW 2048 SPARSE "x.vmdk"\n'));
  const f = r.findings.find((x) => x.code === 'vmdk.descriptor-line')!;
  assert.ok(f.message.includes('\\x1b[2Jevil line'));
  // eslint-disable-next-line no-control-regex -- no control character may reach a terminal
  assert.equal(/[\u0000-\u001f]/.test(f.message + String(f.params?.line)), false);
});
