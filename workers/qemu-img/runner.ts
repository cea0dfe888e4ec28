// The one runner core, shared by the browser worker (worker.ts) and the Node worker thread
// (node-thread.ts): one qemu-img command on a FRESH module instance, instantiated from a compiled
// WebAssembly.Module cached by the caller (~ms, versus compiling 2 MB of wasm per run).
//
// Why a fresh instance per run: qemu-img keeps global state (block driver registry, atexit
// handlers, an exited runtime after exit()), and a run that trapped or hit abort() leaves its
// instance unusable. A new instance makes every run independent and lets a crash end only its run.
//
// Byte-exact stdio: the glue's print()/printErr() get lines with the newline stripped and cannot tell
// "\n" from a flush (qemu-img -p ends its lines with "\r" and fflush()). We pass byte callbacks
// instead (emscripten then creates dedicated /dev/stdout and /dev/stderr devices) and forward the
// bytes in chunks at each "\n" or "\r", so progress lines stream live and the result is exact.
import type { ModuleOptions, QemuImgFactory, QemuImgModule } from './emscripten.ts';
import { CRASH_EXIT_CODE, TRAP_EXIT_CODE, type IoStats, type RunProgress, type RunResult } from './types.ts';

/** Counters the file systems bump; the runner turns them into throttled progress events and the
 *  result's `io` statistics. */
export class IoCounters implements IoStats {
  readCalls = 0;
  bytesRead = 0;
  readMs = 0;
  writeCalls = 0;
  bytesWritten = 0;
  writeMs = 0;
  flushCalls = 0;
  flushMs = 0;
  sourceReads = 0;
  sourceReadMs = 0;
  /** Set by the runner; file systems call it after counting (cheap: it throttles). */
  tick: () => void = () => {};

  read(bytes: number, since: number): void {
    this.readCalls++;
    this.bytesRead += bytes;
    this.readMs += performance.now() - since;
    this.tick();
  }

  write(bytes: number, since: number): void {
    this.writeCalls++;
    this.bytesWritten += bytes;
    this.writeMs += performance.now() - since;
    this.tick();
  }

  flush(since: number): void {
    this.flushCalls++;
    this.flushMs += performance.now() - since;
  }

  stats(): IoStats {
    const { readCalls, bytesRead, readMs, writeCalls, bytesWritten, writeMs, flushCalls, flushMs, sourceReads, sourceReadMs } = this;
    return { readCalls, bytesRead, readMs, writeCalls, bytesWritten, writeMs, flushCalls, flushMs, sourceReads, sourceReadMs };
  }
}

export interface ModuleRunSpec {
  factory: QemuImgFactory;
  wasm: WebAssembly.Module;
  args: string[];
  /** Pthread workers for qemu's CPU-bound pool (threads flavour only; see poolThreadsFor). */
  threads?: number;
  /** Mount inputs/outputs and chdir; runs after the runtime is ready, before callMain. */
  setup(mod: QemuImgModule, counters: IoCounters): void;
  onStdout?(chunk: Uint8Array): void;
  onStderr?(chunk: Uint8Array): void;
  onProgress?(p: RunProgress): void;
  /** Minimum interval between progress events. */
  progressIntervalMs?: number;
  now?: () => number;
}

const PERCENT = /\(\s*(\d+(?:\.\d+)?)\/100%\)/g;

/** Collects one stdio stream byte by byte, flushing chunks at line ends and "\r". */
class ByteSink {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(4096);
  private len = 0;
  constructor(
    private readonly forward?: (chunk: Uint8Array) => void,
    private readonly onText?: (s: string) => void,
  ) {}

  push(byte: number): void {
    // The glue hands signed chars in some paths; keep the byte.
    this.buf[this.len++] = byte & 0xff;
    if (byte === 10 || byte === 13 || this.len === this.buf.length) this.flush();
  }

  pushText(text: string): void {
    for (const b of new TextEncoder().encode(text)) this.push(b);
  }

  flush(): void {
    if (this.len === 0) return;
    const chunk = this.buf.slice(0, this.len);
    this.len = 0;
    this.chunks.push(chunk);
    this.forward?.(chunk);
    if (this.onText) this.onText(new TextDecoder().decode(chunk));
  }

  text(): string {
    this.flush();
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    return new TextDecoder().decode(all);
  }
}

function isExitStatus(e: unknown): e is { status: number } {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'ExitStatus' &&
    typeof (e as { status?: unknown }).status === 'number'
  );
}

/** emscripten's __assert_fail text, "Assertion failed: COND, at: FILE,LINE,FUNC", in glibc's words
 *  (what native qemu-img prints before dying with SIGABRT). */
function nativeAssertText(reason: string): string | undefined {
  const m = /^Assertion failed: (.*), at: (.*),(\d+),(.*)$/s.exec(reason);
  return m ? `qemu-img: ${m[2]}:${m[3]}: ${m[4]}: Assertion \`${m[1]}' failed.\n` : undefined;
}

