#!/usr/bin/env bash
# Optional Swift for the local cloud (cloud.sh with CLOUD_WITH_SWIFT=1): one replica on a plain
# directory in the state dir, rings built with the RingBuilder Python API (the CLI is slow on 2
# cores), proxy with Keystone auth and CORS. Called by cloud.sh with STATE, SWIFT_PORT,
# KEYSTONE_URL, CORS_ORIGINS and SWIFT_SERVICE_PASSWORD in the environment.
#   swift.sh start | stop
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
: "${STATE:?}" "${SWIFT_PORT:?}"
SW=$STATE/swift
KINDS=(object container account)
port_of() { case "$1" in object) echo $((SWIFT_PORT + 1)) ;; container) echo $((SWIFT_PORT + 2)) ;; account) echo $((SWIFT_PORT + 3)) ;; proxy) echo "$SWIFT_PORT" ;; esac; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
die() { printf '[cloud] error: %s\n' "$*" >&2; exit 1; }

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
  export STATE
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

start() {
  setup
  local k pid bin
  for k in "${KINDS[@]}" proxy; do
    pid=$(cat "$SW/$k.pid" 2>/dev/null || true)
    alive "$pid" && continue
    bin=/usr/bin/swift-$k-server
    setsid "$bin" "$SW/$k-server.conf" </dev/null >>"$STATE/log/swift-$k.log" 2>&1 &
    echo $! >"$SW/$k.pid"
  done
  local i
  for ((i = 0; i < 300; i++)); do
    curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$SWIFT_PORT/healthcheck" && return 0
    alive "$(cat "$SW/proxy.pid")" || { tail -n 20 "$STATE/log/swift-proxy.log" >&2; die "swift proxy exited during start"; }
    sleep 0.2
  done
  die "swift proxy did not answer within 60 s (logs in $STATE/log)"
}

stop() {
  local k pid i
  for k in proxy "${KINDS[@]}"; do
    pid=$(cat "$SW/$k.pid" 2>/dev/null || true)
    alive "$pid" || continue
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.2; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$SW/$k.pid"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: swift.sh start|stop" >&2; exit 2 ;;
esac
