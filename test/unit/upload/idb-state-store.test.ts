// The page's resume state in IndexedDB (fake-indexeddb stands in for the browser's: the same
// IndexedDB API, in memory), and the check of a file picked again before stored parts are reused.
import 'fake-indexeddb/auto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdbUploadStateStore, assertNoSecrets, type StoredFileHandle } from '../../../workers/upload/idb-state-store.ts';
import { mismatch, reopenFromHandle } from '../../../src/elements/cloud/resume-file.ts';
import type { UploadState } from '../../../src/core/upload/types.ts';

let n = 0;
const fresh = () => new IdbUploadStateStore(`uploads-test-${process.pid}-${n++}`);

function state(id: string, updatedAt: string): UploadState {
  return {
    version: 1,
    id,
    createdAt: updatedAt,
    updatedAt,
    file: { name: 'disk.qcow2', size: 10, lastModified: 1, fingerprint: 'f00' },
    target: { kind: 's3', endpoint: 'http://127.0.0.1:1', region: 'RegionOne', bucket: 'images', key: 'disk.qcow2' },
    partSize: 5,
    uploadId: 'u1',
    parts: [{ number: 1, offset: 0, size: 5, etag: 'abc' }],
    status: 'uploading',
  };
}

const fingerprintOf = async (b: Blob) => `fp:${await b.text()}`;

describe('IdbUploadStateStore', { timeout: 10_000 }, () => {
  test('put, get, list newest first, delete', async () => {
    const s = fresh();
    await s.put(state('a', '2026-01-01T00:00:00Z'));
    await s.put(state('b', '2026-01-02T00:00:00Z'));
    assert.equal(((await s.get('a')) as UploadState | undefined)?.parts[0]?.etag, 'abc');
    assert.deepEqual(
      (await s.list()).map((x) => x.id),
      ['b', 'a'],
    );
    await s.delete('a');
    assert.equal(await s.get('a'), undefined);
    assert.deepEqual(
      (await s.list()).map((x) => x.id),
      ['b'],
    );
    s.close();
  });

  test('a state is replaced by put with the same id (parts added as they are stored)', async () => {
    const s = fresh();
    const st = state('a', '2026-01-01T00:00:00Z');
    await s.put(st);
    await s.put({ ...st, parts: [...st.parts, { number: 2, offset: 5, size: 5, etag: 'def' }] });
    assert.equal(((await s.get('a')) as UploadState | undefined)?.parts.length, 2);
    assert.equal((await s.list()).length, 1);
    s.close();
  });

  test('refuses a state that carries anything named like a credential', async () => {
    const s = fresh();
    const bad = {
      ...state('a', '2026-01-01T00:00:00Z'),
      target: { ...state('a', 'x').target, secretAccessKey: 'shh' },
    } as unknown as UploadState;
    await assert.rejects(s.put(bad), /refusing to store state\.target\.secretAccessKey/);
    assert.equal(await s.get('a'), undefined);
    assert.throws(() => assertNoSecrets({ register: { fields: { x_auth_token: 't' } } }), /x_auth_token/);
    assert.doesNotThrow(() => assertNoSecrets(state('a', 'x')));
    s.close();
  });

  test('keeps a file handle beside the state; delete removes both', async () => {
    const s = fresh();
    const handle = { kind: 'file', name: 'disk.qcow2' } as unknown as StoredFileHandle;
    await s.put(state('a', '2026-01-01T00:00:00Z'));
    await s.putHandle('a', handle);
    assert.equal((await s.getHandle('a'))?.name, 'disk.qcow2');
    await s.delete('a');
    assert.equal(await s.getHandle('a'), undefined);
    s.close();
  });
});

describe('a file picked again', { timeout: 10_000 }, () => {
  const stored = { name: 'disk.qcow2', size: 5, lastModified: 1, fingerprint: 'fp:hello' };
  test('the same name, size and content matches', async () => {
    assert.equal(await mismatch(stored, new File(['hello'], 'disk.qcow2'), fingerprintOf), null);
  });
  test('another size, another name or changed content is refused with why', async () => {
    assert.match(
      (await mismatch(stored, new File(['hello!'], 'disk.qcow2'), fingerprintOf))!,
      /has 6 bytes, the unfinished upload was of 5 bytes/,
    );
    assert.match((await mismatch(stored, new File(['hello'], 'other.qcow2'), fingerprintOf))!, /was of "disk\.qcow2", not "other\.qcow2"/);
    assert.match((await mismatch(stored, new File(['HELLO'], 'disk.qcow2'), fingerprintOf))!, /has changed since the upload started/);
  });
});

describe('reopening a kept handle', { timeout: 10_000 }, () => {
  const file = new File(['x'], 'disk.qcow2');
  const handle = (query: PermissionState, request: PermissionState, fail = false): StoredFileHandle & { asked: number } => {
    const h = {
      kind: 'file' as const,
      name: 'disk.qcow2',
      asked: 0,
      queryPermission: async () => query,
      requestPermission: async () => {
        h.asked++;
        return request;
      },
      getFile: async () => {
        if (fail) throw new Error('A requested file or directory could not be found');
        return file;
      },
    };
    return h;
  };
  test('granted already: no prompt', async () => {
    const h = handle('granted', 'denied');
    assert.equal((await reopenFromHandle(h)).file, file);
    assert.equal(h.asked, 0);
  });
  test('prompt once, then the file', async () => {
    const h = handle('prompt', 'granted');
    assert.equal((await reopenFromHandle(h)).file, file);
    assert.equal(h.asked, 1);
  });
  test('refused or gone: a sentence saying to choose the file again', async () => {
    const refused = await reopenFromHandle(handle('prompt', 'denied'));
    assert.equal(refused.file, null);
    assert.match((refused as { reason: string }).reason, /was not allowed: allow it, or choose the file again/);
    const gone = await reopenFromHandle(handle('granted', 'granted', true));
    assert.match((gone as { reason: string }).reason, /could not be opened again \(A requested file .*\): choose the file again/);
  });
});
