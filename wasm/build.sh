#!/usr/bin/env bash
# Builds qemu-img (Debian's QEMU 7.2) for WebAssembly with Debian's emscripten 3.1.6 and writes
# wasm/dist/{qemu-img.mjs,qemu-img.wasm,MANIFEST.json,SOURCES.md,licenses/}.
#
#   bash wasm/build.sh               full build; reuses built dependencies (stamp files)
#   bash wasm/build.sh --if-changed  exit 0 at once when the recipe's inputs (this script,
#                                    patches, js libraries, manifest writer, Debian source
#                                    versions) hash to the value in dist/MANIFEST.json;
#                                    otherwise do the full build
#
# Sources: `apt-get source` of exact Debian versions into wasm/src/ (a deb-src entry is added
# if missing), extracted there and patched with wasm/patches/<package>-NNNN-*.patch.
# Build trees: wasm/build/ (not committed). Needs root (or sudo) only to apt-get install.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$HERE/src"
BUILD="$HERE/build"
DIST="$HERE/dist"
PREFIX="$BUILD/prefix"
STAMPS="$BUILD/stamps"

# Exact Debian source versions (bookworm + bookworm-security). Changing one rebuilds.
declare -A VERSION=(
  [qemu]='1:7.2+dfsg-7+deb12u18'
  [glib2.0]='2.74.6-2+deb12u9'
  [zlib]='1:1.2.13.dfsg-1'
  [pcre2]='10.42-1'
  [bzip2]='1.0.8-5'
)
PACKAGES=(zlib bzip2 pcre2 glib2.0 qemu)

