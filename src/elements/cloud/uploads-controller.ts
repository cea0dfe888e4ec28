// The cloud panel's create/upload side: the file in the form as it is offered, chosen or replaced
// (hashed from that moment; its verdict and inspection in form-file.ts), and the uploads of it
// (one at a time, upload-run.ts) with their checks, phase, progress and outcome (upload-status.ts),
// the image an interrupted attempt left behind, and cancel. What the create form shows is read
// from here by properties; the form talks back by events only.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { msg, str } from '@lit/localize';
import { isOpenStackError } from '../../core/openstack/errors.ts';
import type { CheckLine, CreateRequest, HashingState, InspectionLike, FormPhase, UploadProgress } from './cloud-create-form.ts';
import type { FlowContext, FlowOutcome, FlowReport, UploadFlow } from './upload-flow.ts';
import { discardImage, type PendingSource } from './pending-image.ts';
import { createUploadClient, type UploadClient, type WorkerCredentials } from '../../../workers/upload/client.ts';
import type { ObjectTarget, UploadState } from '../../core/upload/types.ts';
import { FormFile } from './form-file.ts';
import { UploadRun } from './upload-run.ts';
import { flowContextOf } from './upload-flow-context.ts';
import { sentence } from './sentence.ts';
import { reportInto, showDone, showFailed, storedProgress, type UploadStatus } from './upload-status.ts';
import { focusDeep } from '../focus-deep.ts';
import type { SessionController } from './session-controller.ts';
import type { ImagesController } from './images-controller.ts';

export type { ImageCreatedDetail } from './upload-status.ts';

/** A file and (optionally) its inspection, handed over by the app or a paired inspector. */
export interface ImageOffer {
  file: File;
  result?: InspectionLike;
}

export class UploadsController implements ReactiveController, UploadStatus {
  /** Bumped to empty the form for the next image. */
  formGeneration = 0;
  checks: CheckLine[] = [];
  progress: UploadProgress | null = null;
  phase: FormPhase = 'idle';
  error = '';
  success = '';
  /** An image an interrupted attempt left with no data: the next attempt reuses or replaces it. */
  pendingImageId = '';
  /** What that attempt sent (the same source and details reuse the image; pending-image.ts). */
  pendingSource: PendingSource | null = null;

  /** The file a new offer replaced in the form (the form says so if the user had typed). */
  replacedFile = '';

