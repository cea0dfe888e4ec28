// The page clients of the qemu-img and hash workers settle every call when disposed, and dispose()
// and the worker kill behind a timeout may happen in any order, any number of times. A worker is
// faked by a MessageChannel whose far end never answers (a run that hangs).
import assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, it } from 'node:test';
import * as Comlink from 'comlink';
import { createQemuImgClient } from '../../../workers/qemu-img/client.ts';
import { createHashClient } from '../../../workers/hash/client.ts';

interface HangingWorker {
  worker: Worker;
  terminated: () => number;
}

function hangingWorker(api: object): HangingWorker {
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

const never = () => new Promise<never>(() => undefined);

describe('QemuImgClient dispose', { timeout: 10_000 }, () => {
  it('rejects the run in flight and the queued run with "disposed", and a second dispose is a no-op', async () => {
    const fake = hangingWorker({ run: never });
    const client = createQemuImgClient({ createWorker: () => fake.worker });
    const first = client.run({ args: ['info', '-f', 'raw', '/in/x'] });
    const queued = client.run({ args: ['info', '-f', 'raw', '/in/y'] });
    await new Promise((r) => setTimeout(r, 20));
    client.dispose();
    client.dispose();
    await assert.rejects(first, /qemu-img client was disposed/);
    await assert.rejects(queued, /qemu-img client was disposed/);
    await assert.rejects(client.run({ args: ['--version'] }), /qemu-img client was disposed/);
    assert.equal(fake.terminated(), 1);
  });

  it('a run that timed out killed its worker once; dispose afterwards does not kill it again', async () => {
    const fake = hangingWorker({ run: never });
    const client = createQemuImgClient({ createWorker: () => fake.worker });
    const r = await client.run({ args: ['info', '-f', 'raw', '/in/x'], timeoutMs: 30 });
    assert.equal(r.failure, 'timeout');
    assert.match(r.stderr, /no result after 30 ms/);
    assert.doesNotThrow(() => client.dispose());
    assert.equal(fake.terminated(), 1);
  });

  it('an aborted run resolves as aborted and dispose afterwards is harmless', async () => {
    const fake = hangingWorker({ run: never });
    const client = createQemuImgClient({ createWorker: () => fake.worker });
    const ac = new AbortController();
    const running = client.run({ args: ['info', '-f', 'raw', '/in/x'] }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    assert.equal((await running).failure, 'aborted');
    client.dispose();
    client.dispose();
    assert.equal(fake.terminated(), 1);
  });
});

describe('HashClient dispose', { timeout: 10_000 }, () => {
  it('rejects hashes in flight with "disposed", later calls too, and a second dispose is a no-op', async () => {
    const fake = hangingWorker({ hash: never, cancel: () => undefined });
    const client = createHashClient({ createWorker: () => fake.worker });
    const a = client.hash(new Blob(['a']));
    const b = client.hash(new Blob(['b']));
    await new Promise((r) => setTimeout(r, 20));
    client.dispose();
    client.dispose();
    await assert.rejects(a, /hash client was disposed/);
    await assert.rejects(b, /hash client was disposed/);
    await assert.rejects(client.hash(new Blob(['c'])), /hash client was disposed/);
    assert.equal(fake.terminated(), 1);
  });
});
