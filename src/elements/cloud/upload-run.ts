// The bookkeeping of the one upload a panel runs at a time: the flow (kept across runs, so a
// paused upload's stored parts can still be deleted through it), the abort of the running upload,
// how to continue a paused one, and the file being sent (its digest job must outlive a change of
// file in the form).
import { msg } from '@lit/localize';
import { UploadError } from '../../../workers/upload/client.ts';
import { sentence } from './sentence.ts';
import { UploadFlow, type FlowContext } from './upload-flow.ts';

export class UploadRun {
  #flow: UploadFlow | null = null;
  #abort: AbortController | null = null;
  /** Runs a paused upload again: the engine continues from its state. */
  #paused: (() => Promise<void>) | null = null;
  #file: File | null = null;

  get running(): boolean {
    return !!this.#abort;
  }

  get resumable(): boolean {
    return !!this.#paused;
  }

  /** The file the running upload sends. */
  get file(): File | null {
    return this.#file;
  }

  /** A new run with the session's context of now; a paused one is not continued any more. */
  begin(ctx: FlowContext, file: File | null): { flow: UploadFlow; signal: AbortSignal } {
    if (this.#flow) this.#flow.setContext(ctx);
    else this.#flow = new UploadFlow(ctx);
    const abort = new AbortController();
    this.#abort = abort;
    this.#paused = null;
    this.#file = file;
    return { flow: this.#flow, signal: abort.signal };
  }

  /** Whether the run stopped for a pause (not a cancel, which also stops it): `again` continues it. */
  pausedBy(e: unknown, signal: AbortSignal, again: () => Promise<void>): boolean {
    if (!(e instanceof UploadError && e.paused && !signal.aborted)) return false;
    this.#paused = again;
    return true;
  }

  /** The run settled (done, failed or paused); returns the file it sent. */
  end(): File | null {
    this.#abort = null;
    const sent = this.#file;
    this.#file = null;
    return sent;
  }

  pause() {
    this.#flow?.pause();
  }

  resume() {
    const again = this.#paused;
    if (again) void again();
  }

  abort() {
    this.#abort?.abort();
  }

  /** Cancel of a paused upload (nothing runs): it is not continued, and what it stored and its
   *  resume state are deleted; resolves to the sentence the form shows. */
  cancelPaused(): Promise<string> {
    this.#paused = null;
    return (this.#flow?.discardLast() ?? Promise.resolve()).then(
      () => msg('Upload cancelled: the stored parts and the resume state were deleted.'),
      (e: unknown) => sentence(e),
    );
  }
}
