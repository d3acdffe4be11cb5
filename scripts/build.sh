#!/usr/bin/env bash
# build.sh — build the browser app (Trunk → dist/) and the gateway (release). Needs setup.sh first.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${YUBIN_TOOLS:-$HOME/.local/share/yubin-tools}
cd "$ROOT"
"$TOOLS/bin/with-wasm-env" trunk build --release
cargo build --release -p yubin-gateway
