#!/usr/bin/env bash
# run.sh — install what is missing, build, and run Yubin.
#
# The gateway's config is $YUBIN_CONFIG, else ./yubin.toml. With neither, a demo mail stack
# (Dovecot + Postfix on 127.0.0.1, seeded with mail) is started and a config for it written
# to .yubin/demo.toml. Ctrl-C stops the gateway and the demo stack.
#
#   YUBIN_LISTEN   address for the gateway in demo mode (default 127.0.0.1:8080)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

bash scripts/setup.sh
bash scripts/build.sh

CONFIG=${YUBIN_CONFIG:-}
[ -z "$CONFIG" ] && [ -f yubin.toml ] && CONFIG=$ROOT/yubin.toml
if [ -z "$CONFIG" ]; then
  # The demo stack has its own directory and ports, so the test suite can run beside it.
  export MAILSTACK_DIR=/tmp/yubin-demo MAILSTACK_IMAP_PORT=20143 MAILSTACK_IMAPS_PORT=20993 \
    MAILSTACK_POP3_PORT=20110 MAILSTACK_POP3S_PORT=20995 MAILSTACK_LMTP_PORT=20024 \
    MAILSTACK_SMTP_PORT=20025 MAILSTACK_SUBMISSION_PORT=20587 MAILSTACK_SUBMISSIONS_PORT=20465 \
    MAILSTACK_OIDC_PORT=20443 MAILSTACK_OIDC_ADMIN_PORT=20444 MAILSTACK_OIDC_ACCESS_TTL=3600 \
    MAILSTACK_SIEVE_PORT=20419 MAILSTACK_CARDDAV_PORT=20524 MAILSTACK_KEYSERVER_PORT=20530
  STACK="bash $ROOT/tests/mailstack/mailstack.sh"
  $STACK start
  trap '$STACK stop' EXIT
  if [ "$($STACK doveadm mailbox status -u alice@example.test messages INBOX | sed 's/.*messages=//')" = 0 ]; then
    $STACK seed 500 alice
    $STACK seed 40 bob
  fi
  [ -d "$MAILSTACK_DIR/radicale/collections/collection-root/alice@example.test/contacts" ] || $STACK seed-contacts 60 alice
  # carol's OpenPGP key on the demo keyserver, to look up when writing to her encrypted.
  if [ ! -s "$MAILSTACK_DIR/keyserver/by-email/carol@example.test" ] && command -v gpg >/dev/null; then
    GNUPGHOME=$(mktemp -d) && export GNUPGHOME
    gpg -q --batch --pinentry-mode loopback --passphrase carol-pass \
      --quick-gen-key "Carol <carol@example.test>" ed25519 default never 2>/dev/null
    fpr=$(gpg --batch --with-colons --list-keys carol@example.test | awk -F: '/^fpr/ {print $10; exit}')
    gpg --batch --armor --export carol@example.test > "$MAILSTACK_DIR/keyserver/by-email/carol@example.test"
    cp "$MAILSTACK_DIR/keyserver/by-email/carol@example.test" "$MAILSTACK_DIR/keyserver/by-fingerprint/$fpr"
    gpgconf --kill gpg-agent 2>/dev/null || true
    rm -rf "$GNUPGHOME"; unset GNUPGHOME
  fi
  mkdir -p .yubin
  CONFIG=$ROOT/.yubin/demo.toml
  CA=$MAILSTACK_DIR/tls/ca.pem
  cat > "$CONFIG" <<TOML
# Written by scripts/run.sh for the demo mail stack.
listen = "${YUBIN_LISTEN:-127.0.0.1:8080}"
static_dir = "$ROOT/dist"

# Where users look up others' OpenPGP keys (the demo's keyserver serves carol's).
[openpgp]
keyserver = "https://127.0.0.1:20530"
ca_file = "$CA"

[[server]]
id = "demo"
name = "Demo mail (example.test)"
domain = "example.test"
imap = { host = "127.0.0.1", port = $MAILSTACK_IMAP_PORT, security = "starttls", ca_file = "$CA" }
smtp = { host = "127.0.0.1", port = $MAILSTACK_SUBMISSION_PORT, security = "starttls", ca_file = "$CA" }
managesieve = { host = "127.0.0.1", port = $MAILSTACK_SIEVE_PORT, security = "starttls", ca_file = "$CA" }
carddav = { url = "https://127.0.0.1:$MAILSTACK_CARDDAV_PORT/", ca_file = "$CA" }

[[server]]
id = "demo-pop3"
name = "Demo mail over POP3 (mail kept in your browser)"
domain = "example.test"
pop3 = { host = "127.0.0.1", port = $MAILSTACK_POP3_PORT, security = "starttls", ca_file = "$CA" }
smtp = { host = "127.0.0.1", port = $MAILSTACK_SUBMISSION_PORT, security = "starttls", ca_file = "$CA" }

# The same mailboxes, signed in with the demo's OpenID provider (OAuth 2.0) instead of a password.
[[server]]
id = "demo-oauth"
name = "Demo ID"
domain = "example.test"
imap = { host = "127.0.0.1", port = $MAILSTACK_IMAP_PORT, security = "starttls", ca_file = "$CA" }
smtp = { host = "127.0.0.1", port = $MAILSTACK_SUBMISSION_PORT, security = "starttls", ca_file = "$CA" }
oauth = { issuer = "https://127.0.0.1:20443", client_id = "yubin", client_secret = "yubin-secret", ca_file = "$CA", button = "Sign in with Demo ID (OAuth)" }
TOML
  cat <<MSG

  Yubin demo: open http://${YUBIN_LISTEN:-127.0.0.1:8080}/ in your browser.
  Sign in as alice / alice-pass (500 messages, 60 contacts) or bob / bob-pass; carol, dave and erin also
  exist (password: <name>-pass). Mail sent to any @example.test user arrives in their inbox.
  "Sign in with Demo ID" goes through the demo's OpenID provider (https://127.0.0.1:20443,
  certified by the demo's own CA, so the browser warns once): log in as alice@example.test with
  any password, consent, and come back signed in with OAuth tokens.
  Choose "Demo mail over POP3" to use the same mailboxes as a POP3 account, whose mail is
  downloaded into the browser.
  Writing to carol@example.test with "Encrypt" ticked, "Look up" finds her key on the demo's
  keyserver (https://127.0.0.1:20530).
  Ctrl-C stops the gateway and the demo mail stack.

MSG
fi
./target/release/yubin-gateway --config "$CONFIG"
