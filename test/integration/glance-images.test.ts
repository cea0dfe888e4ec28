// The Glance image life cycle through our client against the real local Glance: schema and info,
// create with every Dashboard field, upload with local hashes, JSON-patch updates, list filters,
// metadefs, delete and protected delete, and policy refusals.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GlanceClient, OpenStackError, customProperties, imagePatch, type GlanceImage } from '../../src/core/openstack/index.ts';
import { send } from '../../src/core/openstack/http.ts';
import { makeRandomFile, readCloud, signIn, uniqueName, type CloudJson, type TestFile } from './helpers/cloud.ts';
import { tempStateDir, uploadIntoImage } from './helpers/upload-env.ts';
import { nodeHttpTransport } from '../../src/cli/node-http-transport.ts';

let cloud: CloudJson;
let glance: GlanceClient;
let adminGlance: GlanceClient;
let file: TestFile;
let state: Awaited<ReturnType<typeof tempStateDir>>;
const created: string[] = [];

before(async () => {
  cloud = readCloud();
  glance = (await signIn(cloud, 'demo')).glance;
  adminGlance = (await signIn(cloud, 'admin')).glance;
  file = await makeRandomFile(64 * 1024 * 1024);
  state = await tempStateDir('glance-images');
});

after(async () => {
  for (const id of created) {
    try {
      await glance.deleteImage(id);
    } catch (e) {
      if (!(e instanceof OpenStackError && e.kind === 'not-found')) {
        await adminGlance.unprotectAndDelete(id);
      }
    }
  }
  await file?.cleanup();
  await state?.cleanup();
});

async function create(fields: Parameters<GlanceClient['createImage']>[0]): Promise<GlanceImage> {
  const img = await glance.createImage(fields);
  created.push(img.id);
  return img;
}

