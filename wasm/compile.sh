#!/usr/bin/env bash
# Runs INSIDE the toolchain chroot (trixie, emscripten 3.1.69), called by build.sh:
#   bash wasm/compile.sh nothreads|threads WORK
# Builds zlib, bzip2, pcre2, libglib-2.0 and qemu-img for one flavour into WORK/build-<flavour>
# and links WORK/out-<flavour>/qemu-img.{mjs,wasm}. Steps are skipped when their key is unchanged.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FLAVOUR="$1"
WORK="$2"
SRC="$WORK/src"
BUILD="$WORK/build-$FLAVOUR"
OUT="$WORK/out-$FLAVOUR"
PREFIX="$BUILD/prefix"
STAMPS="$BUILD/stamps"
JOBS="${JOBS:-2}"
NICE=(nice -n 19 ionice -c3)
mkdir -p "$BUILD" "$PREFIX/lib" "$PREFIX/include" "$STAMPS" "$OUT"
log() { printf '\n== wasm %s: %s (%s)\n' "$FLAVOUR" "$*" "$(date -u +%H:%M:%S)"; }
step_done() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
step_mark() { echo "$2" > "$STAMPS/$1"; }
tree_key() { cat "$SRC/$1/.ii-key"; }

# -msimd128: wasm SIMD (every engine we target has it); QEMU's buffer_is_zero and zlib's
# loops are auto-vectorised. The threads flavour compiles every object with -pthread (atomics,
# shared memory); the no-threads flavour must have none (TLS would overlap read-only data).
if [[ "$FLAVOUR" == threads ]]; then THREAD_FLAGS='-pthread'; else THREAD_FLAGS=''; fi
DEP_CFLAGS="-O2 -msimd128 $THREAD_FLAGS"
export PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig"
export PKG_CONFIG_PATH=
emcc --version | head -1

key="$(tree_key zlib) $DEP_CFLAGS"
if ! step_done zlib "$key"; then
  log zlib
  rm -rf "$BUILD/zlib" && cp -a "$SRC/zlib" "$BUILD/zlib"
  (cd "$BUILD/zlib" && CFLAGS="$DEP_CFLAGS" emconfigure ./configure --static --prefix="$PREFIX" >/dev/null &&
    "${NICE[@]}" emmake make -j"$JOBS" libz.a >/dev/null && emmake make install >/dev/null)
  step_mark zlib "$key"
fi

key="$(tree_key bzip2) $DEP_CFLAGS"
if ! step_done bzip2 "$key"; then
  log bzip2
  rm -rf "$BUILD/bzip2" && cp -a "$SRC/bzip2" "$BUILD/bzip2"
  (cd "$BUILD/bzip2" &&
    "${NICE[@]}" emmake make -j"$JOBS" libbz2.a CC=emcc AR=emar RANLIB=emranlib \
      CFLAGS="$DEP_CFLAGS -D_FILE_OFFSET_BITS=64" >/dev/null &&
    install -m 0644 bzlib.h "$PREFIX/include/" && install -m 0644 libbz2.a "$PREFIX/lib/")
  step_mark bzip2 "$key"
fi

# zstd (qcow2 compression_type=zstd): the static library, single-threaded as lib/Makefile builds
# it by default; no x86 assembly (ZSTD_NO_ASM); no decoders for the pre-1.0 frame formats, which
# no qcow2 holds (QEMU writes zstd since 5.0, with zstd >= 1.4): 0.1 MiB less wasm.
ZSTD_MAKE=(CC=emcc AR=emar "CFLAGS=$DEP_CFLAGS" ZSTD_NO_ASM=1 ZSTD_LEGACY_SUPPORT=0)
key="$(tree_key libzstd) ${ZSTD_MAKE[*]}"
if ! step_done libzstd "$key"; then
  log zstd
  rm -rf "$BUILD/libzstd" && cp -a "$SRC/libzstd" "$BUILD/libzstd"
  (cd "$BUILD/libzstd/lib" &&
    "${NICE[@]}" emmake make -j"$JOBS" libzstd.a "${ZSTD_MAKE[@]}" >/dev/null &&
    emmake make install-static install-includes install-pc "${ZSTD_MAKE[@]}" \
      PREFIX="$PREFIX" LIBDIR="$PREFIX/lib" >/dev/null)
  step_mark libzstd "$key"
fi

PCRE2_FLAGS='--disable-shared --enable-static --disable-jit --disable-pcre2grep-libz --disable-pcre2grep-libbz2 --disable-pcre2test-libreadline'
key="$(tree_key pcre2) $DEP_CFLAGS $PCRE2_FLAGS"
if ! step_done pcre2 "$key"; then
  log pcre2
  rm -rf "$BUILD/pcre2" && cp -a "$SRC/pcre2" "$BUILD/pcre2"
  # shellcheck disable=SC2086
  (cd "$BUILD/pcre2" &&
    CFLAGS="$DEP_CFLAGS" emconfigure ./configure --host=wasm32-unknown-emscripten --prefix="$PREFIX" \
      $PCRE2_FLAGS >/dev/null &&
    "${NICE[@]}" emmake make -j"$JOBS" libpcre2-8.la >/dev/null &&
    emmake make install-libLTLIBRARIES install-nodist_includeHEADERS install-pkgconfigDATA >/dev/null)
  step_mark pcre2 "$key"
