#!/usr/bin/env bash
# Installs Debian's Keystone and Glance (and the clients used to verify them) unattended and
# idempotently: seconds when everything is present. Called by scripts/setup/system-deps.sh and by
# cloud.sh start. Options: --with-swift also installs Swift and memcached (not needed by the image
# life cycle).
set -euo pipefail
pkgs=(keystone glance glance-api python3-keystonemiddleware python3-glanceclient
  python3-keystoneclient python3-openstackclient uwsgi-core uwsgi-plugin-python3 curl sqlite3)
for a in "$@"; do
  case "$a" in
    # memcached: the proxy's token and EC2-secret cache (python3-memcache: keystonemiddleware's client)
    --with-swift) pkgs+=(swift swift-proxy swift-account swift-container swift-object python3-swiftclient memcached python3-memcache) ;;
    *) echo "install.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "installing OpenStack packages: ${missing[*]}"
[ "$(id -u)" = 0 ] || { echo "install.sh: needs root (apt-get) to install ${missing[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
# The packages ship init scripts that would start daemons with the default /etc config: forbid
# that while installing (we start our own instances), and remove our guard afterwards.
guard=/usr/sbin/policy-rc.d
own_guard=0
if [ ! -e "$guard" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod 755 "$guard" && own_guard=1
fi
trap '[ "$own_guard" = 1 ] && rm -f "$guard"' EXIT
# dbconfig-common and the endpoint-registration questions: answer "no" so the install needs no DB
# server and no running Keystone.
debconf-set-selections <<'SEL'
keystone keystone/dbconfig-install boolean false
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
keystone keystone/init-db boolean false
glance-common glance/dbconfig-install boolean false
glance-common glance/configure_db boolean false
glance-api glance/register-endpoint boolean false
glance-common glance/rabbitmq-servers string
glance-api glance-api/register-endpoint boolean false
glance-common glance-common/dbconfig-install boolean false
SEL
apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
if ! apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}"; then
  apt-get "${apt_opts[@]}" update -q
  apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}"
fi
