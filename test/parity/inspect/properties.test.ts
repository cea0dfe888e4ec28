// Suggested Glance properties and their sources, and the inspection object (CLI JSON / event
// detail) including the folding of qemu-img check and map results.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blobSource } from '../../../src/core/inspect/byte-source.ts';
import { checkFindings, summariseCheck, summariseMap } from '../../../src/core/inspect/qemu-check.ts';
import { osFromGuestId, suggestProperties, VMWARE_ADAPTER_TYPES, vmwareDiskType } from '../../../src/core/inspect/properties.ts';
import { inspectSafety } from '../../../src/core/inspect/safety.ts';
import type { SafetyDetails } from '../../../src/core/inspect/types.ts';
import { buildInspection } from '../../../src/core/inspection.ts';
import { inspectPath, MiB, nativeInfo, qemuCreate, sh, workdir } from './helpers.ts';

const dir = workdir();
const GiB = 1024 * MiB;

describe('mappings', () => {
  test('qemu formats → Glance disk_format', () => {
    const df = (detected: Parameters<typeof suggestProperties>[0]['detected'], details: Partial<SafetyDetails> = {}) =>
      suggestProperties({ detected, details: { fileSize: 1, ...details } }).properties.disk_format;
    assert.equal(df('qcow2'), 'qcow2');
    assert.equal(df('vpc', { vhd: { diskType: 'dynamic', headerCopyAtStart: true, creatorApp: 'qemu', creatorHostOs: '', currentSize: 1, checksumOk: true } }), 'vhd');
    assert.equal(df('vpc', { vhd: { diskType: 'fixed', headerCopyAtStart: false, creatorApp: 'qemu', creatorHostOs: '', currentSize: 1, checksumOk: true } }), 'raw');
    assert.equal(df('vhdx'), 'vhdx');
    assert.equal(df('vdi'), 'vdi');
    assert.equal(df('iso'), 'iso');
    assert.equal(df('gpt'), 'raw');
    assert.equal(df('mbr'), 'raw');
    assert.equal(df('raw'), 'raw');
    assert.equal(df('parallels'), undefined);
    assert.equal(df('qed'), undefined);
    assert.equal(df('gzip'), undefined);
  });
  test('adapter types and disk types', () => {
    assert.deepEqual(VMWARE_ADAPTER_TYPES, { lsilogic: 'lsiLogic', buslogic: 'busLogic', ide: 'ide', lsisas1068: 'lsiLogicsas', pvscsi: 'paraVirtual' });
    assert.equal(vmwareDiskType('streamOptimized'), 'streamOptimized');
    assert.equal(vmwareDiskType('monolithicSparse'), 'sparse');
    assert.equal(vmwareDiskType('twoGbMaxExtentSparse'), 'sparse');
    assert.equal(vmwareDiskType('monolithicFlat'), 'preallocated');
    assert.equal(vmwareDiskType('vmfs'), 'preallocated');
    assert.equal(vmwareDiskType('custom'), undefined);
  });
  test('guest ids → os_type, os_distro, architecture', () => {
    assert.deepEqual(osFromGuestId('ubuntu64Guest'), { os_distro: 'ubuntu', os_type: 'linux', architecture: 'x86_64' });
    assert.deepEqual(osFromGuestId('windows9Server64Guest'), { os_distro: 'windows', os_type: 'windows', architecture: 'x86_64' });
    assert.deepEqual(osFromGuestId('rhel7Guest'), { os_distro: 'rhel', os_type: 'linux' });
    assert.equal(osFromGuestId('arm-debian12-64').architecture, 'aarch64');
  });
});

describe('suggestions from real images', () => {
  test('qcow2: disk_format, bare, min_disk rounded up to GiB from qemu-img info', async () => {
    const path = qemuCreate(dir, 'a.qcow2', 'qcow2', 2 * GiB + 1);
    const r = await inspectPath(path);
    const info = nativeInfo(path, 'qcow2');
    const s = suggestProperties({ detected: r.detected, details: r.details, info });
    assert.deepEqual(s.properties, { disk_format: 'qcow2', container_format: 'bare', min_disk: 3 });
    assert.match(s.sources.min_disk!, /qemu-img info/);
  });
  for (const [adapter, glance, bus] of [['lsilogic', 'lsiLogic', 'scsi'], ['buslogic', 'busLogic', 'scsi'], ['ide', 'ide', 'ide'], ['legacyESX', undefined, undefined]] as const) {
    test(`VMDK adapter ${adapter} → vmware_adaptertype ${glance}, hw_disk_bus ${bus}`, async () => {
      const r = await inspectPath(qemuCreate(dir, `${adapter}.vmdk`, 'vmdk', GiB, { adapter_type: adapter, subformat: 'streamOptimized' }));
      const s = suggestProperties({ detected: r.detected, details: r.details });
      assert.equal(s.properties.vmware_adaptertype, glance);
      assert.equal(s.properties.hw_disk_bus, bus);
      assert.equal(s.properties.vmware_disktype, 'streamOptimized');
      if (glance) assert.match(s.sources.vmware_adaptertype!, new RegExp(`ddb.adapterType="${adapter}"`));
    });
  }
  test('GPT with ESP: uefi, and the architecture with its source', async () => {
    const path = `${dir}/uefi.img`;
    sh('truncate', ['-s', '64M', path]);
    sh('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', path], { input: 'label: gpt\nstart=2048, size=8192, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\nstart=10240, type=B921B045-1DF0-41C3-AF44-4C6F280D3FAE\n' });
    const r = await inspectPath(path);
    const s = suggestProperties({ detected: r.detected, details: r.details });
    assert.equal(s.properties.hw_firmware_type, 'uefi');
    assert.equal(s.properties.architecture, 'aarch64');
    assert.equal(s.properties.disk_format, 'raw');
    assert.match(s.sources.architecture!, /root partition type/);
  });
});

