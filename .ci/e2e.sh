#!/usr/bin/env bash
# Browser tests: the release binary on a fresh demo database (SQLite) on a
# loopback port, driven by Playwright in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${YINGJI_E2E_PORT:-3900}"
WORK=$(mktemp -d)
export DATABASE_URL="sqlite://$WORK/e2e.db?mode=rwc"
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
export LEPTOS_SITE_ROOT="target/site"
export YINGJI_DEMO_PASSWORD="${YINGJI_DEMO_PASSWORD:-Demo-pass-2018}"
export RUST_LOG="${RUST_LOG:-warn}"

target/release/yingji seed-demo >/dev/null
target/release/yingji serve >"$WORK/server.log" 2>&1 &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/login"; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then cat "$WORK/server.log"; exit 1; fi
  sleep 0.2
done

cd end2end
BASE_URL="http://127.0.0.1:$PORT" DEMO_PASSWORD="$YINGJI_DEMO_PASSWORD" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
  npx playwright test || { echo "--- server log ---"; tail -n 50 "$WORK/server.log"; exit 1; }