fi

GLIB_OPTS='-Dtests=false -Dnls=disabled -Dselinux=disabled -Dxattr=false -Dlibmount=disabled -Dman=false -Dgtk_doc=false -Ddtrace=false -Dsystemtap=false -Dsysprof=disabled -Dlibelf=disabled -Dglib_debug=disabled -Dinstalled_tests=false'
GLIB_UNDEF='CLOSE_RANGE|EPOLL_CREATE|KQUEUE|POSIX_SPAWN|FALLOCATE|PTHREAD_ATTR_SETINHERITSCHED|PTHREAD_GETNAME_NP'
key="$(tree_key glib2.0) $DEP_CFLAGS -Wno-incompatible-function-pointer-types $GLIB_OPTS $GLIB_UNDEF"
if ! step_done glib2.0 "$key"; then
  log "glib (libglib-2.0 and libgthread-2.0 only)"
  rm -rf "$BUILD/glib"
  # clang 19 makes glib 2.74's strncmp-with-gsize callback (gcompletion.c) an error, as
  # upstream QEMU's emsdk recipe notes: keep it a warning.
  c_args="$(printf "'%s', " $DEP_CFLAGS -Wno-incompatible-function-pointer-types | sed 's/, $//')"
  cat > "$BUILD/emscripten-cross.ini" <<INI
[binaries]
c = 'emcc'
cpp = 'em++'
ar = 'emar'
ranlib = 'emranlib'
strip = 'true'
pkgconfig = 'pkg-config'
[built-in options]
c_args = [$c_args]
c_link_args = [$(printf "'%s', " $DEP_CFLAGS | sed 's/, $//')]
[properties]
needs_exe_wrapper = true
[host_machine]
system = 'emscripten'
cpu_family = 'wasm32'
cpu = 'wasm32'
endian = 'little'
INI
  # shellcheck disable=SC2086
  "${NICE[@]}" meson setup "$BUILD/glib" "$SRC/glib2.0" --cross-file "$BUILD/emscripten-cross.ini" \
    --prefix="$PREFIX" --libdir=lib --default-library=static --buildtype=release $GLIB_OPTS >"$BUILD/glib-setup.log" 2>&1 ||
    { tail -30 "$BUILD/glib-setup.log"; exit 1; }
  sed -i -E "/#define HAVE_($GLIB_UNDEF) /d" "$BUILD/glib/config.h"
  "${NICE[@]}" ninja -C "$BUILD/glib" -j"$JOBS" >"$BUILD/glib-ninja.log" 2>&1 || { grep -E 'FAILED|error' "$BUILD/glib-ninja.log" | head -30; exit 1; }
  meson install -C "$BUILD/glib" --no-rebuild >/dev/null
  step_mark glib2.0 "$key"
fi

# ---------------------------------------------------------------------------------------------
# QEMU 10.2.2: upstream detects emscripten itself (configure checks the compiler's define, meson
# knows host_os 'emscripten', --with-coroutine=wasm is the only backend there).
QEMU_CONFIGURE=(
  --cross-prefix= --host-cc=clang-19
  --without-default-features --enable-tools --target-list= --disable-system --disable-user
  --disable-tcg --disable-docs --disable-install-blobs --disable-werror --disable-pie
  --enable-bzip2 --enable-zstd
  --enable-vdi --enable-vmdk --enable-vhdx --enable-vpc --enable-qcow1 --enable-qed --enable-parallels
  --enable-bochs --enable-cloop
  --enable-dmg
  --extra-cflags="$DEP_CFLAGS -I$PREFIX/include" --extra-ldflags="-L$PREFIX/lib $THREAD_FLAGS"
)
key="$(tree_key qemu) $(tree_key glib2.0) $(tree_key libzstd) ${QEMU_CONFIGURE[*]}"
if ! step_done qemu-configure "$key"; then
  log "qemu configure"
  rm -rf "$BUILD/qemu" && mkdir -p "$BUILD/qemu"
  (cd "$BUILD/qemu" && "${NICE[@]}" env CC=emcc CXX=em++ AR=emar RANLIB=emranlib NM=emnm STRIP=true \
    OBJCOPY=true PKG_CONFIG=pkg-config "$SRC/qemu/configure" "${QEMU_CONFIGURE[@]}" \
    > "$BUILD/qemu-configure.log" 2>&1) || { tail -40 "$BUILD/qemu-configure.log"; exit 1; }
  step_mark qemu-configure "$key"
