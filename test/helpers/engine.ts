// Which wasm engine the suites run against (wasm/dist, or IMAGE_INSPECTOR_WASM_DIR), and the
// native qemu-img they compare it with: native qemu-img of the engine's own QEMU version.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { wasmDistDir } from '../../workers/qemu-img/node-protocol.ts';

/** Where wasm/toolchain.sh keeps its caches (the native reference among them). */
const TOOLCHAIN_ROOT = process.env.II_V2_DIR ?? '/var/tmp/ii-v2';

/** The QEMU (Debian) version of the engine the suites run, from its MANIFEST.json when it has one
 *  (wasm/dist does; a build directory given by IMAGE_INSPECTOR_WASM_DIR may not: then wasm/dist's). */
function engineQemuVersion(): string {
  for (const dir of [wasmDistDir(), new URL('../../wasm/dist/', import.meta.url).pathname]) {
    const manifest = join(dir, 'MANIFEST.json');
    if (!existsSync(manifest)) continue;
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { debianSourceVersions?: { qemu?: string } };
    const v = parsed.debianSourceVersions?.qemu;
    if (v) return v;
  }
  throw new Error('wasm/dist/MANIFEST.json names no QEMU version (debianSourceVersions.qemu)');
}

function nativeReference(): string {
  const override = process.env.IMAGE_INSPECTOR_NATIVE_QEMU_IMG;
  if (override) return override;
  const version = engineQemuVersion().replace(/^\d+:/, '');
  // Engine v1 (QEMU 7.2) was compared with bookworm's own qemu-utils.
  if (version.startsWith('7.2')) return 'qemu-img';
  // Its directory is the recipe's (wasm/toolchain.sh: named after its version and features).
  const path = execFileSync('bash', [fileURLToPath(new URL('../../wasm/toolchain.sh', import.meta.url)), 'native-path'], {
    encoding: 'utf8',
    env: { ...process.env, II_V2_DIR: TOOLCHAIN_ROOT },
  }).trim();
  if (!path.includes(`/native-${version}`))
    throw new Error(`wasm/toolchain.sh builds the reference for another QEMU than the engine's ${version}: ${path}`);
  if (!existsSync(path)) {
    throw new Error(
      `the native qemu-img ${version} reference is missing (${path}): run \`bash scripts/setup/native-qemu.sh\` ` +
        '(npm test does), or point IMAGE_INSPECTOR_NATIVE_QEMU_IMG at a native qemu-img of that version',
    );
  }
  return path;
}

/** The native reference: native qemu-img of the wasm engine's own QEMU version (10.2.2, built by
 *  scripts/setup/native-qemu.sh), or IMAGE_INSPECTOR_NATIVE_QEMU_IMG. */
export const NATIVE_QEMU_IMG = nativeReference();

/** Engine v2's own VMDK patch (wasm/patches/qemu-0003): a descriptor without extents is
 *  refused at open with this message, where native qemu-img aborts on an assertion. */
export const NO_EXTENTS_MESSAGE = 'Invalid VMDK image descriptor: no extents';

/** Probed from the wasm itself (its data section holds the message), so a suite follows
 *  whichever engine it is pointed at. */
export const ENGINE_REFUSES_NO_EXTENTS = readFileSync(join(wasmDistDir(), 'qemu-img.wasm')).includes(NO_EXTENTS_MESSAGE);
