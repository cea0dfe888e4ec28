// Writable emscripten file system for "Convert to a file…": one output at /out/<name> streamed
// into a file the user chose (showSaveFilePicker), whose only write path is the asynchronous
// FileSystemWritableFileStream of another worker (the writer). qemu-img writes synchronously and
// this worker never returns to its event loop during a run, so every write is copied into a
// SharedArrayBuffer ring (write-ring.ts) that the writer drains; fsync waits for the drain.
//
// The stream cannot be read: reads are answered by output-mirror.ts (zeros where nothing was
// written, the small writes kept). A read of written bytes that were not kept fails with EIO and
// is recorded in `readBack`, so the page can say which conversion cannot stream into a file.
import type { EmscriptenFS, FileSystemType, FSStream } from './emscripten.ts';
import { ERRNO } from './emscripten.ts';
import { createFlatFs } from './flat-fs.ts';
import type { IoCounters } from './runner.ts';
import { OutputMirror, type MirrorOptions } from './output-mirror.ts';
import { RingFailedError, RingWriter } from './write-ring.ts';

export interface StreamedOutput {
  name: string;
  ring: RingWriter;
  mirror: OutputMirror;
  /** The file's length as qemu-img sees it. */
  size: number;
  /** Set by the first read of written bytes that were not kept. */
  readBack?: { offset: number; length: number };
}

export function streamedOutput(name: string, sab: SharedArrayBuffer, opts?: MirrorOptions): StreamedOutput {
  return { name, ring: new RingWriter(sab), mirror: new OutputMirror(opts), size: 0 };
}

const errnoOf = (e: unknown): number => {
  if (e instanceof RingFailedError) return e.failure === 'no-space' ? ERRNO.ENOSPC : ERRNO.EIO;
  throw e;
};

export function createFileHandleFs(FS: EmscriptenFS, outputs: StreamedOutput[], counters: IoCounters): FileSystemType {
  const guard = <T>(op: () => T): T => {
    try {
      return op();
    } catch (e) {
      throw new FS.ErrnoError(errnoOf(e));
    }
  };

  const resize = (f: StreamedOutput, size: number) => {
    guard(() => f.ring.truncate(size));
    f.mirror.truncate(size);
    f.size = size;
  };

  const stream_ops = {
    read(stream: FSStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      const f = stream.node.contents as StreamedOutput;
      if (position >= f.size || length <= 0) return 0;
      const t = performance.now();
      const n = Math.min(length, f.size - position);
      const missing = f.mirror.read(position, buffer.subarray(offset, offset + n));
      if (missing !== undefined) {
        f.readBack ??= { offset: missing, length: n };
        throw new FS.ErrnoError(ERRNO.EIO);
      }
      counters.read(n, t);
      return n;
    },
    write(stream: FSStream, buffer: Uint8Array, offset: number, length: number, position: number): number {
      const f = stream.node.contents as StreamedOutput;
      if (length <= 0) return 0;
      const t = performance.now();
      const bytes = buffer.subarray(offset, offset + length);
      guard(() => f.ring.write(position, bytes));
      f.mirror.write(position, bytes);
      if (position + length > f.size) f.size = position + length;
      counters.write(length, t);
      return length;
    },
    allocate(stream: FSStream, offset: number, length: number): void {
      const f = stream.node.contents as StreamedOutput;
      if (offset + length > f.size) resize(f, offset + length);
    },
    fsync(stream: FSStream): number {
      const t = performance.now();
      guard(() => (stream.node.contents as StreamedOutput).ring.drain());
      counters.flush(t);
      return 0;
    },
  };

  return createFlatFs<StreamedOutput>(FS, {
    dev: 3,
    dirMode: 0o777,
    fileMode: 0o666,
    refuse: ERRNO.EPERM,
    // A chosen file is one file: qemu-img cannot create others beside it (no multi-file VMDK).
    refuseCreate: ERRNO.EACCES,
    role: 'output',
    // The writer opened the stream without the file's old data: every output starts empty.
    files: outputs.map((out) => ({ name: out.name, contents: out })),
    resize,
    stream_ops,
  });
}