fi

if [[ "$FLAVOUR" == nothreads ]] && grep -q -- '-pthread' "$BUILD/qemu/compile_commands.json" "$BUILD/glib/compile_commands.json"; then
  echo "wasm: some objects are compiled with -pthread; refusing to link a broken no-threads build" >&2
  exit 1
fi

log "qemu-img objects"
# We link qemu-img ourselves with meson's inputs and our flags (meson's link line carries the
# emulator-oriented defaults), so build exactly what that link needs.
mapfile -t QEMU_LINK_INPUTS < <(ninja -C "$BUILD/qemu" -t query qemu-img.js |
  awk '/^  input:/{f=1; next} /^  outputs:/{f=0} f{sub(/^ +/, ""); sub(/^\|\|? /, ""); print}' |
  grep -v "^$PREFIX/")
"${NICE[@]}" ninja -C "$BUILD/qemu" -j"$JOBS" "${QEMU_LINK_INPUTS[@]}" > "$BUILD/qemu-ninja.log" 2>&1 ||
  { grep -E -A5 'FAILED' "$BUILD/qemu-ninja.log" | head -60; exit 1; }

MESON_LINK="$(ninja -C "$BUILD/qemu" -t commands qemu-img.js | tail -1)"
read -r -a MESON_ARGS <<< "${MESON_LINK#emcc }"
LINK_INPUT_ARGS=()
skip=0
for a in "${MESON_ARGS[@]}"; do
  if ((skip)); then skip=0; continue; fi
  case "$a" in
    -o) skip=1 ;;
    -m32|-pthread|-sPTHREAD_POOL_SIZE=*|-O*|-msimd128|-sERROR_ON_UNDEFINED_SYMBOLS=*) ;;
    *) LINK_INPUT_ARGS+=("$a") ;;
  esac
done
EMCC_FLAGS=(
  -O2 -msimd128
  -sASYNCIFY=1 -sASYNCIFY_STACK_SIZE=131072
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=16MB -sMAXIMUM_MEMORY=4GB
  -sEXIT_RUNTIME=1 -sINVOKE_RUN=0
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createQemuImg -sENVIRONMENT=web,worker,node
  -sFORCE_FILESYSTEM=1 -lworkerfs.js -lnodefs.js
  '-sEXPORTED_RUNTIME_METHODS=[FS,callMain,ENV,PATH,ERRNO_CODES]'
  -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0
  -sERROR_ON_UNDEFINED_SYMBOLS=1
  --pre-js "$HERE/js/pre.js" --post-js "$HERE/js/post.js" --js-library "$HERE/js/fsync.js"
)
if [[ "$FLAVOUR" == threads ]]; then
  # main() on the module's own thread, which owns the file systems (qemu-0001-wasm-threads);
  # pthreads only compute (qcow2 compression). A worker started while main() runs could not
  # begin until the command ends, so the embedder says how many to start with the module
  # (Module.qemuThreads, 0 for commands that do not compress: no Worker for `info`).
  EMCC_FLAGS+=(-pthread "-sPTHREAD_POOL_SIZE=Module.qemuThreads|0" -sDEFAULT_PTHREAD_STACK_SIZE=262144)
fi

log "qemu-img link"
(cd "$BUILD/qemu" && "${NICE[@]}" emcc -o "$OUT/qemu-img.mjs" "${LINK_INPUT_ARGS[@]}" "${EMCC_FLAGS[@]}")
if [[ "$FLAVOUR" == threads ]]; then
  # The glue starts its pthread workers from `new URL("qemu-img.mjs", import.meta.url)`: a
  # bundler that renames the file (Vite hashes asset names) breaks that. The module's own URL is
  # the same file under any name.
  grep -q 'new URL("qemu-img.mjs",import.meta.url)' "$OUT/qemu-img.mjs" ||
    { echo "wasm: the threads glue no longer names its worker script as expected" >&2; exit 1; }
  sed -i 's|new URL("qemu-img.mjs",import.meta.url)|new URL(import.meta.url)|g' "$OUT/qemu-img.mjs"
fi
printf '%s\n' "${EMCC_FLAGS[@]}" > "$OUT/emcc-flags.txt"
printf '%s\n' "${LINK_INPUT_ARGS[@]}" > "$OUT/link-inputs.txt"
printf '%s\n' "${QEMU_CONFIGURE[@]}" > "$OUT/qemu-configure.txt"
printf 'cflags %s\nzstd %s\npcre2 %s\nglib %s\nglib-config.h-undef %s\n' "$DEP_CFLAGS" "${ZSTD_MAKE[*]}" "$PCRE2_FLAGS" "$GLIB_OPTS" "$GLIB_UNDEF" > "$OUT/dep-flags.txt"
ls -la "$OUT"
