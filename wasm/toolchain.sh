#!/usr/bin/env bash
# Toolchain of the wasm build: a Debian trixie chroot with emscripten 3.1.69, the QEMU
# source from Debian's archive and the native qemu-img reference of the same version.
# Everything lives outside the repository (default /var/tmp/ii-v2, override II_V2_DIR); this
# script is the recipe. Idempotent: each step is skipped when its result is already there.
#
#   bash wasm/toolchain.sh chroot          make the chroot (root; ~2 min and 3.3 GB once)
#   bash wasm/toolchain.sh source          fetch + extract the pinned QEMU source (host apt,
#                                             private configuration: the system's is untouched)
#   bash wasm/toolchain.sh native          build (once) the native qemu-img of the same version
#   bash wasm/toolchain.sh native-path     print the native qemu-img path (after `native`)
#   bash wasm/toolchain.sh qemu-version    print the pinned QEMU (Debian) version
#   bash wasm/toolchain.sh emscripten-version  print the pinned emscripten (Debian) version
#   bash wasm/toolchain.sh apt-source P=V DIR  download a Debian source package into DIR
#   bash wasm/toolchain.sh umount        undo the bind mounts (build.sh does it when it ends)
#   bash wasm/toolchain.sh run CMD...      run CMD in the chroot, in the current directory,
#                                             with the project bind-mounted at the same path
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "$HERE/.." && pwd)"
V2="${II_V2_DIR:-/var/tmp/ii-v2}"
ROOT="$V2/chroot"
MIRROR='http://deb.debian.org/debian'
SUITE='trixie'
# Pinned packages inside the chroot (exact Debian versions; a different candidate fails loudly).
EMSCRIPTEN_VERSION='3.1.69+dfsg-3'
CHROOT_PACKAGES=(emscripten meson ninja-build pkg-config python3 python3-venv dpkg-dev patch
  xz-utils ca-certificates libc6-dev)
# libc6-dev: QEMU's meson sanity-checks a build-machine C compiler (clang-19, --host-cc) even
# when it builds nothing for that machine.

# The QEMU the v2 engine is built from (sid; see docs/decisions/0004-engine-v2.md), and the
# native reference built from the SAME extracted tree (tools only, the wasm's driver set).
QEMU_SOURCE_SUITE='sid'
QEMU_VERSION='1:10.2.2+ds-1'
QEMU_DSC_SHA256='f1684b3aa5ec500c3389d346c6501dee45041ea91656c6556d4da9023b7987dd'
NATIVE_CONFIGURE=(--without-default-features --enable-tools --target-list= --disable-system
  --disable-user --disable-tcg --disable-docs --disable-install-blobs --disable-werror --enable-bzip2 --enable-vdi --enable-vmdk --enable-vhdx --enable-vpc
  --enable-qcow1 --enable-qed --enable-parallels --enable-bochs --enable-cloop --enable-dmg --enable-zstd)
# Where the reference lives: a new name whenever its configuration gains a feature the parity
# suite uses (zstd qcow2), so a machine or a checkout with the older recipe never rebuilds over it
# (the key inside only guards the flags).
NATIVE_NAME="native-${QEMU_VERSION#*:}-zstd"
# QEMU 10.2 wants meson >= 1.5 (bookworm has 1.0) and its +ds source carries no wheels: the
# native build uses trixie's meson, which is pure Python, unpacked beside the tree.
HOST_MESON_VERSION='1.7.0-1'
HOST_BUILD_DEPS=(gcc ninja-build pkg-config python3-venv libglib2.0-dev zlib1g-dev libbz2-dev libzstd-dev)

