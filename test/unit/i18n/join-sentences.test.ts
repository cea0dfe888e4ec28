// Sentences joined for the page: a space after an English full stop, none after a Japanese one,
// empty parts dropped (the outcome of an upload or a conversion is built from optional sentences).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinSentences } from '../../../src/elements/join-sentences.ts';

describe('joinSentences', () => {
  test('English: one space between sentences; empty and false parts dropped', () => {
    assert.equal(
      joinSentences('The image is active.', '', false, 'Resumed: 8 MiB sent this time.'),
      'The image is active. Resumed: 8 MiB sent this time.',
    );
    assert.equal(joinSentences(undefined, 'Only one.'), 'Only one.');
    assert.equal(joinSentences(), '');
  });

  test('Japanese: no space after 。！？, a space after anything else', () => {
    assert.equal(
      joinSentences('イメージは有効です。', 'オブジェクトは保存されています。'),
      'イメージは有効です。オブジェクトは保存されています。',
    );
    assert.equal(joinSentences('本当ですか？', '続けます。'), '本当ですか？続けます。');
    assert.equal(joinSentences('qemu-img compare: identical', '検証済み。'), 'qemu-img compare: identical 検証済み。');
  });
});
