#!/usr/bin/env bash
# build.sh [app|all] — build the browser app (Trunk → dist/, precompressed) and, with "all"
# (the default), the gateway in release mode. Needs scripts/setup.sh first.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${YUBIN_TOOLS:-$HOME/.local/share/yubin-tools}
cd "$ROOT"

# Size flags for the release build only (set by setup.sh where std is built from source).
"$TOOLS/bin/with-wasm-env" bash -c \
  'CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${YUBIN_WASM_RELEASE_RUSTFLAGS:-}" exec trunk build --release'
# Served as-is by the gateway to browsers that accept them: compressing once, at the highest
# levels, beats compressing on every request at the fast ones.
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' \) | while read -r f; do
  gzip -9 -k -f "$f"
  brotli -q 11 -k -f "$f"
done
[ "${1:-all}" = app ] || cargo build --release -p yubin-gateway
