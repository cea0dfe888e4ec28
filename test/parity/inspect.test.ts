// Parity of the read-only commands on every corpus image: info, check, map and measure print what
// native qemu-img prints (info: everything but actual-size; map: see assertSameMap for the one
// documented hole-reporting difference on host-allocated files, and assertTrueMapWhereNativeHasNone
// for VHDX, whose block status our patch adds).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureCorpus } from '../corpus/generate.ts';
import { join } from 'node:path';
import {
  native,
  wasm,
  withoutActualSize,
  assertSameMap,
  assertTrueMapWhereNativeHasNone,
  assertOk,
  describeRun,
  tempDir,
} from './helpers.ts';
import { shutdownQemuImg } from '../../workers/qemu-img/node.ts';

const corpus = ensureCorpus();
const scratch = tempDir('inspect');
after(() => {
  scratch.remove();
  return shutdownQemuImg();
});

describe('wasm qemu-img matches native on every corpus image', () => {
  for (const img of corpus.images) {
    test(`${img.id}: info, check, map, measure`, async () => {
      // info --output=json: same JSON, deeply, except the FS-dependent actual-size.
      const infoArgs = ['info', '-f', img.format, '--output=json', img.path];
      const ni = native(infoArgs);
      const wi = await wasm(infoArgs);
      assert.equal(wi.exitCode, ni.exitCode, describeRun('wasm info', wi));
      if (ni.exitCode !== 0) {
        // Native cannot open it either (a 0-byte VMDK: "Unsupported image type"): same message.
        assert.equal(wi.stderr, ni.stderr);
        assert.equal(wi.failure, undefined);
        return;
      }
      assert.deepEqual(withoutActualSize(JSON.parse(wi.stdout)), withoutActualSize(JSON.parse(ni.stdout)));

      // info --backing-chain for the overlay walks the relative backing file like native.
      if (img.base === 'overlay') {
        const chain = ['info', '-f', img.format, '--backing-chain', '--output=json', img.path];
        const nc = native(chain);
        const wc = await wasm(chain);
        assert.equal(wc.exitCode, 0, describeRun('wasm info --backing-chain', wc));
        assert.deepEqual(withoutActualSize(JSON.parse(wc.stdout)), withoutActualSize(JSON.parse(nc.stdout)));
      }

      // check: identical human output, stderr and exit status (63 = format without checks).
      const checkArgs = ['check', '-f', img.format, img.path];
      const nc = native(checkArgs);
      const wc = await wasm(checkArgs);
      assert.equal(wc.exitCode, nc.exitCode, describeRun('wasm check', wc));
      assert.equal(wc.stdout, nc.stdout);
      assert.equal(wc.stderr, nc.stderr);

      // map --output=json
      const mapArgs = ['map', '-f', img.format, '--output=json', img.path];
      const nm = native(mapArgs);
      const wm = await wasm(mapArgs);
      assert.equal(wm.exitCode, nm.exitCode, describeRun('wasm map', wm));
      // VHDX: the one format whose block status our patch adds (qemu-0009); elsewhere the same map.
      const raw = img.format === 'vhdx' ? join(scratch.dir, `${img.id}.raw`) : undefined;
      if (raw) {
        assertOk(native(['convert', '-f', 'vhdx', '-O', 'raw', img.path, raw]), 'native convert to raw');
        assertTrueMapWhereNativeHasNone(nm.stdout, wm.stdout, img.path, raw);
      } else assertSameMap(nm.stdout, wm.stdout, img.hostHoles);

      // measure, for a qcow2 target.
      const measureArgs = ['measure', '-f', img.format, '-O', 'qcow2', '--output=json', img.path];
      const nme = native(measureArgs);
      const wme = await wasm(measureArgs);
      assert.equal(wme.exitCode, nme.exitCode, describeRun('wasm measure', wme));
      const n = JSON.parse(nme.stdout) as Record<string, number>;
      const w = JSON.parse(wme.stdout) as Record<string, number>;
      if (raw) {
        // It knows the absent blocks now: no more than native, no less than the data's own measure.
        const data = JSON.parse(native(['measure', '-f', 'raw', '-O', 'qcow2', '--output=json', raw]).stdout) as Record<string, number>;
        assert.equal(w['fully-allocated'], n['fully-allocated']);
        assert.ok(
          w.required! <= n.required! && w.required! >= data.required!,
          `measure required ${w.required}: native ${n.required}, its data ${data.required}`,
        );
      } else if (img.hostHoles) {
        // Native skips kernel-reported holes; the wasm counts them as data (see assertSameMap).
        assert.equal(w['fully-allocated'], n['fully-allocated']);
        assert.ok(w.required! >= n.required!, `measure required ${w.required} < native ${n.required}`);
      } else {
        assert.deepEqual(w, n);
      }
    });
  }
});
