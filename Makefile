# 应急训考 Yingji. Two commands on a fresh machine with Rust:
#   make run    install what is missing, build, seed a demo district, serve on 127.0.0.1:3000
#   make test   the whole test suite: Rust unit/database/HTTP tests on SQLite and
#               PostgreSQL, then Playwright in Chromium against the binary they built
#
# The build calls cargo, wasm-bindgen and wasm-opt itself (what cargo-leptos does
# inside), so nothing is downloaded from GitHub and cargo-leptos's ~21-minute
# install is not needed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

WASM_BINDGEN_VERSION := 0.2.130
SITE := target/site
PKG := $(SITE)/pkg
# The browser build has a target directory of its own, so that it and the
# server build run side by side (one cargo would wait for the other's lock).
WASM_TARGET := target/browser
WASM := $(WASM_TARGET)/wasm32-unknown-unknown/wasm-release/yingji_islands.wasm
BIN := target/release/yingji
# `make run`'s binary (Cargo.toml's `demo` profile: minutes less to build).
DEMO_BIN := target/demo/yingji
DEMO_DB ?= target/yingji-demo.db
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test rust-checks wasm-target tools test-tools browser site server demo-server check lint rust-test e2e bench clean-site

# The server and the browser bundle (with the tools it needs) are built side
# by side: the server's last minutes compile one crate on one core, and the
# tools' install and the wasm build fill the other.
run:
	@$(MAKE) --no-print-directory -j2 demo-server browser
	@export DATABASE_URL="$${DATABASE_URL:-sqlite://$(DEMO_DB)?mode=rwc}"; \
	  $(DEMO_BIN) seed-demo --if-empty; \
	  echo "应急训考 → http://$${LEPTOS_SITE_ADDR:-127.0.0.1:3000}  (Ctrl-C to stop)"; \
	  exec $(DEMO_BIN) serve

# The Rust checks (lint, then the tests, one cargo at a time) and the browser
# bundle with its tools are built side by side, as in `run`. The browser tests
# then drive the binary `cargo test` already built for the HTTP tests (the
# debug profile): a release build would compile the whole server graph a
# third time for 9-10 minutes. Deployments, `make bench` and `make server`
# build `release`.
test: test-tools wasm-target
	@$(MAKE) --no-print-directory -j2 rust-checks browser
	@YINGJI_BIN=target/debug/yingji $(MAKE) --no-print-directory e2e

rust-checks:
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory rust-test

## Tools: the wasm target, wasm-bindgen CLI equal to the crate, npm's binaryen and Playwright.
## The CLI is built unoptimised (--debug): it runs once per build for seconds, and
## an optimised build of it took the core the server build needs for 4 minutes.
tools: wasm-target
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 2 minutes)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force --debug; fi
	@command -v npm >/dev/null || $(SUDO) apt-get install -y nodejs npm
	@if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then \
	  (cd end2end && npm ci --no-audit --no-fund); fi

## The wasm target (the browser build and the wasm lint need it).
wasm-target:
	@rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

## For the tests only: Chromium (Debian's) and the PostgreSQL server binaries.
test-tools:
	@command -v chromium >/dev/null || $(SUDO) apt-get install -y chromium
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || $(SUDO) apt-get install -y postgresql

## The browser bundle after the tools it needs.
browser: tools
	@$(MAKE) --no-print-directory site

## The browser bundle: wasm (size-optimised), its JS glue, CSS and static files.
site:
	cargo build -p yingji-islands --lib --target wasm32-unknown-unknown --profile wasm-release --features hydrate \
	  --target-dir $(WASM_TARGET)
	@mkdir -p $(PKG)
	@# wasm-bindgen and wasm-opt (~50 s) only when cargo produced a new wasm.
	@if [ ! -f $(PKG)/yingji_bg.wasm ] || [ $(WASM) -nt $(PKG)/yingji_bg.wasm ]; then \
	  echo "wasm-bindgen + wasm-opt -Oz"; \
	  wasm-bindgen --target web --no-typescript --out-dir $(PKG) --out-name yingji $(WASM); \
	  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
	    --enable-reference-types --enable-multivalue $(PKG)/yingji_bg.wasm -o $(PKG)/yingji_bg.wasm; \
	fi
	cp style/main.css $(PKG)/yingji.css
	cp -r style/assets/. $(SITE)/
	@# Names by content (yingji.<hash>.js/.wasm/.css, listed in hash.txt for the
	@# server): browsers keep them for ever and never run an old bundle after an
	@# upgrade. Each also precompressed, brotli (node's zlib) and gzip.
	@cd $(PKG) && rm -f yingji.*.js yingji.*.wasm yingji.*.css ./*.gz ./*.br && \
	  js=$$(sha256sum yingji.js | cut -c1-16) && wasm=$$(sha256sum yingji_bg.wasm | cut -c1-16) && \
	  css=$$(sha256sum yingji.css | cut -c1-16) && \
	  cp yingji.js yingji.$$js.js && cp yingji_bg.wasm yingji.$$wasm.wasm && cp yingji.css yingji.$$css.css && \
	  for f in yingji.$$js.js yingji.$$wasm.wasm yingji.$$css.css; do \
	    gzip -kf9 $$f; node -e 'const z=require("zlib"),fs=require("fs");const f=process.argv[1];fs.writeFileSync(f+".br",z.brotliCompressSync(fs.readFileSync(f),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}))' $$f; \
	  done && printf 'js: %s\nwasm: %s\ncss: %s\n' $$js $$wasm $$css > ../hash.txt && \
	  echo "wasm: $$(stat -c %s yingji.$$wasm.wasm) bytes raw, $$(stat -c %s yingji.$$wasm.wasm.gz) gzip, $$(stat -c %s yingji.$$wasm.wasm.br) brotli"

server:
	cargo build --release -p server --bin yingji $(if $(CI),--timings)

demo-server:
	cargo build --profile demo -p server --bin yingji

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p yingji-islands --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

## Rust tests; PostgreSQL comes from a throwaway cluster started here.
rust-test:
	@url=$$(.ci/pg.sh start); trap '.ci/pg.sh stop' EXIT; \
	  YINGJI_TEST_POSTGRES="$$url" cargo test --workspace

## Browser tests against the release binary (or YINGJI_BIN) on a fresh demo database.
e2e:
	.ci/e2e.sh

## Benchmarks: the assessment rules (criterion), then a load test (wrk from Debian) of
## the home page, a static file and a 500-unit assessment ranking served by the
## release binary.
bench: site server
	cargo bench -p yingji-domain --bench assessment --bench scheduler
	.ci/bench.sh
