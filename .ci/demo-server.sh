# Sourced by e2e.sh and bench.sh: start_demo_server PORT PASSWORD starts the
# release binary (or YINGJI_BIN) on a fresh demo district (SQLite, temporary folder) on
# 127.0.0.1:PORT with every demo account's password set to PASSWORD, waits
# until it answers, and stops it (by its PID) when the calling script exits.
# Sets PID and WORK.

start_demo_server() {
  local port=$1
  WORK=$(mktemp -d)
  export DATABASE_URL="sqlite://$WORK/demo.db?mode=rwc"
  export LEPTOS_SITE_ADDR="127.0.0.1:$port"
  export LEPTOS_SITE_ROOT="target/site"
  export YINGJI_DEMO_PASSWORD="$2"
  export RUST_LOG="${RUST_LOG:-warn}"
  local bin="${YINGJI_BIN:-target/release/yingji}"
  "$bin" seed-demo >/dev/null
  "$bin" serve >"$WORK/server.log" 2>&1 &
  PID=$!
  trap stop_demo_server EXIT
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/login"; then return 0; fi
    if ! kill -0 "$PID" 2>/dev/null; then cat "$WORK/server.log"; return 1; fi
    sleep 0.2
  done
  echo "the server did not answer on port $port" >&2
  return 1
}

stop_demo_server() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
