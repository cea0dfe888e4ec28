// Node side of ByteSource: positional reads on an open file handle, never the whole file.
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { errnoText } from './file-errors.ts';
import type { ByteSource } from '../core/inspect/byte-source.ts';
import { blockDeviceSize } from '../../workers/qemu-img/host-devices.ts';

export interface NodeByteSource extends ByteSource {
  close(): Promise<void>;
}

export async function fileSource(path: string): Promise<NodeByteSource> {
  const fh: FileHandle = await open(path, 'r').catch((e: unknown) => {
    const text = errnoText(e);
    throw text === null ? e : new Error(`cannot open it: ${text}`, { cause: e });
  });
  const st = await fh.stat();
  // open(2) accepts a directory; its first read would fail with Node's bare "EISDIR: illegal operation".
  if (st.isDirectory()) {
    await fh.close();
    throw new Error('it is a directory, not a disk image file');
  }
  // A block device (a physical disk, a loop device) reports size 0 to stat.
  const size = st.isBlockDevice() ? blockDeviceSize(st.rdev) : st.size;
  return {
    size,
    name: basename(path),
    async read(offset, length) {
      const start = Math.min(Math.max(0, offset), size);
      const len = Math.max(0, Math.min(length, size - start));
      const buf = new Uint8Array(len);
      let got = 0;
      while (got < len) {
        const { bytesRead } = await fh.read(buf, got, len - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === len ? buf : buf.subarray(0, got);
    },
    close: () => fh.close(),
  };
}
