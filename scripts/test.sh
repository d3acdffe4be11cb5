#!/usr/bin/env bash
# test.sh — run every test: unit, integration against the real mail stack, component tests and
# end-to-end tests in headless Chromium. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${YUBIN_TOOLS:-$HOME/.local/share/yubin-tools}
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

# A one-off build (CI's clean clone) gains nothing from incremental state but disk use.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

step "setup"
df -h "$ROOT" | tail -1 | awk '{print "disk: " $4 " free of " $2}'
bash scripts/setup.sh

step "formatting and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

step "build the browser app (dist/) for the end-to-end tests"
bash scripts/build.sh app

# The tests start the mail stack on first use; stop it when done, pass or fail. Each run starts
# from an empty one: mail and roaming settings left by an earlier run on this machine must not
# decide a test's outcome.
bash tests/mailstack/mailstack.sh clean >/dev/null 2>&1 || true
trap 'bash tests/mailstack/mailstack.sh stop >/dev/null 2>&1 || true' EXIT

step "native tests: unit, gateway against Dovecot + Postfix, end-to-end in Chromium"
cargo test --workspace

step "frontend component tests in headless Chromium (wasm)"
"$TOOLS/bin/with-wasm-env" cargo test --target wasm32-unknown-unknown -p yubin-frontend

step "all tests passed"
du -sh "$ROOT/target" 2>/dev/null | awk '{print "build output: " $1}'
