// The view under the header of <cloud-panel>: the images table, one image's details, the editor
// or the create form. Data goes down by properties; the children answer by bubbling events.
import { html, type TemplateResult } from 'lit';
import type { ImagePatchOp } from '../../core/openstack/types.ts';
import { objectStoresOf, type SessionController } from './session-controller.ts';
import type { ImagesController } from './images-controller.ts';
import type { UploadsController } from './uploads-controller.ts';
import type { ObjectStorageController } from './object-storage-controller.ts';
import type { StoredFileHandle } from '../../../workers/upload/idb-state-store.ts';
import type { CreateRequest } from './cloud-create-form.ts';
import './cloud-images-table.ts';
import './cloud-image-details.ts';
import './cloud-create-form.ts';
import './cloud-image-editor.ts';

export function renderView(c: {
  session: SessionController;
  images: ImagesController;
  uploads: UploadsController;
  objects: ObjectStorageController;
}): TemplateResult {
  const { session, images, uploads, objects } = c;
  const found = images.view === 'create' ? objectStoresOf(session) : {};
  const stores = { swift: !!found.swift, s3: !!found.s3 };
  switch (images.view) {
    case 'details':
      return html`<cloud-image-details .image=${images.selected} ?busy=${images.busy}
        @back=${() => images.show('list')}
        @edit-image=${(e: CustomEvent<string>) => void images.edit(e.detail)}
        @refresh-image=${(e: CustomEvent<string>) => void images.select(e.detail)}
        @delete-image=${(e: CustomEvent<string>) => void images.delete(e.detail)}
        @unprotect-image=${(e: CustomEvent<string>) => void images.unprotect(e.detail)}></cloud-image-details>`;
    case 'edit':
      return html`<cloud-image-editor .image=${images.selected} .namespaces=${images.namespaces}
        .diskFormats=${session.schema.diskFormats} .containerFormats=${session.schema.containerFormats}
        .kernels=${images.kernels('aki')} .ramdisks=${images.kernels('ari')} ?busy=${images.busy} error=${images.editError}
        @back=${() => images.show('details')}
        @update-image=${(e: CustomEvent<{ id: string; ops: ImagePatchOp[] }>) => void images.update(e.detail.id, e.detail.ops)}></cloud-image-editor>`;
    case 'create':
      return html`<cloud-create-form .diskFormats=${session.schema.diskFormats} .containerFormats=${session.schema.containerFormats}
        .importMethods=${session.importMethods} .kernels=${images.kernels('aki')} .ramdisks=${images.kernels('ari')}
        .file=${uploads.file} .inspection=${uploads.formInspection} .generation=${uploads.formGeneration}
        replaced=${uploads.replacedFile} verdictNote=${uploads.verdictNote}
        .checks=${uploads.checks} .progress=${uploads.progress} phase=${uploads.phase} error=${uploads.error}
        success=${uploads.success} pendingImageId=${uploads.pendingImageId}
        .hashing=${uploads.hashing} .objectStores=${stores} .ec2=${objects.ec2} ?resumable=${uploads.resumable}
        @file-chosen=${(e: CustomEvent<File | null>) => uploads.chooseFile(e.detail)}
        @pause-upload=${() => uploads.pause()}
        @resume-upload=${() => uploads.resume()}
        @create-ec2=${() => void objects.newEc2()}
        @file-handle-chosen=${(e: CustomEvent<{ file: File; handle: StoredFileHandle }>) => objects.rememberHandle(e.detail.file, e.detail.handle)}
        @create-image=${(e: CustomEvent<CreateRequest>) => void uploads.create(e.detail)}
        @cancel-upload=${() => uploads.cancel()}
        @discard-pending=${(e: CustomEvent<string>) => void uploads.discardPending(e.detail)}></cloud-create-form>`;
    default:
      return html`<cloud-images-table .images=${images.images} projectId=${session.session?.token.project?.id ?? ''}
        .listFailed=${images.listFailed} @refresh-requested=${() => void (session.glance ? images.refresh() : session.connect())}
        @image-selected=${(e: CustomEvent<string>) => void images.select(e.detail)}
        @cleanup-orphans=${(e: CustomEvent<string[]>) => void images.cleanupOrphans(e.detail)}
        @delete-image=${(e: CustomEvent<string>) => void images.delete(e.detail)}
        @create-requested=${() => uploads.openCreate()}></cloud-images-table>`;
  }
}
