// Node worker thread that owns the wasm qemu-img (see node.ts for why a thread): it compiles the
// wasm once and runs each command on a fresh instance.
import { parentPort } from 'node:worker_threads';
import { loadNodeQemuImg, runOnHost } from './node-host.ts';
import type { ThreadRequest, ThreadMessage } from './node-protocol.ts';

if (!parentPort) throw new Error('node-thread.ts must run in a worker thread');
const port = parentPort;
// The wasm is compiled as the thread starts (prewarmQemuImg), not at its first run. A failure is
// not lost: the first run awaits the same promise and reports it.
loadNodeQemuImg().catch(() => {});

port.on('message', async (req: ThreadRequest) => {
  const send = (m: ThreadMessage) => port.postMessage(m);
  const result = await runOnHost(req.args, req.cwd, {
    onStdout: req.forwardStdout ? (chunk) => send({ type: 'stdout', chunk }) : undefined,
    onStderr: req.forwardStderr ? (chunk) => send({ type: 'stderr', chunk }) : undefined,
    onProgress: req.progress ? (progress) => send({ type: 'progress', progress }) : undefined,
    ...(req.memoryOutputs ? { memoryOutputs: req.memoryOutputs } : {}),
    knownExtents: req.knownExtents,
  });
  port.postMessage(
    { type: 'done', result } satisfies ThreadMessage,
    Object.values(result.files ?? {}).map((f) => f.buffer as ArrayBuffer),
  );
});
