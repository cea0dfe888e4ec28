/**
 * --pre-js for qemu-img.mjs (runs inside the factory, before emscripten's
 * environment code).
 *
 * Why: emscripten 3.1.6 emits an ES module (-sEXPORT_ES6) whose Node code path
 * still calls CommonJS `require` and reads `__dirname`, which do not exist in
 * an ES module: the module would fail to load in Node. In Node we provide them
 * from process.getBuiltinModule (Node >= 20.16), and we read the .wasm file
 * ourselves when the caller gave no `wasmBinary`, because 3.1.6 would hand a
 * file: URL to Node's global fetch ("Failed to parse URL"). In browsers and
 * workers nothing here runs.
 *
 * The default `quit` never touches the host process: emscripten's Node
 * default calls process.exit() or sets process.exitCode, which would end or
 * taint the embedding program (test runner, CLI, worker). Exit status is
 * delivered by the ExitStatus exception instead (see wasm/README.md).
 * thisProgram defaults to "qemu-img" so messages read as natively.
 */
var require, __dirname, __filename;
if (typeof process == 'object' && process.versions && process.versions.node) {
  if (typeof process.getBuiltinModule != 'function') {
    throw new Error('qemu-img.mjs needs Node.js >= 20.16 (process.getBuiltinModule)');
  }
  require = function(id) { return process.getBuiltinModule(id); };
  __filename = require('url').fileURLToPath(_scriptDir);
  __dirname = require('path').dirname(__filename);
  if (!Module['wasmBinary'] && !Module['instantiateWasm']) {
    Module['wasmBinary'] = require('fs').readFileSync(require('path').join(__dirname, 'qemu-img.wasm'));
  }
}
if (!Module['quit']) {
  Module['quit'] = function(status, toThrow) { throw toThrow; };
}
if (!Module['thisProgram']) {
  Module['thisProgram'] = 'qemu-img';
}
