// The load's notice about what closed tabs left: each kind of leftover has its own sentence, and
// a file conversion is named by how far it got (nothing reached the file, or written unverified).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { leftoverText } from '../../../src/elements/inspector/leftover-notice.ts';

describe('what closed tabs left, said', () => {
  test('nothing left: no notice', () => {
    assert.equal(leftoverText({ unfinished: [], finished: [] }), '');
  });

  test('file conversions by stage, each named once', () => {
    const t = leftoverText({
      unfinished: [],
      finished: [],
      files: [
        { name: 'a.qcow2', stage: 'writing' },
        { name: 'b.vhd', stage: 'verifying' },
        { name: 'c.qcow2', stage: 'writing' },
      ],
    });
    assert.match(
      t,
      /^A conversion into the file you chose \(a\.qcow2, c\.qcow2\) was still running when its tab was closed: nothing was written into it/,
    );
    assert.match(t, /The file you chose \(b\.vhd\) was written, but its tab was closed before the verification ended/);
    assert.doesNotMatch(t, /browser’s storage/);
  });

  test('OPFS leftovers and a file together', () => {
    const t = leftoverText({ unfinished: [{ name: 'x.qcow2', size: 1024 }], finished: [], files: [{ name: 'y.raw', stage: 'verifying' }] });
    assert.match(t, /its partial output \(x\.qcow2, 1 KiB\) was deleted/);
    assert.match(t, /The file you chose \(y\.raw\) was written/);
  });
});
