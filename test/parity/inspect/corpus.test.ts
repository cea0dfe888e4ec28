// The shared corpus (test/corpus/generate.ts: every format and subformat qemu-img writes, 8 GiB
// sparse images, hostile files): each image is detected as the format it was written in, with
// native qemu-img's virtual size; each hostile file gets an unsafe verdict or is plain data.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { ensureCorpus } from '../../corpus/generate.ts';
import { qemuDriverFor } from '../../../src/core/inspect/glance-formats.ts';
import { inspectPath } from './helpers.ts';

const corpus = ensureCorpus();

function nativeSize(path: string, format: string): number | null {
  try {
    const out = execFileSync('qemu-img', ['info', '--output=json', '-f', format, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return (JSON.parse(out) as { 'virtual-size': number })['virtual-size'];
  } catch {
    return null; // native qemu-img cannot open it: nothing to compare with
  }
}

describe('corpus images', () => {
  for (const img of corpus.images) {
    test(img.id, async () => {
      const r = await inspectPath(img.path);
      assert.equal(qemuDriverFor(r.detected), img.format);
      const size = nativeSize(img.path, img.format);
      if (size !== null) assert.equal(r.details.virtualSize, size);
      assert.ok(r.bytesRead < 2 * 1024 * 1024, `${r.bytesRead} bytes read`);
      assert.equal(r.findings.some((f) => f.code === 'image.truncated'), false);
    });
  }
});

describe('corpus hostile files', () => {
  for (const h of corpus.hostile) {
    test(`${h.id}: ${h.about}`, async () => {
      const r = await inspectPath(h.path, { declaredFormat: h.format === 'vpc' ? 'vhd' : h.format });
      // Random bytes are raw data, which is what they are: declaring a format for them is refused.
      assert.equal(r.safe, false, JSON.stringify(r.findings));
      if (h.id.startsWith('random.')) assert.equal(r.detected, 'raw');
      else assert.equal(qemuDriverFor(r.detected), h.format);
    });
  }
});
