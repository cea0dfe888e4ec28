// Worker threads of the CLI's DigestProvider, with OpenSSL's hashes (node:crypto: sha512 and md5
// ~750-800 MiB/s of CPU each here, against hash-wasm's 226 and 300 on the same core).
// - workerData.role 'sha512' and 'md5': the whole file's two digests from ONE read of it, on two
//   threads at once. The sha512 thread reads the file in 1 MiB slots of a ring in shared memory
//   and hashes each slot; the md5 thread hashes the same slot; a slot is read into again only once
//   both are done with it. One thread for both took 2.7 s of CPU per GiB in a row and was the last
//   thing a 1 GiB upload waited for (~1 s after its last part); two threads that each read the file
//   cost a second read and, with fs streams, ~0.3 s of GC per 512 MiB. Normal priority: the result
//   waits for these digests (at nice 19 on a loaded machine they were starved).
// - workerData.parts: MD5s of byte ranges asked for by message ({ id, start, end }), at normal
//   priority: the next part waits for its MD5 (sent as the segment's ETag / the part's
//   Content-MD5, so that the store itself refuses damaged bytes).
// Plain JavaScript: the thread needs no TypeScript loader, from the sources or from dist-cli/.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { path, size, parts, role, ring } = workerData;
const PIECE = 4 * 1024 * 1024;
/** Ring layout (RING_BYTES in node-digests.ts): SLOTS slots of SLOT bytes, 3 counters, SLOTS lengths. */
const SLOT = 1024 * 1024;
const SLOTS = 8;
const WRITTEN = 0; // slots the reader has filled (and published)
const HASHED = 1; // slots the md5 thread is done with
const FAILED = 2; // set by the reader when it stops early: the md5 thread stops too
/** Waits wake up at least this often: a terminated thread must not sleep in Atomics.wait. */
const NAP_MS = 50;

function readRange(fd, buf, start, end, update) {
  let at = start;
  while (at < end) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, end - at), at);
    if (n === 0) break;
    update(n === buf.length ? buf : buf.subarray(0, n));
    at += n;
  }
  return at - start;
}

function readAndSha512(ctl, lens, slot) {
  const fd = openSync(path, 'r');
  try {
    const h = createHash('sha512');
    let done = 0;
    let told = 0;
    // one byte past the size: a file that grew since it was measured is reported, not cut
    for (let i = 0; ; i++) {
      for (let free = Atomics.load(ctl, HASHED); i - free >= SLOTS; free = Atomics.load(ctl, HASHED))
        Atomics.wait(ctl, HASHED, free, NAP_MS);
      const view = slot(i % SLOTS);
      const n = readSync(fd, view, 0, Math.min(SLOT, size + 1 - done), done);
      lens[i % SLOTS] = n;
      Atomics.store(ctl, WRITTEN, i + 1);
      Atomics.notify(ctl, WRITTEN);
      if (n === 0) break;
      h.update(n === SLOT ? view : view.subarray(0, n));
      done += n;
      const both = Math.min(done, Atomics.load(ctl, HASHED) * SLOT);
      if (both - told >= 16 * 1024 * 1024) {
        told = both;
        parentPort.postMessage({ progress: Math.min(both, size) });
      }
    }
    parentPort.postMessage({ sha512: h.digest('hex'), size: done });
  } catch (e) {
    Atomics.store(ctl, FAILED, 1);
    Atomics.notify(ctl, WRITTEN);
    throw e;
  } finally {
    closeSync(fd);
  }
}

function md5OfRing(ctl, lens, slot) {
  const h = createHash('md5');
  for (let j = 0; ; j++) {
    for (let w = Atomics.load(ctl, WRITTEN); j >= w; w = Atomics.load(ctl, WRITTEN)) {
      if (Atomics.load(ctl, FAILED)) return;
      Atomics.wait(ctl, WRITTEN, w, NAP_MS);
    }
    const n = lens[j % SLOTS];
    if (n === 0) break;
    h.update(n === SLOT ? slot(j % SLOTS) : slot(j % SLOTS).subarray(0, n));
    Atomics.store(ctl, HASHED, j + 1);
    Atomics.notify(ctl, HASHED);
  }
  parentPort.postMessage({ md5: h.digest('hex') });
}

if (parts) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(PIECE);
  // one range at a time, in the order asked: the engine asks them one after the other anyway
  parentPort.on('message', ({ id, start, end }) => {
    try {
      const h = createHash('md5');
      const got = readRange(fd, buf, start, end, (b) => h.update(b));
      if (got !== end - start) throw new Error(`the file ended at ${start + got} instead of ${end}`);
      parentPort.postMessage({ id, digest: h.digest('hex') });
    } catch (e) {
      parentPort.postMessage({ id, error: e.message });
    }
  });
} else if (role) {
  const ctl = new Int32Array(ring, SLOTS * SLOT, 3);
  const lens = new Int32Array(ring, SLOTS * SLOT + 12, SLOTS);
  const slot = (k) => Buffer.from(ring, k * SLOT, SLOT);
  try {
    if (role === 'sha512') readAndSha512(ctl, lens, slot);
    else md5OfRing(ctl, lens, slot);
  } catch (e) {
    parentPort.postMessage({ error: e.message });
  }
}
