#!/usr/bin/env bash
# Browser tests: the release binary (or YINGJI_BIN) on a fresh demo database (SQLite) on a
# loopback port, driven by Playwright in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${YINGJI_E2E_PORT:-3900}"
PASSWORD="${YINGJI_DEMO_PASSWORD:-Demo-pass-2018}"
source .ci/demo-server.sh
# The browser tests may move the server's "today" (POST /test/clock).
export YINGJI_TEST_CLOCK=1
start_demo_server "$PORT" "$PASSWORD"

cd end2end
BASE_URL="http://127.0.0.1:$PORT" DEMO_PASSWORD="$PASSWORD" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
  npx playwright test || { echo "--- server log ---"; tail -n 50 "$WORK/server.log"; exit 1; }
