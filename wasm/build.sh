#!/usr/bin/env bash
# Builds qemu-img (Debian's QEMU 10.2.2, from sid) for WebAssembly with Debian trixie's
# emscripten 3.1.69 in the chroot that toolchain.sh makes, and writes
# wasm/dist/{qemu-img.mjs,qemu-img.wasm,MANIFEST.json,SOURCES.md,licenses/}.
#
#   bash wasm/build.sh               full build of the shipped flavours, self-test, dist/
#   bash wasm/build.sh --if-changed  exit 0 at once when the recipe's inputs (the scripts,
#                                    patches, js libraries, manifest writer, pinned versions)
#                                    hash to the value in dist/MANIFEST.json; else full build
#   bash wasm/build.sh --only FLAVOUR  build one flavour (nothreads|threads) into
#                                    $II_V2_DIR/work/out-FLAVOUR and self-test it; dist/ untouched
#
# Host part (this script): chroot, sources (pinned Debian versions, private apt configuration),
# extract + patch into $II_V2_DIR/work/src. Chroot part: compile.sh. Host again: self-test with
# Node against the native qemu-img of the same version (toolchain.sh native), then dist/.
# The build root is part of the recipe: QEMU's assertion messages carry source paths, so the
# committed artifacts are reproduced bit for bit only with the default II_V2_DIR=/var/tmp/ii-v2.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
V2="${II_V2_DIR:-/var/tmp/ii-v2}"
WORK="$V2/work"
DIST="$HERE/dist"
TOOLCHAIN=(bash "$HERE/toolchain.sh")
# What wasm/dist ships: both flavours from the same recipe (threads in dist/threads/).
SHIPPED_FLAVOURS=(nothreads threads)

# Dependency sources: bookworm's (zlib, bzip2, zstd, pcre2, glib); QEMU's version is toolchain.sh's.
declare -A VERSION=(
  [glib2.0]='2.74.6-2+deb12u9'
  [zlib]='1:1.2.13.dfsg-1'
  [pcre2]='10.42-1'
  [bzip2]='1.0.8-5'
  [libzstd]='1.5.4+dfsg2-5'
)
DEPS=(zlib bzip2 libzstd pcre2 glib2.0)
QEMU_VERSION="$("${TOOLCHAIN[@]}" qemu-version)"
EMSCRIPTEN_VERSION="$("${TOOLCHAIN[@]}" emscripten-version)"

