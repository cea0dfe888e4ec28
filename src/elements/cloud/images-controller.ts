// The cloud panel's image list and the image being looked at or edited: list, details, update,
// delete (unprotecting on request), clean-up of the project's queued images with no data.
// Glance calls go through the session's client; failures go to the session (an expired token
// ends it).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { msg, str } from '@lit/localize';
import type { GlanceImage, ImagePatchOp, MetadefNamespace } from '../../core/openstack/types.ts';
import type { SessionController } from './session-controller.ts';
import type { ImageRecord } from './image-record.ts';
import { isOpenStackError } from '../../core/openstack/errors.ts';
import { sentence } from './sentence.ts';

export type View = 'list' | 'details' | 'edit' | 'create';

export class ImagesController implements ReactiveController {
  view: View = 'list';
  images: GlanceImage[] = [];
  /** The last listing failed: the table says so (with a retry) instead of "no images yet". */
  listFailed = false;
  selected: GlanceImage | null = null;
  namespaces: MetadefNamespace[] = [];
  busy = false;
  notice = '';
  editError = '';

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly session: SessionController,
    /** Images just deleted by the clean-up (the upload controller forgets its pending image). */
    private readonly onDiscarded: (ids: string[]) => void = () => undefined,
  ) {
    host.addController(this);
  }

  hostConnected() {}

  #changed() {
    this.host.requestUpdate();
  }

  show(view: View) {
    this.view = view;
    this.#changed();
  }

  /** Signed out: nothing of the last project stays on screen. */
  clear() {
    this.images = [];
    this.listFailed = false;
    this.selected = null;
    this.view = 'list';
    this.#changed();
  }

  /** Glance could not be reached (region, interface): the table says the list could not be read. */
  unavailable() {
    this.images = [];
    this.listFailed = true;
    this.selected = null;
    if (this.view !== 'create') this.view = 'list';
    this.#changed();
  }

  /** Active kernel (aki) or ramdisk (ari) images, for the create and edit forms. */
  kernels(kind: 'aki' | 'ari'): ImageRecord[] {
    return this.images.filter((i) => i.disk_format === kind && i.status === 'active');
  }

  async #busy(work: () => Promise<void>) {
    this.busy = true;
    this.#changed();
    try {
      await work();
    } catch (e) {
      this.session.fail(e);
    } finally {
      this.busy = false;
      this.#changed();
    }
  }

  async refresh(): Promise<void> {
    const g = this.session.glance;
    if (!g || !this.session.session) return;
    await this.#busy(async () => {
      try {
        this.images = await g.listAllImages({ sort: 'created_at:desc' });
        this.listFailed = false;
      } catch (e) {
        // an outdated list under the error would read as the project's current one
        this.images = [];
        this.listFailed = true;
        throw e;
      }
      if (this.selected) this.selected = this.images.find((i) => i.id === this.selected!.id) ?? this.selected;
    });
  }

  async select(id: string): Promise<void> {
    const g = this.session.glance;
    if (!g) return;
    this.session.error = '';
    this.notice = '';
    try {
      this.selected = await g.getImage(id);
      this.view = 'details';
    } catch (e) {
      this.session.fail(e);
    }
    this.#changed();
  }

  async edit(id: string): Promise<void> {
    const g = this.session.glance;
    if (!g) return;
    this.editError = '';
    // "Saved 3 change(s)" of the last edit must not stand above this one (nor beside its error)
    this.notice = '';
    try {
      if (!this.namespaces.length) this.namespaces = await g.metadefNamespaces();
      this.selected = await g.getImage(id);
      this.view = 'edit';
    } catch (e) {
      this.session.fail(e);
    }
    this.#changed();
  }

  async update(id: string, ops: ImagePatchOp[]): Promise<void> {
    const g = this.session.glance;
    if (!g) return;
    this.busy = true;
    this.editError = '';
    this.notice = '';
    this.#changed();
    try {
      this.selected = await g.updateImage(id, ops);
      this.notice = msg(str`Saved ${ops.length} change(s) to "${this.selected.name ?? id}".`);
      this.view = 'details';
      this.busy = false;
      await this.refresh();
    } catch (e) {
      this.editError = sentence(e);
    } finally {
      this.busy = false;
      this.#changed();
    }
  }

  async delete(id: string): Promise<void> {
    const g = this.session.glance;
    if (!g) return;
    this.session.error = '';
    // the result names the image as the user knows it (its name), the id only when it has none
    const known = this.selected?.id === id ? this.selected : this.images.find((i) => i.id === id);
    const name = known?.name || id;
    this.notice = '';
    await this.#busy(async () => {
      await g.deleteImage(id);
      this.notice = msg(str`Deleted the image "${name}".`);
      this.selected = null;
      this.view = 'list';
    });
    await this.refresh();
  }

  async unprotect(id: string): Promise<void> {
    const g = this.session.glance;
    if (!g) return;
    await this.#busy(async () => {
      this.selected = await g.updateImage(id, [{ op: 'replace', path: '/protected', value: false }]);
      this.notice = msg('The image is no longer protected; you can delete it now.');
    });
  }

  async cleanupOrphans(ids: string[]): Promise<void> {
    const g = this.session.glance;
    if (!g) return;
    await this.#busy(async () => {
      // never through an unprotect: a protected queued image is someone's placeholder, kept on
      // purpose (the list does not offer those; one protected since the list was read stays too)
      const deleted: string[] = [];
      try {
        for (const id of ids) {
          try {
            await g.deleteImage(id);
          } catch (e) {
            if (isOpenStackError(e, 'protected')) continue;
            if (!isOpenStackError(e, 'not-found')) throw e;
          }
          deleted.push(id);
        }
      } finally {
        this.onDiscarded(deleted);
      }
      this.notice = msg(str`Deleted ${deleted.length} image(s) that had no data.`);
    });
    await this.refresh();
  }
}
