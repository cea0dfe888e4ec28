#!/usr/bin/env bash
# Local Keystone + Glance on 127.0.0.1 for development and the integration/e2e tests.
#   cloud.sh start            install if missing, start (seconds once the snapshot is cached)
#   cloud.sh stop             stop by PID, delete the temp state (CLOUD_KEEP_STATE=1 keeps it)
#   cloud.sh status           report; exit 0 when both answer, 3 otherwise
#   cloud.sh restart [keystone|glance|swift]
#                             (swift: its proxy only, as a mid-upload restart test needs)
#                             re-render the config with the settings of `start`, overridden by
#                             any of the variables below that are set now (not saved: a plain
#                             restart goes back to the start settings), and restart
# Settings (env): CLOUD_KEYSTONE_PORT (5500), CLOUD_GLANCE_PORT (5510), KEYSTONE_TOKEN_EXPIRATION
# (seconds, 3600), GLANCE_IMAGE_SIZE_CAP (bytes, 1 GiB), GLANCE_USER_STORAGE_QUOTA (e.g. 0 =
# unlimited, 10MB, 2GB), IMAGE_INSPECTOR_CORS_ORIGINS (extra origins, comma-separated),
# IMAGE_INSPECTOR_CLOUD_CACHE (snapshot cache dir), CLOUD_WITH_SWIFT=1 (adds Swift with SLO, TempURL,
# S3 (s3api + s3token), bulk and CORS; object-store and s3 in the catalog; EC2 credentials for demo
# and alt; proxy on CLOUD_SWIFT_PORT, 5530, storage servers on the next three ports; see
# docs/local-cloud-object-storage.md; CLOUD_SWIFT_S3_CORS=0 leaves out the filter that adds CORS headers to the
# answers s3api composes itself, as stock Swift behaves).
# Writes .cloud/cloud.json, .cloud/clouds.yaml, .cloud/openrc, .cloud/settings.env, .cloud/state-dir.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/scripts/cloud
DOT=$ROOT/.cloud
PY=/usr/bin/python3 # `python3` may be a pyenv shim without the OpenStack libraries
CACHE=${IMAGE_INSPECTOR_CLOUD_CACHE:-/var/tmp/image-inspector-cloud-cache}
BOOTSTRAP_VERSION=3
SETTINGS=(CLOUD_KEYSTONE_PORT CLOUD_GLANCE_PORT KEYSTONE_TOKEN_EXPIRATION GLANCE_IMAGE_SIZE_CAP
  GLANCE_USER_STORAGE_QUOTA IMAGE_INSPECTOR_CORS_ORIGINS CLOUD_WITH_SWIFT CLOUD_SWIFT_PORT CLOUD_SWIFT_S3_CORS
  CLOUD_MEMCACHED_PORT)
# Fixed, documented passwords: this cloud listens on loopback only and lives in a temp dir.
export ADMIN_PASSWORD=admin-secret DEMO_PASSWORD=demo-secret ALT_PASSWORD=alt-secret
export GLANCE_SERVICE_PASSWORD=glance-service-secret DEMO_APPCRED_SECRET=demo-appcred-secret
export SWIFT_SERVICE_PASSWORD=swift-service-secret

log() { printf '[cloud] %s\n' "$*" >&2; }
die() { printf '[cloud] error: %s\n' "$*" >&2; exit 1; }

# The settings given in the environment of this run, taken once before any defaults are applied:
# a later `load_settings saved` must not mistake the first call's defaults for overrides (a plain
# `start` of a running Swift cloud would drop Swift from cloud.json).
declare -A GIVEN=()
for v in "${SETTINGS[@]}"; do [ -n "${!v+x}" ] && GIVEN[$v]=${!v}; done
unset v

