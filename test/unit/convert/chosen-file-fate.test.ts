// The failure sentences of "Convert to a file…" say what happened to the chosen file: nothing
// written into it before its stream closed, the file removed when the verification failed; the
// OPFS outcomes keep their own wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chosenFileFailure } from '../../../src/elements/inspector/chosen-file-fate.ts';
import type { ConvertState } from '../../../src/elements/inspector/image-inspector-model.ts';

const failed = (p: Partial<ConvertState>): ConvertState => ({ target: 'qcow2', status: 'failed', toFile: true, ...p });

test('into a chosen file: the source changed or qemu-img stopped, during the run or the verification', () => {
  assert.match(
    chosenFileFailure(failed({ failure: 'source-changed' }))!,
    /during the conversion; nothing was written into the file you chose/,
  );
  assert.match(
    chosenFileFailure(failed({ failure: 'source-changed', failedVerifying: true }))!,
    /during the verification; the file you chose was removed/,
  );
  assert.match(
    chosenFileFailure(failed({ failure: 'crashed', message: 'RuntimeError: unreachable' }))!,
    /^qemu-img stopped abnormally \(RuntimeError: unreachable\); nothing was written/,
  );
  assert.match(
    chosenFileFailure(failed({ failure: 'crashed', failedVerifying: true, message: 'x' }))!,
    /while verifying \(x\); the file you chose was removed/,
  );
});

test('OPFS outputs and other outcomes are worded elsewhere', () => {
  assert.equal(chosenFileFailure(failed({ failure: 'source-changed', toFile: false })), undefined);
  assert.equal(chosenFileFailure(failed({ failure: 'mismatch' })), undefined);
  assert.equal(chosenFileFailure(failed({ noRoom: true })), undefined);
  assert.equal(chosenFileFailure({ target: 'qcow2', status: 'cancelled', toFile: true }), undefined);
});
