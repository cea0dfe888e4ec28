// Runs a planned conversion in the browser: measure the output, check the browser's storage has
// room, run `qemu-img convert -p` in the worker into an OPFS file, and hand back that file (a
// disk-backed File: never read whole). Cancelling terminates the worker and deletes the partial
// output. Loaded lazily by <image-inspector> on the first conversion.
import type { PageConversion } from './conversion-request.ts';
import { spaceNeeded } from '../../core/convert/plan.ts';
import { stderrTail } from '../../core/inspect/qemu-check.ts';
import type { BlobInput, RunProgress, RunResult } from '../../../workers/qemu-img/types.ts';
import type { FileExtents, QemuImgWorkerClient } from '../../../workers/qemu-img/client.ts';
import type { ConvertState } from './image-inspector-model.ts';
import { LOCK_PREFIX, OPFS_ROOT, markFinished, markUnfinished, sweepClosedTabs } from './opfs-leftovers.ts';

export const MEASURE_TIMEOUT_MS = 60_000;

export interface ConversionJob {
  client: QemuImgWorkerClient;
  plan: Pick<PageConversion, 'args' | 'measureArgs' | 'outputName' | 'verifyName' | 'compare' | 'preallocated'>;
  inputs: BlobInput[];
  virtualSize: number;
  /** Bytes of data in the source, from its inspection's `qemu-img map`, when known. */
  dataBytes?: number;
  /** OPFS path of the output (from opfsPathFor). */
  opfsPath: string;
  signal: AbortSignal;
  onStatus(patch: Partial<ConvertState>): void;
  /** The runner's throttled counters while qemu-img convert runs. */
  onProgress(p: RunProgress): void;
  /** Deletes an output that failed its verification; default: its OPFS folder (removeOpfsOutput).
   *  "Convert to a file…" (convert-to-file.ts) removes the chosen file instead. */
  discard?: () => Promise<void>;
}

