#!/usr/bin/env bash
# setup.sh — install everything Yubin needs to build, run and test, idempotently.
#
# Debian packages: the mail stack (Dovecot, Postfix; Cyrus and OpenSMTPD unpacked), Chromium + ChromeDriver, and — when the
# active Rust toolchain has no wasm32 std — Debian's rustc-web with its std sources, so std is
# rebuilt for wasm32 (build-std). Tools under $YUBIN_TOOLS (default ~/.local/share/yubin-tools):
# trunk (pinned), wasm-bindgen-cli (= Cargo.lock's wasm-bindgen), wasm-opt (npm binaryen, pinned),
# the OpenID provider for OAuth tests (npm oidc-provider, pinned by tests/oidc/package-lock.json).
# Nothing here downloads a toolchain: only the package registries are used.
#
# Writes $YUBIN_TOOLS/wasm-env.sh and the wrapper $YUBIN_TOOLS/bin/with-wasm-env, which sets the
# wasm build environment for one command only (never globally: it would rebuild std for native
# builds too).
#
# Cold on a fresh machine: ~12 min (trunk ~7, wasm-bindgen-cli ~2.5). Warm: ~1 s.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${YUBIN_TOOLS:-$HOME/.local/share/yubin-tools}
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
DEBIAN_WASM_LD=/usr/lib/llvm-19/bin/wasm-ld

