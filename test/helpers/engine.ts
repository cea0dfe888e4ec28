// Which wasm engine the suites run against (wasm/dist, or IMAGE_INSPECTOR_WASM_DIR), and the
// native qemu-img they compare it with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wasmDistDir } from '../../workers/qemu-img/node-protocol.ts';

/** The native reference: the PATH's qemu-img, or the native qemu-img of the wasm engine's own QEMU
 *  version (engine v2: `bash wasm/v2/toolchain.sh native` builds it and prints its path). */
export const NATIVE_QEMU_IMG = process.env.IMAGE_INSPECTOR_NATIVE_QEMU_IMG ?? 'qemu-img';

/** Engine v2's own VMDK patch (wasm/v2/patches/qemu-0003): a descriptor without extents is
 *  refused at open with this message, where native qemu-img aborts on an assertion. */
export const NO_EXTENTS_MESSAGE = 'Invalid VMDK image descriptor: no extents';

/** Probed from the wasm itself (its data section holds the message), so a suite follows
 *  whichever engine it is pointed at. */
export const ENGINE_REFUSES_NO_EXTENTS = readFileSync(join(wasmDistDir(), 'qemu-img.wasm')).includes(NO_EXTENTS_MESSAGE);
