#!/usr/bin/env bash
# Engine v2: qemu-img from Debian's QEMU 10.2.2 (sid) built with Debian trixie's emscripten
# 3.1.69, in the chroot that toolchain.sh makes. One recipe, two flavours:
#
#   bash wasm/v2/build.sh [nothreads|threads]   (default nothreads)
#
# Output: $II_V2_DIR/work/out-<flavour>/qemu-img.{mjs,wasm} (default II_V2_DIR=/var/tmp/ii-v2),
# self-tested against the native qemu-img of the same version. Nothing under wasm/dist changes:
# v1 ships until v2 passes the parity suite and the Chromium runner tests.
#
# Host part (this script): chroot, sources (pinned Debian versions, private apt configuration),
# extract + patch into $V2/work/src. Chroot part: compile.sh. Host again: self-test with Node.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
V2="${II_V2_DIR:-/var/tmp/ii-v2}"
WORK="$V2/work"
FLAVOUR="${1:-nothreads}"
case "$FLAVOUR" in nothreads|threads) ;; *) echo "usage: $0 [nothreads|threads]" >&2; exit 2 ;; esac
TOOLCHAIN=(bash "$HERE/toolchain.sh")

# Dependency sources: bookworm's, exactly as the v1 recipe (wasm/build.sh) pins them.
declare -A VERSION=(
  [glib2.0]='2.74.6-2+deb12u9'
  [zlib]='1:1.2.13.dfsg-1'
  [pcre2]='10.42-1'
  [bzip2]='1.0.8-5'
)
DEPS=(zlib bzip2 pcre2 glib2.0)

log() { printf '\n== wasm v2: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

"${TOOLCHAIN[@]}" chroot
QEMU_TREE="$("${TOOLCHAIN[@]}" source)"
mkdir -p "$WORK/src" "$WORK/dl"

patches_of() {
  local f
  for f in "$HERE/patches/$1"-[0-9]*.patch; do [[ -e "$f" ]] && echo "$f"; done | LC_ALL=C sort
  return 0
}
patch_key() { { echo "$2"; patches_of "$1" | xargs -r sha256sum | sed "s|$HERE/||"; } | sha256sum | cut -c1-16; }

# extract_and_patch NAME DSC: a fresh patched tree in $WORK/src/NAME when its key changed.
extract_and_patch() {
  local name="$1" dsc="$2" tree="$WORK/src/$1" key
  key="$(patch_key "$name" "$(sha256sum "$dsc" | cut -c1-64)")"
  [[ "$(cat "$tree/.ii-key" 2>/dev/null)" == "$key" ]] && return
  log "extract and patch $name"
  rm -rf "$tree"
  dpkg-source -q -x "$dsc" "$tree" >/dev/null 2>&1
  local p
  for p in $(patches_of "$name"); do
    echo "applying $(basename "$p")"
    patch -d "$tree" -p1 -s --no-backup-if-mismatch < "$p"
  done
  echo "$key" > "$tree/.ii-key"
}

for p in "${DEPS[@]}"; do
  v="${VERSION[$p]}"
  dsc="$WORK/dl/${p}_${v#*:}.dsc"
  [[ -f "$dsc" ]] || { log "apt-get source $p=$v"; "${TOOLCHAIN[@]}" apt-source "$p=$v" "$WORK/dl"; }
  extract_and_patch "$p" "$dsc"
done
extract_and_patch qemu "$(ls "$(dirname "$QEMU_TREE")"/qemu_*.dsc)"

"${TOOLCHAIN[@]}" mounts
trap '"${TOOLCHAIN[@]}" umount' EXIT
log "compile ($FLAVOUR) in the chroot"
"${TOOLCHAIN[@]}" run env JOBS="${JOBS:-2}" bash "$HERE/compile.sh" "$FLAVOUR" "$WORK"

log "self-test ($FLAVOUR) against native qemu-img $("${TOOLCHAIN[@]}" native-path)"
if [[ "${WASM_SKIP_SELFTEST:-}" != 1 ]]; then
  NATIVE_QEMU_IMG="$("${TOOLCHAIN[@]}" native)" node "$HERE/selftest.mjs" "$WORK/out-$FLAVOUR/qemu-img.mjs"
fi
ls -la "$WORK/out-$FLAVOUR"
