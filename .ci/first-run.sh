#!/usr/bin/env bash
# Times a fresh clone's first `make run` until the demo answers, then stops
# it (by its process group). For the README's figure: run it on a machine
# without wasm-bindgen-cli or the wasm32 target (`cargo uninstall
# wasm-bindgen-cli; rustup target remove wasm32-unknown-unknown`) to count
# the tools' install too. Bounded to 40 minutes; 127.0.0.1 only.
set -uo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dir=$(mktemp -d)
git clone -q "$src" "$dir/yingji"
cd "$dir/yingji"
export LEPTOS_SITE_ADDR=127.0.0.1:3999
start=$(date +%s)
setsid make run >"$dir/make-run.log" 2>&1 &
pid=$!
for _ in $(seq 1 2400); do
  if curl -fsS -o /dev/null http://127.0.0.1:3999/login 2>/dev/null; then
    echo "the demo answered after $(( $(date +%s) - start )) s (log: $dir/make-run.log)"
    kill -- -"$pid" 2>/dev/null
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "make run ended early: $dir/make-run.log"; exit 1; fi
  sleep 1
done
kill -- -"$pid" 2>/dev/null
echo "no answer within 40 minutes: $dir/make-run.log"
exit 1
