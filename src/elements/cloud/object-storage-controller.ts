// The cloud panel's object-storage side: which stores the catalog offers, the user's EC2
// credentials (memory only), and the unfinished uploads kept in IndexedDB after a reload or a
// restart: each can be resumed (its file reopened from the kept handle, or picked again and
// matched by size, name and fingerprint) or deleted (segments / AbortMultipartUpload).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { msg, str } from '@lit/localize';
import { fileFingerprint } from '../../core/upload/fingerprint.ts';
import { uploadStateId, fileIdentity } from '../../core/upload/fingerprint.ts';
import { isGlanceState } from '../../core/upload/glance-state.ts';
import type { UploadState } from '../../core/upload/types.ts';
import { IdbUploadStateStore, type StoredFileHandle } from '../../../workers/upload/idb-state-store.ts';
import type { WorkerCredentials } from '../../../workers/upload/client.ts';
import type { Ec2Choice } from './create-form-upload.ts';
import { createEc2, listEc2 } from './ec2-credentials.ts';
import { mismatch, reopenFromHandle } from './resume-file.ts';
import { sentence } from './sentence.ts';
import { objectStoresOf, type SessionController } from './session-controller.ts';
import type { UploadsController } from './uploads-controller.ts';

export class ObjectStorageController implements ReactiveController {
  /** The user's EC2 credentials for this project, for S3 (memory only). */
  ec2: Ec2Choice[] = [];
  /** Unfinished object-storage uploads from IndexedDB, newest first. */
  unfinished: UploadState[] = [];
  /** The unfinished upload whose file the user must pick again (no handle, or it failed). */
  picking = '';
  /** The account TempURL key for resumed Swift uploads (typed in the list; memory only). */
  tempUrlKey = '';
  /** A sentence about the unfinished list (a refused file, a failed delete). */
  error = '';
  /** What a delete did, said under the header (the list may be gone with it). */
  notice = '';
  /** The unfinished upload whose Delete waits for confirmation. */
  confirmingDelete = '';
  readonly store = new IdbUploadStateStore();
  /** Handles of files picked with one (showOpenFilePicker, a drop), kept with their upload's state. */
  readonly #handles = new WeakMap<File, StoredFileHandle>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly session: SessionController,
    private readonly uploads: UploadsController,
  ) {
    host.addController(this);
  }

  hostConnected() {
    void this.refresh();
  }

  hostDisconnected() {
    this.store.close();
  }

  #changed() {
    this.host.requestUpdate();
  }

  async refresh(): Promise<void> {
    try {
      // a via-glance record (kept when a request names its project) has no parts to resume here
      this.unfinished = (await this.store.list()).filter((s): s is UploadState => !isGlanceState(s) && s.status !== 'done');
    } catch {
      this.unfinished = []; // IndexedDB unavailable (private mode): nothing can be resumed anyway
    }
    this.#changed();
  }

  /** The EC2 listing under way (a Resume clicked right after sign-in waits for it). */
  #ec2Loading: Promise<void> | null = null;

  loadEc2(): Promise<void> {
    return (this.#ec2Loading = this.#loadEc2());
  }

  async #loadEc2(): Promise<void> {
    const s = this.session.session;
    if (!s || !objectStoresOf(this.session).s3) return;
    try {
      this.ec2 = await listEc2(s);
    } catch {
      this.ec2 = []; // the form lets the user type them in
    }
    this.#changed();
  }

  async newEc2(): Promise<void> {
    const s = this.session.session;
    if (!s) return;
    try {
      this.ec2 = [...this.ec2, await createEc2(s)];
    } catch (e) {
      this.uploads.error = sentence(e);
    }
    this.#changed();
  }

  /** A file came with a handle: kept beside the state once its upload starts. */
  rememberHandle(file: File, handle: StoredFileHandle) {
    this.#handles.set(file, handle);
  }

  /** Stores the handle of an object upload's file under the state id the engine uses. */
  async keepHandleFor(file: File, target: UploadState['target']): Promise<void> {
    const handle = this.#handles.get(file);
    if (!handle) return;
    const id = await uploadStateId(target, await fileIdentity(file, file.name, file.lastModified));
    await this.store.putHandle(id, handle);
  }

  #credentials(state: UploadState): WorkerCredentials | null {
    if (state.target.kind === 'swift') return { kind: 'keystone-token', tempUrlKey: this.tempUrlKey || undefined };
    const c = this.ec2[0];
    return c ? { kind: 's3', accessKeyId: c.access, secretAccessKey: c.secret } : null;
  }

  /** Resume: the kept handle first (one permission prompt), else the user picks the file again. */
  async resume(state: UploadState): Promise<void> {
    this.error = '';
    this.notice = '';
    const handle = await this.store.getHandle(state.id).catch(() => undefined);
    if (handle) {
      const r = await reopenFromHandle(handle);
      if (r.file) return this.resumeWith(state, r.file);
      this.error = r.reason;
    }
    this.picking = state.id;
    this.#changed();
  }

  /** The file picked again for an unfinished upload: matched before any stored part is reused. */
  async resumeWith(state: UploadState, file: File): Promise<void> {
    const why = await mismatch(state.file, file, fileFingerprint);
    if (why) {
      this.error = why;
      this.#changed();
      return;
    }
    if (state.target.kind === 's3' && !this.ec2.length) await (this.#ec2Loading ?? this.loadEc2());
    const credentials = this.#credentials(state);
    if (!credentials) {
      this.error = msg('This S3 upload needs EC2 credentials: create or list them in the create form, then resume.');
      this.#changed();
      return;
    }
    this.picking = '';
    this.error = '';
    this.#changed();
    await this.uploads.resumeState(state, file, credentials);
  }

  /** Deletes an unfinished upload: what it stored (segments / multipart upload), then its state. */
  /** Delete asks first: what the upload stored goes for good. */
  askDelete(id: string): void {
    this.confirmingDelete = id;
    this.notice = '';
    this.#changed();
  }

  async delete(state: UploadState): Promise<void> {
    this.confirmingDelete = '';
    const credentials = this.#credentials(state);
    const s = this.session.session;
    if (!credentials || !s) {
      this.error = msg('Sign in (and, for S3, give EC2 credentials) to delete what this upload stored.');
      this.#changed();
      return;
    }
    try {
      await this.uploads.client.discard(state, credentials, {
        getToken: () => s.getToken(),
        invalidate: (t) => s.invalidate(t),
        canRenew: () => s.canRenew,
        whole: () => Promise.reject(new Error('no digests are needed to delete')),
        partsSoFar: () => null,
        progress: () => undefined,
        notice: () => undefined,
      });
      this.error = '';
      this.session.error = '';
      this.notice = msg(str`Deleted the unfinished upload of "${state.file.name}" and the ${state.parts.length} parts it had stored.`);
    } catch (e) {
      this.error = sentence(e);
    }
    await this.refresh();
  }
}
