// One image from the create form to an active, verified Glance image, through the one upload
// engine (src/core/upload) running in the upload worker: pre-checks first (preflight.ts), then
// Glance /file, glance-direct, Swift SLO or S3 multipart (each registered in Glance by the
// engine). A URL source is Glance's own web-download: no bytes from here. The page keeps the
// image a failed attempt created for the next one (pending-image.ts decides: the same source and
// details reuse it, anything else replaces it, and the form is told which).
import { msg, str } from '@lit/localize';
import type { GlanceClient } from '../../core/openstack/glance.ts';
import { OpenStackError, isOpenStackError } from '../../core/openstack/errors.ts';
import type { GlanceImage, ImageSchemaInfo, StoreInfo } from '../../core/openstack/types.ts';
import type { ObjectTarget, UploadOutcome, UploadProgress, UploadState, UploadVia } from '../../core/upload/types.ts';
import type { PageSide, RunningUpload, UploadClient, WorkerCredentials, WorkerUploadRequest } from '../../../workers/upload/client.ts';
import { UploadError } from '../../../workers/upload/client.ts';
import type { CheckLine, CreateRequest, FormPhase } from './cloud-create-form.ts';
import { formatBytes } from './format.ts';
import { fileIdentity, uploadStateId } from '../../core/upload/fingerprint.ts';
import { isGlanceState } from '../../core/upload/glance-state.ts';
import { IdbUploadStateStore } from '../../../workers/upload/idb-state-store.ts';
import { createFields, fail, preflight, type Verdict } from './preflight.ts';
import { discardImage, settlePending, sourceOf, type PendingImage, type PendingSource } from './pending-image.ts';
import { activeText } from './upload-outcome-text.ts';

export type { Verdict } from './preflight.ts';

import { destination, type ObjectStores } from './upload-destination.ts';
export type { ObjectStores } from './upload-destination.ts';

export interface FlowContext {
  glance: GlanceClient;
  schema: ImageSchemaInfo;
  importMethods: string[];
  stores: StoreInfo[];
  objectStores: ObjectStores;
  uploads: UploadClient;
  /** An object-storage upload starts with this file and target. */
  onObjectStart?: (file: File, target: ObjectTarget) => void;
  /** Tokens and the file's whole-file digests (the hash job running since it was offered). */
  pageSide: (file: File, onProgress: (p: UploadProgress) => void, onNotice: (s: string) => void) => PageSide;
}

export interface FlowReport {
  checks(lines: CheckLine[]): void;
  phase(p: FormPhase): void;
  progress(p: UploadProgress | null): void;
  /** The image this attempt created or reused, and the source it was for (kept for a retry until
   *  success or cleanup; '' when there is none any more). */
  image(id: string, source?: PendingSource): void;
  notice(sentence: string): void;
}

export interface FlowOutcome {
  image: GlanceImage;
  message: string;
  /** The byte transfer alone (from the first byte to the last part stored), when this attempt sent the file. */
  transfer?: { bytes: number; ms: number };
}

const VIA: Record<string, UploadVia> = { direct: 'glance', 'glance-direct': 'glance-direct', swift: 'swift', s3: 's3' };

/** A typed URL Glance's import filters refused: which [import_filtering_opts] setting lets it through. */
function urlFilteredError(url: string, cause: OpenStackError): OpenStackError {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const scheme = u.protocol.replace(':', '');
  return new OpenStackError(
    msg(
      str`Glance's import filters refuse ${u.protocol}//${u.host}: the operator must add ${u.hostname} to allowed_hosts in the [import_filtering_opts] section of glance-api.conf (and ${port} to allowed_ports if that list is not empty, ${scheme} to allowed_schemes), then restart glance-api; or upload the file instead.`,
    ),
    { kind: 'bad-request', status: cause.status, service: 'glance', detail: cause.detail, cause },
  );
}

export class UploadFlow {
  #running: RunningUpload | null = null;
  /** The last object-storage request and what the page side answered for it (for a later delete). */
  #last: { request: WorkerUploadRequest; page: PageSide } | null = null;

