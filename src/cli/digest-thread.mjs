// Worker threads of the CLI's DigestProvider, with OpenSSL's hashes (node:crypto: sha512 and md5
// ~750-800 MiB/s of CPU each here, against hash-wasm's 226 and 300 on the same core).
// - workerData.whole: sha512 AND md5 of the whole file from ONE read of it, in 4 MiB pieces into
//   one reused buffer (synchronous reads: this thread does nothing else), progress posted every
//   16 MiB. One thread, not one per digest: on two cores shared with the object store the second
//   thread's read of the file and its stream's garbage (fresh 4 MiB Buffers: ~0.3 s of GC per
//   512 MiB) were CPU the store needed, and the two threads finished no sooner. Normal priority:
//   the result waits for these digests (at nice 19 on a loaded machine they finished ~3 s after
//   the last part of 512 MiB).
// - workerData.parts: MD5s of byte ranges asked for by message ({ id, start, end }), at normal
//   priority: the next part waits for its MD5 (sent as the segment's ETag / the part's
//   Content-MD5, so that the store itself refuses damaged bytes).
// Plain JavaScript: the thread needs no TypeScript loader, from the sources or from dist-cli/.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { path, size, parts } = workerData;
const PIECE = 4 * 1024 * 1024;
const buf = Buffer.allocUnsafe(PIECE);

/** Feeds [start, end) of the file to `update`; the number of bytes there were. */
function readRange(fd, start, end, update) {
  let at = start;
  while (at < end) {
    const n = readSync(fd, buf, 0, Math.min(PIECE, end - at), at);
    if (n === 0) break;
    update(n === PIECE ? buf : buf.subarray(0, n), at + n);
    at += n;
  }
  return at - start;
}

if (parts) {
  const fd = openSync(path, 'r');
  // one range at a time, in the order asked: the engine asks them one after the other anyway
  parentPort.on('message', ({ id, start, end }) => {
    try {
      const h = createHash('md5');
      const got = readRange(fd, start, end, (b) => h.update(b));
      if (got !== end - start) throw new Error(`the file ended at ${start + got} instead of ${end}`);
      parentPort.postMessage({ id, digest: h.digest('hex') });
    } catch (e) {
      parentPort.postMessage({ id, error: e.message });
    }
  });
} else {
  let fd;
  try {
    fd = openSync(path, 'r');
    const sha512 = createHash('sha512');
    const md5 = createHash('md5');
    let told = 0;
    // one byte past the size: a file that grew since it was measured is reported, not cut
    const done = readRange(fd, 0, size + 1, (b, at) => {
      sha512.update(b);
      md5.update(b);
      if (at - told >= 16 * 1024 * 1024) {
        told = at;
        parentPort.postMessage({ progress: Math.min(at, size) });
      }
    });
    parentPort.postMessage({ sha512: sha512.digest('hex'), md5: md5.digest('hex'), size: done });
  } catch (e) {
    parentPort.postMessage({ error: e.message });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
