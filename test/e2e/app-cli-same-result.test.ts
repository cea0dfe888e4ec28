// The page and the CLI run one inspection pipeline: for the same corpus files, the built app's
// `image-inspected` detail (real Chromium, wasm qemu-img in a worker) equals what
// `image-inspector inspect --json` prints (wasm qemu-img in a Node thread). Only what comes from
// where the file sits differs: paths (/in/<name> vs the host path) and actual-size (the host's
// block count vs the browser's).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { REPO_ROOT } from './helpers/serve-dist.ts';
import { openApp, chooseFiles, waitForOutcomes, waitForIdle } from './helpers/app-page.ts';
import { comparableInfo, type Json } from './helpers/native.ts';
import { appFixture } from './helpers/app-fixture.ts';

const fx = appFixture(5607);

/** `inspect --json` of one file, run from its folder so that `file` is its base name as on the page. */
function cliJson(path: string): Json {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/image-inspector.mjs'), 'inspect', '--json', basename(path)], {
    cwd: dirname(path),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.ok(r.status === 0 || r.status === 1, `inspect ${basename(path)} ran (status ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Json;
}

/** qemu-img's `filename` fields say where it opened the image (an OVA's disk: a slice mounted
 *  as /in/disk1.vmdk on the page, a json: pseudo-path of --image-opts in the CLI): dropped. Paths
 *  inside messages become base names. */
function withoutLocation(v: Json, dirs: string[]): Json {
  let text = JSON.stringify(comparableInfo(v)).replaceAll('/in/', '');
  for (const d of dirs) text = text.replaceAll(`${d}/`, '');
  // QEMU 10's `children` (absent in 7.2) is the protocol-node tree, i.e. how each side reaches
  // the bytes: the CLI opens a member of an OVA as a raw offset over the .ova, the page as a
  // slice of it. Like the file names, that is plumbing, not what the image is.
  return JSON.parse(text, (k, x: Json) => (k === 'filename' || k === 'children' ? undefined : x)) as Json;
}

describe('the page and the CLI give the same inspection', { timeout: 300_000 }, () => {
  test('safe images, an ISO, an OVA, a gzip, a backing file, a hostile descriptor and a qemu-img crash', async () => {
    const base = fx.corpus.base.dir;
    const noExtents = fx.corpus.base.hostile.find((h) => h.id === 'no-extents.vmdk')!.path;
    // What the CLI is given; the page also gets the extents of multi-file images (its picker sees
    // only what the user chose, the CLI's qemu-img finds them next to the descriptor).
    const images = [
      `${base}/small.qcow2`,
      `${base}/small-streamOptimized.vmdk`,
      `${base}/small.vdi`,
      `${base}/small.vpc`,
      `${base}/small.vhdx`,
      `${base}/small.raw`,
      fx.corpus.iso,
      fx.corpus.ova,
      fx.corpus.gzip,
      fx.corpus.htmlBacking,
      fx.corpus.readonlyExtent,
      noExtents,
    ];
    const extents = [fx.corpus.readonlyExtentData];
    const app = await openApp(fx.browser, fx.server.origin);
    try {
      await chooseFiles(app.page, [...images, ...extents]);
      const { inspected, errors } = await waitForOutcomes(app.page, images.length, 120_000);
      await waitForIdle(app.page, 120_000);
      assert.deepEqual(errors, [], 'no image-inspect-error: an image qemu-img cannot read is a result with a finding');
      const dirs = [...new Set(images.map((p) => dirname(p)))];
      const byFile = new Map((inspected as Array<{ file: string }>).map((d) => [d.file, d as unknown as Json]));
      for (const path of images) {
        const name = basename(path);
        const page = byFile.get(name);
        assert.ok(page, `an image-inspected event for ${name}`);
        const cli = cliJson(path);
        assert.deepEqual(withoutLocation(page, dirs), withoutLocation(cli, dirs), `${name}: the page's detail equals inspect --json`);
      }
      const crashed = byFile.get(basename(fx.corpus.readonlyExtent)) as { safety: { safe: boolean; findings: Array<{ code: string }> } };
      assert.equal(crashed.safety.safe, false);
      assert.ok(
        crashed.safety.findings.some((f) => f.code === 'qemu.info-failed'),
        'the crash is reported as qemu.info-failed',
      );
    } finally {
      await app.close();
    }
  });
});
