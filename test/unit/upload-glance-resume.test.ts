// A via-glance upload that fails or is interrupted leaves its image queued without data: the
// engine records that image (in the store object uploads use) before sending, names it in the
// failure, and the same request run again uploads into it instead of creating a duplicate. A
// small in-memory Glance stands in for the cases the real cloud cannot give on demand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { OpenStackError } from '../../src/core/openstack/errors.ts';
import type { GlanceClient } from '../../src/core/openstack/glance.ts';
import type { GlanceImage, ImageCreateFields } from '../../src/core/openstack/types.ts';
import { inlineDigestProvider } from '../../src/core/upload/digests.ts';
import { startUpload } from '../../src/core/upload/engine.ts';
import type { StoredUploadState, UploadEnv, UploadRequest, UploadStateStore } from '../../src/core/upload/types.ts';

function memoryStore(): UploadStateStore & { map: Map<string, StoredUploadState> } {
  const map = new Map<string, StoredUploadState>();
  return {
    map,
    get: async (id) => (map.has(id) ? structuredClone(map.get(id)) : undefined),
    put: async (s) => void map.set(s.id, structuredClone(s)),
    delete: async (id) => void map.delete(id),
    list: async () => [...map.values()],
  };
}

/** Images in memory; `failUploads` uploads are cut (a network failure) before any data is kept. */
class FakeGlance {
  readonly endpoint = 'http://glance.test';
  images = new Map<string, GlanceImage>();
  created: string[] = [];
  deleted: string[] = [];
  failUploads = 0;
  owner = 'p1';

  async createImage(f: ImageCreateFields): Promise<GlanceImage> {
    const id = `img-${this.created.length + 1}`;
    this.created.push(id);
    const image = {
      id,
      name: f.name ?? null,
      status: 'queued',
      owner: this.owner,
      disk_format: f.disk_format ?? null,
      container_format: f.container_format ?? null,
      size: null,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
    } as unknown as GlanceImage;
    this.images.set(id, image);
    return { ...image };
  }
  async getImage(id: string): Promise<GlanceImage> {
    const i = this.images.get(id);
    if (!i) throw new OpenStackError(`No image ${id}.`, { kind: 'not-found', service: 'glance' });
    return { ...i };
  }
  async uploadData(id: string, blob: Blob): Promise<void> {
    if (this.failUploads > 0) {
      this.failUploads--;
      throw new OpenStackError('The connection to Glance was lost while uploading the image data.', { kind: 'network', service: 'glance' });
    }
    const bytes = Buffer.from(await blob.arrayBuffer());
    const i = this.images.get(id)!;
    Object.assign(i, {
      status: 'active',
      size: bytes.length,
      checksum: createHash('md5').update(bytes).digest('hex'),
      os_hash_algo: 'sha512',
      os_hash_value: createHash('sha512').update(bytes).digest('hex'),
    });
  }
  async waitForImage(id: string): Promise<GlanceImage> {
    return this.getImage(id);
  }
  async deleteImage(id: string): Promise<void> {
    this.deleted.push(id);
    this.images.delete(id);
  }
}

const file = new Blob([new Uint8Array(randomBytes(300_000))]);

function request(
  fields: ImageCreateFields = { name: 'disk', disk_format: 'raw', container_format: 'bare' },
  project: string | null = 'p1',
) {
  const r: UploadRequest = {
    file,
    fileName: 'disk.raw',
    lastModified: 1,
    via: 'glance',
    register: { fields, deleteObjectAfter: false },
  };
  if (project) r.project = project;
  return r;
}

function env(glance: FakeGlance, store: UploadStateStore, notices: string[] = []): UploadEnv {
  return {
    store,
    digests: inlineDigestProvider(),
    glance: glance as unknown as GlanceClient,
    retry: { attempts: 1 },
    clock: { now: () => 0, sleep: async () => undefined },
    onNotice: (s: string) => notices.push(s),
  } as unknown as UploadEnv;
}

describe('via glance: the image an interrupted run left is reused', { timeout: 30_000 }, () => {
  test('a failed upload names the queued image and records it; the same request uploads into it', async () => {
    const glance = new FakeGlance();
    const store = memoryStore();
    glance.failUploads = 1;
    await assert.rejects(startUpload(request(), env(glance, store)).done, (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.imageId, 'img-1');
      assert.match(e.message, /The image img-1 is left queued without data: run the same command again to upload into it/);
      return true;
    });
    const [saved] = store.map.values();
    assert.ok(saved && saved.target.kind === 'glance' && 'imageId' in saved && saved.imageId === 'img-1');
    const notices: string[] = [];
    const out = await startUpload(request(), env(glance, store, notices)).done;
    assert.equal(out.image?.id, 'img-1');
    assert.equal(out.resumed, true);
    assert.equal(out.image?.status, 'active');
    assert.deepEqual(glance.created, ['img-1'], 'no second image');
    assert.match(notices.join('\n'), /Uploading into the image img-1/);
    assert.equal(store.map.size, 0, 'done and verified: the record is gone');
  });

  test('an image deleted, or owned by another project, since is not reused', async () => {
    const glance = new FakeGlance();
    const store = memoryStore();
    glance.failUploads = 1;
    await assert.rejects(startUpload(request(), env(glance, store)).done);
    glance.images.delete('img-1');
    const out = await startUpload(request(), env(glance, store)).done;
    assert.deepEqual([out.image?.id, out.resumed], ['img-2', false]);

    glance.failUploads = 1;
    await assert.rejects(startUpload(request(), env(glance, store)).done);
    glance.images.get('img-3')!.owner = 'someone-else';
    const again = await startUpload(request(), env(glance, store)).done;
    assert.deepEqual([again.image?.id, again.resumed], ['img-4', false]);
    assert.equal(glance.images.has('img-3'), true, "another project's image is left alone");
  });

  test('other fields make another upload: the empty earlier image is deleted and a new one made', async () => {
    const glance = new FakeGlance();
    const store = memoryStore();
    glance.failUploads = 1;
    await assert.rejects(startUpload(request(), env(glance, store)).done);
    const out = await startUpload(request({ name: 'other', disk_format: 'raw', container_format: 'bare' }), env(glance, store)).done;
    assert.deepEqual([out.image?.id, out.resumed], ['img-2', false]);
    assert.deepEqual(glance.deleted, ['img-1']);
  });

  test('without a project (the page) nothing is recorded and the sentence is the old one', async () => {
    const glance = new FakeGlance();
    const store = memoryStore();
    glance.failUploads = 1;
    await assert.rejects(startUpload(request(undefined, null), env(glance, store)).done, /The image img-1 stays in the list without data/);
    assert.equal(store.map.size, 0);
  });
});
