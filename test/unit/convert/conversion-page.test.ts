// The page's conversion logic that needs no browser: progress figures that are honest at the start
// and the end, the default target, and the guest hints a converted output inherits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressMeter, formatDuration } from '../../../src/elements/inspector/conversion-progress.ts';
import { carryGuestHints, cloudPreference, defaultTarget } from '../../../src/elements/inspector/conversion-defaults.ts';
import { pageConversion } from '../../../src/elements/inspector/conversion-request.ts';
import { defaultConvertOptions } from '../../../src/core/convert/options.ts';
import type { InspectionResult } from '../../../src/core/inspection.ts';

const MiB = 1024 * 1024;

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function result(format: string, suggested: Record<string, string | number>, file = `x.${format}`): InspectionResult {
  const suggestedFrom = Object.fromEntries(Object.keys(suggested).map((k) => [k, `why ${k}`]));
  return { file, format, info: { format }, suggested, suggestedFrom } as unknown as InspectionResult;
}

describe('conversion progress', { timeout: 10_000 }, () => {
  test('no rate and no time left at the start; both once the run has been going', () => {
    const c = clock();
    const m = new ProgressMeter(c.now);
    const first = m.sample({ percent: 0, bytesRead: 0, bytesWritten: 0 });
    assert.equal(first.rate, undefined);
    assert.equal(first.secondsLeft, undefined, 'never "0 s left" before anything was measured');
    c.advance(1000);
    assert.equal(m.sample({ percent: 5, bytesRead: 100 * MiB, bytesWritten: 50 * MiB }).secondsLeft, undefined, 'too early to tell');
    c.advance(1000);
    const later = m.sample({ percent: 10, bytesRead: 200 * MiB, bytesWritten: 100 * MiB });
    assert.equal(later.rate, 100 * MiB, 'bytes read per second over the window');
    assert.equal(later.secondsLeft, 18, '2 s for 10 %: 18 s for the other 90 %');
  });

  test('the rate follows the recent window, and the percent never goes back', () => {
    const c = clock();
    const m = new ProgressMeter(c.now);
    m.sample({ percent: 0, bytesRead: 0, bytesWritten: 0 });
    for (let i = 1; i <= 10; i++) {
      c.advance(1000);
      m.sample({ percent: i * 5, bytesRead: i * 10 * MiB, bytesWritten: 0 });
    }
    c.advance(1000);
    const slow = m.sample({ percent: 40, bytesRead: 101 * MiB, bytesWritten: 0 });
    assert.equal(slow.percent, 50, 'a lower percent is ignored');
    assert.ok(slow.rate! < 10 * MiB, `the last second's slowdown shows (${slow.rate})`);
  });

  test('a finished run says 100 %, nothing left and its average rate, not "0 B/s"', () => {
    const c = clock();
    const m = new ProgressMeter(c.now);
    m.sample({ percent: 0, bytesRead: 0, bytesWritten: 0 });
    c.advance(4000);
    m.sample({ percent: 100, bytesRead: 400 * MiB, bytesWritten: 10 * MiB });
    c.advance(1000); // idle at the end: flushing, closing
    const done = m.finish();
    assert.deepEqual(done, { percent: 100, bytesRead: 400 * MiB, bytesWritten: 10 * MiB, rate: 80 * MiB, secondsLeft: 0, elapsedMs: 5000 });
  });

  test('durations read as m:ss or h:mm:ss', () => {
    assert.deepEqual([formatDuration(0), formatDuration(75.4), formatDuration(3725)], ['0:00', '1:15', '1:02:05']);
  });
});