# Files whose content defines the recipe (hashed for --if-changed and the manifest).
recipe_inputs() {
  (cd "$HERE" && ls build.sh compile.sh toolchain.sh manifest.mjs selftest.mjs js/*.js patches/*.patch)
}
recipe_hash() {
  {
    (cd "$HERE" && recipe_inputs | LC_ALL=C sort | xargs sha256sum)
    for p in "${DEPS[@]}"; do echo "$p=${VERSION[$p]}"; done
    echo "qemu=$QEMU_VERSION emscripten=$EMSCRIPTEN_VERSION flavours=${SHIPPED_FLAVOURS[*]}"
  } | sha256sum | cut -d' ' -f1
}

ONLY=''
case "${1:-}" in
  --if-changed)
    want="$(recipe_hash)"
    have="$(sed -n 's/^  "recipeHash": "\([0-9a-f]*\)",\{0,1\}$/\1/p' "$DIST/MANIFEST.json" 2>/dev/null || true)"
    if [[ -n "$have" && "$want" == "$have" ]]; then
      echo "wasm: recipe unchanged (${want:0:12}), using committed wasm/dist"
      exit 0
    fi
    echo "wasm: recipe hash ${want:0:12} differs from manifest (${have:0:12}): rebuilding"
    ;;
  --only)
    ONLY="${2:-}"
    case "$ONLY" in nothreads|threads) ;; *) echo "usage: $0 --only nothreads|threads" >&2; exit 2 ;; esac
    ;;
  '') ;;
  *) echo "usage: $0 [--if-changed | --only nothreads|threads]" >&2; exit 2 ;;
esac

log() { printf '\n== wasm: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
START=$SECONDS

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

dsc_of() { local v="${VERSION[$1]}"; echo "$WORK/dl/${1}_${v#*:}.dsc"; }
for p in "${DEPS[@]}"; do
  [[ -f "$(dsc_of "$p")" ]] || { log "apt-get source $p=${VERSION[$p]}"; "${TOOLCHAIN[@]}" apt-source "$p=${VERSION[$p]}" "$WORK/dl"; }
  extract_and_patch "$p" "$(dsc_of "$p")"
done
QEMU_DSC="$(dirname "$QEMU_TREE")/qemu_${QEMU_VERSION#*:}.dsc"
extract_and_patch qemu "$QEMU_DSC"

NATIVE="$("${TOOLCHAIN[@]}" native)"
"${TOOLCHAIN[@]}" mounts
trap '"${TOOLCHAIN[@]}" umount' EXIT
build_flavour() {
  log "compile ($1) in the chroot"
  "${TOOLCHAIN[@]}" run env JOBS="${JOBS:-2}" bash "$HERE/compile.sh" "$1" "$WORK"
  log "self-test ($1) against native $("$NATIVE" --version | head -1)"
  if [[ "${WASM_SKIP_SELFTEST:-}" != 1 ]]; then
    NATIVE_QEMU_IMG="$NATIVE" node "$HERE/selftest.mjs" "$WORK/out-$1/qemu-img.mjs"
  fi
}
if [[ -n "$ONLY" ]]; then
  build_flavour "$ONLY"
  ls -la "$WORK/out-$ONLY"
  exit 0
fi
for f in "${SHIPPED_FLAVOURS[@]}"; do build_flavour "$f"; done

# ---------------------------------------------------------------------------------------------
# dist/: artifacts (nothreads at the top, other flavours in a directory of their name),
# licences, sources, manifest.
log "dist"
rm -rf "$DIST" && mkdir -p "$DIST/licenses"
for f in "${SHIPPED_FLAVOURS[@]}"; do
  d="$DIST"; [[ "$f" == nothreads ]] || d="$DIST/$f"
  mkdir -p "$d" && cp "$WORK/out-$f/qemu-img.mjs" "$WORK/out-$f/qemu-img.wasm" "$d/"
done
lic() { install -m 0644 "$WORK/src/$1/$2" "$DIST/licenses/$3"; }
lic qemu COPYING qemu-COPYING.GPL-2.0
lic qemu LICENSE qemu-LICENSE
lic qemu COPYING.LIB qemu-COPYING.LIB.LGPL-2.1
lic qemu debian/copyright qemu-debian-copyright
lic glib2.0 COPYING glib-COPYING.LGPL-2.1
lic glib2.0 debian/copyright glib-debian-copyright
lic zlib LICENSE zlib-LICENSE
lic zlib debian/copyright zlib-debian-copyright
lic pcre2 LICENCE pcre2-LICENCE
lic pcre2 debian/copyright pcre2-debian-copyright
lic bzip2 LICENSE bzip2-LICENSE
lic bzip2 debian/copyright bzip2-debian-copyright
lic libzstd LICENSE zstd-LICENSE
lic libzstd COPYING zstd-COPYING.GPL-2.0
lic libzstd debian/copyright zstd-debian-copyright

versions_json="{$(for p in "${DEPS[@]}"; do printf '"%s":"%s",' "$p" "${VERSION[$p]}"; done)\"qemu\":\"$QEMU_VERSION\"}"
dsc_files=()
for dsc in $(for p in "${DEPS[@]}"; do dsc_of "$p"; done) "$QEMU_DSC"; do
  dsc_files+=("$dsc")
  # every file the .dsc names (orig tarballs, debian tarball/diff)
  while read -r f; do dsc_files+=("$(dirname "$dsc")/$f"); done < <(
    awk '/^Files:/{f=1; next} /^[^ ]/{f=0} f && NF == 3 {print $3}' "$dsc")
done
first="$WORK/out-${SHIPPED_FLAVOURS[0]}"
node "$HERE/manifest.mjs" write \
  --recipe-hash "$(recipe_hash)" \
  --versions "$versions_json" \
  --emscripten "$("${TOOLCHAIN[@]}" run emcc --version | head -1) [Debian emscripten=$EMSCRIPTEN_VERSION, trixie chroot]" \
  --flavours "${SHIPPED_FLAVOURS[*]}" \
  --emcc-flags "$(cat "$first/emcc-flags.txt")" \
  --emcc-flags-threads "$(diff --changed-group-format='%>' --unchanged-group-format='' "$first/emcc-flags.txt" "$WORK/out-threads/emcc-flags.txt" || true)" \
  --link-inputs "$(cat "$first/link-inputs.txt")" \
  --qemu-configure "$(cat "$first/qemu-configure.txt")" \
  --dep-flags "$(cat "$first/dep-flags.txt")" \
  --build-root "$V2" \
  --sources "$(printf '%s\n' "${dsc_files[@]}")" \
  --build-seconds "$((SECONDS - START))"
log "done in $((SECONDS - START)) s"
ls -laR "$DIST"
