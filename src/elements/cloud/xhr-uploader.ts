// The DataUploader the panel uses: the page sends the File with a bare XHR, the fastest path (the
// browser streams the File from disk and reports upload progress). The checksums are not computed
// here: the hash worker started on the file when it was offered (see FileDigests).
import type { GlanceClient } from '../../core/openstack/glance.ts';
import { xhrUploadTransport } from '../../core/openstack/upload-transport.ts';
import type { DataUploader } from './upload-flow.ts';

export function xhrUploader(glance: GlanceClient): DataUploader {
  return {
    async send(target, imageId, blob, { signal, onProgress }) {
      const opts = { transport: xhrUploadTransport(), signal, onProgress };
      await (target === 'stage' ? glance.stageData(imageId, blob, opts) : glance.uploadData(imageId, blob, opts));
    },
  };
}
