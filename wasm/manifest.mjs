// wasm/dist/MANIFEST.json: what the committed qemu-img wasm was built from and what it is.
// `node wasm/manifest.mjs write --key value ...` is called by build.sh; verify-manifest.mjs
// imports checkManifest(). Paths inside the manifest are relative to wasm/ so that the file
// does not depend on the machine that built it.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WASM_DIR = dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = join(WASM_DIR, 'dist');
export const MANIFEST_PATH = join(DIST_DIR, 'MANIFEST.json');

export function sha256File(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

async function describe(path, base) {
  return { path: relative(base, path), sha256: await sha256File(path), size: statSync(path).size };
}

/** Every file under dist/ that the manifest vouches for (the manifest itself excluded). */
export function distArtifacts() {
  const out = ['qemu-img.mjs', 'qemu-img.wasm', 'SOURCES.md'];
  // Other flavours than no-threads live in a directory of their name (dist/threads/).
  for (const flavour of ['threads']) {
    if (existsSync(join(DIST_DIR, flavour))) out.push(`${flavour}/qemu-img.mjs`, `${flavour}/qemu-img.wasm`);
  }
  const lic = join(DIST_DIR, 'licenses');
  if (existsSync(lic)) {
    for (const name of readdirSync(lic).sort()) out.push(join('licenses', name));
  }
  return out;
}

function lines(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

function sourcesMarkdown(versions, sources) {
  const rows = Object.entries(versions)
    .map(([pkg, ver]) => `| ${pkg} | ${ver} | \`apt-get source ${pkg}=${ver}\` |`)
    .join('\n');
  const files = sources.map((s) => `| ${s.path} | ${s.size} | \`${s.sha256}\` |`).join('\n');
  return `# Sources of qemu-img.wasm

qemu-img.mjs / qemu-img.wasm are built from these Debian source packages (QEMU from sid, the
libraries from bookworm), unmodified except for the patches in \`wasm/patches/\` of this
repository (each says why it exists), by \`wasm/build.sh\` (\`npm run build:wasm\`) with Debian
trixie's emscripten in a chroot (\`wasm/toolchain.sh\`). The licences are in \`licenses/\`: QEMU is GPL-2.0
(qemu-img links GPL-2.0-only code, so the combined work is GPL-2.0), glib is LGPL-2.1+, zlib,
bzip2 and PCRE2 are under their own permissive licences.

To get the exact sources (needs \`deb-src\` entries for sid, bookworm and bookworm-security;
\`wasm/toolchain.sh\` makes a private apt configuration with them):

| package | Debian version | command |
|---|---|---|
${rows}

Source files (sha256):

| file | bytes | sha256 |
|---|---|---|
${files}

The same files are on snapshot.debian.org, e.g.
\`https://snapshot.debian.org/package/qemu/${versions.qemu}/\`.
`;
}

async function write(args) {
  const get = (k) => {
    const i = args.indexOf(`--${k}`);
    if (i < 0 || i + 1 >= args.length) throw new Error(`manifest write: missing --${k}`);
    return args[i + 1];
  };
  const versions = JSON.parse(get('versions'));
  const sources = [];
  // The sources live outside the repository (the build root): name them by file name only.
  for (const p of lines(get('sources'))) sources.push({ ...(await describe(p, dirname(p))), path: basename(p) });
  writeFileSync(join(DIST_DIR, 'SOURCES.md'), sourcesMarkdown(versions, sources));

  const inputs = [];
  const recipeFiles = ['build.sh', 'compile.sh', 'toolchain.sh', 'manifest.mjs', 'selftest.mjs'];
  for (const d of ['js', 'patches']) {
    for (const f of readdirSync(join(WASM_DIR, d)).sort()) recipeFiles.push(join(d, f));
  }
  for (const f of recipeFiles) inputs.push(await describe(join(WASM_DIR, f), WASM_DIR));

  const outputs = [];
  for (const f of distArtifacts()) outputs.push(await describe(join(DIST_DIR, f), DIST_DIR));

  const strip = (s) => s.split(WASM_DIR).join('wasm');
  const manifest = {
    recipeHash: get('recipe-hash'),
    description: `qemu-img (Debian QEMU ${versions.qemu}) for WebAssembly; see wasm/README.md`,
    module: {
      factory: 'createQemuImg (default export of qemu-img.mjs)',
      environments: ['web', 'worker', 'node'],
      node: 'Node >= 20; reads qemu-img.wasm itself unless wasmBinary or instantiateWasm is passed',
      exitStatus: 'callMain(args) returns the exit status',
    },
    flavours: lines(get('flavours').split(' ').join('\n')),
    buildRoot: get('build-root'),
    debianSourceVersions: versions,
    emscripten: get('emscripten'),
    emccLinkFlags: lines(get('emcc-flags')),
    // The threads flavour's link adds these to emccLinkFlags (its objects: -pthread as well).
    emccLinkFlagsThreads: lines(get('emcc-flags-threads')),
    emccLinkInputs: lines(get('link-inputs')).map(strip),
    qemuConfigure: lines(get('qemu-configure')).map(strip),
    dependencyBuild: lines(get('dep-flags')),
    buildSeconds: Number(get('build-seconds')),
    inputs: { recipe: inputs, sources },
    outputs,
  };
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${relative(process.cwd(), MANIFEST_PATH)} (${outputs.length} outputs)`);
}

/** Returns a list of human-readable problems; empty when dist/ matches its manifest. */
export async function checkManifest() {
  if (!existsSync(MANIFEST_PATH)) return [`${MANIFEST_PATH} is missing: run npm run build:wasm`];
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'));
  } catch (e) {
    return [`${MANIFEST_PATH} is not valid JSON: ${e.message}`];
  }
  const problems = [];
  const listed = new Set();
  for (const o of manifest.outputs ?? []) {
    listed.add(o.path);
    const p = join(DIST_DIR, o.path);
    if (!existsSync(p)) {
      problems.push(`wasm/dist/${o.path} is listed in MANIFEST.json but missing`);
      continue;
    }
    const size = statSync(p).size;
    const sha = await sha256File(p);
    if (size !== o.size || sha !== o.sha256) {
      problems.push(
        `wasm/dist/${o.path} does not match MANIFEST.json: size ${size} (manifest ${o.size}), ` +
          `sha256 ${sha.slice(0, 16)}… (manifest ${String(o.sha256).slice(0, 16)}…)`,
      );
    }
  }
  for (const f of distArtifacts()) {
    if (!listed.has(f)) problems.push(`wasm/dist/${f} is not listed in MANIFEST.json`);
  }
  for (const name of ['qemu-img.mjs', 'qemu-img.wasm']) {
    if (!listed.has(name)) problems.push(`MANIFEST.json lists no ${name}`);
  }
  for (const i of manifest.inputs?.recipe ?? []) {
    const p = join(WASM_DIR, i.path);
    if (!existsSync(p)) {
      problems.push(`recipe input wasm/${i.path} is listed in MANIFEST.json but missing`);
    } else if ((await sha256File(p)) !== i.sha256) {
      problems.push(`recipe input wasm/${i.path} changed since the build: run npm run build:wasm`);
    }
  }
  return problems;
}

if (process.argv[1] && basename(process.argv[1]) === 'manifest.mjs') {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'write') {
    await write(rest);
  } else {
    console.error('usage: node wasm/manifest.mjs write --recipe-hash H --versions JSON ...');
    process.exit(2);
  }
}
