#!/usr/bin/env bash
# Optional Swift for the local cloud (cloud.sh with CLOUD_WITH_SWIFT=1): one replica on a plain
# directory in the state dir, rings built with the RingBuilder Python API (the CLI is slow on 2
# cores), proxy with Keystone auth, SLO, TempURL, s3api + s3token, bulk and CORS, and a memcached
# for the proxy (tokens, EC2 secrets: see docs/local-cloud-object-storage.md) on 127.0.0.1 at
# CLOUD_MEMCACHED_PORT (default SWIFT_PORT + 4). Called by cloud.sh with STATE, SWIFT_PORT,
# KEYSTONE_URL, CORS_ORIGINS and SWIFT_SERVICE_PASSWORD in the environment.
#   swift.sh start | stop | restart-proxy
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
: "${STATE:?}" "${SWIFT_PORT:?}"
SW=$STATE/swift
KINDS=(object container account)
export MEMCACHED_PORT=${CLOUD_MEMCACHED_PORT:-$((SWIFT_PORT + 4))}
port_of() { case "$1" in object) echo $((SWIFT_PORT + 1)) ;; container) echo $((SWIFT_PORT + 2)) ;; account) echo $((SWIFT_PORT + 3)) ;; proxy) echo "$SWIFT_PORT" ;; esac; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
die() { printf '[cloud] error: %s\n' "$*" >&2; exit 1; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

render() {
  "$PY" -c 'import os,string,sys; sys.stdout.write(string.Template(open(sys.argv[1]).read()).substitute(os.environ))' "$1" >"$2"
}

setup() {
  mkdir -p "$SW/node/d1" "$STATE/log"
  # Swift reads its hash path suffix from this fixed path only
  if [ ! -f /etc/swift/swift.conf ]; then
    mkdir -p /etc/swift
    printf '[swift-hash]\nswift_hash_path_prefix = image-inspector\nswift_hash_path_suffix = local-cloud\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n' >/etc/swift/swift.conf
  fi
  export STATE SWIFT_S3CORS=
  if [ "${CLOUD_SWIFT_S3_CORS:-1}" = 1 ]; then SWIFT_S3CORS='s3cors '; fi
  render "$HERE/templates/swift-proxy-server.conf.in" "$SW/proxy-server.conf"
  local k
  for k in "${KINDS[@]}"; do
    SWIFT_KIND=$k SWIFT_KIND_PORT=$(port_of "$k") render "$HERE/templates/swift-server.conf.in" "$SW/$k-server.conf"
  done
  [ -f "$SW/object.ring.gz" ] && return 0
  "$PY" - "$SW" "$(port_of account)" "$(port_of container)" "$(port_of object)" <<'PYEOF'
import sys
from swift.common.ring import RingBuilder
sw, ports = sys.argv[1], dict(zip(('account', 'container', 'object'), map(int, sys.argv[2:5])))
for kind, port in ports.items():
    b = RingBuilder(8, 1, 1)
    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 100, 'meta': ''})
    b.rebalance()
    b.get_ring().save(f'{sw}/{kind}.ring.gz')
PYEOF
}

# One memcached per cloud, its PID in the state dir: the proxy's `cache` filter (s3token's EC2
# secret cache) and authtoken's memcached_servers point at it. -U 0: no UDP.
start_memcached() {
  local pid i
  pid=$(cat "$SW/memcached.pid" 2>/dev/null || true)
  alive "$pid" && return 0
  listening "$MEMCACHED_PORT" && die "port $MEMCACHED_PORT already answers (another cloud's memcached?): stop it or set CLOUD_MEMCACHED_PORT"
  setsid /usr/bin/memcached -l 127.0.0.1 -p "$MEMCACHED_PORT" -U 0 -m 64 -u "$(id -un)" \
    </dev/null >>"$STATE/log/memcached.log" 2>&1 &
  echo $! >"$SW/memcached.pid"
  for ((i = 0; i < 100; i++)); do
    listening "$MEMCACHED_PORT" && return 0
    alive "$!" || { tail -n 20 "$STATE/log/memcached.log" >&2; die "memcached exited during start"; }
    sleep 0.05
  done
  die "memcached did not listen on 127.0.0.1:$MEMCACHED_PORT within 5 s"
}

start() {
  setup
  start_memcached
  local k pid
  for k in "${KINDS[@]}" proxy; do
    pid=$(cat "$SW/$k.pid" 2>/dev/null || true)
    alive "$pid" && continue
    # -v: log to the console (our log file) too; there is no syslog on /dev/log here
    # PYTHONPATH: the proxy's s3cors filter is scripts/cloud/swift_s3_cors.py
    PYTHONPATH=$HERE setsid "/usr/bin/swift-$k-server" "$SW/$k-server.conf" -v </dev/null >>"$STATE/log/swift-$k.log" 2>&1 &
    echo $! >"$SW/$k.pid"
  done
  wait_proxy
}

wait_proxy() {
  local i
  for ((i = 0; i < 300; i++)); do
    curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$SWIFT_PORT/healthcheck" && return 0
    alive "$(cat "$SW/proxy.pid")" || { tail -n 20 "$STATE/log/swift-proxy.log" >&2; die "swift proxy exited during start"; }
    sleep 0.2
  done
  die "swift proxy did not answer within 60 s (logs in $STATE/log)"
}

stop_one() { # kind
  local pid i
  pid=$(cat "$SW/$1.pid" 2>/dev/null || true)
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.2; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$SW/$1.pid"
}

stop() {
  local k
  # all at once: each takes a second or two to exit on TERM
  for k in proxy "${KINDS[@]}" memcached; do stop_one "$k" & done
  wait
}

# The proxy alone (a test restarts it mid-upload): open connections are cut, the storage servers
# and what they hold stay.
restart_proxy() {
  stop_one proxy
  start
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart-proxy) restart_proxy ;;
  *) echo "usage: swift.sh start|stop|restart-proxy" >&2; exit 2 ;;
esac
