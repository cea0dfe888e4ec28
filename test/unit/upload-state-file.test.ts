// The CLI's resume state where it cannot be kept (XDG_CACHE_HOME on a read-only file system, or
// under a file): the upload fails in one sentence that says where and what to do, not Node's
// "ENOENT: no such file or directory, mkdir '…'" (what a recursive mkdir reports even for EROFS).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStateStore } from '../../src/cli/upload-state-file.ts';
import type { StoredUploadState } from '../../src/core/upload/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'ii-upload-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a state directory under a file: saving and reading say so in plain words', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  const where = join(file, 'image-inspector', 'uploads');
  const store = fileStateStore(where);
  const said = (verb: string) =>
    `Cannot ${verb} the resume state in ${where}: a part of its path is not a directory; set XDG_CACHE_HOME to a writable directory.`;
  await assert.rejects(store.put({ id: 'swift-abc' } as StoredUploadState), { message: said('save') });
  await assert.rejects(store.get('swift-abc'), { message: said('read') });
  await assert.rejects(store.list(), { message: said('read') });
});

test('a writable directory: saved, read back and listed', async () => {
  const store = fileStateStore(join(dir, 'ok', 'uploads'));
  const state = { id: 'swift-abc', fileName: 'x' } as unknown as StoredUploadState;
  await store.put(state);
  assert.deepEqual(await store.get('swift-abc'), state);
  assert.deepEqual(await store.list(), [state]);
});