load_settings() { # $1 = use the saved settings of the last start as the base
  local v
  if [ "${1:-}" = saved ] && [ -f "$DOT/settings.env" ]; then
    # shellcheck disable=SC1091
    . "$DOT/settings.env"
  fi
  for v in "${!GIVEN[@]}"; do printf -v "$v" '%s' "${GIVEN[$v]}"; done
  CLOUD_KEYSTONE_PORT=${CLOUD_KEYSTONE_PORT:-5500}
  CLOUD_GLANCE_PORT=${CLOUD_GLANCE_PORT:-5510}
  KEYSTONE_TOKEN_EXPIRATION=${KEYSTONE_TOKEN_EXPIRATION:-3600}
  GLANCE_IMAGE_SIZE_CAP=${GLANCE_IMAGE_SIZE_CAP:-1073741824}
  GLANCE_USER_STORAGE_QUOTA=${GLANCE_USER_STORAGE_QUOTA:-0}
  IMAGE_INSPECTOR_CORS_ORIGINS=${IMAGE_INSPECTOR_CORS_ORIGINS:-}
  CLOUD_WITH_SWIFT=${CLOUD_WITH_SWIFT:-0}
  CLOUD_SWIFT_PORT=${CLOUD_SWIFT_PORT:-5530}
  CLOUD_SWIFT_S3_CORS=${CLOUD_SWIFT_S3_CORS:-1}
  CLOUD_MEMCACHED_PORT=${CLOUD_MEMCACHED_PORT:-$((CLOUD_SWIFT_PORT + 4))}
  export SWIFT_PORT=$CLOUD_SWIFT_PORT SWIFT_URL=
  if [ "$CLOUD_WITH_SWIFT" = 1 ]; then SWIFT_URL=http://127.0.0.1:$CLOUD_SWIFT_PORT; fi
  export "${SETTINGS[@]}"
  export KEYSTONE_URL=http://127.0.0.1:$CLOUD_KEYSTONE_PORT GLANCE_URL=http://127.0.0.1:$CLOUD_GLANCE_PORT
  export GLANCE_PORT=$CLOUD_GLANCE_PORT KEYSTONE_TOKEN_EXPIRATION GLANCE_IMAGE_SIZE_CAP GLANCE_USER_STORAGE_QUOTA
  # The app's dev (5173) and preview (4173) servers and the e2e servers (5600-5699), the
  # integration test pages (127.0.0.1:5590-5599 only: localhost:559x stays refused, for the CORS
  # test), plus extras.
  local origins=() h p
  for h in 127.0.0.1 localhost; do
    for p in 5173 4173 $(seq 5600 5699); do origins+=("http://$h:$p"); done
  done
  for p in $(seq 5590 5599); do origins+=("http://127.0.0.1:$p"); done
  IFS=',' read -r -a extra <<<"$IMAGE_INSPECTOR_CORS_ORIGINS"
  for v in "${extra[@]}"; do v=${v// /}; [ -n "$v" ] && origins+=("$v"); done
  CORS_ORIGINS=$(IFS=,; echo "${origins[*]}")
  export CORS_ORIGINS
}

save_settings() {
  mkdir -p "$DOT"
  local v
  for v in "${SETTINGS[@]}"; do printf '%s=%q\n' "$v" "${!v}"; done >"$DOT/settings.env"
}

render() { # template output (${VAR} from the environment; a missing one is an error)
  STATE=$STATE "$PY" -c 'import os,string,sys; sys.stdout.write(string.Template(open(sys.argv[1]).read()).substitute(os.environ))' "$1" >"$2"
}

render_configs() {
  export STATE
  mkdir -p "$STATE"/{log,images,staging,tasks,lock,keystone-home/.keystone}
  render "$HERE/templates/keystone.conf.in" "$STATE/keystone.conf"
  cp "$STATE/keystone.conf" "$STATE/keystone-home/.keystone/keystone.conf"
  render "$HERE/templates/glance-api.conf.in" "$STATE/glance-api.conf"
  # oslo's CORS middleware re-reads /etc/glance/glance-api.conf unless told which file is ours
  "$PY" - "$STATE" <<'PYEOF'
import configparser, sys
state = sys.argv[1]
cp = configparser.RawConfigParser(strict=False)
cp.optionxform = str
cp.read('/etc/glance/glance-api-paste.ini')
cp.set('filter:cors', 'oslo_config_file', f'{state}/glance-api.conf')
with open(f'{state}/glance-api-paste.ini', 'w') as f:
    cp.write(f)
PYEOF
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_of() { cat "$STATE/$1.pid" 2>/dev/null || true; }
answers() { curl -fs -o /dev/null --max-time 2 "$1"; }

wait_for() { # name url pid seconds
  local i
  for ((i = 0; i < $4 * 5; i++)); do
    answers "$2" && return 0
    alive "$3" || { tail -n 30 "$STATE/log/$1"*.log >&2 || true; die "$1 exited during start (logs in $STATE/log)"; }
    sleep 0.2
  done
  die "$1 did not answer at $2 within $4 s (logs in $STATE/log)"
}

start_keystone() {
  local pid
  pid=$(pid_of keystone)
  if alive "$pid" && answers "$KEYSTONE_URL/v3"; then return 0; fi
  if alive "$pid"; then kill "$pid"; sleep 1; fi
  # Something else answering there (another checkout's cloud) would pass the readiness check below
  # and, during a bootstrap, be provisioned instead of ours, leaving a snapshot without a catalog.
  answers "$KEYSTONE_URL/v3" && die "port $CLOUD_KEYSTONE_PORT already answers (another cloud?): stop it or set CLOUD_KEYSTONE_PORT"
  # uwsgi's HTTP router holds the clients' keep-alive connections and hands each request to a
  # worker: an idle keep-alive connection never pins a worker (with --http11-socket it does, and
  # Node's and uwsgi's 4 s idle timeouts race, resetting reused POSTs). One thread per worker:
  # SQLite.
  HOME=$STATE/keystone-home setsid /usr/bin/uwsgi-core \
    --plugin /usr/lib/uwsgi/plugins/python3_plugin.so --plugin /usr/lib/uwsgi/plugins/http_plugin.so \
    --http "127.0.0.1:$CLOUD_KEYSTONE_PORT" --http-keepalive --http-auto-chunked --http-timeout 120 \
    --wsgi-file /usr/bin/keystone-wsgi-public \
    --master --processes 2 --threads 1 --die-on-term --need-app --lazy-apps --buffer-size 65535 \
    --chdir "$STATE" --pidfile "$STATE/keystone.pid" --logto "$STATE/log/keystone-uwsgi.log" \
    </dev/null >/dev/null 2>&1 &
  echo $! >"$STATE/keystone.pid"
  wait_for keystone "$KEYSTONE_URL/v3" "$!" 90
}

start_glance() {
  local pid
  pid=$(pid_of glance)
  if alive "$pid" && answers "$GLANCE_URL/versions"; then return 0; fi
  if alive "$pid"; then kill "$pid"; sleep 1; fi
  answers "$GLANCE_URL/versions" && die "port $CLOUD_GLANCE_PORT already answers (another cloud?): stop it or set CLOUD_GLANCE_PORT"
  setsid /usr/bin/glance-api --config-file "$STATE/glance-api.conf" \
    </dev/null >>"$STATE/log/glance-api-stdout.log" 2>&1 &
  echo $! >"$STATE/glance.pid"
  wait_for glance "$GLANCE_URL/versions" "$!" 90
}

stop_pid() { # name
  local pid i
  pid=$(pid_of "$1")
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.2; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$STATE/$1.pid"
}

set_wal() {
  "$PY" -c 'import sqlite3,sys
for p in sys.argv[1:]:
    c = sqlite3.connect(p); c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$@"
}

cache_key() {
  {
    # what shapes the snapshot: bump BOOTSTRAP_VERSION when bootstrap() changes
    echo "$BOOTSTRAP_VERSION"
    # Swift's templates shape no snapshotted state (its rings and data are made at each start)
    cat "$HERE/provision.py" "$HERE/templates/keystone.conf.in" "$HERE/templates/glance-api.conf.in"
    echo "$CLOUD_KEYSTONE_PORT $CLOUD_GLANCE_PORT"
    if [ "$CLOUD_WITH_SWIFT" = 1 ]; then echo "swift $CLOUD_SWIFT_PORT"; fi
    dpkg-query -W -f='${Version}\n' keystone glance-api 2>/dev/null || true
  } | sha256sum | cut -c1-16
}

bootstrap() { # a fresh state dir: databases, keys, users, catalog, metadefs; then snapshot
  local km=(/usr/bin/keystone-manage --config-file "$STATE/keystone.conf")
  log "bootstrapping a new cloud in $STATE (about half a minute; later starts reuse a snapshot)"
  # glance's schema and the metadefs catalog do not need Keystone: build them meanwhile
  (/usr/bin/glance-manage --config-file "$STATE/glance-api.conf" db_sync &&
    /usr/bin/glance-manage --config-file "$STATE/glance-api.conf" db_load_metadefs) \
    >"$STATE/log/glance-manage.log" 2>&1 &
  local gm=$!
  mkdir -p "$STATE/fernet-keys" "$STATE/credential-keys"
  "${km[@]}" db_sync >"$STATE/log/keystone-manage.log" 2>&1
  "${km[@]}" fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >>"$STATE/log/keystone-manage.log" 2>&1
  "${km[@]}" credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >>"$STATE/log/keystone-manage.log" 2>&1
  "${km[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-username admin \
    --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-admin-url "$KEYSTONE_URL/v3" --bootstrap-internal-url "$KEYSTONE_URL/v3" \
    --bootstrap-public-url "$KEYSTONE_URL/v3" --bootstrap-region-id RegionOne >>"$STATE/log/keystone-manage.log" 2>&1
  set_wal "$STATE/keystone.sqlite" # "database is locked" under concurrent requests otherwise
  start_keystone
  "$PY" "$HERE/provision.py" "$KEYSTONE_URL" "$GLANCE_URL" >"$STATE/provision.json"
  wait "$gm" || { tail -n 30 "$STATE/log/glance-manage.log" >&2; die "glance-manage failed"; }
  set_wal "$STATE/keystone.sqlite" "$STATE/glance.sqlite"
  mkdir -p "$CACHE"
  local snap copy
  snap="$CACHE/$(cache_key).tar.gz"
  # The running Keystone keeps the last writes (EC2 credentials) in its WAL while it has readers:
  # a plain copy of keystone.sqlite can lack them. SQLite's backup API copies a consistent state.
  copy=$(mktemp -d "$STATE/snapshot.XXXXXX")
  "$PY" -c 'import sqlite3,sys
for src, dst in zip(sys.argv[1::2], sys.argv[2::2]):
    s = sqlite3.connect(src); d = sqlite3.connect(dst); s.backup(d); s.close()
    d.execute("PRAGMA journal_mode=WAL"); d.close()' \
    "$STATE/keystone.sqlite" "$copy/keystone.sqlite" "$STATE/glance.sqlite" "$copy/glance.sqlite"
  cp -r "$STATE/fernet-keys" "$STATE/credential-keys" "$STATE/provision.json" "$copy/"
  tar -C "$copy" -czf "$snap.tmp" keystone.sqlite glance.sqlite fernet-keys credential-keys provision.json
  rm -rf "$copy"
  mv "$snap.tmp" "$snap"
  log "snapshot cached: $snap"
}

write_outputs() {
  mkdir -p "$DOT"
  echo "$STATE" >"$DOT/state-dir"
  STATE=$STATE DOT=$DOT KEYSTONE_PID=$(pid_of keystone) GLANCE_PID=$(pid_of glance) "$PY" - <<'PYEOF'
import json, os
e = os.environ
state, dot = e['STATE'], e['DOT']
prov = json.load(open(f'{state}/provision.json'))
methods = ['glance-direct', 'web-download']
cloud = {
    'version': 1,
    'stateDir': state,
    'region': 'RegionOne',
    'interface': 'public',
    'keystone': {'url': e['KEYSTONE_URL'], 'authUrl': e['KEYSTONE_URL'] + '/v3',
                 'port': int(e['CLOUD_KEYSTONE_PORT']), 'pid': int(e['KEYSTONE_PID']),
                 'log': f'{state}/log/keystone.log',
                 'tokenExpirationSeconds': int(e['KEYSTONE_TOKEN_EXPIRATION'])},
    'glance': {'url': e['GLANCE_URL'], 'port': int(e['CLOUD_GLANCE_PORT']), 'pid': int(e['GLANCE_PID']),
               'log': f'{state}/log/glance-api.log', 'imagesDir': f'{state}/images',
               'imageSizeCap': int(e['GLANCE_IMAGE_SIZE_CAP']),
               'userStorageQuota': e['GLANCE_USER_STORAGE_QUOTA'], 'importMethods': methods,
               'webDownloadAllowedHosts': ['127.0.0.1', 'localhost']},
    'corsOrigins': e['CORS_ORIGINS'].split(','),
    'users': prov['users'],
    'applicationCredential': prov['applicationCredential'],
}
if e.get('SWIFT_URL'):
    def pid(k):
        try:
            return int(open(f'{state}/swift/{k}.pid').read())
        except (OSError, ValueError):
            return None
    url = e['SWIFT_URL']
    cloud['swift'] = {'url': url, 'port': int(e['SWIFT_PORT']), 'infoUrl': url + '/info',
                      'accountUrlTemplate': url + '/v1/AUTH_{projectId}',
                      'storageUrls': {n: f"{url}/v1/AUTH_{prov['users'][n]['projectId']}"
                                      for n in ('demo', 'alt')},
                      's3': {'endpoint': url, 'region': 'RegionOne', 'addressing': 'path',
                             'credentials': prov['ec2']},
                      'tempUrlMethods': ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
                      'pids': {k: pid(k) for k in ('proxy', 'object', 'container', 'account', 'memcached')},
                      'memcachedPort': int(e['CLOUD_MEMCACHED_PORT']),
                      'log': f'{state}/log/swift-proxy.log'}
with open(f'{dot}/cloud.json.tmp', 'w') as f:
    json.dump(cloud, f, indent=2)
os.replace(f'{dot}/cloud.json.tmp', f'{dot}/cloud.json')

def cloud_entry(u):
    return (f"  {u['username']}:\n    auth:\n      auth_url: {cloud['keystone']['authUrl']}\n"
            f"      username: {u['username']}\n      password: {u['password']}\n"
            f"      user_domain_name: Default\n      project_name: {u['projectName']}\n"
            f"      project_domain_name: Default\n    region_name: RegionOne\n"
            f"    interface: public\n    identity_api_version: 3\n")
ac = prov['applicationCredential']
with open(f'{dot}/clouds.yaml', 'w') as f:
    f.write('# Local image-inspector cloud (scripts/cloud/cloud.sh). Loopback only, throwaway passwords.\nclouds:\n')
    for name in ('demo', 'alt', 'admin'):
        f.write(cloud_entry(prov['users'][name]))
    f.write(f"  demo-appcred:\n    auth_type: v3applicationcredential\n    auth:\n"
            f"      auth_url: {cloud['keystone']['authUrl']}\n"
            f"      application_credential_id: {ac['id']}\n      application_credential_secret: {ac['secret']}\n"
            f"    region_name: RegionOne\n    interface: public\n    identity_api_version: 3\n")
d = prov['users']['demo']
with open(f'{dot}/openrc', 'w') as f:
    f.write(f"# source .cloud/openrc  (demo user of the local cloud)\nexport OS_AUTH_URL={cloud['keystone']['authUrl']}\n"
            f"export OS_IDENTITY_API_VERSION=3\nexport OS_USERNAME={d['username']}\nexport OS_PASSWORD={d['password']}\n"
            f"export OS_USER_DOMAIN_NAME=Default\nexport OS_PROJECT_NAME={d['projectName']}\n"
            f"export OS_PROJECT_DOMAIN_NAME=Default\nexport OS_REGION_NAME=RegionOne\nexport OS_INTERFACE=public\n")
PYEOF
}

current_state() { STATE=$(cat "$DOT/state-dir" 2>/dev/null || true); }

# Swift needs nothing from Keystone to start (its auth filters reach Keystone per request): it
# starts meanwhile, saving its ~8 s on a loaded 2-core machine. Sets sj (cmd_start's local).
start_swift_bg() {
  if [ "$CLOUD_WITH_SWIFT" = 1 ]; then
    STATE=$STATE bash "$HERE/swift.sh" start &
    sj=$!
  fi
}

cmd_start() {
  local t0=$SECONDS
  load_settings
  if [ -x "$HERE/install.sh" ]; then
    if [ "$CLOUD_WITH_SWIFT" = 1 ]; then bash "$HERE/install.sh" --with-swift; else bash "$HERE/install.sh"; fi
  fi
  [ -x /usr/bin/keystone-wsgi-public ] && [ -x /usr/bin/glance-api ] || die "Keystone/Glance are not installed (run scripts/cloud/install.sh as root)"
  current_state
  local sj=
  if [ -n "$STATE" ] && [ -f "$STATE/provision.json" ]; then
    local had_swift
    had_swift=$(sed -n 's/^CLOUD_WITH_SWIFT=//p' "$DOT/settings.env" 2>/dev/null || true)
    load_settings saved # already started: keep its settings unless overridden now
    # Swift's users, endpoints and EC2 credentials are made at bootstrap: no switching in place
    [ "$CLOUD_WITH_SWIFT" = "${had_swift:-0}" ] ||
      die "this cloud runs with CLOUD_WITH_SWIFT=${had_swift:-0}: stop it (cloud.sh stop), then start it with CLOUD_WITH_SWIFT=$CLOUD_WITH_SWIFT"
    render_configs
    start_swift_bg
  else
    STATE=$(mktemp -d /tmp/image-inspector-cloud.XXXXXX)
    mkdir -p "$DOT" && echo "$STATE" >"$DOT/state-dir"
    render_configs
    start_swift_bg
    local snap
    snap="$CACHE/$(cache_key).tar.gz"
    if [ -f "$snap" ]; then
      tar -C "$STATE" -xzf "$snap"
      log "state restored from snapshot $snap"
    else
      bootstrap
    fi
  fi
  save_settings
  start_keystone &
  local kj=$!
  start_glance
  wait "$kj"
  if [ -n "$sj" ]; then wait "$sj" || die "Swift did not start (logs in $STATE/log)"; fi
  write_outputs
  log "Keystone $KEYSTONE_URL/v3 and Glance $GLANCE_URL${SWIFT_URL:+ and Swift $SWIFT_URL} up in $((SECONDS - t0)) s; see .cloud/cloud.json"
}

cmd_stop() {
  current_state
  [ -n "$STATE" ] || { log "not running"; return 0; }
  if [ -d "$STATE/swift" ]; then load_settings saved; STATE=$STATE bash "$HERE/swift.sh" stop; fi
  stop_pid glance
  stop_pid keystone
  rm -f "$DOT/cloud.json" "$DOT/state-dir"
  if [ "${CLOUD_KEEP_STATE:-0}" != 1 ] && [[ "$STATE" == /tmp/image-inspector-cloud.* ]]; then rm -rf "$STATE"; fi
  log "stopped"
}

cmd_status() {
  current_state
  load_settings saved
  local ok=0 kp gp
  kp=$( [ -n "$STATE" ] && pid_of keystone || true)
  gp=$( [ -n "$STATE" ] && pid_of glance || true)
  if alive "$kp" && answers "$KEYSTONE_URL/v3"; then echo "keystone: running (pid $kp) $KEYSTONE_URL/v3"; else echo "keystone: stopped"; ok=3; fi
  if alive "$gp" && answers "$GLANCE_URL/versions"; then echo "glance:   running (pid $gp) $GLANCE_URL"; else echo "glance:   stopped"; ok=3; fi
  if [ "$CLOUD_WITH_SWIFT" = 1 ]; then
    local sp
    sp=$( [ -n "$STATE" ] && cat "$STATE/swift/proxy.pid" 2>/dev/null || true)
    if alive "$sp" && answers "http://127.0.0.1:$CLOUD_SWIFT_PORT/healthcheck"; then echo "swift:    running (proxy pid $sp) http://127.0.0.1:$CLOUD_SWIFT_PORT"; else echo "swift:    stopped"; ok=3; fi
  fi
  [ -n "$STATE" ] && echo "state:    $STATE"
  return $ok
}

cmd_restart() {
  current_state
  [ -n "$STATE" ] && [ -f "$STATE/provision.json" ] || { cmd_start; return; }
  load_settings saved # overrides given now apply to this run only; `start` settings stay saved
  render_configs
  case "${1:-all}" in
    keystone) stop_pid keystone; start_keystone ;;
    glance) stop_pid glance; start_glance ;;
    swift)
      [ "$CLOUD_WITH_SWIFT" = 1 ] || die "this cloud was started without Swift (CLOUD_WITH_SWIFT=1 cloud.sh start)"
      STATE=$STATE bash "$HERE/swift.sh" restart-proxy ;;
    all)
      stop_pid glance; stop_pid keystone; start_keystone; start_glance
      if [ "$CLOUD_WITH_SWIFT" = 1 ]; then STATE=$STATE bash "$HERE/swift.sh" stop; STATE=$STATE bash "$HERE/swift.sh" start; fi ;;
    *) die "restart what? keystone, glance, swift (its proxy) or nothing for all" ;;
  esac
  write_outputs
  log "restarted ${1:-all}"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) shift; cmd_restart "$@" ;;
  *) echo "usage: cloud.sh start|stop|status|restart [keystone|glance|swift]" >&2; exit 2 ;;
esac