function describeCrash(e: unknown, abortReason: string | undefined): { message: string; code: number } {
  const text = e instanceof Error ? e.message : String(e);
  if (abortReason !== undefined || /^Aborted\(/.test(text)) {
    // abort(), a failed assert() (emscripten routes __assert_fail to abort) or an OOM abort.
    return { message: `qemu-img aborted (${abortReason ?? text})`, code: CRASH_EXIT_CODE };
  }
  if (e instanceof WebAssembly.RuntimeError) {
    return { message: `qemu-img crashed (WebAssembly trap: ${text})`, code: TRAP_EXIT_CODE };
  }
  if (e instanceof RangeError) {
    // Stack overflow or out of memory inside the glue.
    return { message: `qemu-img crashed (${text})`, code: TRAP_EXIT_CODE };
  }
  return { message: `qemu-img crashed (${e instanceof Error ? `${e.name}: ${text}` : text})`, code: TRAP_EXIT_CODE };
}

/** The threads flavour (wasm/dist/threads) imports its memory (shared, for its pthreads); the
 *  no-threads build defines its own. Both run main() on this thread (qemu-0001-wasm-threads). */
export function isThreadsBuild(wasm: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(wasm).some((i) => i.kind === 'memory');
}

/** How many pthreads a command's compression may use in the threads flavour: `convert -c -W`
 *  compresses qcow2 clusters on qemu's thread pool, up to 4 at once (QCOW2_MAX_THREADS). Two per
 *  core, at most those 4: this thread reads and writes between the compressions, and a pthread
 *  waiting for its next cluster leaves its core idle (1 GiB in Chromium, 2 cores: 2 threads
 *  8.1 s, 3 7.4 s, 4 7.4–7.6 s, inline 10.1–11.1 s). Without -W the writes, and so the
 *  compressions, go one at a time: a pthread only adds a round trip (measured 25 % slower).
 *  Every other command gets none, so no Web Worker starts for it. */
export function poolThreadsFor(args: readonly string[], cores: number): number {
  if (args[0] !== 'convert' || !args.includes('-c') || !args.includes('-W')) return 0;
  return Math.min(4, 2 * Math.max(1, Math.floor(cores) || 1));
}

/** Runs one command to its end. Never throws for anything qemu-img does; a crash is a result. */
export async function runModule(spec: ModuleRunSpec): Promise<RunResult> {
  const now = spec.now ?? (() => performance.now());
  const started = now();
  const counters = new IoCounters();
  let percent: number | undefined;
  let lastEmit = -Infinity;
  const interval = spec.progressIntervalMs ?? 100;
  const emit = (force: boolean) => {
    if (!spec.onProgress) return;
    const t = now();
    if (!force && t - lastEmit < interval) return;
    lastEmit = t;
    spec.onProgress({ percent, bytesRead: counters.bytesRead, bytesWritten: counters.bytesWritten });
  };
  counters.tick = () => emit(false);

  const stdout = new ByteSink(
    spec.onStdout,
    spec.onProgress
      ? (s) => {
          for (const m of s.matchAll(PERCENT)) percent = Number(m[1]);
          emit(false);
        }
      : undefined,
  );
  const stderr = new ByteSink(spec.onStderr);

  let exitStatus: number | undefined;
  let abortReason: string | undefined;
  // The glue waits forever if instantiateWasm never calls back: fail the run instead.
  let instantiationFailed: (e: unknown) => void = () => {};
  const instantiation = new Promise<never>((_, reject) => {
    instantiationFailed = reject;
  });
  const options: ModuleOptions = {
    noInitialRun: true,
    thisProgram: 'qemu-img',
    stdin: () => null,
    stdout: (b) => stdout.push(b),
    stderr: (b) => stderr.push(b),
    // Runtime messages (abort reasons, assertion texts) arrive here as lines.
    print: (text) => stdout.pushText(`${text}\n`),
    printErr: (text) => {
      // abort() prints "Aborted(reason)" here; the reason is reported below, in native's words.
      if (abortReason !== undefined && text.startsWith('Aborted(')) return;
      stderr.pushText(`${text}\n`);
    },
    quit: (status, toThrow) => {
      exitStatus = status;
      throw toThrow;
    },
    onAbort: (what) => {
      abortReason = typeof what === 'string' ? what : String(what);
      const asNative = nativeAssertText(abortReason);
      if (asNative) stderr.pushText(asNative);
    },
    locateFile: (path) => path,
    // Read by the threads glue's PTHREAD_POOL_SIZE and by wasm/js/pre.js; the no-threads one ignores it.
    qemuThreads: spec.threads && isThreadsBuild(spec.wasm) ? spec.threads : 0,
    instantiateWasm: (imports, receive) => {
      WebAssembly.instantiate(spec.wasm, imports).then(
        (instance) => receive(instance, spec.wasm),
        (e: unknown) => instantiationFailed(e),
      );
      return {};
    },
  };

  const finish = (exitCode: number, failure?: RunResult['failure']): RunResult => {
    emit(true);
    const result: RunResult = {
      exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      failure,
      durationMs: now() - started,
      io: counters.stats(),
    };
    return options.qemuThreads ? { ...result, pthreads: options.qemuThreads } : result;
  };

  let mod: QemuImgModule;
  try {
    mod = await Promise.race([spec.factory(options), instantiation]);
  } catch (e) {
    const { message, code } = describeCrash(e, abortReason);
    stderr.pushText(`image-inspector: could not start qemu-img: ${message}\n`);
    return finish(code, 'crashed');
  }
  try {
    spec.setup(mod, counters);
  } catch (e) {
    stderr.pushText(`image-inspector: could not prepare the files for qemu-img: ${e instanceof Error ? e.message : String(e)}\n`);
    return finish(1);
  }

  try {
    const returned = mod.callMain(spec.args);
    // With coroutines on fibers main() is unwound early; the build passes the status to exit().
    return finish(exitStatus ?? returned ?? 0);
  } catch (e) {
    if (isExitStatus(e)) return finish(e.status);
    const { message, code } = describeCrash(e, abortReason);
    stderr.pushText(`image-inspector: ${message}\n`);
    return finish(code, 'crashed');
  }
}
