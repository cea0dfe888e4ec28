// What the create form shows of an upload (checks, phase, progress, the image it made, and how it
// ended), written here as the flow reports and once it settles, so the uploads controller only
// decides when a run starts, pauses or ends.
import { isOpenStackError } from '../../core/openstack/errors.ts';
import type { UploadStepView } from './create-form-steps.ts';
import type { FlowOutcome, FlowReport } from './upload-flow.ts';
import { failureText, successText } from './upload-outcome-text.ts';

/** The fields of the upload step that the run writes (the rest are the controller's own). */
export type UploadStatus = Pick<UploadStepView, 'checks' | 'progress' | 'phase' | 'error' | 'success' | 'pendingImageId'>;

/** Detail of `cloud-image-created`. */
export interface ImageCreatedDetail {
  image: unknown;
  transfer?: { bytes: number; ms: number };
}

/** The flow's report, written into `s`; `changed` re-renders after each line. */
export function reportInto(s: UploadStatus, changed: () => void): FlowReport {
  const set = (f: () => void) => {
    f();
    changed();
  };
  return {
    checks: (l) => set(() => (s.checks = l)),
    phase: (p) => set(() => (s.phase = p)),
    progress: (p) => set(() => (s.progress = p)),
    image: (id) => set(() => (s.pendingImageId = id)),
    notice: (text) => set(() => (s.checks = [...s.checks, { ok: true, text }])),
  };
}

/** The image is there: the outcome with its transfer figures; returns what the panel announces. */
export function showDone(s: UploadStatus, out: FlowOutcome): ImageCreatedDetail {
  s.phase = 'done';
  s.pendingImageId = '';
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
