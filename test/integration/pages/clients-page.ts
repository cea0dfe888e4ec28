// Drives the core OpenStack clients and the hash/upload workers inside Chromium for
// test/integration/browser-clients.test.ts; every result is plain JSON for page.evaluate.
import { GlanceClient, KeystoneSession, OpenStackError, type AuthConfig } from '../../../src/core/openstack/index.ts';
import { createUploadClient } from '../../../workers/upload/client.ts';
import type { UploadProgress } from '../../../src/core/upload/types.ts';
import { createHashClient } from '../../../workers/hash/client.ts';
import type { ImageDigests } from '../../../src/core/hash/image-hasher.ts';

export type PageResult<T> = ({ ok: true } & T) | { ok: false; kind: string; message: string; corsSettings?: string; imageId?: string };

let glance: GlanceClient | undefined;
let session: KeystoneSession | undefined;

function failure(e: unknown): PageResult<never> {
  if (e instanceof OpenStackError) return { ok: false, kind: e.kind, message: e.message, corsSettings: e.corsSettings, imageId: e.imageId };
  return { ok: false, kind: 'unexpected', message: String(e) };
}

function file(): File {
  const f = (document.querySelector('#file') as HTMLInputElement).files?.[0];
  if (!f) throw new Error('no file chosen');
  return f;
}

const clients = {
  async signIn(config: AuthConfig): Promise<PageResult<{ user: string; project: string; glanceUrl: string }>> {
    try {
      const s = await KeystoneSession.signIn(config);
      session = s;
      glance = GlanceClient.fromSession(s);
      return { ok: true, user: s.token.user.name, project: s.token.project?.name ?? '', glanceUrl: glance.endpoint };
    } catch (e) {
      return failure(e);
    }
  },

  async createImage(name: string): Promise<PageResult<{ id: string }>> {
    try {
      const img = await glance!.createImage({ name, disk_format: 'raw', container_format: 'bare' });
      return { ok: true, id: img.id };
    } catch (e) {
      return failure(e);
    }
  },

  /** threads 2 starts held: no slice may be hashed until the hold is released 300 ms later. */
  async hashInWorker(threads: 1 | 2 = 1): Promise<PageResult<{ digests: ImageDigests; progressCalls: number; hashedWhileHeld: number }>> {
    const client = createHashClient({ threads });
    let progressCalls = 0;
    let hashed = 0;
    let hashedWhileHeld = 0;
    try {
      if (threads === 2) client.hold(true);
      const digesting = client.hash(file(), { onProgress: (n) => ((hashed = n), progressCalls++), chunkSize: 1024 * 1024 });
      if (threads === 2) {
        await new Promise((r) => setTimeout(r, 300));
        hashedWhileHeld = hashed;
        client.hold(false);
      }
      const digests = await digesting;
      return { ok: true, digests, progressCalls, hashedWhileHeld };
    } catch (e) {
      return failure(e);
    } finally {
      client.dispose();
    }
  },

  /** The app's path (the upload worker running the engine); no other upload path exists. */
  upload(imageId: string, opts: UploadOptions) {
    return uploadInWorker(imageId, opts);
  },
};

type UploadOptions = { method?: 'direct' | 'glance-direct'; abortAfterBytes?: number; knownDigests?: ImageDigests };

/** The app's path: the upload worker runs the core engine; the whole-file digests come from a hash worker. */
async function uploadInWorker(imageId: string, opts: UploadOptions) {
  const uploads = createUploadClient();
  const hasher = createHashClient();
  const f = file();
  let progressCalls = 0;
  let maxRate = 0;
  let maxHashedWhileSending = 0;
  let phase = '';
  const t0 = performance.now();
  const s = session!;
  let cancelled: Promise<void> | null = null;
  try {
    const run = uploads.start(
      {
        file: f,
        fileName: f.name,
        lastModified: f.lastModified,
        via: opts.method === 'glance-direct' ? 'glance-direct' : 'glance',
        register: { fields: {}, deleteObjectAfter: false, imageId },
        knownDigests: opts.knownDigests,
        glanceEndpoint: glance!.endpoint,
      },
      {
        getToken: () => s.getToken(),
        invalidate: (t) => s.invalidate(t),
        canRenew: () => s.canRenew,
        whole: () =>
          hasher.hash(f, {
            onProgress: (n) => {
              if (phase === 'uploading') maxHashedWhileSending = Math.max(maxHashedWhileSending, n);
            },
          }),
        partsSoFar: () => null,
        progress: (p: UploadProgress) => {
          progressCalls++;
          phase = p.phase;
          maxRate = Math.max(maxRate, p.bytesPerSecond);
          if (opts.abortAfterBytes !== undefined && p.sentBytes >= opts.abortAfterBytes) cancelled ??= run.cancel();
        },
        notice: () => undefined,
      },
    );
    const out = await run.done;
    const image = out.image!;
    return {
      ok: true as const,
      digests: { sha512: out.sha512, md5: out.md5, size: f.size },
      status: image.status,
      size: image.size,
      checksum: image.checksum,
      osHash: image.os_hash_value,
      progressCalls,
      maxRate,
      maxHashedWhileSending,
      ms: performance.now() - t0,
    };
  } catch (e) {
    await cancelled; // the image is deleted once the cancel has finished, not when the transfer stopped
    return failure(e);
  } finally {
    uploads.dispose();
    hasher.dispose();
  }
}

(window as unknown as { clients: typeof clients }).clients = clients;