  constructor(private ctx: FlowContext) {}

  /** After a new sign-in or another region. */
  setContext(ctx: FlowContext) {
    this.ctx = ctx;
  }

  /** Stop sending and keep what is stored (object storage: resumable; Glance: the image stays queued). */
  pause() {
    this.#running?.pause();
  }

  async run(
    req: CreateRequest,
    verdict: Verdict | null,
    pending: PendingImage | null,
    signal: AbortSignal,
    report: FlowReport,
  ): Promise<FlowOutcome> {
    const { glance } = this.ctx;
    report.phase('checking');
    report.progress(null);
    await preflight(this.ctx, req, verdict, report);
    if (signal.aborted) fail(msg('Cancelled before anything was sent.'), 'aborted');
    if (req.source.kind === 'url') return this.#webDownload(req, req.source.url, pending, signal, report);

    const file = req.source.file;
    const object = destination(this.ctx, req, file);
    report.phase('preparing');
    const source = sourceOf(req);
    const reused = await this.#settle(req, pending, report);
    // Glance targets: this page creates (or reuses) the image, so that a cancel or a retry knows it;
    // object targets: the engine registers the object in the reused image, or in one it creates
    let imageId = reused?.id;
    // an image created just now is no resume, although the engine is handed its id
    let createdNow = false;
    if (!object) {
      createdNow = !reused;
      imageId ??= (await glance.createImage(createFields(req))).id;
    }
    report.image(imageId ?? '', source);
    const request: WorkerUploadRequest = {
      file,
      fileName: file.name,
      lastModified: file.lastModified,
      via: VIA[req.method] ?? 'glance',
      target: object?.target,
      credentials: object?.credentials,
      ...object?.parts,
      register: { fields: createFields(req), deleteObjectAfter: !!req.destination?.deleteAfter, imageId },
      glanceEndpoint: glance.endpoint,
    };
    try {
      return await this.#engine(request, signal, report, createdNow);
    } catch (e) {
      if (e instanceof UploadError && e.paused) throw e;
      if (signal.aborted || isOpenStackError(e, 'aborted')) {
        // Cancel means nothing half-made stays: the engine deleted segments/parts and the image
        if (imageId) await discardImage(glance, imageId);
        report.image('');
        throw new OpenStackError(
          imageId
            ? msg(str`Upload cancelled: the transfer was stopped and the image ${imageId} was deleted.`)
            : msg('Upload cancelled: the transfer was stopped and what was stored was deleted.'),
          { kind: 'aborted' },
        );
      }
      // the object is stored, its registration failed with an image made: the form offers to delete it
      if (object && isOpenStackError(e) && e.imageId) report.image(e.imageId, source);
      if (isOpenStackError(e, 'cors') && /TempURL key/.test(e.message))
        throw new OpenStackError(
          msg(
            'Swift sends no CORS headers for account requests, so this page cannot read or set the account TempURL key that Glance needs to download the object: give the key (X-Account-Meta-Temp-URL-Key) in the form and upload again; the stored segments are reused.',
          ),
          { kind: 'cors', service: 'swift', corsSettings: e.corsSettings },
        );
      throw e;
    }
  }

  /**
   * Continues an unfinished object-storage upload found in IndexedDB with its file (reopened or
   * picked again and matched): the engine trusts the server's part list and sends only the rest.
   */
  resume(state: UploadState, file: File, credentials: WorkerCredentials, signal: AbortSignal, report: FlowReport): Promise<FlowOutcome> {
    const request: WorkerUploadRequest = {
      file,
      fileName: state.file.name,
      lastModified: file.lastModified,
      via: state.target.kind,
      target: state.target,
      credentials,
      partSize: state.partSize,
      register: state.register ?? null,
      glanceEndpoint: this.ctx.glance.endpoint,
    };
    return this.#engine(request, signal, report);
  }