describe('conversion defaults', { timeout: 10_000 }, () => {
  test("never the source's own format; a cloud's wish wins when it differs from the source", () => {
    assert.equal(defaultTarget(result('vmdk', {})), 'qcow2');
    assert.equal(defaultTarget(result('qcow2', {})), 'raw');
    assert.equal(defaultTarget(undefined), 'qcow2');
    assert.equal(defaultTarget(result('vmdk', {}), { target: 'raw', why: 'rbd-store' }), 'raw');
    assert.equal(defaultTarget(result('raw', {}), { target: 'raw', why: 'rbd-store' }), 'qcow2');
  });

  test('a VMDK → qcow2 output keeps the hw_disk_bus only the descriptor could tell, saying where it came from', () => {
    const source = result('vmdk', { disk_format: 'vmdk', hw_disk_bus: 'scsi', vmware_adaptertype: 'lsiLogic', min_disk: 1 }, 'a.vmdk');
    const output = result('qcow2', { disk_format: 'qcow2', min_disk: 1 }, 'a.qcow2');
    const carried = carryGuestHints(source, output);
    assert.ok(carried);
    assert.deepEqual(carried.suggested, { disk_format: 'qcow2', min_disk: 1, hw_disk_bus: 'scsi' });
    assert.equal(carried.suggestedFrom['hw_disk_bus'], 'converted from a.vmdk: why hw_disk_bus');
    assert.equal(carryGuestHints(result('raw', { disk_format: 'raw' }), output), undefined, 'nothing to add: no new result');
  });

  test('the cloud decides: a default Ceph RBD store wants raw, an import that converts takes qcow2, file stores qcow2', () => {
    const rbd = {
      stores: [
        { id: 'file1', default: false },
        { id: 'ceph', description: 'Ceph RBD', default: true },
      ],
      importMethods: [],
    };
    assert.deepEqual(cloudPreference(rbd), { target: 'raw', why: 'rbd-store', store: 'ceph' });
    assert.deepEqual(cloudPreference({ stores: [{ id: 'fast', description: 'RBD pool' }], importMethods: [] })?.target, 'raw');
    const files = {
      stores: [
        { id: 'file1', default: true },
        { id: 'ceph', description: 'Ceph RBD' },
      ],
      importMethods: ['glance-direct'],
    };
    assert.deepEqual(cloudPreference(files), { target: 'qcow2', why: 'file-store' }, 'only the default store decides');
    assert.equal(cloudPreference({ ...files, importPlugins: ['image_conversion'] })?.why, 'import-converts');
    assert.equal(cloudPreference({ stores: [{ id: 'sharedrbdx' }], importMethods: [] })?.target, 'qcow2', 'a word, not a substring');
    assert.equal(cloudPreference(null), undefined);
  });
});

