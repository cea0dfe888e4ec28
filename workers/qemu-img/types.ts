// Shared types between the page, the qemu-img worker and the Node runner (Squoosh style: the only
// module both sides import). Plain data and structured-clone friendly, no DOM or Node imports.
import type { WrittenFiles } from './extents.ts';

/** Where qemu-img sees the files of a browser run. */
export const IN_DIR = '/in';
export const OUT_DIR = '/out';
/** Where small in-memory outputs live (BrowserRunRequest.memoryOutputs): MEMFS inside the wasm. */
export const MEM_DIR = '/mem';

/** A browser input: mounted read-only at /in/<name>, read lazily by slices, never copied whole. */
export interface BlobInput {
  name: string;
  blob: Blob;
}

/** A browser output: created at /out/<name>, backed by an OPFS file (sync access handle). */
export interface OpfsOutput {
  name: string;
  /** Path of the file inside the origin's OPFS root (directories separated by '/'). */
  opfsPath: string;
  /** Opened read-only (an output being verified): never written, flushed or locked against
   *  other readers, so that a File taken of it before stays readable. */
  readOnly?: boolean;
}

/** A browser output streamed into a user-chosen file: created at /out/<name>, every write copied
 *  into `ring` (write-ring.ts) for the writer worker that owns the file's writable stream. */
export interface StreamOutput {
  name: string;
  ring: SharedArrayBuffer;
}

export interface BrowserRunRequest {
  /** qemu-img arguments, without the leading "qemu-img"; files are named /in/<name> and /out/<name>. */
  args: string[];
  inputs?: BlobInput[];
  outputs?: OpfsOutput[];
  /** Instead of `outputs` (not both): outputs streamed into chosen files (file-handle-fs.ts). The
   *  run commits them (the writer closes the stream) only when qemu-img succeeded. */
  streamOutputs?: StreamOutput[];
  /** Small outputs at /mem/<name> kept in the wasm's memory and returned in RunResult.files
   *  (the guest reader's windows of guest bytes). */
  memoryOutputs?: string[];
  /** Kill the run after this long (hostile input must never hang the page). */
  timeoutMs?: number;
}

export interface RunProgress {
  /** From qemu-img -p when it prints one, 0..100. */
  percent?: number;
  bytesRead: number;
  bytesWritten: number;
}

/** What the run's file systems did (for diagnosis and benchmarks; times in ms, wall clock). */
export interface IoStats {
  readCalls: number;
  bytesRead: number;
  readMs: number;
  writeCalls: number;
  bytesWritten: number;
  writeMs: number;
  flushCalls: number;
  flushMs: number;
  /** Browser inputs: slices actually read from the Blob (read-ahead windows and direct reads). */
  sourceReads: number;
  sourceReadMs: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the run did not end by itself: aborted by the caller, timed out, or qemu-img crashed
   *  (wasm trap, failed assertion). exitCode is then non-zero and stderr says what happened. */
  failure?: 'aborted' | 'timeout' | 'crashed';
  durationMs: number;
  io?: IoStats;
  /** The memoryOutputs the run wrote, by name. */
  files?: Record<string, Uint8Array>;
  /** Node runs: the data ranges of the files this run created or truncated (by host path), to
   *  pass to a later run as `knownExtents` (its SEEK_DATA/SEEK_HOLE then see their holes).
   *  Browser runs: those of the OPFS outputs that started empty (by output name). */
  written?: WrittenFiles;
  /** A streamed output's driver read back written bytes that were not kept (file-handle-fs.ts):
   *  this conversion cannot stream into a file. */
  readBack?: { name: string; offset: number; length: number };
  /** Threads flavour: the pthread workers qemu's compression pool had (none: absent). */
  pthreads?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  timeoutMs?: number;
}

/** Exit status of a run that hit abort() or a failed assertion: what a shell shows for native's
 *  SIGABRT (128 + 6), so scripts see the same status from the wasm as from native qemu-img. */
export const CRASH_EXIT_CODE = 134;
/** Exit status of a run that trapped (out-of-bounds access, unreachable): 128 + SIGSEGV. */
export const TRAP_EXIT_CODE = 139;
/** Exit status reported for a run stopped by the caller (AbortSignal) or its timeout: 128 + SIGTERM. */
export const KILLED_EXIT_CODE = 143;

/** The page-side client of the qemu-img worker (workers/qemu-img/client.ts). */
export interface QemuImgClient {
  /** Runs one qemu-img command in the worker. Resolves with the result even when qemu-img fails,
   *  crashes, is aborted or times out (see RunResult.failure); rejects only on misuse (disposed). */
  run(req: BrowserRunRequest, opts?: RunOptions): Promise<RunResult>;
  /** Terminates the worker; further run() calls reject. */
  dispose(): void;
}