  /** One engine run in the worker; the transfer is timed from the first byte to the last part. */
  async #engine(request: WorkerUploadRequest, signal: AbortSignal, report: FlowReport, createdNow = false): Promise<FlowOutcome> {
    let t0 = 0;
    let t1 = 0;
    let sent = 0;
    const onProgress = (p: UploadProgress) => {
      if (p.phase === 'uploading' && !t0) t0 = performance.now();
      // the transfer ends once the object (or Glance's copy) is stored: manifest / completion included
      if (p.phase !== 'uploading' && p.phase !== 'preparing' && p.phase !== 'finishing' && t0 && !t1) t1 = performance.now();
      sent = p.sentBytes;
      report.phase(p.phase);
      report.progress(p);
    };
    const page = this.ctx.pageSide(request.file, onProgress, (s) => report.notice(s));
    if (request.target) {
      this.#last = { request, page };
      this.ctx.onObjectStart?.(request.file, request.target);
    }
    const run = this.ctx.uploads.start(request, page);
    this.#running = run;
    const onAbort = () => void run.cancel().catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const out: UploadOutcome = await run.done;
      const image = out.image;
      if (!image) throw new OpenStackError(msg('The object was stored but no image was registered.'), { kind: 'server' });
      const transfer = t0 ? { bytes: sent, ms: (t1 || performance.now()) - t0 } : undefined;
      return {
        image,
        transfer,
        message: activeText(image, createdNow ? { ...out, resumed: false } : out, !!request.register?.deleteObjectAfter),
      };
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#running = null;
    }
  }

  /** The resume state of the last object-storage upload as IndexedDB holds it (what "Unfinished
   *  uploads" lists), or null when it has none. */
  async lastState(): Promise<UploadState | null> {
    const r = this.#last?.request;
    if (!r?.target) return null;
    const id = await uploadStateId(r.target, await fileIdentity(r.file, r.fileName, r.lastModified));
    const store = new IdbUploadStateStore();
    try {
      const state = await store.get(id);
      return state && !isGlanceState(state) ? state : null;
    } finally {
      store.close();
    }
  }

  /** Deletes what the last (paused) object-storage upload stored, and its resume state. */
  async discardLast(): Promise<void> {
    const last = this.#last;
    if (!last?.request.target || !last.request.credentials) return;
    const state = await this.lastState();
    this.#last = null;
    if (state) await this.ctx.uploads.discard(state, last.request.credentials, last.page);
  }

  async #webDownload(
    req: CreateRequest,
    url: string,
    pending: PendingImage | null,
    signal: AbortSignal,
    report: FlowReport,
  ): Promise<FlowOutcome> {
    const { glance } = this.ctx;
    report.phase('preparing');
    const image = (await this.#settle(req, pending, report)) ?? (await glance.createImage(createFields(req)));
    report.image(image.id, sourceOf(req));
    try {
      report.phase('importing');
      await glance.importImage(image.id, { name: 'web-download', uri: url });
      report.phase('verifying');
      const done = await glance.waitForImage(image.id, { intervalMs: 500, timeoutMs: 15 * 60_000, signal });
      return {
        image: done,
        message: msg(str`The image "${done.name ?? done.id}" is active (${formatBytes(done.size)}, downloaded by Glance).`),
      };
    } catch (e) {
      if (isOpenStackError(e) && e.code === 'http.url-filtered') throw urlFilteredError(url, e);
      if (signal.aborted || isOpenStackError(e, 'aborted')) {
        await discardImage(glance, image.id);
        report.image('');
        throw new OpenStackError(msg(str`Upload cancelled: the transfer was stopped and the image ${image.id} was deleted.`), {
          kind: 'aborted',
        });
      }
      throw e;
    }
  }

  /** The last attempt's image: the one to use again, or null once it is replaced (the form told which). */
  async #settle(req: CreateRequest, pending: PendingImage | null, report: FlowReport): Promise<GlanceImage | null> {
    const settled = await settlePending(this.ctx.glance, pending, req);
    if (settled.notice) report.notice(settled.notice);
    return settled.image;
  }
}
