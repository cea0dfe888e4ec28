// Node runner: the wasm qemu-img on real local paths, exactly as native would run them.
//
//   runQemuImg(args: string[], opts?: NodeRunOptions): Promise<RunResult>
//     args      qemu-img arguments without "qemu-img"; absolute and relative host paths work as
//               natively (host directories are mounted at their own paths, cwd = opts.cwd).
//     opts.cwd  working directory for relative paths (default process.cwd()).
//     opts.stdout / opts.stderr  'capture' (default): only in the result; 'inherit': also written
//               live to this process's stdout/stderr (so -p progress shows in a terminal).
//     opts.signal, opts.timeoutMs  stop the run: the result has failure 'aborted' / 'timeout',
//               exitCode 143 and a message on stderr.
//     opts.onProgress  throttled { percent (from -p), bytesRead, bytesWritten }.
//   stdin is always at EOF: qemu-img reads it only for interactive secrets, which a runner cannot
//   answer.
//   shutdownQemuImg(): terminates idle threads (they are unref'd, so a process exits without it).
//   prewarmQemuImg(n): starts threads for runs that will go side by side (see below).
//   runQemuImgInProcess(args, opts?: { cwd?, stdout?, stderr? }): the same run in the CALLER's
//     thread, without abort/timeout: for one-shot processes such as the CLI, which then skip a
//     thread start and a second TypeScript loader (~0.3 s).
//
// Why a worker thread rather than the caller's thread: a hostile image can make qemu-img spin in
// wasm without ever calling into the file system (a huge table walk), so checking the clock from FS
// operations cannot stop every run; Worker.terminate() can, at any instruction. The thread also
// contains what emscripten's Node glue does to its process (process-level exception listeners,
// process.exit on quit) and any asynchronous trap, so a crash never takes the caller down. The
// cost is one thread start (~tens of ms) that is paid once: threads are reused between runs, each
// run still gets a fresh module instance.
import { Worker } from 'node:worker_threads';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunOptions, RunProgress, RunResult } from './types.ts';
import { KILLED_EXIT_CODE, TRAP_EXIT_CODE } from './types.ts';
import { wasmDistDir, type ThreadMessage, type ThreadRequest } from './node-protocol.ts';
import { runOnHost } from './node-host.ts';
import { pipeWriter } from './pipe-writer.ts';
import type { WrittenFiles } from './extents.ts';
import { compareImages } from './compare.ts';
import type { CompareOutcome, CompareRequest } from './compare-request.ts';

export type { RunOptions, RunResult } from './types.ts';

export interface NodeRunOptions extends RunOptions {
  cwd?: string;
  /** Data ranges of files an earlier run wrote (its RunResult.written): SEEK_DATA/SEEK_HOLE on
   *  them then answer their holes while the files are unchanged (see extents.ts). */
  knownExtents?: WrittenFiles;
  stdout?: 'capture' | 'inherit';
  stderr?: 'capture' | 'inherit';
  /** Small outputs at /mem/<name> returned in the result's `files` (the guest reader's windows). */
  memoryOutputs?: string[];
}

const THREAD_ENTRY = new URL('./node-thread.mjs', import.meta.url);
const MAX_IDLE = 2;
const idle: Worker[] = [];

function spawnThread(): Worker {
  // stdout/stderr of the thread itself go to ours: qemu-img's own output travels as messages.
  const w = new Worker(THREAD_ENTRY, { execArgv: process.execArgv.filter((a) => !a.startsWith('--test')) });
  // A thread that ends while idle (one prewarmed whose start failed) leaves the pool; its error
  // has no run to go to (the next run starts a thread of its own, which reports it then).
  w.on('error', () => {});
  w.once('exit', () => {
    const at = idle.indexOf(w);
    if (at >= 0) idle.splice(at, 1);
  });
  return w;
}

/** Starts threads ahead of the runs that need them, up to `count` idle ones (MAX_IDLE at most);
 *  each compiles the wasm as it starts. For runs that will go side by side (compareOnHost's two
 *  windows): a thread's start costs ~0.1 s with the built CLI (~0.4 s from the TypeScript sources),
 *  more than the run it would serve. */
export function prewarmQemuImg(count: number): void {
  while (idle.length < Math.min(count, MAX_IDLE)) {
    const w = spawnThread();
    w.unref();
    idle.push(w);
  }
}

function concat(chunks: Uint8Array[]): string {
  return Buffer.concat(chunks).toString('utf8');
}