describe('qemu-img check and map folding', () => {
  test('a clean native check is ok and adds no finding', async () => {
    const path = qemuCreate(dir, 'clean.qcow2', 'qcow2', 10 * MiB);
    const stdout = sh('qemu-img', ['check', '--output=json', '-f', 'qcow2', path]);
    const run = { exitCode: 0, stdout };
    assert.equal(summariseCheck(run).status, 'clean');
    assert.equal(summariseCheck(run).ok, true);
    assert.deepEqual(checkFindings(run), []);
  });
  test('corruptions are errors, leaks warnings, failures errors, crashes errors', () => {
    const corrupt = { exitCode: 2, stdout: '{"corruptions": 3, "leaks": 0, "check-errors": 0}' };
    assert.deepEqual(checkFindings(corrupt).map((f) => [f.code, f.severity]), [['check.corruptions', 'error']]);
    assert.equal(summariseCheck(corrupt).corruptions, 3);
    const leaks = { exitCode: 3, stdout: '{"leaks": 5, "check-errors": 0}' };
    assert.deepEqual(checkFindings(leaks).map((f) => [f.code, f.severity]), [['check.leaks', 'warning']]);
    assert.equal(summariseCheck(leaks).status, 'leaks');
    const failed = { exitCode: 1, stdout: '', stderr: 'qemu-img: Could not open: broken\n' };
    assert.deepEqual(checkFindings(failed).map((f) => f.code), ['check.failed']);
    assert.equal(summariseCheck(failed).message, 'qemu-img: Could not open: broken');
    const crashed = { exitCode: 134, stdout: '', stderr: '', failure: 'crashed' as const };
    assert.deepEqual(checkFindings(crashed).map((f) => f.code), ['check.crashed']);
    assert.equal(summariseCheck({ exitCode: 63, stdout: '', stderr: "qemu-img: This image format does not support checks\n" }).unsupported, true);
  });
  test('map summary from native qemu-img map', () => {
    const path = `${dir}/m.raw`;
    sh('truncate', ['-s', '4M', path]);
    sh('dd', ['if=/dev/urandom', `of=${path}`, 'bs=1M', 'count=1', 'seek=1', 'conv=notrunc', 'status=none']);
    const q = `${dir}/m.qcow2`;
    sh('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', path, q]);
    const a = summariseMap(sh('qemu-img', ['map', '--output=json', '-f', 'qcow2', q]), 4 * MiB)!;
    assert.equal(a.data, MiB);
    assert.equal(a.zero, 3 * MiB);
    assert.equal(a.virtualSize, 4 * MiB);
    assert.equal(summariseMap('not json'), undefined);
  });
});

describe('buildInspection (the CLI JSON and the image-inspected event detail)', () => {
  test('has the contract keys and folds check findings into the verdict', async () => {
    const path = qemuCreate(dir, 'b.qcow2', 'qcow2', GiB);
    const safety = await inspectPath(path);
    const info = nativeInfo(path, 'qcow2');
    const r = buildInspection({ file: 'b.qcow2', safety, info, check: { exitCode: 2, stdout: '{"corruptions":1}' } });
    for (const k of ['file', 'format', 'virtualSize', 'info', 'safety', 'suggested']) assert.ok(k in r, k);
    assert.equal(r.format, 'qcow2');
    assert.equal(r.virtualSize, GiB);
    assert.deepEqual(r.info, info);
    assert.equal(r.safety.safe, false);
    assert.deepEqual(Object.keys(r.safety.findings[0]!).slice(0, 4), ['code', 'severity', 'message', 'fix']);
    assert.deepEqual(r.suggested, { disk_format: 'qcow2', container_format: 'bare', min_disk: 1 });
    assert.equal(r.check?.status, 'corrupt');
    // Round-trips as JSON unchanged (it is sent as an event detail and printed by the CLI).
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  });
  test('an image qemu-img must not open says so', async () => {
    const r = buildInspection({ file: 'x', safety: await inspectSafety(blobSource(new Blob([new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])]), 'x.gz')), info: null });
    assert.equal(r.format, 'gzip');
    assert.equal(r.info, null);
    assert.ok(r.safety.findings.some((f) => f.code === 'qemu.not-opened'));
  });
  test('blobSource reads slices of a Blob', async () => {
    const s = blobSource(new Blob([new Uint8Array([1, 2, 3, 4, 5])]), 'b');
    assert.equal(s.size, 5);
    assert.deepEqual([...await s.read(1, 3)], [2, 3, 4]);
    assert.deepEqual([...await s.read(4, 10)], [5]);
    await assert.rejects(s.read(-1, 1), RangeError);
  });
});
