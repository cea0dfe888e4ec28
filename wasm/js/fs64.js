/**
 * --js-library for qemu-img.wasm: replaces emscripten 3.1.6 runtime functions
 * that silently corrupt files beyond 2 GiB or across several iovecs.
 *
 * Why each override exists (3.1.6, src/library_wasi.js and library_syscall.js):
 *  - fd_pread/fd_pwrite pass only `offset_low` (the signed low 32 bits) of
 *    the 64-bit offset to the file system: reads/writes at 2 GiB and beyond
 *    land at the wrong place (or fail with EINVAL).
 *  - SYSCALLS.doReadv/doWritev give the SAME position to every iovec of a
 *    positional preadv/pwritev: the 2nd..nth buffers read/overwrite the first
 *    buffer's range (raw->qcow2 came out with zeroed 4 KiB regions).
 *  - SYSCALLS.get64 returns only the low word: ftruncate/truncate/fallocate to
 *    5 GiB made 1 GiB.
 *  - fd_sync, under ASYNCIFY, goes through Asyncify.handleSleep; inside a
 *    coroutine (fiber) that unwinds the stack a second time and crashes.
 *  - fd_seek has no SEEK_DATA/SEEK_HOLE (see $qemuImgSeekHole below).
 * Newer emscripten releases fixed the first three; 3.1.6 is what Debian ships.
 *
 * Positions handed to stream_ops.read/write/llseek are exact JS numbers
 * (integers below 2^53), for every file system: MEMFS, NODEFS, WORKERFS and
 * any FS type registered at runtime.
 *
 * Syscall functions from a user library are not wrapped by emscripten's
 * jsifier, so each one catches FS.ErrnoError itself (WASI functions return
 * the positive errno, __syscall_* the negative one).
 */
mergeInto(LibraryManager.library, {
  // (low, high) i32 pair from wasm legalization -> exact number, or NaN if it
  // cannot be represented exactly.
  $qemuImgI64: function(low, high) {
    var value = high * 4294967296 + (low >>> 0);
    if (value >= 9007199254740992 || value <= -9007199254740992) return NaN;
    return value;
  },

  // Positional scatter/gather: every iovec continues where the previous one
  // ended. A short transfer ends the loop, as POSIX preadv/pwritev would.
  $qemuImgTransferv__deps: ['$FS'],
  $qemuImgTransferv: function(write, stream, iov, iovcnt, position) {
    var total = 0;
    for (var i = 0; i < iovcnt; i++) {
      var ptr = {{{ makeGetValue('iov', 'i*8', 'i32') }}};
      var len = {{{ makeGetValue('iov', 'i*8 + 4', 'i32') }}} >>> 0;
      if (len === 0) continue;
      var done = write
        ? FS.write(stream, HEAP8, ptr, len, position + total)
        : FS.read(stream, HEAP8, ptr, len, position + total);
      if (done < 0) return -1;
      total += done;
      if (done < len) break;
    }
    return total;
  },

  fd_pread__deps: ['$SYSCALLS', '$FS', '$qemuImgI64', '$qemuImgTransferv'],
  fd_pread: function(fd, iov, iovcnt, offset_low, offset_high, pnum) {
    try {
      var position = qemuImgI64(offset_low, offset_high);
      if (isNaN(position)) return {{{ cDefine('EOVERFLOW') }}};
      if (position < 0) return {{{ cDefine('EINVAL') }}};
      var stream = SYSCALLS.getStreamFromFD(fd);
      var num = qemuImgTransferv(false, stream, iov, iovcnt, position);
      {{{ makeSetValue('pnum', 0, 'num', 'i32') }}};
      return 0;
    } catch (e) {
      if (typeof FS == 'undefined' || !(e instanceof FS.ErrnoError)) throw e;
      return e.errno;
    }
  },

  fd_pwrite__deps: ['$SYSCALLS', '$FS', '$qemuImgI64', '$qemuImgTransferv'],
  fd_pwrite: function(fd, iov, iovcnt, offset_low, offset_high, pnum) {
    try {
      var position = qemuImgI64(offset_low, offset_high);
      if (isNaN(position)) return {{{ cDefine('EOVERFLOW') }}};
      if (position < 0) return {{{ cDefine('EINVAL') }}};
      var stream = SYSCALLS.getStreamFromFD(fd);
      var num = qemuImgTransferv(true, stream, iov, iovcnt, position);
      {{{ makeSetValue('pnum', 0, 'num', 'i32') }}};
      return 0;
    } catch (e) {
      if (typeof FS == 'undefined' || !(e instanceof FS.ErrnoError)) throw e;
      return e.errno;
    }
  },

  __syscall_ftruncate64__deps: ['$FS', '$qemuImgI64'],
  __syscall_ftruncate64: function(fd, low, high) {
    try {
      var length = qemuImgI64(low, high);
      if (isNaN(length)) return -{{{ cDefine('EFBIG') }}};
      FS.ftruncate(fd, length);
      return 0;
    } catch (e) {
      if (typeof FS == 'undefined' || !(e instanceof FS.ErrnoError)) throw e;
      return -e.errno;
    }
  },

  __syscall_truncate64__deps: ['$SYSCALLS', '$FS', '$qemuImgI64'],
  __syscall_truncate64: function(path, low, high) {
    try {
      path = SYSCALLS.getStr(path);
      var length = qemuImgI64(low, high);
      if (isNaN(length)) return -{{{ cDefine('EFBIG') }}};
      FS.truncate(path, length);
      return 0;
    } catch (e) {
      if (typeof FS == 'undefined' || !(e instanceof FS.ErrnoError)) throw e;
      return -e.errno;
    }
  },

  __syscall_fallocate__deps: ['$SYSCALLS', '$FS', '$qemuImgI64'],
  __syscall_fallocate: function(fd, mode, off_low, off_high, len_low, len_high) {
    try {
      if (mode !== 0) return -{{{ cDefine('EOPNOTSUPP') }}};
      var stream = SYSCALLS.getStreamFromFD(fd);
      var offset = qemuImgI64(off_low, off_high);
      var len = qemuImgI64(len_low, len_high);
      if (isNaN(offset) || isNaN(len)) return -{{{ cDefine('EFBIG') }}};
      FS.allocate(stream, offset, len);
      return 0;
    } catch (e) {
      if (typeof FS == 'undefined' || !(e instanceof FS.ErrnoError)) throw e;
      return -e.errno;
    }
  },

  // Synchronous: a file system that buffers writes (an OPFS-backed one, say)
  // may offer stream_ops.fsync(stream) returning 0 or a positive errno.
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