  #form = new FormFile(() => this.#changed());
  #upload = new UploadRun();
  #client: UploadClient | null = null;
  /** Called when an upload ended, failed or paused (the unfinished list reloads). */
  onSettled: () => void = () => undefined;
  /** Called when an object-storage upload starts (its file handle is kept beside its state). */
  onObjectStart: (file: File, target: ObjectTarget) => void = () => undefined;

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly session: SessionController,
    private readonly images: ImagesController,
  ) {
    host.addController(this);
  }

  /** The file in the create form (the form shows it through its `file` property). */
  get file(): File | null {
    return this.#form.file;
  }

  /** The inspection the form is prefilled from (the inspector's, or the core safety check's). */
  get formInspection(): InspectionLike | null {
    return this.#form.inspection;
  }

  get hashing(): HashingState | null {
    return this.#form.hashing;
  }

  /** A rejected file, said once in the form as soon as its verdict is known. */
  get verdictNote(): string {
    return this.#form.verdictNote;
  }

  hostConnected() {
    window.addEventListener('beforeunload', this.#onUnload);
  }

  hostDisconnected() {
    window.removeEventListener('beforeunload', this.#onUnload);
    this.#form.digests.dispose();
    this.#client?.dispose();
    this.#client = null;
  }

  /** The upload worker (one per panel), started on first use. */
  get client(): UploadClient {
    return (this.#client ??= createUploadClient());
  }

  #changed() {
    this.host.requestUpdate();
  }

  // a closing tab aborts the XHR; the browser asks first while bytes are in flight
  #onUnload = (e: BeforeUnloadEvent) => {
    if (this.#upload.running) {
      e.preventDefault();
      e.returnValue = '';
    }
  };

  /** A file arrived in the form: start hashing it now, and stop hashing the one it replaces. */
  setFile(file: File | null) {
    this.#form.set(file, this.#upload.file);
  }

  /** The user picked a file in the form itself: check it with the core safety check. */
  chooseFile(file: File | null) {
    this.setFile(file);
    if (file) void this.#form.check(file);
  }

  /** Hands a file (and optionally its inspection) to the create form. A different file than the
   *  one in the form starts a fresh form: nothing of the old offer (name, fields, checks, errors)
   *  may stay beside the new file. */
  offer(file: File, result?: InspectionLike) {
    if (file === this.file && result === this.#form.offered) return; // the same offer by event and property
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
      this.#form.verdict = null;
      this.#form.inspection = null;
      this.#form.offered = null;
      // the image a failed attempt left stays offered (and named): the next attempt settles it and says how.
      // After a finished upload what was typed went into that image: nothing of it was lost, no note.
      this.replacedFile = this.phase === 'done' ? '' : (replaced?.name ?? '');
      this.#resetCreate();
    }
    if (result) this.applyInspection(result);
    else void this.#form.check(file);
  }

  /** A finished inspection; used when it is of the file in the form. */
  applyInspection(r: InspectionLike) {
    this.#form.applyInspection(r);
  }

  /** "Create image": a finished image's form starts clean for the next one. */
  openCreate() {
    this.images.show('create');
    this.error = '';
    if (this.phase === 'done' || this.phase === 'cancelled') {
      this.setFile(null);
      this.#form.verdict = null;
      this.#resetCreate();
    }
    this.#changed();
  }

  /** Signed out: nothing of this user's form stays for the next one (the file, what was typed, an
   *  S3 secret, the image their failed attempt left). An expired token keeps the form instead. */
  forgetForm() {
    this.setFile(null);
    this.#form.verdict = null;
    this.#form.inspection = null;
    this.#form.offered = null;
    this.pendingImageId = '';
    this.pendingSource = null;
    this.replacedFile = '';
    this.#resetCreate();
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
    if (this.phase !== 'paused') return this.#upload.abort();
    this.phase = 'cancelled';
    this.#changed();
    void this.#upload.cancelPaused().then((text) => {
      this.error = text;
      this.#changed();
      this.onSettled(); // the unfinished list still showed it
    });
  }

  pause() {
    this.#upload.pause();
  }

  resume() {
    this.#upload.resume();
  }

  get running(): boolean {
    return this.#upload.running;
  }

  get resumable(): boolean {
    return this.#upload.resumable;
  }

  flowContext(): FlowContext | null {
    return flowContextOf(this.session, {
      uploads: () => this.client,
      hashing: this.#form.digests,
      onObjectStart: (file, target) => this.onObjectStart(file, target),
    });
  }

  async create(req: CreateRequest): Promise<void> {
    // Glance was unreachable when the session connected: read the formats and import methods
    // again, so that the checks compare against the cloud's lists instead of empty ones
    if (this.session.glance && !this.session.schema.diskFormats.length) await this.session.connect();
    const ctx = this.flowContext();
    if (!ctx) return;
    if (req.source.kind === 'file' && req.source.file !== this.file) {
      this.setFile(req.source.file);
      await this.#form.check(req.source.file);
    } else if (req.source.kind === 'file' && !this.#form.verdict && this.#form.verdictPending) {
      await this.#form.verdictPending;
    }
    const verdict = req.source.kind === 'file' ? this.#form.verdict : null;
    await this.#run(
      ctx,
      req.source.kind === 'file' ? req.source.file : null,
      () => this.create(req),
      (flow, signal, report) =>
        flow.run(req, verdict, this.pendingImageId ? { id: this.pendingImageId, source: this.pendingSource } : null, signal, report),
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
    const { flow, signal } = this.#upload.begin(ctx, file);
    this.error = '';
    this.success = '';
    this.checks = [];
    // a report still on its way from the worker once the run settled must not undo how it ended
    let settled = false;
    try {
      const out = await work(
        flow,
        signal,
        reportInto(
          this,
          () => this.#changed(),
          () => !settled,
        ),
      );
      settled = true;
      const detail = showDone(this, out);
      // what just appeared is the outcome: focus (and so announce) it once it has rendered
      this.#changed();
      void focusDeep(this.host, ['cloud-create-form', '[data-role="success"]']);
      this.host.dispatchEvent(new CustomEvent('cloud-image-created', { detail, bubbles: true, composed: true }));
    } catch (e) {
      settled = true;
      if (this.#upload.pausedBy(e, signal, again)) {
        this.phase = 'paused';
        // what is stored, as the resume state has it: the same record "Unfinished uploads" lists
        // (IndexedDB unreadable: the list cannot show it either, and the last report stays)
        this.progress = storedProgress(this.progress, await flow.lastState().catch(() => null));
        return;
      }
      showFailed(this, e);
      // the session cannot continue: back to the sign-in form, the unfinished image remembered
      if (isOpenStackError(e, 'token-expired')) this.session.expire(this.error);
    } finally {
      this.#form.digests.hold(false);
      const sent = this.#upload.end();
      if (sent && sent !== this.file) this.#form.digests.withdraw(sent);
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
      this.forget([id]);
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
    if (!ids.includes(this.pendingImageId)) return;
    this.pendingImageId = '';
    this.pendingSource = null;
  }
}
