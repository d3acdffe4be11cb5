#!/usr/bin/env bash
# bench.sh [size|list|slow|scroll|sync|resync|folders|open|pop3|contacts|openpgp|sessions|trace ...] — measure Yubin against the raw
# protocols on the real Dovecot, every figure next to its baseline from the same run (all of
# them without arguments). Prints a table and writes target/bench/results.md.
#
# Not part of scripts/test.sh: it seeds 120,000 messages and opens thousands of connections.
# It uses a mail stack of its own (/tmp/yubin-bench-stack, ports 12xxx, tuned for many clients)
# so it never disturbs the test stack.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

YUBIN_SETUP_BENCH=1 bash scripts/setup.sh   # also Roundcube, the peer of the sign-in figures
bash scripts/build.sh   # the app, and the release gateway the memory figures run

load_users=""
for i in $(seq -f '%03g' 1 50); do load_users="$load_users load$i:load$i-pass"; done
export MAILSTACK_DIR=/tmp/yubin-bench-stack
export MAILSTACK_USERS="bench10k:bench10k-pass bench100k:bench100k-pass benchpop:benchpop-pass benchfolders:benchfolders-pass benchcontacts:benchcontacts-pass benchpgp:benchpgp-pass$load_users"
export MAILSTACK_MANY_CLIENTS=1 MAILSTACK_FSYNC=never
# 12xxx: the tests' stack uses 10xxx and their second server family (others.sh) 11xxx.
export MAILSTACK_IMAP_PORT=12143 MAILSTACK_IMAPS_PORT=12993 MAILSTACK_POP3_PORT=12110 \
  MAILSTACK_POP3S_PORT=12995 MAILSTACK_LMTP_PORT=12024 MAILSTACK_SMTP_PORT=12025 \
  MAILSTACK_SUBMISSION_PORT=12587 MAILSTACK_SUBMISSIONS_PORT=12465 MAILSTACK_WEBMAIL_PORT=18081 \
  MAILSTACK_OIDC_PORT=12443 MAILSTACK_OIDC_ADMIN_PORT=12444 MAILSTACK_SIEVE_PORT=12419 MAILSTACK_CARDDAV_PORT=12524
trap 'bash tests/mailstack/mailstack.sh stop >/dev/null 2>&1 || true' EXIT

cargo run --release -q -p yubin-bench -- "$@"