export function runQemuImg(args: string[], opts: NodeRunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  if (opts.signal?.aborted) {
    return Promise.resolve({
      exitCode: KILLED_EXIT_CODE,
      stdout: '',
      stderr: 'image-inspector: qemu-img was not started: aborted by the caller\n',
      failure: 'aborted',
      durationMs: 0,
    });
  }
  const worker = idle.pop() ?? spawnThread();
  worker.ref();
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];

  return new Promise<RunResult>((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      opts.signal?.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    };
    const settle = (r: RunResult, reusable: boolean) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (reusable && idle.length < MAX_IDLE) {
        worker.unref();
        idle.push(worker);
      } else if (reusable) {
        void worker.terminate();
      }
      resolve(r);
    };
    const stop = (failure: 'aborted' | 'timeout', why: string) => {
      void worker.terminate();
      const note = `image-inspector: qemu-img was stopped: ${why}\n`;
      if (opts.stderr === 'inherit') process.stderr.write(note);
      settle(
        { exitCode: KILLED_EXIT_CODE, stdout: concat(out), stderr: concat(err) + note, failure, durationMs: performance.now() - started },
        false,
      );
    };
    const onAbort = () => stop('aborted', 'aborted by the caller');
    const onMessage = (m: ThreadMessage) => {
      switch (m.type) {
        case 'stdout':
          out.push(m.chunk);
          if (opts.stdout === 'inherit') process.stdout.write(m.chunk);
          break;
        case 'stderr':
          err.push(m.chunk);
          if (opts.stderr === 'inherit') process.stderr.write(m.chunk);
          break;
        case 'progress':
          opts.onProgress?.(m.progress as RunProgress);
          break;
        case 'done':
          settle({ ...m.result, durationMs: performance.now() - started }, true);
          break;
      }
    };
    const crashed = (why: string) => {
      const note = `image-inspector: qemu-img crashed: ${why}\n`;
      if (opts.stderr === 'inherit') process.stderr.write(note);
      settle(
        {
          exitCode: TRAP_EXIT_CODE,
          stdout: concat(out),
          stderr: concat(err) + note,
          failure: 'crashed',
          durationMs: performance.now() - started,
        },
        false,
      );
    };
    const onError = (e: Error) => crashed(e.message);
    const onExit = (code: number) => crashed(`its thread exited with code ${code}`);

    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined) timer = setTimeout(() => stop('timeout', `no result after ${opts.timeoutMs} ms`), opts.timeoutMs);

    const req: ThreadRequest = {
      args,
      cwd: opts.cwd ?? process.cwd(),
      progress: !!opts.onProgress,
      forwardStdout: true,
      forwardStderr: true,
      ...(opts.memoryOutputs ? { memoryOutputs: opts.memoryOutputs } : {}),
      knownExtents: opts.knownExtents,
    };
    worker.postMessage(req);
  });
}

export async function shutdownQemuImg(): Promise<void> {
  await Promise.all(idle.splice(0).map((w) => w.terminate()));
}

export async function runQemuImgInProcess(
  args: string[],
  opts: Pick<NodeRunOptions, 'cwd' | 'stdout' | 'stderr' | 'onProgress' | 'knownExtents'> = {},
): Promise<RunResult> {
  // Straight to fd 1 and 2, not through process.stdout/stderr: a closed pipe then behaves as it
  // does for native (pipe-writer.ts) instead of failing the stream after the run.
  const stdout = pipeWriter(1);
  const stderr = pipeWriter(2);
  return runOnHost(args, opts.cwd ?? process.cwd(), {
    // Writes to pipes, files and TTYs are synchronous on Linux, so progress shows while wasm runs.
    onStdout: opts.stdout === 'inherit' ? (c) => stdout.write(c) : undefined,
    onStderr: opts.stderr === 'inherit' ? (c) => stderr.write(c) : undefined,
    onProgress: opts.onProgress,
    knownExtents: opts.knownExtents,
  });
}

/** compare.ts's verification with the Node runner (worker threads, so `signal` can stop it).
 *  Output extents are used only while the output is as the conversion left it (size, mtime). */
export function compareOnHost(req: CompareRequest, opts: { signal?: AbortSignal; cwd?: string } = {}): Promise<CompareOutcome> {
  const x = req.outputExtents;
  const st = x ? statSync(resolve(opts.cwd ?? process.cwd(), req.output.path), { throwIfNoEntry: false }) : undefined;
  const fresh = x && st && st.size === x.size && st.mtimeMs === x.mtimeMs;
  // The extents go to every run too: an engine whose file-posix asks SEEK_DATA (built with
  // -DSEEK_DATA=3 -DSEEK_HOLE=4; see seek.ts) then sees the output's holes itself.
  const outputPath = resolve(opts.cwd ?? process.cwd(), req.output.path);
  const knownExtents = fresh ? { [outputPath]: x } : undefined;
  return compareImages((args, o) => runQemuImg(args, { ...opts, knownExtents, onProgress: o.onProgress }), {
    // Two runs at once on two threads where there are two cores (compare-split.ts).
    parallel: Math.min(2, availableParallelism()),
    // The runs answer SEEK_DATA from these extents; the engine must also ask (else a plain compare
    // would read every zero: still right, but minutes for a large sparse disk).
    outputHolesSeen: !!fresh && engineAsksSeekData(),
    ...req,
    // Absolute: the holes descriptor (compare-vmdk.ts) names the output from a temp directory.
    output: req.output.fileOpts === undefined ? { ...req.output, path: outputPath } : req.output,
    outputExtents: fresh ? x : undefined,
    stage: stageOnHost,
  });
}

let asksSeekData: boolean | undefined;

/** Whether the engine's file-posix asks SEEK_DATA/SEEK_HOLE (built with wasm/patches/qemu-0006,
 *  as its MANIFEST.json lists). An engine without a manifest that says so is assumed not to. */
export function engineAsksSeekData(): boolean {
  if (asksSeekData === undefined) {
    try {
      const manifest = JSON.parse(readFileSync(join(wasmDistDir(), 'MANIFEST.json'), 'utf8')) as {
        inputs?: { recipe?: Array<{ path?: string }> };
      };
      const recipe = manifest.inputs?.recipe;
      asksSeekData = Array.isArray(recipe) && recipe.some((i) => /seek-data-hole/.test(i.path ?? ''));
    } catch (e) {
      // No manifest beside the engine (a hand-built IMAGE_INSPECTOR_WASM_DIR): the descriptor path.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      asksSeekData = false;
    }
  }
  return asksSeekData;
}

/** The holes descriptor's files in a temp directory of their own, removed after the compare. */
async function stageOnHost(files: Array<{ name: string; data: Uint8Array }>): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'image-inspector-verify-'));
  try {
    for (const f of files) await writeFile(join(dir, f.name), f.data);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}
