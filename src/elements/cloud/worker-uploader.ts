// The DataUploader the panel uses. When the digests come from a DigestJob (the usual case: the
// hash worker started on the file when it was offered), the page sends the File with a bare XHR,
// the fastest path (the browser streams the File from disk; nothing is read twice). Otherwise the
// upload worker (workers/upload) sends it and hashes the same Blob. One worker per transfer: a
// cancelled XHR and its hashing end with it.
import type { GlanceClient } from '../../core/openstack/glance.ts';
import { xhrUploadTransport } from '../../core/openstack/upload-transport.ts';
import { createWorkerUploadTransport } from '../../../workers/upload/client.ts';
import type { DataUploader } from './upload-flow.ts';

export function workerUploader(glance: GlanceClient): DataUploader {
  return {
    async send(target, imageId, blob, { signal, onProgress, hash }) {
      const put = (opts: Parameters<GlanceClient['uploadData']>[2]) =>
        target === 'stage' ? glance.stageData(imageId, blob, opts) : glance.uploadData(imageId, blob, opts);
      if (!hash) {
        await put({ transport: xhrUploadTransport(), signal, onProgress });
        return null;
      }
      const transport = createWorkerUploadTransport();
      try {
        const digests = await put({ transport, signal, onProgress });
        if (!digests) throw new Error('the upload worker returned no checksums');
        return digests;
      } finally {
        transport.dispose();
      }
    },
  };
}