# Files whose content defines the recipe (hashed for --if-changed and the manifest).
recipe_inputs() {
  (cd "$HERE" && ls build.sh manifest.mjs selftest.mjs js/*.js patches/*.patch)
}
recipe_hash() {
  {
    (cd "$HERE" && recipe_inputs | LC_ALL=C sort | xargs sha256sum)
    for p in "${PACKAGES[@]}"; do echo "$p=${VERSION[$p]}"; done
  } | sha256sum | cut -d' ' -f1
}

if [[ "${1:-}" == "--if-changed" ]]; then
  want="$(recipe_hash)"
  have="$(sed -n 's/^  "recipeHash": "\([0-9a-f]*\)",\{0,1\}$/\1/p' "$DIST/MANIFEST.json" 2>/dev/null || true)"
  if [[ -n "$have" && "$want" == "$have" ]]; then
    echo "wasm: recipe unchanged (${want:0:12}), using committed wasm/dist"
    exit 0
  fi
  echo "wasm: recipe hash ${want:0:12} differs from manifest (${have:0:12}): rebuilding"
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--if-changed]" >&2
  exit 2
fi

JOBS="${JOBS:-$(nproc)}"
NICE=(nice -n 10)
log() { printf '\n== wasm: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
START=$SECONDS

# ---------------------------------------------------------------------------------------------
# 1. Toolchain from Debian (idempotent: nothing happens when everything is installed).
log "toolchain"
need=()
for p in emscripten meson ninja-build pkg-config dpkg-dev python3 xz-utils patch nodejs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  echo "installing: ${need[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${need[@]}"
fi
# emcc's JS optimizer (-O2) needs Debian's acorn, which lives in /usr/share/nodejs.
export NODE_PATH=/usr/share/nodejs
# /usr/bin/emcc runs "${EMSDK_PYTHON:-python3}"; a python3 shim earlier in PATH (pyenv) costs
# over a second per compiler call, and configure/meson make thousands of them.
export EMSDK_PYTHON=/usr/bin/python3
EMCC_VERSION="$(emcc --version | head -1)"
echo "$EMCC_VERSION"

# ---------------------------------------------------------------------------------------------
# 2. deb-src entry (copy of debian.sources' URIs and Signed-By, Types: deb-src) if none exists.
DEBSRC=/etc/apt/sources.list.d/image-inspector-src.sources
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  log "adding deb-src entry $DEBSRC"
  [[ -f /etc/apt/sources.list.d/debian.sources ]] || {
    echo "no /etc/apt/sources.list.d/debian.sources to copy deb-src entries from" >&2; exit 1; }
  tmp="$(mktemp)"
  awk 'BEGIN{RS=""; ORS="\n\n"} /(^|\n)Types:[^\n]*deb([ \n]|$)/ {
         out=""; n=split($0, lines, "\n")
         for (i=1;i<=n;i++) {
           if (lines[i] ~ /^#/) continue
           if (lines[i] ~ /^Types:/) lines[i]="Types: deb-src"
           out = out lines[i] "\n"
         }
         printf "%s\n", out }' /etc/apt/sources.list.d/debian.sources > "$tmp"
  as_root install -m 0644 "$tmp" "$DEBSRC"
  rm -f "$tmp"
  as_root apt-get -o DPkg::Lock::Timeout=600 update -q
fi

# ---------------------------------------------------------------------------------------------
# 3. Sources: download the exact versions, extract, patch (re-extract when patches change).
mkdir -p "$SRC" "$BUILD" "$PREFIX" "$STAMPS"
dsc_of() { local p="$1" v="${VERSION[$1]}"; echo "$SRC/${p}_${v#*:}.dsc"; }
tree_of() { echo "$SRC/$1"; }
patches_of() {
  local f
  for f in "$HERE/patches/$1"-[0-9]*.patch; do [[ -e "$f" ]] && basename "$f"; done | LC_ALL=C sort
  return 0
}
patch_hash() {
  (cd "$HERE/patches" && patches_of "$1" | xargs -r sha256sum) | sha256sum | cut -d' ' -f1
}

for p in "${PACKAGES[@]}"; do
  if [[ ! -f "$(dsc_of "$p")" ]]; then
    log "apt-get source $p=${VERSION[$p]}"
    (cd "$SRC" && apt-get source -q --download-only "$p=${VERSION[$p]}")
  fi
  key="${VERSION[$p]} $(patch_hash "$p")"
  tree="$(tree_of "$p")"
  if [[ "$(cat "$tree/.image-inspector-patched" 2>/dev/null)" != "$key" ]]; then
    log "extract and patch $p"
    rm -rf "$tree"
    dpkg-source -q -x "$(dsc_of "$p")" "$tree" >/dev/null
    for patch in $(patches_of "$p"); do
      echo "applying $patch"
      patch -d "$tree" -p1 -s --no-backup-if-mismatch < "$HERE/patches/$patch"
    done
    echo "$key" > "$tree/.image-inspector-patched"
  fi
done

# A step reruns when its key (source tree key + its flags) changed; otherwise its stamp holds.
step_done() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
step_mark() { echo "$2" > "$STAMPS/$1"; }
tree_key() { cat "$(tree_of "$1")/.image-inspector-patched"; }

DEP_CFLAGS='-O2'
export PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig"
export PKG_CONFIG_PATH=

# ---------------------------------------------------------------------------------------------
# 4. Dependencies: zlib, bzip2 (for dmg's bzip2 chunks), pcre2, libglib-2.0 (static, no threads).
key="$(tree_key zlib) $DEP_CFLAGS"
if ! step_done zlib "$key"; then
  log "zlib"
  rm -rf "$BUILD/zlib" && cp -a "$(tree_of zlib)" "$BUILD/zlib"
  (cd "$BUILD/zlib" && CFLAGS="$DEP_CFLAGS" emconfigure ./configure --static --prefix="$PREFIX" >/dev/null &&
    "${NICE[@]}" emmake make -j"$JOBS" libz.a >/dev/null && emmake make install >/dev/null)
  step_mark zlib "$key"
fi

key="$(tree_key bzip2) $DEP_CFLAGS"
if ! step_done bzip2 "$key"; then
  log "bzip2"
  rm -rf "$BUILD/bzip2" && cp -a "$(tree_of bzip2)" "$BUILD/bzip2"
  (cd "$BUILD/bzip2" &&
    "${NICE[@]}" emmake make -j"$JOBS" libbz2.a CC=emcc AR=emar RANLIB=emranlib \
      CFLAGS="$DEP_CFLAGS -D_FILE_OFFSET_BITS=64" >/dev/null &&
    install -m 0644 bzlib.h "$PREFIX/include/" && install -m 0644 libbz2.a "$PREFIX/lib/")
  step_mark bzip2 "$key"
fi

PCRE2_FLAGS='--disable-shared --enable-static --disable-jit --disable-pcre2grep-libz --disable-pcre2grep-libbz2 --disable-pcre2test-libreadline'
key="$(tree_key pcre2) $DEP_CFLAGS $PCRE2_FLAGS"
if ! step_done pcre2 "$key"; then
  log "pcre2"
  rm -rf "$BUILD/pcre2" && cp -a "$(tree_of pcre2)" "$BUILD/pcre2"
  # shellcheck disable=SC2086
  (cd "$BUILD/pcre2" &&
    CFLAGS="$DEP_CFLAGS" emconfigure ./configure --host=wasm32-unknown-emscripten --prefix="$PREFIX" \
      $PCRE2_FLAGS >/dev/null &&
    "${NICE[@]}" emmake make -j"$JOBS" libpcre2-8.la >/dev/null &&
    emmake make install-libLTLIBRARIES install-nodist_includeHEADERS install-pkgconfigDATA >/dev/null)
  step_mark pcre2 "$key"
fi

GLIB_OPTS='-Dtests=false -Dnls=disabled -Dselinux=disabled -Dxattr=false -Dlibmount=disabled -Dman=false -Dgtk_doc=false -Ddtrace=false -Dsystemtap=false -Dsysprof=disabled -Dlibelf=disabled -Dglib_debug=disabled -Dinstalled_tests=false'
# Functions emscripten's libc declares but does not implement: configure finds them, the
# link (or the first call) fails. Removed from glib's generated config.h.
GLIB_UNDEF='CLOSE_RANGE|EPOLL_CREATE|KQUEUE|POSIX_SPAWN|FALLOCATE|PTHREAD_ATTR_SETINHERITSCHED'
key="$(tree_key glib2.0) $DEP_CFLAGS $GLIB_OPTS $GLIB_UNDEF"
if ! step_done glib2.0 "$key"; then
  log "glib (libglib-2.0 and libgthread-2.0 only)"
  rm -rf "$BUILD/glib"
  cat > "$BUILD/emscripten-cross.ini" <<EOF
[binaries]
c = 'emcc'
cpp = 'em++'
ar = 'emar'
ranlib = 'emranlib'
strip = 'true'
pkgconfig = 'pkg-config'
[built-in options]
c_args = ['$DEP_CFLAGS']
[properties]
needs_exe_wrapper = true
[host_machine]
system = 'emscripten'
cpu_family = 'wasm32'
cpu = 'wasm32'
endian = 'little'
EOF
  # shellcheck disable=SC2086
  "${NICE[@]}" meson setup "$BUILD/glib" "$(tree_of glib2.0)" --cross-file "$BUILD/emscripten-cross.ini" \
    --prefix="$PREFIX" --libdir=lib --default-library=static --buildtype=release $GLIB_OPTS >/dev/null
  sed -i -E "/#define HAVE_($GLIB_UNDEF) /d" "$BUILD/glib/config.h"
  "${NICE[@]}" ninja -C "$BUILD/glib" -j"$JOBS" >/dev/null
  meson install -C "$BUILD/glib" --no-rebuild >/dev/null
  step_mark glib2.0 "$key"
fi

# ---------------------------------------------------------------------------------------------
# 5. QEMU: configure for emscripten/wasm32, build qemu-img's objects, link it ourselves.
QEMU_CONFIGURE=(
  --cross-prefix=wasm32-unknown-emscripten-
  --without-default-features --enable-tools --target-list= --disable-system --disable-user
  --disable-tcg --disable-docs --disable-werror --disable-pie --disable-stack-protector
  --enable-bzip2
  --enable-vdi --enable-qcow1 --enable-qed --enable-parallels --enable-bochs --enable-cloop
  --enable-dmg
  --extra-cflags="-O2 -I$PREFIX/include" --extra-ldflags="-L$PREFIX/lib"
)
key="$(tree_key qemu) $(tree_key glib2.0) ${QEMU_CONFIGURE[*]}"
if ! step_done qemu-configure "$key"; then
  log "qemu configure"
  rm -rf "$BUILD/qemu" && mkdir -p "$BUILD/qemu"
  (cd "$BUILD/qemu" && "${NICE[@]}" env CC=emcc CXX=em++ AR=emar RANLIB=emranlib NM=emnm STRIP=true \
    OBJCOPY=true PKG_CONFIG=pkg-config "$(tree_of qemu)/configure" "${QEMU_CONFIGURE[@]}" \
    > "$BUILD/qemu-configure.log" 2>&1) || { tail -40 "$BUILD/qemu-configure.log"; exit 1; }
  rm -f "$STAMPS/qemu-link"
  step_mark qemu-configure "$key"
fi

# Objects compiled with -pthread get real wasm TLS, which a no-pthreads link places over
# read-only data (qemu-0001 removes meson's threads dependency; this keeps it that way).
if grep -q -- '-pthread' "$BUILD/qemu/compile_commands.json" "$BUILD/glib/compile_commands.json"; then
  echo "wasm: some objects are compiled with -pthread; refusing to link a broken no-threads build" >&2
  exit 1
fi

log "qemu-img objects"
# meson's own link line for qemu-img.js adds -pthread (its threads dependency): we link
# ourselves with the same inputs and our flags, so build everything that link needs.
mapfile -t QEMU_LINK_INPUTS < <(ninja -C "$BUILD/qemu" -t query qemu-img.js |
  awk '/^  input:/{f=1; next} /^  outputs:/{f=0} f{sub(/^ +/, ""); sub(/^\|\|? /, ""); print}' |
  grep -v "^$PREFIX/")
"${NICE[@]}" ninja -C "$BUILD/qemu" -j"$JOBS" "${QEMU_LINK_INPUTS[@]}" > "$BUILD/qemu-ninja.log" 2>&1 ||
  { grep -E 'FAILED|error' "$BUILD/qemu-ninja.log" | head -40; exit 1; }

# The link command meson would run, minus -pthread and its pool size, plus our flags.
MESON_LINK="$(ninja -C "$BUILD/qemu" -t commands qemu-img.js | tail -1)"
read -r -a MESON_ARGS <<< "${MESON_LINK#emcc }"
LINK_INPUT_ARGS=()
skip=0
for a in "${MESON_ARGS[@]}"; do
  if ((skip)); then skip=0; continue; fi
  case "$a" in
    -o) skip=1 ;;
    -pthread|-sPTHREAD_POOL_SIZE=*|-O*|-sERROR_ON_UNDEFINED_SYMBOLS=*) ;;
    *) LINK_INPUT_ARGS+=("$a") ;;
  esac
done
EMCC_FLAGS=(
  -O2 --closure=0
  -sASYNCIFY=1 -sASYNCIFY_STACK_SIZE=131072
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=64MB -sMAXIMUM_MEMORY=4GB
  -sEXIT_RUNTIME=1 -sINVOKE_RUN=0
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createQemuImg -sENVIRONMENT=web,worker,node
  -sFORCE_FILESYSTEM=1 -lworkerfs.js -lnodefs.js
  '-sEXPORTED_RUNTIME_METHODS=[FS,callMain,ENV,PATH,ERRNO_CODES]'
  -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0
  -sERROR_ON_UNDEFINED_SYMBOLS=1
  --js-library js/fs64.js --pre-js js/node-esm.pre.js
)

log "qemu-img link"
mkdir -p "$BUILD/out"
(cd "$BUILD/qemu" && "${NICE[@]}" emcc -o "$BUILD/out/qemu-img.mjs" "${LINK_INPUT_ARGS[@]}" \
  "${EMCC_FLAGS[@]/#js\//$HERE/js/}")

log "self-test against native qemu-img"
if [[ "${WASM_SKIP_SELFTEST:-}" != 1 ]]; then
  command -v qemu-img >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends qemu-utils
  node "$HERE/selftest.mjs" "$BUILD/out/qemu-img.mjs"
fi

# ---------------------------------------------------------------------------------------------
# 6. dist/: artifacts, licences, sources, manifest.
log "dist"
mkdir -p "$DIST/licenses"
cp "$BUILD/out/qemu-img.mjs" "$BUILD/out/qemu-img.wasm" "$DIST/"
lic() { install -m 0644 "$(tree_of "$1")/$2" "$DIST/licenses/$3"; }
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

versions_json="{$(for p in "${PACKAGES[@]}"; do printf '"%s":"%s",' "$p" "${VERSION[$p]}"; done | sed 's/,$//')}"
dsc_files=()
for p in "${PACKAGES[@]}"; do
  dsc="$(dsc_of "$p")"
  dsc_files+=("$dsc")
  # every file the .dsc names (orig tarballs, debian tarball/diff)
  while read -r f; do dsc_files+=("$SRC/$f"); done < <(
    awk '/^Files:/{f=1; next} /^[^ ]/{f=0} f && NF == 3 {print $3}' "$dsc")
done
node "$HERE/manifest.mjs" write \
  --recipe-hash "$(recipe_hash)" \
  --versions "$versions_json" \
  --emscripten "$EMCC_VERSION" \
  --emcc-flags "$(printf '%s\n' "${EMCC_FLAGS[@]}")" \
  --link-inputs "$(printf '%s\n' "${LINK_INPUT_ARGS[@]}")" \
  --qemu-configure "$(printf '%s\n' "${QEMU_CONFIGURE[@]}")" \
  --dep-flags "$(printf 'cflags %s\npcre2 %s\nglib %s\nglib-config.h-undef %s\n' "$DEP_CFLAGS" "$PCRE2_FLAGS" "$GLIB_OPTS" "$GLIB_UNDEF")" \
  --sources "$(printf '%s\n' "${dsc_files[@]}")" \
  --build-seconds "$((SECONDS - START))"
log "done in $((SECONDS - START)) s"
ls -la "$DIST"
