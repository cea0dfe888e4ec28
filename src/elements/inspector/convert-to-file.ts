// "Convert to a file…": the conversion writes straight into a file the user chose with the save
// dialog — no OPFS copy, no limit of the origin's quota. The chosen file only offers an
// asynchronous writable stream while qemu-img writes synchronously, so a writer worker owns the
// stream and drains a SharedArrayBuffer ring the conversion worker fills (workers/qemu-img/
// write-ring.ts, file-handle-fs.ts): this needs cross-origin isolation (docs/decisions/0005).
// Loaded lazily with image-inspector-convert.ts.
import { failureOf, pageLockId, verify, ConversionError, MEASURE_TIMEOUT_MS, type ConversionJob } from './image-inspector-convert.ts';
import { markFileConversion, type FileLeftover } from './opfs-leftovers.ts';
import { createRing, startFileWriter, type DrainOutcome, type FileExtents } from '../../../workers/qemu-img/client.ts';
import { spaceNeeded } from '../../core/convert/plan.ts';

/** Ring between the two workers: what may be in flight between qemu-img and the file. */
const RING_BYTES = 32 * 1024 * 1024;
/** How long a cancelled writer may take to abort its stream before it is terminated. */
const ABORT_WAIT_MS = 10_000;

export type FileJob = Omit<ConversionJob, 'opfsPath' | 'discard'> & { handle: FileSystemFileHandle };

type Removable = FileSystemFileHandle & { remove?: () => Promise<void> };

/** Removes the chosen file, where the browser lets a page do so (Chromium's handle.remove()). */
async function removeChosen(handle: Removable): Promise<boolean> {
  if (typeof handle.remove !== 'function') return false;
  try {
    await handle.remove();
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === 'NotFoundError') return true;
    console.warn('image-inspector: could not remove the chosen file', e);
    return false;
  }
}

async function settleWithin(p: Promise<DrainOutcome>, ms: number): Promise<DrainOutcome | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the job into the chosen file; resolves with the committed file (from the handle, read
 *  lazily) or rejects with a ConversionError. On any failure nothing of the output stays: the
 *  stream is aborted (the browser drops what it had), and a file the dialog created empty is
 *  removed; a file that held data before keeps it (an aborted stream never replaced it). */
export async function runConversionToFile(job: FileJob): Promise<File> {
  const { client, plan, inputs, signal, handle } = job;
  job.onStatus({ status: 'measuring' });
  const wasEmpty = (await handle.getFile()).size === 0;
  let committed = false;
  const discard = async () => {
    if (wasEmpty || committed) await removeChosen(handle);
  };
  const measured = await client.run({ args: plan.measureArgs, inputs }, { signal, timeoutMs: MEASURE_TIMEOUT_MS });
  if (measured.failure === 'aborted' || signal.aborted) {
    await discard();
    throw new ConversionError('cancelled', 'cancelled');
  }
  // The browser cannot tell how much room the chosen disk has: the figure is shown, not checked.
  job.onStatus({ needed: spaceNeeded(job.virtualSize, measured.exitCode === 0 ? measured.stdout : null) });

  // Until it ends, a tab closed now leaves the chosen file unfinished: the next load says so.
  const page = await pageLockId();
  const key = crypto.randomUUID();
  const mark = (stage: FileLeftover['stage'] | null) => markFileConversion(page, key, stage && { name: handle.name, stage });
  mark('writing');
  try {
    const ring = createRing(RING_BYTES);
    const writer = startFileWriter(handle, ring);
    let extents: FileExtents | undefined;
    try {
      job.onStatus({ status: 'running', percent: 0, bytesRead: 0, bytesWritten: 0 });
      const onAbort = () => writer.abandon();
      signal.addEventListener('abort', onAbort, { once: true });
      const run = await client
        .run(
          { args: plan.args, inputs, streamOutputs: [{ name: plan.outputName, ring }] },
          { signal, onProgress: (p) => job.onProgress(p) },
        )
        .finally(() => signal.removeEventListener('abort', onAbort));
      if (run.exitCode !== 0 || run.failure) {
        writer.abandon();
        await settleWithin(writer.done, ABORT_WAIT_MS);
        await discard();
        if (run.readBack && !signal.aborted) {
          throw new ConversionError(
            `qemu-img read back ${run.readBack.length} bytes at offset ${run.readBack.offset} that it wrote to the file: this target and these options cannot stream into a file`,
            'read-back',
          );
        }
        throw await failureOf(run, inputs, 'convert');
      }
      const written = await writer.done;
      if (written.outcome !== 'committed') {
        await discard();
        if (written.outcome === 'aborted' || signal.aborted) throw new ConversionError('cancelled', 'cancelled');
        throw new ConversionError(`writing the file failed: ${written.message}`, written.failure === 'no-space' ? 'no-room' : 'failed');
      }
      committed = true;
      // Where the run wrote (the rest of the file is zeros): the verification compares only that.
      extents = run.written?.[plan.outputName];
    } finally {
      writer.dispose();
    }
    mark('verifying');
    const output = await handle.getFile();
    await verify({ ...job, discard }, output, extents);
    return output;
  } finally {
    mark(null);
  }
}
