#!/usr/bin/env bash
# Runs MomentLoop on this machine without Docker: a throwaway PostgreSQL from Debian's binaries,
# with --azure an in-memory Azurite instead of local files, the migrations, a development token,
# the backend (uvicorn) and, when frontend/dist holds a build, the frontend through nginx.
# Ctrl-C (or SIGTERM) stops every process and deletes the run's data folder.
#
# Usage: bash scripts/dev.sh [--azure] [--env-file FILE]
#
# Reads .env at the repository root (or --env-file FILE): NAME=value lines, '#' comments; the
# environment wins over the file. Variables of this script (the rest go to the backend as they are):
#   BACKEND_PORT   the backend's port on 127.0.0.1 (default 8000)
#   FRONTEND_PORT  nginx's port on 127.0.0.1 (default 8080)
#   FRONTEND_DIST  the built frontend (default frontend/dist)
#   DEV_USER       the user id of the printed token (default "developer")
#   JWT_SECRET     kept when set; otherwise a new one for this run
# DATABASE_URL, STORAGE_BACKEND, STORAGE_LOCAL_ROOT and AZURE_STORAGE_CONNECTION_STRING are set here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="dev.sh"

fail() {
  echo "$NAME: $*" >&2
  exit 2
}

usage() {
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

AZURE=0
ENV_FILE="$ROOT/.env"
ENV_FILE_GIVEN=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --azure) AZURE=1 ;;
    --env-file) [ "$#" -ge 2 ] || fail "--env-file needs a file name"; ENV_FILE="$2"; ENV_FILE_GIVEN=1; shift ;;
    --env-file=*) ENV_FILE="${1#--env-file=}"; ENV_FILE_GIVEN=1 ;;
    -h | --help) usage; exit 0 ;;
    *) fail "unknown argument '$1': expected --azure, --env-file FILE or --help" ;;
  esac
  shift
done

