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
# Modules loaded on first use (ARCHITECTURE.md): each built like the app (`module <crate> <name> [worker]`), named by its content's
# hash (the service worker and browsers keep hashed files for good) and announced in the page.
module() { # module <crate> <name>
  local crate=$1 name=$2 out
  "$TOOLS/bin/with-wasm-env" bash -c 'CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${YUBIN_WASM_RELEASE_RUSTFLAGS:-}" \
    exec cargo build -q --profile wasm-release --target wasm32-unknown-unknown -p "$0"' "$crate"
  out=$(mktemp -d)
  "$TOOLS/bin/with-wasm-env" wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name "$name" \
    "target/wasm32-unknown-unknown/wasm-release/${crate//-/_}.wasm"
  "$TOOLS/bin/with-wasm-env" wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$out/${name}_bg.wasm" "$out/${name}_bg.wasm"
  # A module run in a worker gets the worker's script beside it (frontend/openpgp/worker.js).
  local script=$name.js
  if [ "${3:-}" = worker ]; then script=worker.js; cp "frontend/${name}/worker.js" "$out/"; fi
  local hash; hash=$(cat "$out"/* | sha256sum | cut -c1-16)
  rm -rf "dist/modules/$name-"*; mkdir -p "dist/modules/$name-$hash"
  mv "$out"/* "dist/modules/$name-$hash/"; rmdir "$out"
  local meta=$name
  if [ "${3:-}" = worker ]; then meta=$name-worker; fi
  sed -i "s#</head>#<meta name=\"yubin-module-$meta\" content=\"/modules/$name-$hash/$script\" /></head>#" dist/index.html
}
module yubin-filters filters
module yubin-contacts contacts
module yubin-keys keys
module yubin-openpgp openpgp worker
# The rich-text editor (frontend/editor): our editor.js beside the npm parts it imports.
editor() {
  local npm="$TOOLS/editor/node_modules" out hash
  [ -f "$npm/squire-rte/dist/squire.mjs" ] || { echo "build.sh: run scripts/setup.sh (no $npm)" >&2; exit 1; }
  out=$(mktemp -d)
  cp frontend/editor/editor.js "$npm/squire-rte/dist/squire.mjs" "$npm/dompurify/dist/purify.min.js" "$out/"
  hash=$(cat "$out"/* | sha256sum | cut -c1-16)
  rm -rf dist/modules/editor-*; mkdir -p "dist/modules/editor-$hash"
  mv "$out"/* "dist/modules/editor-$hash/"; rmdir "$out"
  sed -i "s#</head>#<meta name=\"yubin-module-editor\" content=\"/modules/editor-$hash/editor.js\" /></head>#" dist/index.html
}
editor

# Served as-is by the gateway to browsers that accept them: compressing once, at the highest
# levels, beats compressing on every request at the fast ones.
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.mjs' -o -name '*.css' -o -name '*.html' \) | while read -r f; do
  gzip -9 -k -f "$f"
  brotli -q 11 -k -f "$f"
done
[ "${1:-all}" = app ] || cargo build --release -p yubin-gateway
