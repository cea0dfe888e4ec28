#!/usr/bin/env bash
# Installs the Debian packages the test suites need, idempotently (seconds when all are present).
# Usage: system-deps.sh [suite...]   (suites: unit parity integration e2e; default: all)
set -euo pipefail
suites="${*:-unit parity integration e2e}"
pkgs=(qemu-utils)
# parity: crafted disks for the inspection tests (partition tables, FAT ESP, ISO, compressors);
# unit needs nothing beyond Node.
case " $suites " in *" parity "*) pkgs+=(fdisk dosfstools mtools genisoimage xz-utils bzip2 zstd) ;; esac
# parity: guest disks for test/parity/guest (mkfs.xfs protofiles, pvck checks the LVM2 writer, a LUKS volume).
case " $suites " in *" parity "*) pkgs+=(xfsprogs lvm2 cryptsetup-bin) ;; esac
case " $suites " in *" e2e "*) pkgs+=(chromium fonts-noto-cjk genisoimage) ;; esac
# test/integration/browser-clients.test.ts drives the OpenStack clients and workers in Chromium
case " $suites " in *" integration "*) pkgs+=(chromium) ;; esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi
# OpenStack services (Swift included: scripts/test.mjs starts the cloud with it) for the
# integration and e2e suites.
case " $suites " in *" integration "*|*" e2e "*)
  [ -x scripts/cloud/install.sh ] && bash scripts/cloud/install.sh --with-swift ;;
esac
exit 0
