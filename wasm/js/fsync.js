/**
 * --js-library for qemu-img: fd_sync (fsync/fdatasync) runs synchronously.
 *
 * Why: emscripten 3.1.69 with ASYNCIFY implements fd_sync through Asyncify.handleSleep and the
 * mount's syncfs. Inside a QEMU coroutine (an emscripten fiber) that unwinds the stack a second
 * time, and for a node of a file system registered at run time (ours: workers/qemu-img/flat-fs.ts
 * and opfs-fs.ts) `stream.node.mount` has no `type`, so every conversion to an OPFS output died
 * with "Cannot read properties of undefined (reading 'type')" (seen in Chromium, runner e2e).
 * This is the one part of v1's js/fs64.js that the new runtime still needs; its 64-bit and
 * multi-iovec fixes are upstream now (wasm/selftest.mjs checks them on every build).
 *
 * A file system that buffers writes (the OPFS one) may offer stream_ops.fsync(stream) returning 0
 * or a positive errno; others have nothing to flush.
 */
addToLibrary({
  fd_sync__deps: ['$SYSCALLS', '$FS'],
  fd_sync: function(fd) {
    try {
      var stream = SYSCALLS.getStreamFromFD(fd);
      if (stream.stream_ops && stream.stream_ops.fsync) {
        return stream.stream_ops.fsync(stream) || 0;
      }
      return 0;
    } catch (e) {
      if (typeof FS == 'undefined' || !(e instanceof FS.ErrnoError)) throw e;
      return e.errno;
    }
  },
});