T0=$(date +%s)
log() { printf '[setup %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

apt_updated=""
apt_install() {  # installs only what is missing
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  # "No configuration": the system Postfix never starts; we run our own instance.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---- Debian packages ---------------------------------------------------------------------------
apt_install ca-certificates openssl python3 pkg-config libssl-dev iproute2 procps \
  dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-sieve dovecot-managesieved postfix \
  python3-radicale \
  chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji brotli gzip \
  nginx-light gnupg
# gnupg: the OpenPGP peer of the encryption tests (keys and mail made by GnuPG, read by Yubin).
# npm (for wasm-opt): this machine kind ships Node.js with npm; Debian's npm conflicts with it.
command -v npm >/dev/null || apt_install nodejs npm
# The benchmark's peer (scripts/bench.sh sets YUBIN_SETUP_BENCH=1): Debian's Roundcube, served
# by "php -S" from the mail stack's dir; its own database is set up there, not by dbconfig.
if [ -n "${YUBIN_SETUP_BENCH:-}" ]; then
  echo "roundcube-core roundcube/dbconfig-install boolean false" | $SUDO debconf-set-selections
  apt_install roundcube-core roundcube-sqlite3 php8.2-cli php8.2-sqlite3
fi

command -v cargo >/dev/null || die "no cargo on PATH (this machine kind ships rustup's)"

# ---- A second server family for the interoperability tests: Cyrus IMAP/POP3 + OpenSMTPD ----------
# Their packages conflict with the installed Dovecot and Postfix, so they are unpacked (never
# installed) under $TOOLS/servers and run from a private dir by tests/mailstack/others.sh. Only
# the libraries they link are installed. OpenSMTPD comes from bookworm-backports (7.4): Debian
# 12's 6.8 cannot do TLS with OpenSSL 3. apt reads backports through a private list dir, so the
# system's sources are left as they are.
apt_install libical3 libpcre3 libxapian30 libsasl2-modules sasl2-bin libevent-2.1-7 libdb5.3
unpack_debs() {  # unpack_debs DIR SUITE PACKAGE... (SUITE "" = the system's sources)
  local dir=$1 suite=$2; shift 2
  [ -f "$dir/.unpacked" ] && [ "$(cat "$dir/.unpacked")" = "$*" ] && return 0
  log "unpacking $* ${suite:+from $suite} into $dir"
  local work; work=$(mktemp -d); chmod 0755 "$work"
  local apt_opts=()
  if [ -n "$suite" ]; then
    mkdir -p "$work/lists/partial" "$work/cache"
    echo "deb http://deb.debian.org/debian $suite main" > "$work/sources.list"
    apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Get::List-Cleanup=0)
    apt-get "${apt_opts[@]}" update -qq >/dev/null
  fi
  local pkgs=() p; for p in "$@"; do pkgs+=("$p${suite:+/$suite}"); done
  download() { (cd "$work" && apt-get "${apt_opts[@]}" download "${pkgs[@]}" >/dev/null 2>&1); }
  # The system's package lists may be old or absent on a fresh machine: refresh them once.
  download || { [ -n "$suite" ] || $SUDO apt-get update -qq; download; } || die "apt-get download $*"
  rm -rf "$dir"; mkdir -p "$dir"
  for p in "$work"/*.deb; do dpkg-deb -x "$p" "$dir"; done
  echo "$*" > "$dir/.unpacked"; rm -rf "$work"
}
unpack_debs "$TOOLS/servers/cyrus" "" cyrus-common cyrus-imapd cyrus-pop3d
unpack_debs "$TOOLS/servers/opensmtpd" bookworm-backports opensmtpd

# ---- wasm32 std: rustup's if installed, else Debian's rustc-web + build-std ------------------------
rustup_has_wasm_std() {
  local dir; dir=$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) || return 1
  compgen -G "$dir/libstd-*.rlib" >/dev/null
}
if rustup_has_wasm_std; then
  MODE=rustup
else
  MODE=debian
  apt_install rustc-web cargo-web rust-web-src lld-19
  [ -x "$DEBIAN_WASM_LD" ] || die "wasm-ld missing ($DEBIAN_WASM_LD)"
fi
log "wasm32 std: $MODE"

# ---- tools ---------------------------------------------------------------------------------------
mkdir -p "$TOOLS/bin"
have() { [ -x "$1" ] && [ "$("$1" --version 2>/dev/null | head -1)" = "$2" ]; }

WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")
[ -n "$WASM_BINDGEN_VERSION" ] || die "no wasm-bindgen in Cargo.lock"
if ! have "$TOOLS/bin/wasm-bindgen" "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  log "cargo install wasm-bindgen-cli@$WASM_BINDGEN_VERSION (~2.5 min)"
  # Not --locked: its lock pins a webpki-roots the registry mirror here does not serve.
  cargo install -q --root "$TOOLS" "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
fi
if ! have "$TOOLS/bin/trunk" "trunk $TRUNK_VERSION"; then
  log "cargo install trunk@$TRUNK_VERSION (~7 min)"
  # 0.22 needs a newer rustc than this machine kind has.
  cargo install -q --locked --root "$TOOLS" "trunk@$TRUNK_VERSION"
fi
WASM_OPT_DIR="$TOOLS/npm/node_modules/.bin"
if ! have "$WASM_OPT_DIR/wasm-opt" "wasm-opt version ${BINARYEN_VERSION%%.*} (version_${BINARYEN_VERSION%%.*})"; then
  log "npm install binaryen@$BINARYEN_VERSION"
  # Debian's binaryen is too old to parse wasm-bindgen's output.
  mkdir -p "$TOOLS/npm"
  npm install -s --no-audit --no-fund --prefix "$TOOLS/npm" "binaryen@$BINARYEN_VERSION" >/dev/null
fi

# npm packages pinned by a package-lock.json in the repo, installed (again) into $TOOLS when the
# lock changed: npm_ci <dir in repo> <home under $TOOLS> <a package it must hold> <what for>
npm_ci() {
  local source=$1 home=$2 marker=$3 what=$4
  if ! cmp -s "$ROOT/$source/package-lock.json" "$home/package-lock.json" || [ ! -d "$home/node_modules/$marker" ]; then
    log "npm ci $what ($source)"
    mkdir -p "$home"
    cp "$ROOT/$source/package.json" "$ROOT/$source/package-lock.json" "$home/"
    (cd "$home" && npm ci -s --no-audit --no-fund >/dev/null)
  fi
}
# The OpenID provider the tests and the demo sign in with (npm oidc-provider), run by
# tests/mailstack/mailstack.sh.
npm_ci tests/oidc "$TOOLS/oidc" oidc-provider oidc-provider
# The rich-text editor's parts (npm squire-rte and dompurify), bundled into the app's editor
# module by scripts/build.sh.
npm_ci frontend/editor "$TOOLS/editor" squire-rte "squire-rte dompurify"

# ---- environment for wasm commands only ----------------------------------------------------------
{
  echo "# written by scripts/setup.sh (wasm32 std: $MODE); source only for wasm builds and tests"
  # npm's wasm-opt must come before /usr/bin, where an older Debian one may be.
  echo "export PATH=\"$TOOLS/bin:$WASM_OPT_DIR:\$PATH\""
  echo "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner"
  echo "export CHROMEDRIVER=/usr/bin/chromedriver"
  echo "export TRUNK_SKIP_VERSION_CHECK=true"
  echo "export NO_COLOR=true"
  if [ "$MODE" = debian ]; then
    echo "export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1"
    echo "export CARGO_UNSTABLE_BUILD_STD=std,panic_abort"
    echo "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$DEBIAN_WASM_LD"
    # With std built here, the release app can drop panic messages, Debug formatting and
    # caller locations (nothing in the UI prints them): about 8% less to download.
    echo 'export YUBIN_WASM_RELEASE_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none"'
  fi
} > "$TOOLS/wasm-env.sh.tmp" && mv "$TOOLS/wasm-env.sh.tmp" "$TOOLS/wasm-env.sh"
cat > "$TOOLS/bin/with-wasm-env" <<WRAP
#!/usr/bin/env bash
# Runs one command with the wasm build environment (see scripts/setup.sh).
. "$TOOLS/wasm-env.sh"
exec "\$@"
WRAP
chmod +x "$TOOLS/bin/with-wasm-env"
log "ready: $("$TOOLS/bin/trunk" --version), $("$TOOLS/bin/wasm-bindgen" --version), $("$WASM_OPT_DIR/wasm-opt" --version)"
