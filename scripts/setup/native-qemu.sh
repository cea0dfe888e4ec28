#!/usr/bin/env bash
# The native qemu-img of the wasm engine's own QEMU version (10.2.2), which the parity suite and
# the runner e2e compare the wasm with (test/helpers/engine.ts). Debian ships no qemu-utils
# 10.2.2 binary any more (sid moved to 11.1; see docs/decisions/0004-engine-v2.md), so it is
# built once from the same Debian source package as the wasm (tools only, ~3.5 min at -j2) and
# cached under /var/tmp/ii-v2 (II_V2_DIR); a rerun with the cache in place takes milliseconds.
# No chroot: host gcc + Debian's libglib2.0-dev, trixie's meson unpacked from its .deb.
# Prints the path of the native qemu-img (qemu-io beside it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec bash wasm/toolchain.sh native
