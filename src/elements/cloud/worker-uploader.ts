// The DataUploader the panel uses: the upload worker (workers/upload) sends the File with XHR and
// hashes the same Blob (sha512 + md5 on separate threads), so the page thread stays free. One
// worker per transfer: a cancelled XHR and its hashing end with it.
import type { GlanceClient } from '../../core/openstack/glance.ts';
import { createWorkerUploadTransport } from '../../../workers/upload/client.ts';
import type { DataUploader } from './upload-flow.ts';

export function workerUploader(glance: GlanceClient): DataUploader {
  return {
    async send(target, imageId, blob, { signal, onProgress }) {
      const transport = createWorkerUploadTransport();
      try {
        const opts = { transport, signal, onProgress };
        const digests = target === 'stage' ? await glance.stageData(imageId, blob, opts) : await glance.uploadData(imageId, blob, opts);
        if (!digests) throw new Error('the upload worker returned no checksums');
        return digests;
      } finally {
        transport.dispose();
      }
    },
  };
}
