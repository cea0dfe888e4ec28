// Random access to an image without loading it: the page reads a File/Blob by slices, the CLI a
// file handle (src/cli/node-byte-source.ts). Every inspector reads only bounded regions through this.

export interface ByteSource {
  /** Size in bytes of the whole source. */
  readonly size: number;
  /** A display name (file name, or "archive.ova!disk1.vmdk" for a member). */
  readonly name: string;
  /** Reads up to `length` bytes at `offset`; shorter only at the end of the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** The page side: Blob.slice + arrayBuffer reads only the requested range (File is a Blob). */
export function blobSource(blob: Blob, name = (blob as { name?: string }).name ?? 'blob'): ByteSource {
  return {
    size: blob.size,
    name,
    async read(offset, length) {
      const start = clampStart(offset, blob.size);
      const end = Math.min(blob.size, start + Math.max(0, length));
      return new Uint8Array(await blob.slice(start, end).arrayBuffer());
    },
  };
}

/** Small in-memory sources (crafted test vectors, decoded headers). */
export function bytesSource(bytes: Uint8Array, name = 'bytes'): ByteSource {
  return {
    size: bytes.length,
    name,
    async read(offset, length) {
      const start = clampStart(offset, bytes.length);
      return bytes.slice(start, Math.min(bytes.length, start + Math.max(0, length)));
    },
  };
}

/** A window onto part of another source: a disk inside an OVA, read in place. */
export function subSource(parent: ByteSource, offset: number, size: number, name: string): ByteSource {
  if (offset < 0 || size < 0 || offset + size > parent.size) {
    throw new RangeError(`range ${offset}+${size} lies outside ${parent.name} (${parent.size} bytes)`);
  }
  return {
    size,
    name,
    async read(off, length) {
      const start = clampStart(off, size);
      const len = Math.min(size - start, Math.max(0, length));
      return len === 0 ? new Uint8Array(0) : parent.read(offset + start, len);
    },
  };
}

function clampStart(offset: number, size: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad read offset ${offset}`);
  return Math.min(offset, size);
}