/** Why a conversion did not produce a file; `kind` lets the element word it. */
export class ConversionError extends Error {
  constructor(
    message: string,
    readonly kind: 'cancelled' | 'no-room' | 'failed' | 'source-changed' | 'mismatch' | 'crashed' | 'read-back',
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** Whether a source File can no longer be read as it was (changed, moved or deleted on disk since
 *  it was chosen): the browser then refuses every read of it with NotReadableError. */
async function sourceGone(inputs: BlobInput[]): Promise<boolean> {
  for (const { blob } of inputs) {
    try {
      await blob.slice(0, 1).arrayBuffer();
    } catch (e) {
      if ((e as { name?: string }).name === 'NotReadableError' || (e as { name?: string }).name === 'NotFoundError') return true;
      throw e;
    }
  }
  return false;
}

/** The ConversionError for a run that did not end well (the partial output is already gone). */
export async function failureOf(run: RunResult, inputs: BlobInput[], what: string): Promise<ConversionError> {
  if (run.failure === 'aborted') return new ConversionError('cancelled', 'cancelled');
  const text = why(run);
  if (await sourceGone(inputs))
    return new ConversionError(`the source file changed or was removed during ${what}: ${text}`, 'source-changed');
  if (run.failure === 'crashed' || run.failure === 'timeout') return new ConversionError(`qemu-img ${what} stopped: ${text}`, 'crashed');
  // Full storage reaches qemu-img as ENOSPC (or EFBIG past in-memory OPFS's 2 GiB per file).
  const full = /No space left|File too large|quota/i.test(text);
  return new ConversionError(`qemu-img ${what} failed: ${text}`, full ? 'no-room' : 'failed');
}

/** This page's folder under OPFS_ROOT, named after a Web Lock the page holds while it lives
 *  (opfs-leftovers.ts): the first conversion sweeps the folders of closed tabs, as the load did. */
let session: Promise<string> | undefined;

function sessionFolder(): Promise<string> {
  session ??= (async () => {
    const id = crypto.randomUUID();
    await new Promise<void>((held) => {
      void navigator.locks.request(LOCK_PREFIX + id, () => {
        held();
        return new Promise<never>(() => undefined);
      });
    });
    const left = await sweepClosedTabs(id, { waitMs: 0, retryMs: 0 });
    // Best effort: a file still locked by a dying tab is left for the next sweep.
    if (left.kept) console.warn(`image-inspector: could not remove a closed tab's outputs under ${OPFS_ROOT}: ${left.kept}`);
    return id;
  })();
  return session;
}

/** The id of the Web Lock this page holds while it lives (its OPFS folder's name). */
export function pageLockId(): Promise<string> {
  return sessionFolder();
}

export async function opfsPathFor(seq: number, outputName: string): Promise<string> {
  return `${OPFS_ROOT}/${await sessionFolder()}/${seq}/${outputName}`;
}

async function dirOf(path: string, create: boolean): Promise<{ dir: FileSystemDirectoryHandle; name: string }> {
  const parts = path.split('/').filter(Boolean);
  const name = parts.pop() ?? '';
  let dir = await navigator.storage.getDirectory();
  for (const p of parts) dir = await dir.getDirectoryHandle(p, { create });
  return { dir, name };
}

export async function opfsFile(path: string): Promise<File> {
  const { dir, name } = await dirOf(path, false);
  return (await dir.getFileHandle(name)).getFile();
}

/** Deletes an output and its folder. After a cancel the terminated worker's sync access handle
 *  keeps the file locked for about 2 s in Chromium (NoModificationAllowedError): retried for up
 *  to 15 s. */
export async function removeOpfsOutput(path: string): Promise<void> {
  const parts = path.split('/').filter(Boolean);
  const folder = parts.slice(0, -1).join('/');
  let last: unknown;
  for (let attempt = 0; attempt < 150; attempt++) {
    try {
      const { dir, name } = await dirOf(folder, false);
      await dir.removeEntry(name, { recursive: true });
      return;
    } catch (e) {
      if ((e as { name?: string }).name === 'NotFoundError') return;
      last = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

function why(r: RunResult): string {
  return stderrTail(r) || `exit ${r.exitCode}`;
}

/** Room to ask for: `measure`'s figure; where the target's driver cannot measure (vpc, vhdx), a
 *  sparse output needs about the source's data plus metadata, a preallocated one its whole
 *  virtual size. (A raw source's map shows every byte as data in a browser: the bound stays
 *  the virtual size there.) */
function roomNeeded(job: ConversionJob, measureStdout: string | null): number {
  if (measureStdout || job.plan.preallocated || job.dataBytes === undefined) return spaceNeeded(job.virtualSize, measureStdout);
  return Math.min(spaceNeeded(job.virtualSize, null), job.dataBytes + Math.ceil(job.virtualSize * 0.01) + 4 * 1024 * 1024);
}

/** Runs the job; resolves with the output File or rejects with a ConversionError. */
export async function runConversion(job: ConversionJob): Promise<File> {
  const { client, plan, inputs, signal } = job;
  job.onStatus({ status: 'measuring' });
  const measured = await client.run({ args: plan.measureArgs, inputs }, { signal, timeoutMs: MEASURE_TIMEOUT_MS });
  if (measured.failure === 'aborted' || signal.aborted) throw new ConversionError('cancelled', 'cancelled');
  const needed = roomNeeded(job, measured.exitCode === 0 ? measured.stdout : null);
  const { quota, usage } = await navigator.storage.estimate();
  const available = quota !== undefined ? quota - (usage ?? 0) : undefined;
  job.onStatus({ needed, available });
  if (available !== undefined && needed > available) {
    throw new ConversionError(`needs ${needed} bytes, ${available} available`, 'no-room');
  }

  job.onStatus({ status: 'running', percent: 0, bytesRead: 0, bytesWritten: 0 });
  try {
    await dirOf(job.opfsPath, true);
  } catch (e) {
    const quota = (e as { name?: string }).name === 'QuotaExceededError';
    throw new ConversionError(e instanceof Error ? e.message : String(e), quota ? 'no-room' : 'failed');
  }
  // Until verified (or deleted), a tab closed now leaves a partial output: the next load says so.
  markUnfinished(job.opfsPath);
  try {
    const run = await client.run(
      { args: plan.args, inputs, outputs: [{ name: plan.outputName, opfsPath: job.opfsPath }] },
      { signal, onProgress: (p) => job.onProgress(p) },
    );
    if (run.exitCode !== 0 || run.failure) {
      await removeOpfsOutput(job.opfsPath);
      throw await failureOf(run, inputs, 'convert');
    }
    const output = await opfsFile(job.opfsPath);
    await verify(job, output, run.written?.[plan.outputName]);
    return output;
  } finally {
    markFinished(job.opfsPath);
  }
}

/** The runner's verification (workers/qemu-img/compare.ts) of the source and the finished output,
 *  in the same worker, with progress: only the ranges that hold data are compared (the output's
 *  written ranges from the conversion run), so a sparse output costs what its data costs. A
 *  difference names its offset; a failed verification deletes the output: nothing unverified is
 *  offered. */
export async function verify(
  job: Omit<ConversionJob, 'opfsPath'> & { opfsPath?: string },
  output: File,
  written: FileExtents | undefined,
): Promise<void> {
  const { client, plan, inputs, signal } = job;
  job.onStatus({ status: 'verifying', percent: 0, bytesRead: 0, bytesWritten: 0 });
  // An OPFS output is read through its sync access handle (at /out), any other as a Blob.
  const opfs = job.opfsPath ? { outputs: [{ name: plan.verifyName, opfsPath: job.opfsPath, readOnly: true }] } : undefined;
  const r = await client.compare(
    {
      ...plan.compare,
      ...(opfs
        ? { ...opfs, inputs, output: { ...plan.compare.output, path: `/out/${plan.verifyName}` } }
        : { inputs: [...inputs, { name: plan.verifyName, blob: output }] }),
      ...(written ? { outputExtents: written } : {}),
    },
    { signal, onProgress: (p) => job.onProgress(p) },
  );
  if (r.outcome?.identical) {
    job.onStatus({ verified: true, verifyMethod: r.outcome.method });
    return;
  }
  await (job.discard ? job.discard() : removeOpfsOutput(job.opfsPath ?? ''));
  const offset = r.outcome?.mismatchOffset;
  if (offset !== undefined) throw new ConversionError(`the output differs from the source at offset ${offset}`, 'mismatch', offset);
  if (r.failure === 'aborted') throw new ConversionError('cancelled', 'cancelled');
  const text = r.error ?? r.outcome?.message ?? 'no outcome';
  if (await sourceGone(inputs))
    throw new ConversionError(`the source file changed or was removed during the verification: ${text}`, 'source-changed');
  throw new ConversionError(`verification failed: ${text}`, r.failure ? 'crashed' : 'failed');
}

export type SaveOutcome = { how: 'picker'; name: string } | { how: 'cancelled' } | { how: 'download'; refused?: string };

/** Saves a (disk-backed) file where the user chooses, streamed: never read into memory whole.
 *  When the browser has no save dialog, or refuses to show it (no user activation left, a policy,
 *  an embedding frame), the file is downloaded instead, and the outcome says why. */
export async function saveFile(file: File, suggestedName: string): Promise<SaveOutcome> {
  const w = window as unknown as {
    showSaveFilePicker?: (o: { suggestedName: string }) => Promise<FileSystemFileHandle>;
  };
  let refused: string | undefined;
  if (w.showSaveFilePicker) {
    let handle: FileSystemFileHandle | undefined;
    try {
      handle = await w.showSaveFilePicker({ suggestedName });
    } catch (e) {
      // The user closing the dialog is an AbortError: nothing to do, nothing to say.
      if ((e as { name?: string }).name === 'AbortError') return { how: 'cancelled' };
      refused = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    if (handle) {
      const writable = await handle.createWritable();
      await file.stream().pipeTo(writable);
      return { how: 'picker', name: handle.name };
    }
  }
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = suggestedName;
  a.rel = 'noopener';
  a.click();
  // The download has taken its reference by the next minute; the URL is only a handle to the file.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return refused ? { how: 'download', refused } : { how: 'download' };
}
