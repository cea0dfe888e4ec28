// The page side of the upload worker over a real Comlink channel (a MessageChannel standing in
// for the Worker): errors keep their kind and `paused`, and dispose() rejects every call still
// waiting (a terminated worker would otherwise leave them pending for ever).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { createUploadClient, UploadError } from '../../../workers/upload/client.ts';
import type { UploadWorkerApi, WorkerUploadRequest } from '../../../workers/upload/types.ts';

function fakeWorker(api: Partial<UploadWorkerApi>): { worker: Worker; terminated: () => boolean } {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
  let terminated = false;
  const worker = Object.assign(port1, {
    terminate() {
      terminated = true;
      port1.close();
      port2.close();
    },
  }) as unknown as Worker;
  return { worker, terminated: () => terminated };
}

const request = {
  file: new Blob(['x']) as File,
  fileName: 'x',
  lastModified: 0,
  via: 'glance',
  register: null,
  glanceEndpoint: null,
} as unknown as WorkerUploadRequest;
const page = {
  getToken: async () => 't',
  invalidate: () => undefined,
  canRenew: () => true,
  whole: async () => ({ sha512: '', md5: '', size: 1 }),
  partsSoFar: () => null,
  progress: () => undefined,
  notice: () => undefined,
};

describe('upload client', { timeout: 10_000 }, () => {
  test('a failure comes back as an OpenStackError with its kind, image id and paused flag', async () => {
    const { worker } = fakeWorker({
      start: async () => ({ ok: false, error: { message: 'The upload is paused.', kind: 'aborted', paused: true, imageId: 'img-1' } }),
    });
    const client = createUploadClient({ createWorker: () => worker });
    const err = await client.start(request, page).done.then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof UploadError, String(err));
    assert.equal(err.kind, 'aborted');
    assert.equal(err.paused, true);
    assert.equal(err.imageId, 'img-1');
    client.dispose();
  });

  test('dispose() rejects the calls still waiting and terminates the worker; it is idempotent', async () => {
    const { worker, terminated } = fakeWorker({ start: () => new Promise(() => undefined) });
    const client = createUploadClient({ createWorker: () => worker });
    const run = client.start(request, page);
    client.dispose();
    await assert.rejects(run.done, /upload worker was stopped/);
    assert.ok(terminated());
    assert.doesNotThrow(() => client.dispose());
    await assert.rejects(client.start(request, page).done, /upload worker was stopped/);
  });
});
