// A stored object registered again (an interrupted `upload --via swift|s3` run once more) reuses
// the image the earlier run created only when that image has the fields this run asks for: run
// with another --name or --property, it gets a new image with them (the earlier one deleted when
// it never received data, else left and named), instead of exit 0 with the old name.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { GlanceClient } from '../../src/core/openstack/glance.ts';
import { OpenStackError } from '../../src/core/openstack/errors.ts';
import { createBody } from '../../src/core/openstack/image-fields.ts';
import type { GlanceImage, ImageCreateFields } from '../../src/core/openstack/types.ts';
import { differingFields, registerObject } from '../../src/core/upload/register.ts';

const data = randomBytes(4096);
const digests = {
  size: data.length,
  sha512: createHash('sha512').update(data).digest('hex'),
  md5: createHash('md5').update(data).digest('hex'),
};

/** Images in memory; an import makes the image active with the file's hashes. */
class FakeGlance {
  images = new Map<string, GlanceImage>();
  deleted: string[] = [];
  seq = 0;
  add(fields: ImageCreateFields, status: string): GlanceImage {
    const id = `img-${++this.seq}`;
    const image = {
      id,
      status,
      owner: 'p1',
      visibility: 'shared',
      protected: false,
      min_disk: 0,
      min_ram: 0,
      tags: [],
      ...createBody(fields),
    };
    this.images.set(id, image as unknown as GlanceImage);
    return { ...image } as unknown as GlanceImage;
  }
  async createImage(f: ImageCreateFields) {
    return this.add(f, 'queued');
  }
  async getImage(id: string) {
    const i = this.images.get(id);
    if (!i) throw new OpenStackError(`No image ${id}.`, { kind: 'not-found', service: 'glance' });
    return { ...i };
  }
  async deleteImage(id: string) {
    this.deleted.push(id);
    this.images.delete(id);
  }
  async importInfo() {
    return { methods: ['web-download'] };
  }
  async importImage(id: string) {
    this.images.get(id)!.status = 'importing';
  }
  /** An import, the earlier run's or this one's, ends with the file's data. */
  async waitForImage(id: string) {
    const i = this.images.get(id)!;
    Object.assign(i, {
      status: 'active',
      size: digests.size,
      checksum: digests.md5,
      os_hash_algo: 'sha512',
      os_hash_value: digests.sha512,
    });
    return this.getImage(id);
  }
}

function register(glance: FakeGlance, fields: ImageCreateFields, imageId: string | undefined, notices: string[]) {
  return registerObject({
    glance: glance as unknown as GlanceClient,
    plan: { fields, deleteObjectAfter: false, imageId },
    downloadUrl: async () => 'http://swift.test/v1/AUTH_p/c/o?temp_url_sig=x',
    digests: Promise.resolve(digests),
    file: new Blob([data]),
    size: data.length,
    onImage: () => undefined,
    onPhase: () => undefined,
    onNotice: (s) => notices.push(s),
  });
}

const A: ImageCreateFields = { name: 'nameA', disk_format: 'raw', container_format: 'bare', min_disk: 1, properties: { k: 'A' } };
const B: ImageCreateFields = { ...A, name: 'nameB', properties: { k: 'B' } };

describe('registering a stored object again', () => {
  test('the earlier image with the same fields is reused', async () => {
    const glance = new FakeGlance();
    const earlier = glance.add(A, 'importing');
    const notices: string[] = [];
    const image = await register(glance, A, earlier.id, notices);
    assert.equal(image.id, earlier.id);
    assert.deepEqual(notices, []);
    assert.deepEqual(differingFields(earlier, A), []);
  });

  test('an earlier image left importing with another name and property is left, and a new one made as asked', async () => {
    const glance = new FakeGlance();
    const earlier = glance.add(A, 'importing');
    const notices: string[] = [];
    const image = await register(glance, B, earlier.id, notices);
    assert.notEqual(image.id, earlier.id);
    assert.equal(image.name, 'nameB');
    assert.equal((image as unknown as Record<string, unknown>).k, 'B');
    assert.deepEqual(glance.deleted, []);
    assert.deepEqual(notices, [
      `The image ${earlier.id} an earlier run created has another name, k: it is left as it is (importing) and a new one is created.`,
    ]);
  });

  test('an earlier image still queued (no data) with other fields is deleted', async () => {
    const glance = new FakeGlance();
    const earlier = glance.add(A, 'queued');
    const notices: string[] = [];
    const image = await register(glance, { ...A, visibility: 'public', protected: true }, earlier.id, notices);
    assert.notEqual(image.id, earlier.id);
    assert.deepEqual(glance.deleted, [earlier.id]);
    assert.match(notices[0] ?? '', /has another visibility, protected: it held no data and is deleted; a new one is created\.$/);
  });

  test('an earlier image with a property this run no longer asks for is not the image asked for', async () => {
    const glance = new FakeGlance();
    const earlier = glance.add({ ...A, properties: { k: 'A', hw_firmware_type: 'uefi' } }, 'queued');
    assert.deepEqual(differingFields(earlier, A), ['hw_firmware_type']);
    const notices: string[] = [];
    const image = await register(glance, A, earlier.id, notices);
    assert.notEqual(image.id, earlier.id);
    assert.equal((image as unknown as Record<string, unknown>).hw_firmware_type, undefined);
    assert.deepEqual(glance.deleted, [earlier.id]);
  });

  test("Glance's own bookkeeping of a failed import (os_glance_*) is no difference", () => {
    const glance = new FakeGlance();
    const earlier = { ...glance.add(A, 'queued'), os_glance_failed_import: '', os_glance_importing_to_stores: '' };
    assert.deepEqual(differingFields(earlier as unknown as GlanceImage, A), []);
  });

  test('an active image is not told apart by properties the cloud may have added on import', async () => {
    const glance = new FakeGlance();
    const earlier = glance.add({ ...A, properties: { k: 'A', injected_by_operator: 'yes' } }, 'active');
    assert.deepEqual(differingFields(earlier, A), []);
    // a field the run does ask for still counts
    assert.deepEqual(differingFields(earlier, B), ['name', 'k']);
  });
});