log() { printf '== wasm toolchain: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)" >&2; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
NICE=(nice -n 19 ionice -c3)

# --- private apt configuration on the host (deb-src + backports, own lists and cache) --------
APT_DIR="$V2/apt"
apt_private() {
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/etc/sources.list.d" \
    "$APT_DIR/etc/preferences.d" "$APT_DIR/etc/apt.conf.d"
  local want
  want="Types: deb-src
URIs: $MIRROR
Suites: $QEMU_SOURCE_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $MIRROR
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $MIRROR
Suites: $SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"
  if [[ "$(cat "$APT_DIR/etc/sources.list.d/v2.sources" 2>/dev/null)" != "$want" ]]; then
    printf '%s' "$want" > "$APT_DIR/etc/sources.list.d/v2.sources"
    rm -f "$APT_DIR/updated"
  fi
  APT_OPTS=(-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$APT_DIR/etc/sources.list.d"
    -o "Dir::Etc::preferencesparts=$APT_DIR/etc/preferences.d" -o "Dir::State::Lists=$APT_DIR/lists"
    -o "Dir::Cache=$APT_DIR/cache" -o "Dir::State::status=/var/lib/dpkg/status"
    -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
  if [[ ! -f "$APT_DIR/updated" ]]; then
    log "apt update (private lists: $QEMU_SOURCE_SUITE)"
    apt-get "${APT_OPTS[@]}" update -q >/dev/null
    touch "$APT_DIR/updated"
  fi
}

cmd_source() {
  local dir="$V2/src" v="${QEMU_VERSION#*:}"
  local tree="$dir/qemu-$v"
  if [[ ! -f "$tree/.extracted" ]]; then
    apt_private
    mkdir -p "$dir"
    if [[ ! -f "$dir/qemu_$v.dsc" ]]; then
      log "apt-get source qemu=$QEMU_VERSION"
      (cd "$dir" && apt-get "${APT_OPTS[@]}" source -q --download-only "qemu=$QEMU_VERSION" >/dev/null)
    fi
    # apt checked the files against the (signed) Sources index; the pin below makes a silently
    # re-uploaded version fail too.
    echo "$QEMU_DSC_SHA256  $dir/qemu_$v.dsc" | sha256sum -c --quiet >&2
    rm -rf "$tree"
    (cd "$dir" && dpkg-source -q -x "qemu_$v.dsc" "$tree" >/dev/null 2>&1)
    touch "$tree/.extracted"
  fi
  echo "$tree"
}

# Native qemu-img of the same version, built once from the same Debian source tree (tools only;
# about 3 minutes at -j2) and cached: the parity suite compares the wasm against it.
cmd_native() {
  local v="${QEMU_VERSION#*:}"
  local out="$V2/$NATIVE_NAME"
  local key="$v ${NATIVE_CONFIGURE[*]}"
  if [[ "$(cat "$out/.key" 2>/dev/null)" == "$key" ]] && "$out/qemu-img" --version >/dev/null 2>&1 &&
    [[ -x "$out/qemu-io" ]]; then
    echo "$out/qemu-img"; return
  fi
  local need=() p
  for p in "${HOST_BUILD_DEPS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  if ((${#need[@]})); then
    log "apt-get install ${need[*]} (host, to build the native reference)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
      --no-install-recommends "${need[@]}" >/dev/null
  fi
  local tree
  tree="$(cmd_source)"
  local meson="$V2/host-meson-$HOST_MESON_VERSION"
  if [[ ! -x "$meson/usr/bin/meson" ]]; then
    apt_private
    mkdir -p "$V2/debs"
    (cd "$V2/debs" && apt-get "${APT_OPTS[@]}" download -q "meson=$HOST_MESON_VERSION" >/dev/null)
    rm -rf "$meson" && dpkg-deb -x "$V2/debs/meson_${HOST_MESON_VERSION}_all.deb" "$meson"
  fi
  local host_env=(env -i "PATH=$meson/usr/bin:/usr/bin:/bin" HOME=/root "PYTHONPATH=$meson/usr/lib/python3/dist-packages")
  local build="$V2/$NATIVE_NAME-build"
  if [[ "$(cat "$build/.ii-key" 2>/dev/null)" != "$key" ]]; then
    log "native qemu-img $v: configure"
    rm -rf "$build" && mkdir -p "$build"
    (cd "$build" && "${host_env[@]}" "${NICE[@]}" "$tree/configure" \
      --python=/usr/bin/python3 "${NATIVE_CONFIGURE[@]}" >"$V2/native-configure.log" 2>&1) ||
      { tail -30 "$V2/native-configure.log" >&2; exit 1; }
    echo "$key" > "$build/.ii-key"
  fi
  log "native qemu-img $v: build qemu-img qemu-io (-j${JOBS:-2})"
  (cd "$build" && "${host_env[@]}" "${NICE[@]}" ninja -j"${JOBS:-2}" qemu-img qemu-io \
    >"$V2/native-build.log" 2>&1) || { grep -E 'FAILED|error' "$V2/native-build.log" | head -30 >&2; exit 1; }
  rm -rf "$out" && mkdir -p "$out"
  install -m 0755 "$build/qemu-img" "$build/qemu-io" "$out/"
  echo "$key" > "$out/.key"
  "$out/qemu-img" --version | head -1 >&2
  echo "$out/qemu-img"
}

# apt-get source --download-only PKG=VERSION into DIR (the dependencies' sources: bookworm's,
# as the v1 recipe has them).
cmd_apt_source() {
  apt_private
  mkdir -p "$2"
  (cd "$2" && apt-get "${APT_OPTS[@]}" source -q --download-only "$1" >/dev/null)
}

cmd_native_path() { echo "$V2/$NATIVE_NAME/qemu-img"; }

cmd_chroot() {
  if [[ -f "$ROOT/.ii-ready" && "$(cat "$ROOT/.ii-ready")" == "$EMSCRIPTEN_VERSION ${CHROOT_PACKAGES[*]}" ]]; then
    return
  fi
  command -v debootstrap >/dev/null || {
    log "apt-get install debootstrap (host)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
      --no-install-recommends debootstrap >/dev/null
  }
  if [[ ! -f "$ROOT/.ii-debootstrapped" ]]; then
    log "debootstrap --variant=minbase $SUITE $ROOT"
    rm -rf "$ROOT"
    mkdir -p "$ROOT"
    as_root "${NICE[@]}" debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$V2/debootstrap.log" 2>&1 ||
      { tail -20 "$V2/debootstrap.log"; exit 1; }
    touch "$ROOT/.ii-debootstrapped"
  fi
  log "apt-get install emscripten=$EMSCRIPTEN_VERSION ${CHROOT_PACKAGES[*]} (chroot)"
  in_chroot_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
  in_chroot_root env DEBIAN_FRONTEND=noninteractive "${NICE[@]}" apt-get -o DPkg::Lock::Timeout=600 \
    install -y -q --no-install-recommends "${CHROOT_PACKAGES[@]}" "emscripten=$EMSCRIPTEN_VERSION" >/dev/null
  in_chroot_root apt-get clean
  echo "$EMSCRIPTEN_VERSION ${CHROOT_PACKAGES[*]}" > "$ROOT/.ii-ready"
}

# Mounts are made once and kept (a later run finds them); /proc and the project path.
ensure_mounts() {
  mountpoint -q "$ROOT/proc" || as_root mount -t proc proc "$ROOT/proc"
  mkdir -p "$ROOT$PROJECT"
  mountpoint -q "$ROOT$PROJECT" || as_root mount --bind "$PROJECT" "$ROOT$PROJECT"
  # The build trees (outside the repository) are seen at the same path too.
  mkdir -p "$V2/work" "$ROOT$V2/work"
  mountpoint -q "$ROOT$V2/work" || as_root mount --bind "$V2/work" "$ROOT$V2/work"
}
# Undo ensure_mounts (innermost first). Left mounted, a later `rm -rf` of the v2 directory would
# walk into the bind-mounted project and delete it.
cmd_umount() {
  local m
  for m in "$ROOT$V2/work" "$ROOT$PROJECT" "$ROOT/proc"; do
    if mountpoint -q "$m"; then as_root umount "$m"; fi
  done
}
in_chroot_root() {
  mountpoint -q "$ROOT/proc" || as_root mount -t proc proc "$ROOT/proc"
  as_root chroot "$ROOT" env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/root "$@"
}
cmd_run() {
  [[ -f "$ROOT/.ii-ready" ]] || { echo "no chroot: bash $0 chroot" >&2; exit 1; }
  ensure_mounts
  as_root chroot "$ROOT" env -i PATH=/usr/bin:/bin HOME=/root sh -c 'cd "$1" && shift && exec "$@"' \
    sh "$PWD" "$@"
}

case "${1:-}" in
  chroot) cmd_chroot ;;
  source) cmd_source ;;
  native) cmd_native ;;
  native-path) cmd_native_path ;;
  qemu-version) echo "$QEMU_VERSION" ;;
  emscripten-version) echo "$EMSCRIPTEN_VERSION" ;;
  apt-source) cmd_apt_source "$2" "$3" ;;
  mounts) shift; ensure_mounts ;;
  umount) cmd_umount ;;
  run) shift; cmd_run "$@" ;;
  *) sed -n '2,19p' "$0" >&2; exit 2 ;;
esac