describe('the conversion the page runs', { timeout: 10_000 }, () => {
  const safeVhd = {
    file: 'disk.vhd',
    format: 'vpc',
    info: { format: 'vpc', 'virtual-size': 1 << 24 },
    safety: { safe: true, findings: [] },
    suggested: {},
    suggestedFrom: {},
  } as unknown as InspectionResult;

  test('argv from the shared model, measure with the same -o, the command line with the files own names', () => {
    const o = defaultConvertOptions();
    o.compress = true;
    o.zeroDetection = false;
    const r = pageConversion(safeVhd, 'qcow2', o, 'disk.vhd');
    assert.ok(r.ok);
    assert.deepEqual(r.conversion.args, [
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
      'compat=1.1',
      '/in/disk.vhd',
      '/out/disk.qcow2',
    ]);
    assert.deepEqual(r.conversion.measureArgs, [
      'measure',
      '--output=json',
      '-f',
      'vpc',
      '-O',
      'qcow2',
      '-o',
      'compat=1.1',
      '/in/disk.vhd',
    ]);
    assert.equal(r.conversion.commandLine, 'qemu-img convert -p -f vpc -O qcow2 -c -W -S 0 -o compat=1.1 disk.vhd disk.qcow2');
  });

  test('a disk inside an OVA: run from its own mount, shown read in place in the OVA (native qemu-img cannot open the tar as a VMDK)', () => {
    const ova = {
      ...safeVhd,
      file: 'appliance.ova',
      format: 'vmdk',
      info: { format: 'vmdk', 'virtual-size': 1 << 24 },
    } as unknown as InspectionResult;
    const r = pageConversion(ova, 'qcow2', defaultConvertOptions(), 'disk1.vmdk', {}, undefined, { offset: 2560, size: 1299968 });
    assert.ok(r.ok);
    assert.deepEqual(r.conversion.args.slice(-2), ['/in/disk1.vmdk', '/out/appliance.qcow2'], 'the page reads its mount of the disk');
    assert.equal(
      r.conversion.commandLine,
      'qemu-img convert -p --image-opts -O qcow2 -o compat=1.1 driver=vmdk,file.driver=raw,file.offset=2560,file.size=1299968,file.file.driver=file,file.file.filename=appliance.ova appliance.qcow2',
    );
    const comma = pageConversion(
      { ...ova, file: 'a,b.ova' } as InspectionResult,
      'raw',
      defaultConvertOptions(),
      'disk1.vmdk',
      {},
      undefined,
      {
        offset: 512,
        size: 1024,
      },
    );
    assert.ok(comma.ok);
    assert.match(
      comma.conversion.commandLine,
      /file\.file\.filename=a,,b\.ova a_b\.raw$/,
      'a comma in the name is doubled as -o syntax wants',
    );
  });

  test('vhd is written by the vpc driver into <name>.vhd, never over the source name', () => {
    const r = pageConversion(safeVhd, 'vhd', { ...defaultConvertOptions(), vhd: { subformat: 'fixed', forceSize: true } }, 'disk.vhd');
    assert.ok(r.ok);
    assert.equal(r.conversion.outputName, 'disk-converted.vhd');
    assert.equal(r.conversion.preallocated, true, 'a fixed VHD takes its whole virtual size');
    const dynamic = pageConversion(safeVhd, 'vhdx', defaultConvertOptions(), 'disk.vhd');
    assert.equal(dynamic.ok && dynamic.conversion.preallocated, false);
    assert.deepEqual(r.conversion.args.slice(4, 8), ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on']);
  });

  test('refused options come back as the shared model problems; a refused image as the plan refusal', () => {
    const o = defaultConvertOptions();
    o.compress = true;
    o.qcow2.preallocation = 'full';
    const r = pageConversion(safeVhd, 'qcow2', o, 'disk.vhd');
    assert.equal(r.ok, false);
    assert.deepEqual(r.ok ? [] : r.problems?.map((p) => p.code), ['compress-preallocation']);
    const raw = pageConversion(safeVhd, 'raw', o, 'disk.vhd');
    assert.ok(raw.ok, 'the compress box of qcow2 does not follow the user to raw');
    assert.ok(!raw.conversion.args.includes('-c'));
    // nor to VMDK, whose subformat decides (qemu-img writes monolithicSparse uncompressed with -c too)
    const c = defaultConvertOptions();
    c.compress = true;
    c.vmdk.subformat = 'monolithicSparse';
    const vmdk = pageConversion(safeVhd, 'vmdk', c, 'disk.vhd');
    assert.ok(vmdk.ok && !vmdk.conversion.args.includes('-c') && !vmdk.conversion.commandLine.includes(' -c '));
    const hostile = {
      ...safeVhd,
      safety: { safe: false, findings: [{ code: 'qemu.not-opened', severity: 'error' }] },
    } as unknown as InspectionResult;
    const refused = pageConversion(hostile, 'qcow2', defaultConvertOptions(), 'disk.vhd');
    assert.deepEqual(refused, { ok: false, refusal: 'not-opened' });
    // overridden (the user's "convert anyway"), qemu-img, never run on it, reads it as the content's format
    const never = { ...hostile, info: null, detected: 'vmdk' } as unknown as InspectionResult;
    const forced = pageConversion(never, 'qcow2', defaultConvertOptions(), 'odd.vmdk', { overrideSafety: true });
    assert.ok(forced.ok, JSON.stringify(forced));
    assert.deepEqual(forced.conversion.args.slice(0, 4), ['convert', '-p', '-f', 'vmdk']);
    // content of no single format (a polyglot): nothing to tell qemu-img, still refused
    const ambiguous = { ...never, detected: null } as unknown as InspectionResult;
    assert.deepEqual(pageConversion(ambiguous, 'qcow2', defaultConvertOptions(), 'x', { overrideSafety: true }), {
      ok: false,
      refusal: 'not-read',
    });
  });
});
