// The `upload` command's behaviour that needs no cloud: argument errors as one sentence with a
// pointer to --help, --parallel's limit, a signal before anything is sent (during inspection),
// the resume-state directory, and the format check made before any byte leaves.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InspectionResult } from '../../src/core/inspection.ts';
import { run } from '../../src/cli/upload-command.ts';
import { parseUploadArgs } from '../../src/cli/upload-args.ts';
import { formatProblem } from '../../src/cli/upload-fields.ts';
import { uploadStateDir } from '../../src/cli/upload-state-file.ts';

const dir = await mkdtemp(join(tmpdir(), 'ii-upload-cmd-'));
const file = join(dir, 'disk.raw');
await writeFile(file, Buffer.alloc(4096));
after(() => rm(dir, { recursive: true, force: true }));

function io(extra: { inspect?: (p: string, d: string | undefined, s: AbortSignal) => Promise<InspectionResult> } = {}) {
  const o = { out: '', err: '' };
  return {
    o,
    io: { out: (s: string) => void (o.out += s), err: (s: string) => void (o.err += s), env: {}, ...extra },
  };
}

describe('image-inspector upload without a cloud', { timeout: 20_000 }, () => {
  test('an argument error is one sentence pointing to --help, not the whole usage', async () => {
    const { o, io: x } = io();
    assert.equal(await run([file, '--via', 'ftp'], x), 2);
    assert.equal(o.err, 'image-inspector upload: --via must be glance, swift or s3 (got "ftp"); see image-inspector upload --help.\n');
    const help = io();
    assert.equal(await run(['--help'], help.io), 0);
    assert.match(help.o.out, /^usage: image-inspector upload FILE/);
  });

  test('a Swift container name with "/" or too long for its _segments container is refused before anything is sent', async () => {
    for (const [container, said] of [
      ['a/b', '--container names one Swift container, and a container name cannot contain "/" (got "a/b")'],
      ['c'.repeat(248), 'is too long: Swift allows 256 bytes for its segment container'],
    ] as const) {
      const { o, io: x } = io();
      assert.equal(await run([file, '--via', 'swift', '--container', container], x), 2);
      assert.ok(o.err.startsWith('image-inspector upload: ') && o.err.includes(said), o.err);
      assert.ok(o.err.endsWith('; see image-inspector upload --help.\n'), o.err);
    }
    assert.equal(parseUploadArgs([file, '--via', 'swift', '--container', 'c'.repeat(247)])?.container, 'c'.repeat(247));
  });

  test('--parallel above 64 is refused, not capped', async () => {
    const { o, io: x } = io();
    assert.equal(await run([file, '--via', 'swift', '--parallel', '65'], x), 2);
    assert.match(
      o.err,
      /^image-inspector upload: --parallel allows at most 64 parts in flight \(got 65\); see image-inspector upload --help\.\n$/,
    );
    assert.equal(parseUploadArgs([file, '--via', 'swift', '--parallel', '64'])?.parallel, 64);
  });

  test('switches take no value, values are not empty, URLs and properties are checked before anything is sent', async () => {
    const refused = async (args: string[]) => {
      const { o, io: x } = io();
      assert.equal(await run([file, ...args], x), 2);
      return o.err;
    };
    // --public=false must not make the image public
    assert.equal(
      await refused(['--public=false']),
      'image-inspector upload: --public takes no value (got "--public=false"); see image-inspector upload --help.\n',
    );
    for (const sw of ['--json=1', '--protected=no', '--no-register=yes'])
      assert.match(await refused(['--via', 'swift', sw]), /takes no value/);
    assert.match(await refused(['--os-cloud=']), /^image-inspector upload: --os-cloud needs a value; see/);
    assert.match(await refused(['--disk-format', '']), /^image-inspector upload: --disk-format needs a value; see/);
    assert.match(
      await refused(['--via', 'swift', '--os-storage-url', 'notaurl']),
      /--os-storage-url needs an http or https URL .*\(got "notaurl"\); see/,
    );
    assert.equal(
      parseUploadArgs([file, '--via', 'swift', '--os-storage-url', 'https://s.example/v1/AUTH_p'])?.storageUrl,
      'https://s.example/v1/AUTH_p',
    );
    // a core field is refused here, not by Glance once the whole object is stored
    assert.match(await refused(['--via', 'swift', '--property', 'owner=x']), /--property cannot set "owner", a core image field/);
    assert.match(
      await refused(['--via', 's3', '--property', 'os_glance_x=1']),
      /--property: "os_glance_x" is in Glance's reserved os_glance namespace/,
    );
    assert.match(
      await refused(['--via', 'swift', '--property', `${'k'.repeat(256)}=1`]),
      /is 256 characters long; Glance takes at most 255/,
    );
    // flags an upload through Glance would ignore are refused, not dropped silently
    assert.equal(
      await refused(['--container', 'c', '--parallel', '4']),
      'image-inspector upload: --container, --parallel are for object storage: add --via swift or --via s3 (an upload through Glance is one PUT); see image-inspector upload --help.\n',
    );
    assert.match(await refused(['--via', 'glance', '--segment-size', '8M']), /--segment-size is for object storage/);
    assert.equal(parseUploadArgs([file, '--via', 's3', '--container', 'b', '--parallel', '2'])?.container, 'b');
    // one sentence: the size's own full stop is not kept before "; see"
    assert.equal(
      await refused(['--segment-size', '0']),
      'image-inspector upload: "0" is not a positive size; see image-inspector upload --help.\n',
    );
  });

  test('a file that cannot be read is one plain sentence, not an errno', async () => {
    const says = async (path: string) => {
      const { o, io: x } = io();
      assert.equal(await run([path, '--os-cloud', 'nowhere'], x), 2);
      return o.err;
    };
    assert.equal(
      await says(join(dir, 'missing.raw')),
      `image-inspector upload: Cannot read ${join(dir, 'missing.raw')}: there is no such file.\n`,
    );
    assert.equal(await says(dir), `image-inspector upload: ${dir} is a directory, not a disk image file.\n`);
    assert.equal(await says('/dev/null'), 'image-inspector upload: /dev/null is not a regular file.\n');
  });

  test("qemu-img's names are Glance's: --disk-format vpc is vhd", () => {
    assert.equal(parseUploadArgs([file, '--disk-format', 'VPC'])?.diskFormat, 'vhd');
    assert.equal(parseUploadArgs([file, '--container-format', 'BARE'])?.containerFormat, 'bare');
  });

  test('a signal during inspection ends with exit 2 and one sentence (the handlers are there from the start)', async () => {
    let inspecting!: () => void;
    const started = new Promise<void>((r) => (inspecting = r));
    const { o, io: x } = io({
      inspect: () => {
        inspecting();
        return new Promise<InspectionResult>(() => undefined); // never ends by itself
      },
    });
    const done = run([file, '--via', 'swift', '--os-cloud', 'nowhere'], x);
    await started;
    process.emit('SIGINT');
    assert.equal(await done, 2);
    assert.equal(
      o.err,
      'image-inspector upload: Interrupted before anything was sent; the resume state is kept as it was: run the same command again to resume.\n',
    );
    assert.equal(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM'), 0, 'handlers removed');
  });

  test('the state directory: $XDG_CACHE_HOME only when absolute, else ~/.cache', () => {
    assert.equal(uploadStateDir({ XDG_CACHE_HOME: '/x/cache' }), '/x/cache/image-inspector/uploads');
    assert.equal(uploadStateDir({ XDG_CACHE_HOME: 'relative' }), join(homedir(), '.cache/image-inspector/uploads'));
    assert.equal(uploadStateDir({}), join(homedir(), '.cache/image-inspector/uploads'));
  });

  test("formats are checked against the cloud's lists, the sentence names the accepted ones", () => {
    const schema = { diskFormats: ['raw', 'qcow2', 'vhd'], containerFormats: ['bare', 'ova'] };
    assert.equal(formatProblem({ disk_format: 'vhd', container_format: 'bare' }, schema), null);
    assert.equal(
      formatProblem({ disk_format: 'vmdk', container_format: 'bare' }, schema),
      'This cloud does not accept the disk format "vmdk": it accepts raw, qcow2, vhd (convert the image, or give --disk-format if the inspected one is wrong).',
    );
    assert.equal(
      formatProblem({ disk_format: 'raw', container_format: 'docker' }, schema),
      'This cloud does not accept the container format "docker": give --container-format, one of bare, ova.',
    );
    assert.match(formatProblem({ container_format: 'bare' }, schema) ?? '', /give --disk-format, one of raw, qcow2, vhd\.$/);
    // a schema without enums has no list to check against
    assert.equal(formatProblem({ disk_format: 'anything', container_format: 'x' }, { diskFormats: [], containerFormats: [] }), null);
  });
});
