// Test page for the qemu-img worker client (runner e2e test and browser benchmark). It exposes a
// few functions on window for Playwright; everything runs through the real client and worker.
import { createQemuImgClient } from '../../../workers/qemu-img/client.ts';
import type { OpfsOutput, RunProgress, RunResult } from '../../../workers/qemu-img/types.ts';
import type { CompareResult } from '../../../workers/qemu-img/compare-types.ts';

const client = createQemuImgClient();

function pickedFile(name: string): File {
  const files = (document.getElementById('files') as HTMLInputElement).files;
  for (const f of files ?? []) if (f.name === name) return f;
  throw new Error(`no chosen file named ${name}`);
}

export interface PageRun {
  result: RunResult;
  progressEvents: number;
  lastProgress?: RunProgress;
  wallMs: number;
}

async function run(
  args: string[],
  inputs: string[],
  outputs: OpfsOutput[],
  opts: { timeoutMs?: number; abortAfterBytesWritten?: number } = {},
): Promise<PageRun> {
  const ac = new AbortController();
  let progressEvents = 0;
  let lastProgress: RunProgress | undefined;
  const t = performance.now();
  const result = await client.run(
    { args, inputs: inputs.map((name) => ({ name, blob: pickedFile(name) })), outputs },
    {
      signal: ac.signal,
      timeoutMs: opts.timeoutMs,
      onProgress: (p) => {
        progressEvents++;
        lastProgress = p;
        if (opts.abortAfterBytesWritten !== undefined && p.bytesWritten >= opts.abortAfterBytesWritten) ac.abort();
      },
    },
  );
  return { result, progressEvents, lastProgress, wallMs: performance.now() - t };
}

async function opfsFile(path: string): Promise<File> {
  const parts = path.split('/').filter(Boolean);
  const name = parts.pop()!;
  let dir = await navigator.storage.getDirectory();
  for (const p of parts) dir = await dir.getDirectoryHandle(p);
  return (await dir.getFileHandle(name)).getFile();
}

/** Sends an OPFS file to the test server (streamed from disk), which stores it for native tools. */
async function uploadOpfs(path: string, to: string): Promise<number> {
  const file = await opfsFile(path);
  const res = await fetch(to, { method: 'POST', body: file });
  if (!res.ok) throw new Error(`upload failed: ${res.status}`);
  return file.size;
}

/** Sends bytes [start, end) of an OPFS file to the test server. */
async function uploadOpfsSlice(path: string, start: number, end: number, to: string): Promise<number> {
  const file = await opfsFile(path);
  const res = await fetch(to, { method: 'POST', body: file.slice(start, end) });
  if (!res.ok) throw new Error(`upload failed: ${res.status}`);
  return file.size;
}

async function clearOpfs(): Promise<void> {
  const root = await navigator.storage.getDirectory();
  for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) await root.removeEntry(name, { recursive: true });
}

/** The worker's verification of a picked source against an OPFS output, read through a read-only
 *  sync access handle as the app's is. */
function compare(source: { name: string; format: string }, output: { opfsPath: string; format: string }): Promise<CompareResult> {
  return client.compare({
    inputs: [{ name: source.name, blob: pickedFile(source.name) }],
    outputs: [{ name: 'verify-output', opfsPath: output.opfsPath, readOnly: true }],
    source: { path: `/in/${source.name}`, format: source.format },
    output: { path: '/out/verify-output', format: output.format },
  });
}

Object.assign(window, {
  runner: { run, compare, uploadOpfs, uploadOpfsSlice, clearOpfs, warm: () => client.run({ args: ['--version'] }) },
});

/** I/O ceiling in a worker: File read by slices + the same bytes written to OPFS. */
function ioCeiling(
  name: string,
  slice = 16 * 1024 * 1024,
  writeBytes?: number,
): Promise<{ bytes: number; readMs: number; writeMs: number; totalMs: number }> {
  const w = new Worker(new URL('./io-ceiling-worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    w.onmessage = (e) => {
      w.terminate();
      resolve(e.data);
    };
    w.onerror = (e) => {
      w.terminate();
      reject(new Error(e.message));
    };
    w.postMessage({ file: pickedFile(name), opfsName: `ceiling-${Date.now()}-${Math.random().toString(36).slice(2)}`, slice, writeBytes });
  });
}

async function removeOpfs(path: string): Promise<void> {
  const parts = path.split('/').filter(Boolean);
  const name = parts.pop()!;
  let dir = await navigator.storage.getDirectory();
  for (const p of parts) dir = await dir.getDirectoryHandle(p);
  await dir.removeEntry(name);
}

Object.assign((window as unknown as { runner: object }).runner, { ioCeiling, removeOpfs });