# .env: NAME=value (optionally quoted, optionally after 'export'); nothing is expanded or executed.
load_env_file() {
  local file="$1" line key value number=0
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    line="${line%$'\r'}"
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    if [[ ! "$line" =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
      fail "$file:$number: expected NAME=value, got '$line'"
    fi
    key="${BASH_REMATCH[2]}"
    value="${BASH_REMATCH[3]}"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then
      value="${BASH_REMATCH[1]}"
    fi
    [ -n "${!key+set}" ] || export "$key=$value"
  done <"$file"
}

if [ -f "$ENV_FILE" ]; then
  load_env_file "$ENV_FILE"
  echo "$NAME: read $ENV_FILE"
elif [ "$ENV_FILE_GIVEN" -eq 1 ]; then
  fail "--env-file $ENV_FILE: no such file"
fi
BACKEND_PORT="${BACKEND_PORT:-8000}"
FRONTEND_PORT="${FRONTEND_PORT:-8080}"
FRONTEND_DIST="${FRONTEND_DIST:-$ROOT/frontend/dist}"
DEV_USER="${DEV_USER:-developer}"

# -- tools ------------------------------------------------------------------------------------------
PG_BIN="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  fail "PostgreSQL's initdb is not in /usr/lib/postgresql/*/bin: install Debian's postgresql package"
fi
if [ -x "$ROOT/.venv/bin/uvicorn" ]; then
  BIN="$ROOT/.venv/bin"
elif command -v uvicorn >/dev/null 2>&1; then
  BIN="$(dirname "$(command -v uvicorn)")"
else
  fail "uvicorn is not installed: run python3 -m venv .venv && .venv/bin/pip install -e '.[app]'"
fi
for command in python momentloop-migrate momentloop-token; do
  [ -x "$BIN/$command" ] || fail "$BIN/$command is missing: run $BIN/pip install -e '.[app]'"
done
PY="$BIN/python"
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root.
  id postgres >/dev/null 2>&1 || fail "running as root needs the OS user 'postgres' (Debian's postgresql package creates it)"
  AS_PG=(runuser -u postgres --)
fi
if [ "$AZURE" -eq 1 ]; then
  AZURITE="$ROOT/node_modules/.bin/azurite-blob"
  [ -x "$AZURITE" ] || fail "$AZURITE is missing: run npm ci at the repository root"
  command -v node >/dev/null 2>&1 || fail "node is not on PATH: Azurite needs it"
fi

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_is_free() {
  "$PY" -c 'import socket, sys; s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

# Waits until URL answers 200 while PID lives: wait_http URL PID SECONDS.
wait_http() {
  "$PY" - "$@" <<'PYTHON'
import sys, time, urllib.request
from pathlib import Path

url, pid, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
        sys.exit(f"exited before answering {url}")
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(f"{url} did not answer 200 within {seconds:.0f} s")
PYTHON
}

for name in BACKEND_PORT FRONTEND_PORT; do
  if [[ ! "${!name}" =~ ^[0-9]+$ ]] || [ "${!name}" -lt 1 ] || [ "${!name}" -gt 65535 ]; then
    fail "$name=${!name} is not a port number (1-65535)"
  fi
done
port_is_free "$BACKEND_PORT" || fail "port $BACKEND_PORT is in use: set BACKEND_PORT to a free one"

# -- the run's data folder and its clean-up ------------------------------------------------------------
RUN="$(mktemp -d "${TMPDIR:-/tmp}/momentloop-dev.XXXXXX")"
chmod 755 "$RUN"
PIDS=()
# Whether PID still runs (a zombie, exited but not yet reaped, does not): running PID.
# shellcheck disable=SC2317  # called from the trap
running() {
  kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}
# Asks every process to stop at once, newest first, then waits for them together: those still
# running after 15 seconds are killed. One shared grace period, not one per process, so a slow
# machine stops in seconds whatever the number of services.
# shellcheck disable=SC2317  # called from the trap
stop_all() {
  local index pid waited=0 left
  for ((index = ${#PIDS[@]} - 1; index >= 0; index--)); do
    kill -TERM "${PIDS[index]}" 2>/dev/null || true
  done
  while :; do
    left=0
    for pid in "${PIDS[@]}"; do
      if running "$pid"; then left=1; fi
    done
    [ "$left" -eq 1 ] || break
    if [ "$waited" -ge 150 ]; then
      for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
# shellcheck disable=SC2317  # the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ "${#PIDS[@]}" -eq 0 ] || stop_all
  if [ -f "$RUN/pg/data/postmaster.pid" ]; then
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$RUN/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$RUN"
  echo "$NAME: stopped; removed $RUN"
  exit "$status"
}
trap cleanup EXIT
# bash cannot trap a signal that was ignored when it started, which is how SIGINT arrives in a
# process started with & by a non-interactive shell (a script, CI runner, nohup-style launcher).
if [ -n "$(trap -p INT)" ]; then
  echo "$NAME: SIGINT is ignored in this process (started in the background?): Ctrl-C will not stop it, SIGTERM will" >&2
fi
trap 'exit 130' INT
trap 'exit 143' TERM

# -- PostgreSQL -----------------------------------------------------------------------------------------
cd "$RUN"
if [ "${#AS_PG[@]}" -gt 0 ] && ! "${AS_PG[@]}" test -x "$RUN"; then
  fail "the OS user postgres cannot enter $RUN: set TMPDIR to a folder every user can enter (e.g. /tmp)"
fi
mkdir "$RUN/pg"
[ "${#AS_PG[@]}" -eq 0 ] || chown postgres: "$RUN/pg"
if ! "${AS_PG[@]}" "$PG_BIN/initdb" -D "$RUN/pg/data" -U postgres --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 --no-sync >"$RUN/initdb.log" 2>&1; then
  cat "$RUN/initdb.log" >&2
  echo "$NAME: initdb failed (above)" >&2
  exit 1
fi
PG_PORT="$(free_port)"
cat >>"$RUN/pg/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$RUN/pg'
fsync = off
synchronous_commit = off
CONF
if ! "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$RUN/pg/data" -l "$RUN/pg/server.log" -w -t 30 start >/dev/null; then
  cat "$RUN/pg/server.log" >&2
  echo "$NAME: PostgreSQL did not start (log above)" >&2
  exit 1
fi
"${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres momentloop
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/momentloop"

# -- storage ------------------------------------------------------------------------------------------
if [ "$AZURE" -eq 1 ]; then
  mkdir "$RUN/azurite"
  AZURITE_PORT="$(free_port)"
  (cd "$RUN/azurite" && exec "$AZURITE" --blobHost 127.0.0.1 --blobPort "$AZURITE_PORT" --inMemoryPersistence \
    --skipApiVersionCheck --loose --silent --disableTelemetry) &
  PIDS+=("$!")
  # Any answer (400 for the bare account URL) means it listens: wait for the port.
  "$PY" - "$AZURITE_PORT" <<'PYTHON' || { echo "$NAME: Azurite did not start" >&2; exit 1; }
import socket, sys, time
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PYTHON
  export STORAGE_BACKEND=azure
  # Azurite's published development account and key (not a secret).
  export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$AZURITE_PORT/devstoreaccount1;"
  STORAGE_LINE="Azurite (in memory) at http://127.0.0.1:$AZURITE_PORT/devstoreaccount1"
else
  export STORAGE_BACKEND=local STORAGE_LOCAL_ROOT="$RUN/storage"
  STORAGE_LINE="local files under $RUN/storage"
fi

# -- the backend --------------------------------------------------------------------------------------
SECRET_LINE=""
if [ -z "${JWT_SECRET:-}" ]; then
  JWT_SECRET="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')"
  SECRET_LINE="  JWT_SECRET=$JWT_SECRET  (new for this run; put one in .env to keep tokens across runs)"
fi
export JWT_SECRET
# The backend runs in the data folder, so only what this script read (and the environment) configures it.
(cd "$RUN" && "$BIN/momentloop-migrate" >/dev/null)
TOKEN="$(cd "$RUN" && "$BIN/momentloop-token" --ttl 43200 "$DEV_USER")"
(cd "$RUN" && exec "$BIN/uvicorn" momentloop_app.main:app --host 127.0.0.1 --port "$BACKEND_PORT") &
PIDS+=("$!")
wait_http "http://127.0.0.1:$BACKEND_PORT/readyz" "${PIDS[-1]}" 60 || { echo "$NAME: the backend did not start" >&2; exit 1; }

# -- the frontend, when built ---------------------------------------------------------------------------
TEMPLATE="$ROOT/frontend/nginx/default.conf.template"
NGINX="$(command -v nginx || true)"
[ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
FRONTEND_LINE=""
if [ ! -f "$FRONTEND_DIST/index.html" ]; then
  FRONTEND_LINE="  frontend: skipped ($FRONTEND_DIST has no build: run npm ci && npm run build in frontend/)"
elif [ -z "$NGINX" ]; then
  FRONTEND_LINE="  frontend: skipped (nginx is not installed: apt-get install nginx)"
elif [ ! -f "$TEMPLATE" ]; then
  FRONTEND_LINE="  frontend: skipped ($TEMPLATE is missing)"
elif ! port_is_free "$FRONTEND_PORT"; then
  FRONTEND_LINE="  frontend: skipped (port $FRONTEND_PORT is in use: set FRONTEND_PORT to a free one)"
else
  mkdir "$RUN/nginx"
  DIST="$(cd "$FRONTEND_DIST" && pwd)"
  # The image's template, with this machine's backend, port (loopback only) and build folder.
  # shellcheck disable=SC2016  # envsubst's list of the variables it may replace
  BACKEND_URL="http://127.0.0.1:$BACKEND_PORT" FRONTEND_PORT="$FRONTEND_PORT" \
    envsubst '${BACKEND_URL} ${FRONTEND_PORT}' <"$TEMPLATE" \
    | sed -e "s#^\([[:space:]]*\)root /usr/share/nginx/html;#\1root $DIST;#" \
          -e "s#^\([[:space:]]*\)listen \([0-9]*\);#\1listen 127.0.0.1:\2;#" >"$RUN/nginx/default.conf"
  cat >"$RUN/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $RUN/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path $RUN/nginx/client_body;
    proxy_temp_path $RUN/nginx/proxy;
    fastcgi_temp_path $RUN/nginx/fastcgi;
    uwsgi_temp_path $RUN/nginx/uwsgi;
    scgi_temp_path $RUN/nginx/scgi;
    include $RUN/nginx/default.conf;
}
CONF
  if ! grep -q "root $DIST;" "$RUN/nginx/default.conf"; then
    FRONTEND_LINE="  frontend: skipped ($TEMPLATE has no 'root /usr/share/nginx/html;' line to point at $DIST)"
  else
    "$NGINX" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -e stderr &
    PIDS+=("$!")
    wait_http "http://127.0.0.1:$FRONTEND_PORT/" "${PIDS[-1]}" 30 || { echo "$NAME: nginx did not start" >&2; exit 1; }
    FRONTEND_LINE="  frontend: http://127.0.0.1:$FRONTEND_PORT  (nginx: the build, and /api/, /storage/, /ws/ to the backend)"
  fi
fi

cat <<SUMMARY
MomentLoop is running; Ctrl-C stops everything and deletes $RUN
  backend:  http://127.0.0.1:$BACKEND_PORT  (API under /api/, readiness at /readyz)
$FRONTEND_LINE
  database: DATABASE_URL=$DATABASE_URL
  storage:  $STORAGE_LINE
SUMMARY
[ -z "$SECRET_LINE" ] || echo "$SECRET_LINE"
cat <<SUMMARY
  token:    $TOKEN
            (user '$DEV_USER', 12 hours; JWT_SECRET=... $BIN/momentloop-token USER mints more)
SUMMARY

# Until a signal (trapped above) or until one of the processes stops by itself.
set +e
wait -n "${PIDS[@]}"
echo "$NAME: a process stopped by itself (exit $?); stopping the rest" >&2
exit 1
