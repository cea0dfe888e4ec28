// Hostile and broken images: the wasm says what native says (same exit status and message) in
// bounded time; where native itself dies on an assertion, the wasm run ends as a 'crashed' result
// and the runner keeps working. Abort and timeout stop a run and leave the next one working.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ensureCorpus } from '../corpus/generate.ts';
import {
  native,
  wasm,
  withoutActualSize,
  describeRun,
  tempDir,
  assertOk,
  ENGINE_REFUSES_NO_EXTENTS,
  NO_EXTENTS_MESSAGE,
} from './helpers.ts';
import { runQemuImg, shutdownQemuImg } from '../../workers/qemu-img/node.ts';
import { CRASH_EXIT_CODE, KILLED_EXIT_CODE } from '../../workers/qemu-img/types.ts';

const corpus = ensureCorpus();
const work = tempDir('hostile');
after(async () => {
  await shutdownQemuImg();
  work.remove();
});

const HOSTILE_TIMEOUT_MS = 30_000;

async function sane() {
  // The next run after a hostile one works and is right.
  const img = corpus.matrixSources.qcow2;
  const args = ['info', '-f', 'qcow2', '--output=json', img.path];
  const w = await wasm(args);
  assertOk(w, 'info after a hostile run');
  assert.deepEqual(withoutActualSize(JSON.parse(w.stdout)), withoutActualSize(JSON.parse(native(args).stdout)));
}

describe('hostile and broken images', () => {
  for (const h of corpus.hostile) {
    test(`${h.id}: ${h.about}`, async () => {
      for (const cmd of [
        ['info', '-f', h.format, '--output=json', h.path],
        ['check', '-f', h.format, h.path],
        ['convert', '-f', h.format, '-O', 'raw', h.path, 'out.raw'],
      ]) {
        const n = native(cmd, work.dir);
        const w = await wasm(cmd, { cwd: work.dir, timeoutMs: HOSTILE_TIMEOUT_MS });
        const what = `${cmd[0]} ${h.id}`;
        if (h.id === 'no-extents.vmdk' && ENGINE_REFUSES_NO_EXTENTS) {
          // The one intended difference (v2 patch qemu-0003): native opens the descriptor and
          // then aborts (info) or fails later; ours refuses it at open, for every command.
          assert.equal(w.failure, undefined, describeRun(what, w));
          assert.equal(w.exitCode, 1, describeRun(what, w));
          assert.equal(w.stderr, `qemu-img: Could not open '${h.path}': ${NO_EXTENTS_MESSAGE}\n`);
          assert.equal(w.stdout, '');
        } else if (n.exitCode === CRASH_EXIT_CODE) {
          // Native 7.2 aborts (e.g. vmdk_get_info: Assertion `s->num_extents' failed).
          assert.equal(w.failure, 'crashed', describeRun(what, w));
          assert.equal(w.exitCode, CRASH_EXIT_CODE);
          const assertion = /Assertion `([^']+)' failed/.exec(n.stderr)?.[1];
          assert.ok(assertion, n.stderr);
          assert.ok(w.stderr.includes(assertion), `wasm stderr does not name the failed assertion ${assertion}:\n${w.stderr}`);
          assert.match(w.stderr, /qemu-img aborted/);
        } else {
          assert.equal(w.failure, undefined, describeRun(what, w));
          assert.equal(w.exitCode, n.exitCode, `${describeRun(`wasm ${what}`, w)}\n${describeRun(`native ${what}`, n)}`);
          if (cmd[0] === 'convert') {
            // convert runs 8 coroutines: native's thread pool lets several reads fail before it
            // stops, the single-threaded wasm stops at the first. Same first error, no other kind.
            const nLines = n.stderr.split('\n').filter(Boolean);
            const wLines = w.stderr.split('\n').filter(Boolean);
            assert.equal(wLines[0], nLines[0]);
            for (const l of wLines) assert.ok(nLines.includes(l), `wasm error not printed by native: ${l}`);
          } else {
            assert.equal(w.stderr, n.stderr);
          }
          if (cmd[0] === 'info' && n.exitCode === 0) {
            assert.deepEqual(withoutActualSize(JSON.parse(w.stdout)), withoutActualSize(JSON.parse(n.stdout)));
          } else {
            assert.equal(w.stdout, n.stdout);
          }
        }
        if (w.exitCode !== 0) assert.ok(w.stderr.trim().length > 0, `${what}: failed without a message`);
      }
      await sane();
    });
  }

  test('a timeout stops a long conversion, and the next run works', async () => {
    const src = corpus.images.find((i) => i.id === 'big.raw')!;
    const r = await runQemuImg(
      ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', src.path, join(work.dir, 't.vmdk')],
      {
        timeoutMs: 300,
      },
    );
    assert.equal(r.failure, 'timeout');
    assert.equal(r.exitCode, KILLED_EXIT_CODE);
    assert.match(r.stderr, /stopped: no result after 300 ms/);
    await sane();
  });

  test('an AbortSignal stops a conversion mid-way, and the next run works', async () => {
    const src = corpus.images.find((i) => i.id === 'big.raw')!;
    const ac = new AbortController();
    let progressed = false;
    const r = await runQemuImg(['convert', '-p', '-f', 'raw', '-O', 'qcow2', '-c', src.path, join(work.dir, 'a.qcow2')], {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.bytesRead > 0 && !progressed) {
          progressed = true;
          ac.abort();
        }
      },
    });
    assert.ok(progressed, 'the run never reported progress');
    assert.equal(r.failure, 'aborted');
    assert.equal(r.exitCode, KILLED_EXIT_CODE);
    await sane();
  });
});
