// The create form's pre-checks when the cloud's image schema could not be read (Glance was
// unreachable as the session connected): no line may claim the cloud refuses a format it never
// listed, nor show an empty "(it accepts )" list beside a check mark.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { preflight, type PreflightContext } from '../../src/elements/cloud/preflight.ts';
import type { CheckLine } from '../../src/elements/cloud/cloud-create-form.ts';
import { blankFields, type CreateRequest } from '../../src/elements/cloud/create-form-model.ts';
import type { GlanceClient } from '../../src/core/openstack/glance.ts';

const fields = { ...blankFields(), name: 'img', disk_format: 'qcow2' };

async function lines(diskFormats: string[], containerFormats: string[], properties: Record<string, string> = {}): Promise<CheckLine[]> {
  const ctx: PreflightContext = {
    glance: { usage: async () => null } as unknown as GlanceClient,
    schema: { diskFormats, containerFormats, visibilities: [], raw: {} },
    importMethods: [],
    stores: [],
  };
  const req: CreateRequest = {
    fields: { ...fields, properties },
    source: { kind: 'file', file: new File([new Uint8Array(512)], 'a.qcow2') },
    method: 'direct',
  };
  let seen: CheckLine[] = [];
  await preflight(ctx, req, { safe: true, diskFormat: 'qcow2' }, { checks: (l) => (seen = l) });
  return seen;
}

describe('pre-checks without the image schema', { timeout: 10_000 }, () => {
  test('formats not listed are said to be unchecked, not refused', async () => {
    const got = await lines([], []);
    const [disk, container] = got;
    assert.ok(disk.ok && container.ok);
    assert.match(disk.text, /^Disk format "qcow2" not checked here: the cloud's image schema \(\/v2\/schemas\/image\) listed no formats/);
    assert.match(container.text, /^Container format "bare" not checked here/);
    assert.ok(!got.some((l) => /does not accept|it accepts \)/.test(l.text)), JSON.stringify(got));
  });

  test('with the lists read, the usual lines', async () => {
    const [disk, container] = await lines(['raw', 'qcow2'], ['bare']);
    assert.equal(disk.text, 'This cloud accepts disk format "qcow2".');
    assert.equal(container.text, 'This cloud accepts container format "bare".');
    await assert.rejects(lines(['raw'], ['bare']), /does not accept disk format "qcow2" \(it accepts raw\)/);
  });
});

describe('property names Glance refuses, before anything is sent', { timeout: 10_000 }, () => {
  // checked against Glance 25: 403 "Attribute 'os_glance_x' is reserved", 400 for a 256-character key
  test('a reserved, core or too long name stops the form with its sentence', async () => {
    await assert.rejects(
      lines([], [], { os_glance_import_task: 'x' }),
      /"os_glance_import_task" is in Glance's reserved os_glance namespace/,
    );
    await assert.rejects(lines([], [], { checksum: 'x' }), /"checksum" is a core image field, not a custom property/);
    await assert.rejects(lines([], [], { ['k'.repeat(256)]: 'x' }), /is 256 characters long; Glance takes at most 255/);
  });

  test('a 255-character name and a long value pass (Glance takes both)', async () => {
    const got = await lines([], [], { ['k'.repeat(255)]: 'v'.repeat(300), hw_qemu_guest_agent: 'yes' });
    assert.ok(
      got.every((l) => l.ok),
      JSON.stringify(got),
    );
  });
});
