#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on 127.0.0.1 only, with trust
# authentication, in a temporary folder; nothing in the system's service
# configuration is touched. Installs the server with apt when it is missing.
#
#   .ci/pg.sh start   prints the URL to export as YINGJI_TEST_POSTGRES
#   .ci/pg.sh stop
set -euo pipefail
PORT="${YINGJI_PG_PORT:-55432}"
STATE=/tmp/yingji-pg-$PORT

bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    echo "PostgreSQL server not found; installing it with apt" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$d"
}

# initdb refuses to run as root: run the cluster as the postgres user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    BIN=$(bin_dir)
    if [ -f "$STATE/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$STATE/data" status >/dev/null 2>&1; then
      echo "postgres://postgres@127.0.0.1:$PORT/postgres"
      exit 0
    fi
    rm -rf "$STATE"
    mkdir -p "$STATE"
    if [ "$(id -u)" = 0 ]; then chown postgres "$STATE"; fi
    as_owner "$BIN/initdb" -D "$STATE/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 \
      || { cat "$STATE/initdb.log" >&2; exit 1; }
    as_owner "$BIN/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w \
      -o "-h 127.0.0.1 -p $PORT -k $STATE -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >&2 \
      || { cat "$STATE/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    BIN=$(bin_dir)
    if [ -d "$STATE/data" ]; then
      as_owner "$BIN/pg_ctl" -D "$STATE/data" -m fast stop >&2 || true
      rm -rf "$STATE"
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
