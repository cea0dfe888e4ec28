// Fallback DataUploader used when the upload worker is not available: XHR from the page (progress,
// abort) and hash-wasm over the same Blob at the same time. Neither holds the file in memory.
import type { GlanceClient } from '../../core/openstack/glance.ts';
import { xhrUploadTransport } from '../../core/openstack/upload-transport.ts';
import { hashBlob } from '../../core/hash/image-hasher.ts';
import type { DataUploader } from './upload-flow.ts';

export function pageUploader(glance: GlanceClient): DataUploader {
  return {
    async send(target, imageId, blob, { signal, onProgress }) {
      const transport = xhrUploadTransport();
      const hashing = hashBlob(blob, { signal });
      // a failed upload must not leave an unobserved rejection from the hasher behind
      hashing.catch(() => undefined);
      const opts = { transport, signal, onProgress };
      if (target === 'stage') await glance.stageData(imageId, blob, opts);
      else await glance.uploadData(imageId, blob, opts);
      return hashing;
    },
  };
}
