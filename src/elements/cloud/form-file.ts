// The file in the create form and what is known of it: its pick-time hash pass (running from the
// moment it is offered, shown as the form's checksum progress), its safety verdict and the
// inspection the form is prefilled from (the inspector's, or the core safety check's). The
// uploads controller decides when a file arrives or goes; this keeps what belongs to it together.
import type { DigestJob } from '../../core/hash/file-digests.ts';
import { PickTimeHashing } from './pick-time-hashing.ts';
import type { HashingState, InspectionLike } from './create-form-model.ts';
import type { Verdict } from './upload-flow.ts';
import { verdictForFile, verdictFromInspection } from './file-verdict.ts';
import { verdictNote } from './upload-outcome-text.ts';

export class FormFile {
  file: File | null = null;
  inspection: InspectionLike | null = null;
  verdict: Verdict | null = null;
  hashing: HashingState | null = null;
  /** The inspection last offered with the file (to tell a repeated offer from a new one). */
  offered: InspectionLike | null = null;
  readonly digests = new PickTimeHashing((job) => this.#showHashing(job));
  #verdictPending: Promise<void> | null = null;

  /** `changed` re-renders the host: the form shows all of this. */
  constructor(private readonly changed: () => void) {}

  /** A rejected file, said once in the form as soon as its verdict is known. */
  get verdictNote(): string {
    return this.file && this.verdict ? verdictNote(this.file, this.verdict) : '';
  }

  /** The core safety check still running on the file, if it is. */
  get verdictPending(): Promise<void> | null {
    return this.#verdictPending;
  }

  #showHashing(job: DigestJob) {
    if (job.file !== this.file) return;
    this.hashing = { hashed: job.hashedBytes, total: job.totalBytes, done: !!job.result, failed: job.failed };
    this.changed();
  }

  /** Starts hashing `file` now and stops hashing the one it replaces, unless that one is
   *  `uploading` (its digest job must outlive a change of file in the form). */
  set(file: File | null, uploading: File | null) {
    const old = this.file;
    this.file = file;
    if (old && old !== file && old !== uploading) this.digests.withdraw(old);
    this.hashing = null;
    if (!file) this.inspection = null;
    if (file && file.size > 0) this.#showHashing(this.digests.start(file));
    this.changed();
  }

  /** A finished inspection; used when it is of the file in the form. */
  applyInspection(r: InspectionLike) {
    const name = typeof r.file === 'string' ? r.file : r.file?.name;
    if (this.file && name && name !== this.file.name) return;
    this.offered = r;
    this.verdict = verdictFromInspection(r);
    this.inspection = r;
    this.changed();
  }

  /** The core safety check, for a file that came without an inspection. */
  check(file: File): Promise<void> {
    this.#verdictPending = this.#runCheck(file);
    return this.#verdictPending;
  }

  async #runCheck(file: File) {
    this.verdict = null;
    const r = await verdictForFile(file);
    if (this.file !== file) return;
    this.verdict = r.verdict;
    if (r.inspection) this.inspection = r.inspection;
    this.changed();
  }
}
