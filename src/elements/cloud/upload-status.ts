// What the create form shows of an upload (checks, phase, progress, the image it made, and how it
// ended), written here as the flow reports and once it settles, so the uploads controller only
// decides when a run starts, pauses or ends.
import { isOpenStackError } from '../../core/openstack/errors.ts';
import type { UploadStepView } from './create-form-steps.ts';
import type { FlowOutcome, FlowReport } from './upload-flow.ts';
import { failureText, successText } from './upload-outcome-text.ts';
import type { PendingSource } from './pending-image.ts';
import type { UploadProgress, UploadState } from '../../core/upload/types.ts';

/** The fields of the upload step that the run writes (the rest are the controller's own). */
export type UploadStatus = Pick<UploadStepView, 'checks' | 'progress' | 'phase' | 'error' | 'success' | 'pendingImageId'> & {
  pendingSource: PendingSource | null;
};

/** Detail of `cloud-image-created`. */
export interface ImageCreatedDetail {
  image: unknown;
  transfer?: { bytes: number; ms: number };
}

/** The flow's report, written into `s` while `live()`; `changed` re-renders after each line. */
export function reportInto(s: UploadStatus, changed: () => void, live: () => boolean = () => true): FlowReport {
  const set = (f: () => void) => {
    if (!live()) return;
    f();
    changed();
  };
  return {
    checks: (l) => set(() => (s.checks = l)),
    phase: (p) => set(() => (s.phase = p)),
    progress: (p) => set(() => (s.progress = p)),
    image: (id, source) =>
      set(() => {
        s.pendingImageId = id;
        s.pendingSource = id ? (source ?? null) : null;
      }),
    notice: (text) => set(() => (s.checks = [...s.checks, { ok: true, text }])),
  };
}

/** The image is there: the outcome with its transfer figures; returns what the panel announces. */
export function showDone(s: UploadStatus, out: FlowOutcome): ImageCreatedDetail {
  s.phase = 'done';
  s.pendingImageId = '';
  s.pendingSource = null;
  const t = out.transfer;
  s.success = successText(out.message, t);
  return { image: out.image, transfer: t };
}

/** Failed or cancelled: the error once, with what became of the unfinished image (a cancel by the
 *  user deletes it, so it is not offered for reuse). */
export function showFailed(s: UploadStatus, e: unknown): void {
  const aborted = isOpenStackError(e, 'aborted');
  s.phase = aborted ? 'cancelled' : 'failed';
  const failed = failureText(e, s.checks, aborted ? '' : s.pendingImageId);
  s.checks = failed.checks;
  s.error = failed.text;
}

/**
 * A paused object-storage upload's progress with what is stored taken from its resume state (the
 * record "Unfinished uploads" shows): the last report from the worker may lag behind the parts
 * stored in its final moments. Unchanged when there is no state.
 */
export function storedProgress(p: UploadProgress | null, state: UploadState | null): UploadProgress | null {
  if (!state) return p;
  const storedBytes = state.parts.reduce((n, part) => n + part.size, 0);
  const total = p?.parts.total || Math.ceil(state.file.size / state.partSize);
  const base: UploadProgress = p ?? {
    phase: 'uploading',
    totalBytes: state.file.size,
    storedBytes: 0,
    sentBytes: 0,
    hashedBytes: 0,
    bytesPerSecond: 0,
    secondsLeft: null,
    parts: { total, done: 0, inFlight: 0 },
    retries: 0,
  };
  return { ...base, storedBytes, bytesPerSecond: 0, secondsLeft: null, parts: { total, done: state.parts.length, inFlight: 0 } };
}