describe('Glance images (real Glance)', () => {
  test('schema, import methods, stores and quota usage', async () => {
    const schema = await glance.imageSchema();
    for (const f of ['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'iso', 'aki', 'ari', 'ami']) assert.ok(schema.diskFormats.includes(f), f);
    for (const f of ['bare', 'ovf', 'ova', 'docker']) assert.ok(schema.containerFormats.includes(f), f);
    assert.deepEqual([...schema.visibilities].sort(), ['community', 'private', 'public', 'shared']);
    const info = await glance.importInfo();
    assert.deepEqual([...info.methods].sort(), ['glance-direct', 'web-download']);
    const stores = await glance.storesInfo();
    assert.deepEqual(
      stores.map((s) => s.id),
      ['file'],
    );
    assert.equal(stores[0].default, true);
    const usage = await glance.usage();
    assert.ok(usage === null || typeof usage === 'object');
  });

  test('create with every Dashboard field, upload 64 MiB with local hashes, active and equal', async () => {
    const kernel = await create({ name: uniqueName('kernel'), disk_format: 'aki', container_format: 'aki' });
    const ramdisk = await create({ name: uniqueName('ramdisk'), disk_format: 'ari', container_format: 'ari' });
    const name = uniqueName('full');
    const img = await create({
      name,
      description: 'All fields: <b>not HTML</b> & "quotes"',
      disk_format: 'raw',
      container_format: 'bare',
      min_disk: 3,
      min_ram: 512,
      visibility: 'shared',
      protected: false,
      architecture: 'x86_64',
      kernel_id: kernel.id,
      ramdisk_id: ramdisk.id,
      tags: ['inspector', 'test'],
      properties: { hw_disk_bus: 'virtio', os_distro: 'debian', custom_key: 'custom value' },
    });
    assert.equal(img.status, 'queued');
    let last = { sentBytes: 0, hashedBytes: 0, totalBytes: 0 };
    const progressPhases = new Set<string>();
    const { image, ...digests } = await uploadIntoImage(glance, img.id, file, {
      stateDir: state.dir,
      onProgress: (p) => {
        last = p;
        progressPhases.add(p.phase);
        assert.ok(p.sentBytes <= p.totalBytes);
      },
    });
    assert.equal(last.sentBytes, file.size);
    assert.equal(last.hashedBytes, file.size);
    assert.ok(progressPhases.has('uploading') && progressPhases.has('verifying'));
    // three independent parties agree: node:crypto (reference), hash-wasm (ours), Glance
    assert.equal(digests.sha512, file.sha512);
    assert.equal(digests.md5, file.md5);
    const got = await glance.getImage(img.id);
    assert.equal(got.status, 'active');
    assert.equal(image?.status, 'active');
    assert.equal(got.size, file.size);
    assert.equal(got.os_hash_algo, 'sha512');
    assert.equal(got.os_hash_value, file.sha512);
    assert.equal(got.checksum, file.md5);
    assert.equal(got.name, name);
    assert.equal(got.description, 'All fields: <b>not HTML</b> & "quotes"');
    assert.equal(got.disk_format, 'raw');
    assert.equal(got.container_format, 'bare');
    assert.equal(got.min_disk, 3);
    assert.equal(got.min_ram, 512);
    assert.equal(got.visibility, 'shared');
    assert.equal(got.protected, false);
    assert.equal(got.architecture, 'x86_64');
    assert.equal(got.kernel_id, kernel.id);
    assert.equal(got.ramdisk_id, ramdisk.id);
    assert.deepEqual([...got.tags].sort(), ['inspector', 'test']);
    assert.equal(got.owner, cloud.users.demo.projectId);
    const props = customProperties(got);
    assert.equal(props.hw_disk_bus, 'virtio');
    assert.equal(props.os_distro, 'debian');
    assert.equal(props.custom_key, 'custom value');
    assert.match(String(got.direct_url), /^file:\/\//, 'show_image_direct_url is on');

    // a second upload to an active image is refused with a state message
    await assert.rejects(glance.uploadData(img.id, file.blob.slice(0, 1024), { transport: nodeHttpTransport() }), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.kind, 'conflict');
      assert.match(e.message, /not in a state/);
      return true;
    });
  });

  test('JSON-patch updates land for each field, custom properties added, replaced and removed', async () => {
    const img = await create({
      name: uniqueName('patch'),
      disk_format: 'qcow2',
      container_format: 'bare',
      properties: { old_key: 'x', keep: 'k' },
    });
    const kernel = await create({ name: uniqueName('k2'), disk_format: 'aki', container_format: 'aki' });
    const ops = imagePatch(img, {
      core: {
        name: 'renamed',
        min_disk: 7,
        min_ram: 1024,
        visibility: 'community',
        protected: true,
        disk_format: 'vmdk',
        container_format: 'ova',
        tags: ['a'],
      },
      properties: {
        keep: 'k2',
        description: 'desc',
        architecture: 'aarch64',
        kernel_id: kernel.id,
        hw_scsi_model: 'virtio-scsi',
        'a/b~c': 'slash',
      },
    });
    assert.ok(ops.some((o) => o.op === 'remove' && o.path === '/old_key'));
    assert.ok(ops.some((o) => o.op === 'add' && o.path === '/a~1b~0c'));
    const upd = await glance.updateImage(img.id, ops);
    assert.equal(upd.name, 'renamed');
    assert.equal(upd.min_disk, 7);
    assert.equal(upd.min_ram, 1024);
    assert.equal(upd.visibility, 'community');
    assert.equal(upd.protected, true);
    assert.equal(upd.disk_format, 'vmdk');
    assert.equal(upd.container_format, 'ova');
    assert.deepEqual(upd.tags, ['a']);
    const got = await glance.getImage(img.id);
    const props = customProperties(got);
    assert.equal(props.keep, 'k2');
    assert.equal(props.description, 'desc');
    assert.equal(props.architecture, 'aarch64');
    assert.equal(props.kernel_id, kernel.id);
    assert.equal(props.hw_scsi_model, 'virtio-scsi');
    assert.equal(props['a/b~c'], 'slash');
    assert.equal('old_key' in got, false);

    // protected: delete refused with the reason, then the offered path (unprotect, delete) works
    await assert.rejects(glance.deleteImage(img.id), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.kind, 'protected');
      assert.match(e.message, /protected.*Turn "protected" off/);
      return true;
    });
    assert.equal((await glance.getImage(img.id)).status, 'queued');
    await glance.unprotectAndDelete(img.id);
    await assert.rejects(glance.getImage(img.id), (e: unknown) => e instanceof OpenStackError && e.kind === 'not-found');
  });

  test('formats cannot change once the image has data', async () => {
    const img = await create({ name: uniqueName('fmt'), disk_format: 'raw', container_format: 'bare' });
    await glance.uploadData(img.id, file.blob.slice(0, 4096), { transport: nodeHttpTransport() });
    const active = await glance.getImage(img.id);
    assert.equal(active.status, 'active');
    assert.throws(() => imagePatch(active, { core: { disk_format: 'qcow2' } }), /only change while the image is queued/);
    await assert.rejects(
      glance.updateImage(img.id, [{ op: 'replace', path: '/disk_format', value: 'qcow2' }]),
      (e: unknown) => e instanceof OpenStackError && (e.kind === 'forbidden' || e.kind === 'conflict' || e.kind === 'bad-request'),
    );
  });

  test('a non-admin making an image public is refused by policy with a clear message', async () => {
    await assert.rejects(create({ name: uniqueName('pub'), visibility: 'public' }), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.kind, 'forbidden');
      assert.equal(e.status, 403);
      assert.equal(e.code, 'glance.visibility-forbidden');
      assert.match(
        e.message,
        /^Only the cloud's administrators may make an image public here \(Glance's publicize_image policy\): choose another visibility/,
      );
      return true;
    });
    const img = await create({ name: uniqueName('pub2') });
    await assert.rejects(glance.updateImage(img.id, [{ op: 'replace', path: '/visibility', value: 'public' }]), (e: unknown) => {
      return e instanceof OpenStackError && e.kind === 'forbidden';
    });
    // the admin may
    const pub = await adminGlance.createImage({ name: uniqueName('adminpub'), visibility: 'public' });
    assert.equal(pub.visibility, 'public');
    await adminGlance.deleteImage(pub.id);
  });

  test('another project cannot see or delete a private image', async () => {
    const img = await create({ name: uniqueName('private'), visibility: 'private' });
    const alt = (await signIn(cloud, 'alt')).glance;
    await assert.rejects(alt.getImage(img.id), (e: unknown) => e instanceof OpenStackError && e.kind === 'not-found');
    await assert.rejects(alt.deleteImage(img.id), (e: unknown) => e instanceof OpenStackError && e.kind === 'not-found');
  });

  test('list with filters, sort and pagination', async () => {
    const tag = uniqueName('tag');
    const names = ['c', 'a', 'b'].map((x) => `${tag}-${x}`);
    for (const n of names) await create({ name: n, tags: [tag], disk_format: n.endsWith('a') ? 'qcow2' : 'raw', container_format: 'bare' });
    const sorted = await glance.listAllImages({ tag, sort: 'name:asc', limit: 1 });
    assert.deepEqual(
      sorted.map((i) => i.name),
      [...names].sort(),
      'three pages of one, in name order',
    );
    const page = await glance.listImages({ tag, limit: 2, sort: 'name:desc' });
    assert.equal(page.images.length, 2);
    assert.ok(page.next);
    assert.equal(page.images[0].name, `${tag}-c`);
    const qcow = await glance.listImages({ tag, disk_format: 'qcow2' });
    assert.deepEqual(
      qcow.images.map((i) => i.name),
      [`${tag}-a`],
    );
    const byName = await glance.listImages({ name: `${tag}-b` });
    assert.equal(byName.images.length, 1);
    const queued = await glance.listImages({ tag, status: 'queued' });
    assert.equal(queued.images.length, 3);
  });

  test('metadefs catalog for images: namespaces, prefixes, enums and defaults', async () => {
    const all = await glance.metadefNamespaces();
    assert.ok(all.length >= 10, `only ${all.length} namespaces`);
    const names = all.map((n) => n.namespace);
    for (const n of ['OS::Compute::Libvirt', 'OS::Compute::VMware', 'OS::Compute::Hypervisor']) assert.ok(names.includes(n), n);
    const vmware = all.find((n) => n.namespace === 'OS::Compute::VMware')!;
    const adapter = vmware.properties.find((p) => p.name === 'vmware_adaptertype');
    assert.ok(adapter, 'vmware_adaptertype');
    assert.deepEqual([...(adapter.enum ?? [])].sort(), ['busLogic', 'ide', 'lsiLogic', 'lsiLogicsas', 'paraVirtual']);
    const disktype = vmware.properties.find((p) => p.name === 'vmware_disktype');
    assert.deepEqual([...(disktype?.enum ?? [])].sort(), ['preallocated', 'sparse', 'streamOptimized']);
    // a namespace whose image association has a prefix gets prefixed property names
    const libvirt = all.find((n) => n.namespace === 'OS::Compute::Libvirt')!;
    assert.equal(libvirt.prefix, 'hw_');
    assert.ok(
      libvirt.properties.every((p) => p.name.startsWith('hw_')),
      'hw_ prefix applied',
    );
    assert.ok(
      all.some((n) => n.properties.some((p) => p.default !== undefined)),
      'some property has a default',
    );
  });

  test('a PATCH without the JSON-patch media type is 415, mapped to a plain message', async () => {
    const img = await create({ name: uniqueName('415') });
    const { session } = await signIn(cloud, 'demo');
    await assert.rejects(
      send((u, i) => fetch(u, i), `${glance.endpoint}/v2/images/${img.id}`, {
        method: 'PATCH',
        json: [{ op: 'replace', path: '/name', value: 'x' }],
        headers: { 'Content-Type': 'application/json' },
        tokens: session,
        service: 'glance',
        action: 'updating the image',
      }),
      (e: unknown) => {
        assert.ok(e instanceof OpenStackError);
        assert.equal(e.kind, 'unsupported-media');
        assert.equal(e.status, 415);
        assert.match(e.message, /does not accept this content type while updating the image/);
        return true;
      },
    );
  });

  test('deleting an image that is already gone says so', async () => {
    const img = await glance.createImage({ name: uniqueName('gone') });
    await glance.deleteImage(img.id);
    await assert.rejects(glance.deleteImage(img.id), (e: unknown) => {
      assert.ok(e instanceof OpenStackError);
      assert.equal(e.kind, 'not-found');
      assert.match(e.message, /Not found/);
      return true;
    });
  });
});
