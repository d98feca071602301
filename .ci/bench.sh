#!/usr/bin/env bash
# Load test: throughput and latency (p50/p90/p99) of the home page, signed in
# as the admin (server-rendered, with its database queries and chart), and of
# a static file served by the same binary. wrk from Debian, 127.0.0.1 only,
# each run bounded to DURATION seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi; }
PORT="${YINGJI_BENCH_PORT:-3950}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
source .ci/demo-server.sh
start_demo_server "$PORT" "Bench-pass-2018"

COOKIE=$(curl -fsS -D - -o /dev/null -X POST "http://127.0.0.1:$PORT/api/login" \
  -H 'content-type: application/x-www-form-urlencoded' \
  --data "username=admin&password=$YINGJI_DEMO_PASSWORD" | grep -i '^set-cookie: yingji_session=' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
[ -n "$COOKIE" ] || { echo "could not sign in"; exit 1; }
curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/" | grep -q '您好' || { echo "home page did not render"; exit 1; }

echo "== home page (signed in as admin), ${DURATION}s, $CONNECTIONS connections =="
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/"
echo "== static file /pkg/yingji.css, ${DURATION}s, $CONNECTIONS connections =="
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/pkg/yingji.css"
