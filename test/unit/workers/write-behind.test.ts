// write-behind.ts on real files: writes land in order and are visible to every later operation on
// the file, and a write that fails on the helper thread is reported (to the next operation, or by
// finish() when qemu-img never looked again). NODEFS is stood in for by the few operations the
// write-behind wraps, each on the real file descriptor.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteBehind } from '../../../workers/qemu-img/write-behind.ts';
import type { NodeFs } from '../../../workers/qemu-img/host-devices.ts';
import type { FSNode, FSStream } from '../../../workers/qemu-img/emscripten.ts';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'ii-write-behind-'));
after(() => rmSync(dir, { recursive: true, force: true }));

class ErrnoError extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}
const ERRNOS: Record<string, number> = { EBADF: 8, EIO: 29 };

type Stream = FSStream & { nfd: number };

function fakeNodefs(paths: Map<FSNode, string>, fds: Map<FSNode, number>): NodeFs {
  return {
    realPath: (node: FSNode) => paths.get(node)!,
    convertNodeCode: () => 29,
    flagsForNode: (f: number) => f,
    node_ops: {
      getattr: (node: FSNode) => ({ size: fstatSync(fds.get(node)!).size }) as ReturnType<NonNullable<NodeFs['node_ops']['getattr']>>,
    },
    stream_ops: {
      read: (s: FSStream, buf: Uint8Array | Int8Array, off: number, len: number, pos: number) =>
        readSync((s as Stream).nfd, new Uint8Array(buf.buffer, buf.byteOffset + off, len), 0, len, pos),
      write: () => {
        throw new Error('replaced by the write-behind');
      },
      close: (s: FSStream) => closeSync((s as Stream).nfd),
    },
  } as unknown as NodeFs;
}

function setup(name: string, flags: string) {
  const path = join(dir, name);
  closeSync(openSync(path, 'w'));
  const nfd = openSync(path, flags);
  const node = { id: 1 } as FSNode;
  const nodefs = fakeNodefs(new Map([[node, path]]), new Map([[node, nfd]]));
  const wb = new WriteBehind(nodefs, ErrnoError, (code) => ERRNOS[code] ?? 29);
  wb.install();
  const stream = { node, nfd, position: 0, flags: 0, fd: 3, stream_ops: nodefs.stream_ops } as Stream;
  return { path, nodefs, wb, stream };
}

describe('write-behind', { timeout: 30_000 }, () => {
  test('writes larger than a slot, overlapping ones and small ones land in order; reads and stat see them', () => {
    const { path, nodefs, wb, stream } = setup('order.bin', 'r+');
    const heap = new Uint8Array(24 * MiB);
    const expected = Buffer.alloc(21 * MiB);
    const write = (at: number, bytes: Buffer) => {
      heap.set(bytes, 0);
      assert.equal(nodefs.stream_ops.write!(stream, heap, 0, bytes.length, at), bytes.length);
      bytes.copy(expected, at);
    };
    write(0, randomBytes(5 * MiB + 123)); // three slots
    write(3 * MiB, randomBytes(MiB)); // overwrites the middle of the first write
    for (let i = 0; i < 40; i++) write(6 * MiB + i * 4096, randomBytes(4096)); // more than the slots
    write(20 * MiB, randomBytes(MiB));
    // stat waits for the writes in flight: the size is the last write's end
    assert.equal(nodefs.node_ops.getattr!(stream.node).size, 21 * MiB);
    const back = new Uint8Array(MiB);
    assert.equal(nodefs.stream_ops.read!(stream, back, 0, MiB, 3 * MiB), MiB);
    assert.deepEqual(Buffer.from(back), expected.subarray(3 * MiB, 4 * MiB));
    nodefs.stream_ops.close!(stream);
    assert.equal(wb.finish(), undefined);
    assert.ok(readFileSync(path).equals(expected), 'the file holds every write, the later ones over the earlier');
  });

  test('a failed write is thrown at the next operation on the file, with its errno', () => {
    const { nodefs, wb, stream } = setup('ro-1.bin', 'r'); // read-only descriptor: the helper's write fails
    const heap = new Uint8Array(64 * 1024);
    assert.equal(nodefs.stream_ops.write!(stream, heap, 0, heap.length, 0), heap.length, 'accepted at once');
    assert.throws(
      () => nodefs.stream_ops.read!(stream, heap, 0, 16, 0),
      (e: unknown) => e instanceof ErrnoError && e.errno === ERRNOS.EBADF,
    );
    assert.equal(wb.finish(), undefined, 'qemu-img was told: nothing left to report');
    closeSync(stream.nfd);
  });

  test('a failed write qemu-img never heard of is reported by finish()', () => {
    const { nodefs, wb, stream } = setup('ro-2.bin', 'r');
    const heap = new Uint8Array(4096);
    nodefs.stream_ops.write!(stream, heap, 0, heap.length, 8192);
    const failure = wb.finish();
    assert.deepEqual(failure, { path: join(dir, 'ro-2.bin'), position: 8192, code: 'EBADF', message: 'Bad file descriptor' });
    closeSync(stream.nfd);
  });
});
