// The cloud panel's create/upload side: the file in the form (hashed from the moment it is
// offered), its safety verdict and inspection, the upload flow with its checks, phase and
// progress, the image an interrupted attempt left behind, and cancel. What the create form shows
// is read from here by properties; the form talks back by events only.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { msg, str } from '@lit/localize';
import { isOpenStackError } from '../../core/openstack/errors.ts';
import type { DigestJob } from '../../core/hash/file-digests.ts';
import type { ImageDigests } from '../../core/hash/image-hasher.ts';
import { PickTimeHashing } from './pick-time-hashing.ts';
import type { CheckLine, CreateRequest, HashingState, InspectionLike, FormPhase, UploadProgress } from './cloud-create-form.ts';
import { UploadFlow, discardImage, type FlowContext, type FlowOutcome, type FlowReport, type Verdict } from './upload-flow.ts';
import { createUploadClient, UploadError, type UploadClient, type WorkerCredentials } from '../../../workers/upload/client.ts';
import type { ObjectTarget, UploadState } from '../../core/upload/types.ts';
import { verdictForFile, verdictFromInspection } from './file-verdict.ts';
import { sentence } from './sentence.ts';
import { failureText, successText, verdictNote } from './upload-outcome-text.ts';
import { focusDeep } from '../focus-deep.ts';
import { objectStoresOf, type SessionController } from './session-controller.ts';
import type { ImagesController } from './images-controller.ts';

/** A file and (optionally) its inspection, handed over by the app or a paired inspector. */
export interface ImageOffer {
  file: File;
  result?: InspectionLike;
}

/** Detail of `cloud-image-created`. */
export interface ImageCreatedDetail {
  image: unknown;
  transfer?: { bytes: number; ms: number };
}

export class UploadsController implements ReactiveController {
  /** The file in the create form (the form shows it through its `file` property). */
  file: File | null = null;
  /** The inspection the form is prefilled from (the inspector's, or the core safety check's). */
  formInspection: InspectionLike | null = null;
  /** Bumped to empty the form for the next image. */
  formGeneration = 0;
  checks: CheckLine[] = [];
  progress: UploadProgress | null = null;
  phase: FormPhase = 'idle';
  error = '';
  success = '';
  /** An image an interrupted attempt left with no data: the next attempt reuses or replaces it. */
  pendingImageId = '';
  verdict: Verdict | null = null;
  hashing: HashingState | null = null;
  /** A rejected file, said once in the form as soon as its verdict is known. */
  get verdictNote(): string {
    return this.file && this.verdict ? verdictNote(this.file, this.verdict) : '';
  }

  /** The file a new offer replaced in the form (the form says so if the user had typed). */
  replacedFile = '';

