// The browser's own I/O ceiling for the runner benchmark, measured in a worker like the runner's:
// read a File by large slices with FileReaderSync (the only synchronous read a wasm program can use)
// and write the same bytes to an OPFS file through a sync access handle. With `writeBytes`, only
// that many of them are written (a conversion's ceiling: its whole input read, its output's size
// written).
interface FileReaderSyncLike {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}
declare const FileReaderSync: { new (): FileReaderSyncLike };

interface SyncHandle {
  write(b: Uint8Array, o?: { at?: number }): number;
  truncate(n: number): void;
  flush(): void;
  close(): void;
}

self.onmessage = async (e: MessageEvent<{ file: File; opfsName: string; slice: number; writeBytes?: number }>) => {
  const { file, opfsName, slice } = e.data;
  const writeBytes = e.data.writeBytes ?? file.size;
  const root = await navigator.storage.getDirectory();
  const fh = await root.getFileHandle(opfsName, { create: true });
  const handle = await (fh as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle();
  handle.truncate(0);
  const reader = new FileReaderSync();
  const t0 = performance.now();
  let readMs = 0;
  let writeMs = 0;
  for (let at = 0; at < file.size; at += slice) {
    const r0 = performance.now();
    const buf = new Uint8Array(reader.readAsArrayBuffer(file.slice(at, at + slice)));
    const r1 = performance.now();
    if (at < writeBytes) handle.write(at + buf.length > writeBytes ? buf.subarray(0, writeBytes - at) : buf, { at });
    writeMs += performance.now() - r1;
    readMs += r1 - r0;
  }
  handle.flush();
  handle.close();
  const totalMs = performance.now() - t0;
  await root.removeEntry(opfsName);
  (self as unknown as Worker).postMessage({ bytes: file.size, readMs, writeMs, totalMs });
};
