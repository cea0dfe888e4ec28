/**
 * --pre-js for qemu-img.mjs (runs inside the factory, before emscripten's environment
 * code). emscripten 3.1.69's ES module finds `require` and the .wasm next to itself in Node on its
 * own (v1 needed shims for 3.1.6 here); what stays:
 *
 * The default `quit` never touches the host process: emscripten's Node default sets
 * process.exitCode (or calls process.exit), which would taint the embedding program (test
 * runner, CLI, worker). The exit status is delivered by the ExitStatus exception that callMain
 * turns into its return value. thisProgram defaults to "qemu-img" so messages read as natively.
 */
if (!Module['quit']) {
  Module['quit'] = function(status, toThrow) { throw toThrow; };
}
if (!Module['thisProgram']) {
  Module['thisProgram'] = 'qemu-img';
}
/*
 * Threads flavour: Module.qemuThreads pthread workers start with the module (PTHREAD_POOL_SIZE
 * reads it), and qemu's pool may use that many for its CPU-bound work (qemu-0001-wasm-threads).
 */
if (Module['qemuThreads']) {
  var qemuThreadsPreRun = function() { ENV['QEMU_WASM_THREADS'] = String(Module['qemuThreads'] | 0); };
  Module['preRun'] = [].concat(Module['preRun'] || [], qemuThreadsPreRun);
}
