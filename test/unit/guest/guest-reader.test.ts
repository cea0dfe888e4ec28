// The guest reader's own logic with a small fake run (real qemu-img runs are in
// test/parity/guest/block-access.test.ts): window arguments, alignment, LRU cache, zero ranges,
// failures reported with qemu-img's words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGuestReader, guestReadArgs, splitImageOpts, windowOpts } from '../../../workers/qemu-img/guest-reader.ts';
import type { RunResult } from '../../../workers/qemu-img/types.ts';

const T = { timeout: 10_000 };

test('a -f image becomes the raw window child with its path escaped', T, () => {
  assert.equal(
    windowOpts(['-f', 'qcow2', '/tmp/a,b.qcow2'], 4096, 512),
    'driver=raw,offset=4096,size=512,file.driver=qcow2,file.file.driver=file,file.file.filename=/tmp/a,,b.qcow2',
  );
  assert.deepEqual(guestReadArgs(['-f', 'vdi', 'x.vdi'], 0, 1, 'w0.raw').slice(0, 4), ['convert', '--image-opts', '-O', 'raw']);
  assert.equal(guestReadArgs(['-f', 'vdi', 'x.vdi'], 0, 1, 'w0.raw').at(-1), '/mem/w0.raw');
});

test('--image-opts (an OVA disk in place) keep their escaped commas under file.', T, () => {
  const opts = 'driver=vmdk,file.driver=raw,file.offset=512,file.size=99,file.file.driver=file,file.file.filename=/t/a,,b.ova';
  assert.deepEqual(splitImageOpts(opts).at(-1), 'file.file.filename=/t/a,,b.ova');
  assert.equal(
    windowOpts(['--image-opts', opts], 0, 10),
    'driver=raw,offset=0,size=10,file.driver=vmdk,file.file.driver=raw,file.file.offset=512,file.file.size=99,file.file.file.driver=file,file.file.file.filename=/t/a,,b.ova',
  );
  assert.throws(() => windowOpts(['--image-opts', 'file.filename=x'], 0, 1), /no driver/);
  assert.throws(() => windowOpts(['x.qcow2'], 0, 1), /cannot name the image/);
});

/** A run serving bytes of a synthetic disk (byte i = i mod 251), recording the windows asked. */
function fakeDisk() {
  const windows: Array<[number, number]> = [];
  const run = async (args: string[], out: string): Promise<RunResult> => {
    const m = /offset=(\d+),size=(\d+)/.exec(args[4]!)!;
    const [o, n] = [Number(m[1]), Number(m[2])];
    windows.push([o, n]);
    const data = new Uint8Array(n).map((_, i) => (o + i) % 251);
    return { exitCode: 0, stdout: '', stderr: '', durationMs: 1, files: { [out]: data }, io: undefined };
  };
  return { run, windows };
}

test('reads are aligned, cached and grouped; zero ranges never run', T, async () => {
  const size = 10 * 1024 * 1024 + 123;
  const d = fakeDisk();
  const r = createGuestReader({
    image: ['-f', 'qcow2', 'x'],
    size,
    run: d.run,
    chunkBytes: 65536,
    cacheChunks: 8,
    isZero: (o) => o >= 8 * 1024 * 1024,
  });
  const a = await r.read(1000, 100);
  assert.deepEqual([...a.subarray(0, 3)], [1000 % 251, 1001 % 251, 1002 % 251]);
  await r.read(2000, 100);
  assert.deepEqual(d.windows, [[0, 65536]]);
  const b = await r.read(65536 * 3 - 10, 65536 + 20);
  assert.equal(b.length, 65536 + 20);
  assert.equal(b[0], (65536 * 3 - 10) % 251);
  assert.deepEqual(d.windows.slice(1), [[65536 * 2, 65536 * 3]]);
  const z = await r.read(9 * 1024 * 1024, 4096);
  assert.ok(z.every((x) => x === 0));
  assert.equal(d.windows.length, 2);
  const tail = await r.read(size - 10, 100);
  assert.equal(tail.length, 10, 'short only at the end of the disk');
  const s = r.stats();
  assert.equal(s.runs, 2);
  assert.equal(s.hits, 3, 'reads served without a run');
  assert.ok(s.zeroChunks >= 2);
});

test('the cache stays bounded and a read larger than it still returns every byte', T, async () => {
  const d = fakeDisk();
  const r = createGuestReader({ image: ['-f', 'qcow2', 'x'], size: 4 * 1024 * 1024, run: d.run, chunkBytes: 65536, cacheChunks: 4 });
  const all = await r.read(0, 1024 * 1024);
  assert.ok(all.every((x, i) => x === i % 251));
  d.windows.length = 0;
  await r.read(0, 10); // evicted long ago
  assert.deepEqual(d.windows, [[0, 65536]]);
});

test('a failed run is an error naming the window and what qemu-img said', T, async () => {
  const r = createGuestReader({
    image: ['-f', 'qcow2', 'x'],
    size: 1 << 20,
    run: async () => ({ exitCode: 1, stdout: '', stderr: "qemu-img: Could not open 'x': Image is corrupt\n", durationMs: 1 }),
  });
  await assert.rejects(r.read(0, 512), /guest bytes 0\+262144 \(exit 1: qemu-img: Could not open 'x': Image is corrupt\)/);
  await assert.rejects(r.read(-1, 1), /bad read/);
});
