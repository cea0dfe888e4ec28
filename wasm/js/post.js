/**
 * --post-js for qemu-img.mjs (runs at the end of the factory, after emscripten's environment
 * code): the `quit` hook of the options object works again.
 *
 * Why: emscripten 3.1.69 no longer reads Module['quit'] (3.1.6 did), and its Node default sets
 * process.exitCode to the status of every command before throwing ExitStatus: a qemu-img
 * command that failed inside a test runner, the CLI or wasm/selftest.mjs made that whole
 * process exit non-zero. The status still reaches the caller as callMain's return value.
 */
quit_ = function(status, toThrow) {
  if (Module['quit']) Module['quit'](status, toThrow);
  throw toThrow;
};
