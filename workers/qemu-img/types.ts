// Shared types between the page, the qemu-img worker and the Node runner (Squoosh style: the only
// module both sides import). Plain data and structured-clone friendly, no DOM or Node imports.

/** Where qemu-img sees the files of a browser run. */
export const IN_DIR = '/in';
export const OUT_DIR = '/out';

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
}

export interface BrowserRunRequest {
  /** qemu-img arguments, without the leading "qemu-img"; files are named /in/<name> and /out/<name>. */
  args: string[];
  inputs?: BlobInput[];
  outputs?: OpfsOutput[];
  /** Kill the run after this long (hostile input must never hang the page). */
  timeoutMs?: number;
}

export interface RunProgress {
  /** From qemu-img -p when it prints one, 0..100. */
  percent?: number;
  bytesRead: number;
  bytesWritten: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the run did not end by itself: aborted by the caller, timed out, or qemu-img crashed
   *  (wasm trap, failed assertion). exitCode is then non-zero and stderr says what happened. */
  failure?: 'aborted' | 'timeout' | 'crashed';
  durationMs: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  timeoutMs?: number;
}
