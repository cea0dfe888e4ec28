// The qemu-img client's compare(): queued behind the runs of the same worker, answered by the
// worker's outcome as is, and stopped like a run (abort → failure 'aborted', the worker killed).
// The worker is faked by a MessageChannel (the real one needs a browser).
import assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, it } from 'node:test';
import * as Comlink from 'comlink';
import { createQemuImgClient } from '../../../workers/qemu-img/client.ts';

function fakeWorker(api: object): { worker: Worker; terminated: () => number } {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
  let terminations = 0;
  const near = port1 as MessagePort & { terminate?: () => void };
  near.terminate = () => {
    terminations++;
    port1.close();
    port2.close();
  };
  return { worker: near as unknown as Worker, terminated: () => terminations };
}

const side = { path: '/in/a', format: 'raw' };
const req = { inputs: [], source: side, output: { path: '/in/b', format: 'qcow2' } };

describe('QemuImgClient compare', { timeout: 10_000 }, () => {
  it('waits for the run before it and passes the worker outcome through', async () => {
    const order: string[] = [];
    const fake = fakeWorker({
      run: async () => {
        await new Promise((r) => setTimeout(r, 30));
        order.push('run');
        return { exitCode: 0, stdout: '', stderr: '', durationMs: 30 };
      },
      compare: async () => {
        order.push('compare');
        return {
          outcome: {
            identical: false,
            mismatchOffset: 4096,
            message: 'Content mismatch at offset 4096.',
            method: 'ranges',
            bytesRead: 1,
            runs: 1,
          },
        };
      },
    });
    const client = createQemuImgClient({ createWorker: () => fake.worker });
    const run = client.run({ args: ['--version'] });
    const compared = await client.compare(req);
    await run;
    assert.deepEqual(order, ['run', 'compare']);
    assert.equal(compared.outcome?.mismatchOffset, 4096);
    client.dispose();
  });

  it('an aborted compare resolves as aborted and kills its worker', async () => {
    const fake = fakeWorker({ compare: () => new Promise<never>(() => undefined) });
    const client = createQemuImgClient({ createWorker: () => fake.worker });
    const ac = new AbortController();
    const pending = client.compare(req, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const r = await pending;
    assert.equal(r.failure, 'aborted');
    assert.match(r.error ?? '', /aborted by the caller/);
    assert.equal(fake.terminated(), 1);
    client.dispose();
  });
});