  /** The inspection last offered with the file (to tell a repeated offer from a new one). */
  #offered: InspectionLike | null = null;
  #flow: UploadFlow | null = null;
  #client: UploadClient | null = null;
  /** Runs a paused upload again: the engine continues from its state. */
  #paused: (() => Promise<void>) | null = null;
  /** Called when an upload ended, failed or paused (the unfinished list reloads). */
  onSettled: () => void = () => undefined;
  /** Called when an object-storage upload starts (its file handle is kept beside its state). */
  onObjectStart: (file: File, target: ObjectTarget) => void = () => undefined;
  #abort: AbortController | null = null;
  /** The file an upload is running with: its digest job must outlive a change of file in the form. */
  #uploading: File | null = null;
  #verdictPending: Promise<void> | null = null;
  #hashing = new PickTimeHashing((job) => this.#showHashing(job));

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly session: SessionController,
    private readonly images: ImagesController,
  ) {
    host.addController(this);
  }

  hostConnected() {
    window.addEventListener('beforeunload', this.#onUnload);
  }

  hostDisconnected() {
    window.removeEventListener('beforeunload', this.#onUnload);
    this.#hashing.dispose();
    this.#client?.dispose();
    this.#client = null;
  }

  /** The upload worker (one per panel), started on first use. */
  get client(): UploadClient {
    return (this.#client ??= createUploadClient());
  }

  /** The hash job of a file (the one running since it was offered, or a new one). */
  digestsOf(file: File): Promise<ImageDigests> {
    return this.#hashing.digestsOf(file);
  }

  #changed() {
    this.host.requestUpdate();
  }

  // a closing tab aborts the XHR; the browser asks first while bytes are in flight
  #onUnload = (e: BeforeUnloadEvent) => {
    if (this.#abort) {
      e.preventDefault();
      e.returnValue = '';
    }
  };

  #showHashing(job: DigestJob) {
    if (job.file !== this.file) return;
    this.hashing = { hashed: job.hashedBytes, total: job.totalBytes, done: !!job.result, failed: job.failed };
    this.#changed();
  }

  /** A file arrived in the form: start hashing it now, and stop hashing the one it replaces. */
  setFile(file: File | null) {
    const old = this.file;
    this.file = file;
    if (old && old !== file && old !== this.#uploading) this.#hashing.withdraw(old);
    this.hashing = null;
    if (!file) this.formInspection = null;
    if (file && file.size > 0) this.#showHashing(this.#hashing.start(file));
    this.#changed();
  }

  /** The user picked a file in the form itself: check it with the core safety check. */
  chooseFile(file: File | null) {
    this.setFile(file);
    if (file) void this.#checkFile(file);
  }

  /** Hands a file (and optionally its inspection) to the create form. A different file than the
   *  one in the form starts a fresh form: nothing of the old offer (name, fields, checks, errors)
   *  may stay beside the new file. */
  offer(file: File, result?: InspectionLike) {
    if (file === this.file && result === this.#offered) return; // the same offer by event and property
    // the user asked to upload this: the create form is where that happens (after sign-in if needed)
    this.images.show('create');
    if (this.running) {
      this.error = msg(str`An upload is running: let it finish or cancel it, then offer ${file.name} again.`);
      this.#changed();
      return;
    }
    const replaced = this.file && this.file !== file ? this.file : null;
    this.setFile(file);
    if (replaced || this.phase === 'done' || this.phase === 'cancelled' || this.phase === 'failed') {
      this.verdict = null;
      this.formInspection = null;
      this.#offered = null;
      this.pendingImageId = '';
      this.replacedFile = replaced?.name ?? '';
      this.#resetCreate();
    }
    if (result) this.applyInspection(result);
    else void this.#checkFile(file);
  }

  /** A finished inspection; used when it is of the file in the form. */
  applyInspection(r: InspectionLike) {
    const name = typeof r.file === 'string' ? r.file : r.file?.name;
    if (this.file && name && name !== this.file.name) return;
    this.#offered = r;
    this.verdict = verdictFromInspection(r);
    this.formInspection = r;
    this.#changed();
  }

  #checkFile(file: File): Promise<void> {
    this.#verdictPending = this.#runCheck(file);
    return this.#verdictPending;
  }

  async #runCheck(file: File) {
    this.verdict = null;
    const r = await verdictForFile(file);
    if (this.file !== file) return;
    this.verdict = r.verdict;
    if (r.inspection) this.formInspection = r.inspection;
    this.#changed();
  }

  /** "Create image": a finished image's form starts clean for the next one. */
  openCreate() {
    this.images.show('create');
    this.error = '';
    if (this.phase === 'done' || this.phase === 'cancelled') {
      this.setFile(null);
      this.verdict = null;
      this.#resetCreate();
    }
    this.#changed();
  }

  #resetCreate() {
    this.phase = 'idle';
    this.checks = [];
    this.progress = null;
    this.success = '';
    this.error = '';
    this.formGeneration++;
  }

  cancel() {
    if (this.phase !== 'paused') return this.#abort?.abort();
    // nothing runs: delete what the paused upload stored and its resume state
    this.#paused = null;
    this.phase = 'cancelled';
    this.#changed();
    void this.#flow
      ?.discardLast()
      .then(
        () => msg('Upload cancelled: the stored parts and the resume state were deleted.'),
        (e: unknown) => sentence(e),
      )
      .then((text) => {
        this.error = text;
        this.#changed();
      });
  }

  pause() {
    this.#flow?.pause();
  }

  resume() {
    const again = this.#paused;
    if (again) void again();
  }

  get running(): boolean {
    return !!this.#abort;
  }

  get resumable(): boolean {
    return !!this.#paused;
  }

  flowContext(): FlowContext | null {
    const s = this.session;
    const g = s.glance;
    const ks = s.session;
    if (!g || !ks) return null;
    return {
      onObjectStart: (file, target) => this.onObjectStart(file, target),
      glance: g,
      schema: s.schema,
      importMethods: s.importMethods,
      stores: s.stores,
      objectStores: objectStoresOf(s),
      uploads: this.client,
      pageSide: (file, progress, notice) => ({
        getToken: () => ks.getToken(),
        invalidate: (t) => ks.invalidate(t),
        canRenew: () => ks.canRenew,
        // reuses the job started when the file was offered; starts one now if there was none
        whole: () => this.digestsOf(file),
        partsSoFar: () => this.#hashing.partsSoFar(file),
        progress: (p) => {
          // hashing waits until the object is stored: only the comparison with Glance needs the
          // digests, and Glance's import of the object leaves the time to finish them
          this.#hashing.hold(p.phase === 'preparing' || p.phase === 'uploading' || p.phase === 'finishing');
          progress(p);
        },
        notice,
      }),
    };
  }

  async create(req: CreateRequest): Promise<void> {
    const ctx = this.flowContext();
    if (!ctx) return;
    if (req.source.kind === 'file' && req.source.file !== this.file) {
      this.setFile(req.source.file);
      await this.#checkFile(req.source.file);
    } else if (req.source.kind === 'file' && !this.verdict && this.#verdictPending) {
      await this.#verdictPending;
    }
    const verdict = req.source.kind === 'file' ? this.verdict : null;
    await this.#run(
      ctx,
      req.source.kind === 'file' ? req.source.file : null,
      () => this.create(req),
      (flow, signal, report) => flow.run(req, verdict, this.pendingImageId, signal, report),
    );
  }

  /** Continues an unfinished upload from IndexedDB with its (reopened or matched) file. */
  async resumeState(state: UploadState, file: File, credentials: WorkerCredentials): Promise<void> {
    const ctx = this.flowContext();
    if (!ctx) return;
    this.images.show('create');
    if (file !== this.file) this.setFile(file);
    await this.#run(
      ctx,
      file,
      () => this.resumeState(state, file, credentials),
      (flow, signal, report) => flow.resume(state, file, credentials, signal, report),
    );
  }

  async #run(
    ctx: FlowContext,
    file: File | null,
    again: () => Promise<void>,
    work: (flow: UploadFlow, signal: AbortSignal, report: FlowReport) => Promise<FlowOutcome>,
  ): Promise<void> {
    if (this.#flow) this.#flow.setContext(ctx);
    else this.#flow = new UploadFlow(ctx);
    const abort = new AbortController();
    this.#abort = abort;
    this.#paused = null;
    this.#uploading = file;
    this.error = '';
    this.success = '';
    this.checks = [];
    const set = (f: () => void) => {
      f();
      this.#changed();
    };
    try {
      const out = await work(this.#flow, abort.signal, {
        checks: (l) => set(() => (this.checks = l)),
        phase: (p) => set(() => (this.phase = p)),
        progress: (p) => set(() => (this.progress = p)),
        image: (id) => set(() => (this.pendingImageId = id)),
        notice: (text) => set(() => (this.checks = [...this.checks, { ok: true, text }])),
      });
      this.phase = 'done';
      this.pendingImageId = '';
      const t = out.transfer;
      this.success = successText(out.message, t);
      // what just appeared is the outcome: focus (and so announce) it once it has rendered
      this.#changed();
      void focusDeep(this.host, ['cloud-create-form', '[data-role="success"]']);
      const detail: ImageCreatedDetail = { image: out.image, transfer: t };
      this.host.dispatchEvent(new CustomEvent('cloud-image-created', { detail, bubbles: true, composed: true }));
    } catch (e) {
      if (e instanceof UploadError && e.paused && !abort.signal.aborted) {
        this.phase = 'paused';
        this.#paused = again;
        return;
      }
      const aborted = isOpenStackError(e, 'aborted');
      this.phase = aborted ? 'cancelled' : 'failed';
      const failed = failureText(e, this.checks, aborted ? '' : this.pendingImageId);
      this.checks = failed.checks;
      this.error = failed.text;
      // the session cannot continue: back to the sign-in form, the unfinished image remembered
      if (isOpenStackError(e, 'token-expired')) this.session.expire(failed.text);
    } finally {
      this.#hashing.hold(false);
      this.#abort = null;
      const sent = this.#uploading;
      this.#uploading = null;
      if (sent && sent !== this.file) this.#hashing.withdraw(sent);
      this.#changed();
      this.onSettled();
      void this.images.refresh();
    }
  }

  async discardPending(id: string): Promise<void> {
    const g = this.session.glance;
    if (!g) return;
    try {
      await discardImage(g, id);
      this.pendingImageId = '';
      this.error = '';
      this.images.notice = msg(str`Deleted the image ${id}.`);
      await this.images.refresh();
    } catch (e) {
      this.error = sentence(e);
    }
    this.#changed();
  }

  /** The clean-up in the list deleted these images. */
  forget(ids: string[]) {
    if (ids.includes(this.pendingImageId)) this.pendingImageId = '';
  }
}
