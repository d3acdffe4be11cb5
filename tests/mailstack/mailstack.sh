#!/usr/bin/env bash
# mailstack.sh - Yubin's own Dovecot + Postfix mail stack on 127.0.0.1, for tests and the demo
#
#   mailstack.sh start            write configs (+TLS cert), start Dovecot, Postfix, the OpenID
#                                 provider and Radicale (CardDAV), wait until ready
#   mailstack.sh stop             stop both, wait until every process is gone
#   mailstack.sh status           show PIDs / listening ports (exit 0 = both running)
#   mailstack.sh seed N USER [MAILBOX]   put N generated messages into USER's mailbox (default INBOX)
#   mailstack.sh seed-contacts N USER   put N generated contacts into USER's address book (Radicale)
#   mailstack.sh clean            stop + delete the whole state directory
#   mailstack.sh doveadm ARGS...  run doveadm against this instance
#   mailstack.sh postfix ARGS...  run postfix(1) against this instance (e.g. "flush")
#   mailstack.sh postconf ARGS... run postconf(1) against this instance
#   mailstack.sh roundcube start|stop   optional reference webmail (Debian roundcube-core +
#                                 roundcube-sqlite3 + php-cli) on http://127.0.0.1:18080 via "php -S"
#   mailstack.sh env              print endpoints/CA path as KEY=VALUE lines (for tests)
#
# Environment knobs (defaults in brackets): MAILSTACK_DIR [/tmp/yubin-mailstack], MAILSTACK_DOMAIN
# [example.test], MAILSTACK_USERS ["alice:alice-pass bob:bob-pass ..."], MAILSTACK_SINK [sink],
# MAILSTACK_AUTH_HARDENING [0], MAILSTACK_DOVECOT_SSL [yes], MAILSTACK_FSYNC [optimized],
# MAILSTACK_MAIL_USER [mail], MAILSTACK_*_PORT, MAILSTACK_SEED_WARM [envelope|index|none],
# MAILSTACK_MANY_CLIENTS [0] (1 = tuned for thousands of concurrent IMAP connections, benchmarks).
#
# Needs root and the Debian packages:
#   dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl python3 python3-radicale
# Everything (config, TLS, spool, mailboxes, logs, sockets, pid files) lives under $MAILSTACK_DIR.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$SCRIPT_DIR/lib.sh"
# Keep it short: Dovecot's unix socket paths must stay under 108 bytes.
D=${MAILSTACK_DIR:-/tmp/yubin-mailstack}
DOMAIN=${MAILSTACK_DOMAIN:-example.test}
# "localpart:password ..." (plain-text passwords; test users only)
USERS=${MAILSTACK_USERS:-"alice:alice-pass bob:bob-pass carol:carol-pass dave:dave-pass erin:erin-pass frank:frank-pass grace:grace-pass henry:henry-pass ivy:ivy-pass jack:jack-pass kate:kate-pass leo:leo-pass mia:mia-pass noah:noah-pass olivia:olivia-pass paul:paul-pass quinn:quinn-pass rita:rita-pass sam:sam-pass tina:tina-pass uma:uma-pass victor:victor-pass wendy:wendy-pass xander:xander-pass yara:yara-pass zoe:zoe-pass abe:abe-pass bea:bea-pass cal:cal-pass dora:dora-pass ezra:ezra-pass gus:gus-pass fay:fay-pass hana:hana-pass ike:ike-pass jo:jo-pass mai:mai-pass kit:kit-pass lou:lou-pass sven:sven-pass tove:tove-pass fern:fern-pass vera:vera-pass walt:walt-pass hugo:hugo-pass cora:cora-pass cody:cody-pass nell:nell-pass nico:nico-pass rosa:rosa-pass rudy:rudy-pass pia:pia-pass prue:prue-pass mox:mox-pass sol:sol-pass tam:tam-pass rex:rex-pass ria:ria-pass ines:ines-pass tess:tess-pass ugo:ugo-pass wes:wes-pass gwen:gwen-pass"}
# Users whose IMAP server offers nothing beyond RFC 3501 (no CONDSTORE, QRESYNC, LIST-STATUS,
# SORT, MOVE, UIDPLUS …): Dovecot's imap_capability, set per user from the passdb. For testing
# the client's fallbacks against a real server.
BASIC_USERS=${MAILSTACK_BASIC_USERS-"otto:otto-pass"}
# Users whose server looks like the older ones people still run (Courier, old Cyrus and Dovecot
# setups): no SPECIAL-USE, every folder under "INBOX." with "." as delimiter, nothing beyond
# RFC 3501 (no MOVE, no METADATA). Their folders have names, not special-use attributes.
OLD_USERS=${MAILSTACK_OLD_USERS-"olga:olga-pass ole:ole-pass oona:oona-pass opal:opal-pass"}
# Users with a small mail quota (Dovecot's quota plugin, "count" backend; IMAP QUOTA): the
# others have none, and their mailboxes are not counted.
QUOTA_USERS=${MAILSTACK_QUOTA_USERS-"qiana:qiana-pass quincy:quincy-pass"}
QUOTA_RULE=${MAILSTACK_QUOTA_RULE:-"*:storage=40K"}
MAIL_OS_USER=${MAILSTACK_MAIL_USER:-mail}          # existing unprivileged OS user that owns the mailboxes
# Dovecot brute-force protection: 1 = production defaults (auth_failure_delay 2 s plus the anvil per-IP
# penalty; measured 2, 6, 10, 17 s for consecutive failures and 15 s even for the next *correct* login),
# 0 = auth_failure_delay 0 + penalty socket disabled (failures answered in ~0.5 s: Dovecot flushes its
# failure queue on a fixed 500 ms timer, there is no setting below that)
AUTH_HARDENING=${MAILSTACK_AUTH_HARDENING:-0}
# Dovecot "ssl" (yes|required). Either way Dovecot 2.3 treats a client whose IP equals the server's
# (127.0.0.1 -> 127.0.0.1) as "secured" and allows plaintext LOGIN without STARTTLS. A client that
# connects from source address 127.0.0.2 is not secured and sees LOGINDISABLED until STARTTLS.
DOVECOT_SSL=${MAILSTACK_DOVECOT_SSL:-yes}
# Outbound (non-$DOMAIN) mail from authenticated users is captured in this local mailbox instead of
# leaving the machine. Empty = reject outside recipients at RCPT time.
SINK=${MAILSTACK_SINK-sink}
# Dovecot mail_fsync: optimized (Dovecot default, fsync on every save/delivery) or never (much faster
# LMTP/APPEND on slow CI disks; data is only at risk if the machine crashes)
FSYNC=${MAILSTACK_FSYNC:-optimized}
# Thousands of IMAP connections (the gateway's memory benchmark): login processes in Dovecot's
# "high-performance" mode (one process proxies TLS for many clients instead of one per client),
# and room for one imap process per connection (Dovecot 2.3 does not share them across clients).
# A login process keeps the TLS state of every client it proxies: past ~4,000 clients one process
# outgrew Dovecot's 256 MB default (vsz_limit; "OpenSSL malloc() failed", every client of it
# dropped), so the clients are spread over four processes with room to grow.
MANY_CLIENTS=${MAILSTACK_MANY_CLIENTS:-0}
if [ "$MANY_CLIENTS" = 1 ]; then
  LOGIN_SERVICE_COUNT=0 LOGIN_CLIENT_LIMIT=4000 LOGIN_MIN_AVAIL=4 LOGIN_VSZ_LIMIT=1G
  IMAP_CLIENT_LIMIT=1 IMAP_PROCESS_LIMIT=11000 USERIP_LIMIT=15000 DEFAULT_CLIENT_LIMIT=15000
else
  LOGIN_SERVICE_COUNT=1 LOGIN_CLIENT_LIMIT=1000 LOGIN_MIN_AVAIL=0 LOGIN_VSZ_LIMIT=256M
  IMAP_CLIENT_LIMIT=1 IMAP_PROCESS_LIMIT=1024 USERIP_LIMIT=200 DEFAULT_CLIENT_LIMIT=1000
fi

IMAP_PORT=${MAILSTACK_IMAP_PORT:-10143}
IMAPS_PORT=${MAILSTACK_IMAPS_PORT:-10993}
POP3_PORT=${MAILSTACK_POP3_PORT:-10110}
POP3S_PORT=${MAILSTACK_POP3S_PORT:-10995}
LMTP_PORT=${MAILSTACK_LMTP_PORT:-10024}
SMTP_PORT=${MAILSTACK_SMTP_PORT:-10025}
SUBMISSION_PORT=${MAILSTACK_SUBMISSION_PORT:-10587}
SUBMISSIONS_PORT=${MAILSTACK_SUBMISSIONS_PORT:-10465}
SIEVE_PORT=${MAILSTACK_SIEVE_PORT:-10419}
WEBMAIL_PORT=${MAILSTACK_WEBMAIL_PORT:-18080}
# The OpenID provider (tests/oidc/provider.mjs, npm oidc-provider installed by scripts/setup.sh):
# HTTPS for browsers, the gateway and Dovecot; a plain-HTTP admin port where tests mint tokens.
OIDC_PORT=${MAILSTACK_OIDC_PORT:-10443}
OIDC_ADMIN_PORT=${MAILSTACK_OIDC_ADMIN_PORT:-10444}
# Short-lived access tokens, so that tests see them expire while a tab is open.
OIDC_ACCESS_TTL=${MAILSTACK_OIDC_ACCESS_TTL:-60}
OIDC_CLIENT_SECRET=yubin-secret
OIDC_DOVECOT_SECRET=dovecot-secret
OIDC_HOME=${YUBIN_TOOLS:-$HOME/.local/share/yubin-tools}/oidc
# Radicale (CardDAV, the users' contacts): HTTPS with the stack's certificate, the same users and
# passwords as the mail (htpasswd), each user's collections their own.
CARDDAV_PORT=${MAILSTACK_CARDDAV_PORT:-10524}
# A keyserver (VKS lookups from files, tests/mailstack/keyserver.py): HTTPS with the stack's
# certificate; tests put keys in $D/keyserver/by-email/<address> (and by-fingerprint/, by-keyid/).
KEYSERVER_PORT=${MAILSTACK_KEYSERVER_PORT:-10530}
ALL_PORTS="$IMAP_PORT $IMAPS_PORT $POP3_PORT $POP3S_PORT $LMTP_PORT $SMTP_PORT $SUBMISSION_PORT $SUBMISSIONS_PORT $SIEVE_PORT"

ETC=$D/etc
DCONF=$ETC/dovecot/dovecot.conf
PCONF=$ETC/postfix
RUN=$D/run
DBASE=$RUN/dovecot
STATE=$D/state
SPOOL=$D/spool/postfix
LOGS=$D/logs
TLS=$D/tls
MAILROOT=$D/mail
RC=$D/roundcube

log() { printf '[mailstack %s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

check_bins() {
  local b
  for b in dovecot doveadm doveconf postfix postconf openssl python3; do
    command -v "$b" >/dev/null || die "missing binary: $b (apt-get install dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl python3)"
  done
  [ -x /usr/lib/dovecot/imap ] || die "dovecot-imapd not installed"
  [ -x /usr/lib/dovecot/pop3 ] || die "dovecot-pop3d not installed"
  [ -x /usr/lib/dovecot/lmtp ] || die "dovecot-lmtpd not installed"
  id "$MAIL_OS_USER" >/dev/null 2>&1 || die "OS user $MAIL_OS_USER missing"
  id postfix >/dev/null 2>&1 || die "OS user postfix missing"
}

# ---------------------------------------------------------------- configuration
# A private CA (ca.pem, what clients trust) and a server certificate it signed (cert.pem, what the
# servers present). Strict verifiers such as webpki refuse a self-signed CA certificate used as the
# server's own certificate, so the two are kept apart as in a real deployment.
write_tls() {
  mkdir -p "$TLS"; chmod 0755 "$TLS"
  if [ ! -s "$TLS/ca.pem" ] || [ ! -s "$TLS/cert.pem" ] || [ ! -s "$TLS/key.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
      -keyout "$TLS/ca-key.pem" -out "$TLS/ca.pem" -subj "/CN=mailstack test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      >/dev/null 2>&1 || die "openssl (CA) failed"
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$TLS/key.pem" -out "$TLS/server.csr" \
      -subj "/CN=mail.$DOMAIN" >/dev/null 2>&1 || die "openssl (CSR) failed"
    printf '%s\n' "subjectAltName=DNS:localhost,DNS:mail.$DOMAIN,IP:127.0.0.1" \
      "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" > "$TLS/server.ext"
    openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca-key.pem" -CAcreateserial \
      -days 3650 -sha256 -extfile "$TLS/server.ext" -out "$TLS/cert.pem" >/dev/null 2>&1 || die "openssl (sign) failed"
    chmod 0600 "$TLS/key.pem" "$TLS/ca-key.pem"; chmod 0644 "$TLS/cert.pem" "$TLS/ca.pem"
  fi
}

all_users() { echo $USERS $BASIC_USERS $OLD_USERS $QUOTA_USERS; [ -z "$SINK" ] || echo "$SINK:$SINK-pass"; }

write_dovecot_conf() {
  local delay=0 penalty_mode=0600
  [ "$AUTH_HARDENING" = 1 ] && delay="2 secs" || penalty_mode=0
  local uid gid
  uid=$(id -u "$MAIL_OS_USER"); gid=$(id -g "$MAIL_OS_USER")
  mkdir -p "$ETC/dovecot" "$DBASE" "$STATE/dovecot" "$LOGS" "$MAILROOT/$DOMAIN"
  chown "$uid:$gid" "$MAILROOT" "$MAILROOT/$DOMAIN"; chmod 0750 "$MAILROOT" "$MAILROOT/$DOMAIN"

  # passwd-file: user:{scheme}password[::::::extra fields]
  : > "$ETC/dovecot/users.tmp"
  local u extra
  for u in $(all_users); do
    extra=
    case " $BASIC_USERS " in *" $u "*) extra="::::::userdb_imap_capability=IMAP4rev1" ;; esac
    case " $OLD_USERS " in *" $u "*)
      extra="::::::userdb_imap_capability=IMAP4rev1 userdb_imap_metadata=no"
      extra="$extra userdb_namespace/inbox/prefix=INBOX. userdb_namespace/inbox/separator=."
      local box
      # The configured special-use folders are not created for them; they get folders of
      # other names (as Exchange and Outlook name them), created by the tests.
      for box in Drafts Sent Trash Junk Archive; do
        extra="$extra userdb_namespace/inbox/mailbox/$box/auto=no"
      done ;;
    esac
    case " $QUOTA_USERS " in *" $u "*)
      extra="::::::userdb_quota=count:mailbox userdb_quota_rule=$QUOTA_RULE userdb_quota_vsizes=yes" ;;
    esac
    printf '%s@%s:{PLAIN}%s%s\n' "${u%%:*}" "$DOMAIN" "${u#*:}" "$extra" >> "$ETC/dovecot/users.tmp"
  done
  mv "$ETC/dovecot/users.tmp" "$ETC/dovecot/users"
  chown root:dovecot "$ETC/dovecot/users"; chmod 0640 "$ETC/dovecot/users"

  cat > "$DCONF" <<EOF
# Generated by mailstack.sh - standalone Dovecot config (does not include /etc/dovecot)
instance_name = mailstack
base_dir = $DBASE
state_dir = $STATE/dovecot
log_path = $LOGS/dovecot.log
info_log_path = $LOGS/dovecot.log
protocols = imap pop3 lmtp sieve
listen = 127.0.0.1
hostname = mail.$DOMAIN
postmaster_address = postmaster@$DOMAIN
login_greeting = Dovecot (mailstack) ready.
shutdown_clients = yes

ssl = $DOVECOT_SSL
ssl_cert = <$TLS/cert.pem
ssl_key = <$TLS/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2

auth_mechanisms = plain login xoauth2 oauthbearer
disable_plaintext_auth = yes
auth_failure_delay = $delay
auth_cache_size = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $ETC/dovecot/users
  # "none": the lookups LMTP makes for a recipient, with no mechanism, use this passdb too.
  mechanisms = plain login none
}
# Bearer tokens (XOAUTH2, OAUTHBEARER) are checked at the OpenID provider's introspection
# endpoint: active, and issued for this very user.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $ETC/dovecot/oauth2.conf.ext
}
userdb {
  # static userdb + passwd-file passdb: for LMTP (userdb-only lookup) Dovecot verifies
  # the user via passdb, so unknown recipients are rejected.
  driver = static
  args = uid=$uid gid=$gid home=$MAILROOT/%Ld/%Ln
}
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid

mail_location = maildir:~/Maildir
# Quotas, for the users given one (see QUOTA_USERS); IMAP QUOTA (RFC 9208) reports them.
mail_plugins = \$mail_plugins quota
mail_fsync = $FSYNC
mailbox_list_index = yes
mail_max_userip_connections = $USERIP_LIMIT
default_client_limit = $DEFAULT_CLIENT_LIMIT
recipient_delimiter = +
# METADATA (RFC 5464): Yubin keeps its roaming settings there.
mail_attribute_dict = file:%h/dovecot-attributes

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    auto = subscribe
    special_use = \Drafts
  }
  mailbox Sent {
    auto = subscribe
    special_use = \Sent
  }
  mailbox Trash {
    auto = subscribe
    special_use = \Trash
  }
  mailbox Junk {
    auto = subscribe
    special_use = \Junk
  }
  mailbox Archive {
    auto = subscribe
    special_use = \Archive
  }
}

protocol imap {
  # IDLE, CONDSTORE, QRESYNC, MOVE, SPECIAL-USE, UIDPLUS, ... are advertised by default in 2.3
  imap_idle_notify_interval = 2 mins
  imap_metadata = yes
  mail_plugins = \$mail_plugins imap_quota
}
protocol pop3 {
  pop3_uidl_format = %08Xu%08Xv
}
protocol lmtp {
  # Pigeonhole: the user's active Sieve script runs at delivery.
  mail_plugins = \$mail_plugins sieve
}
# What Sieve sends (vacation replies, redirects) goes out through the stack's own Postfix,
# never the machine's sendmail.
submission_host = 127.0.0.1:$SMTP_PORT
protocol sieve {
  managesieve_implementation_string = Dovecot Pigeonhole (mailstack)
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_extensions = +vacation-seconds +editheader
}

service imap-login {
  service_count = $LOGIN_SERVICE_COUNT
  client_limit = $LOGIN_CLIENT_LIMIT
  process_min_avail = $LOGIN_MIN_AVAIL
  vsz_limit = $LOGIN_VSZ_LIMIT
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service imap {
  client_limit = $IMAP_CLIENT_LIMIT
  process_limit = $IMAP_PROCESS_LIMIT
}
service managesieve-login {
  inet_listener sieve {
    address = 127.0.0.1
    port = $SIEVE_PORT
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S_PORT
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp-postfix {
    mode = 0600
    user = postfix
    group = postfix
  }
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service anvil {
  # mode 0 = auth process cannot reach the penalty socket = per-IP auth penalty disabled
  unix_listener anvil-auth-penalty {
    mode = $penalty_mode
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
  chmod 0644 "$DCONF"
  cat > "$ETC/dovecot/oauth2.conf.ext" <<EOF
introspection_mode = post
introspection_url = https://dovecot:$OIDC_DOVECOT_SECRET@127.0.0.1:$OIDC_PORT/token/introspection
force_introspection = yes
username_attribute = sub
active_attribute = active
active_value = true
tls_ca_cert_file = $TLS/ca.pem
EOF
  chown root:dovecot "$ETC/dovecot/oauth2.conf.ext"; chmod 0640 "$ETC/dovecot/oauth2.conf.ext"
}

# The stack's helper processes (the OpenID provider, Radicale, the keyserver), each known by
# the name of its pid file: its pid if it runs.
helper_pid() { local p; p=$(cat "$RUN/$1.pid" 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p"; }

# Waits up to 20 s for a helper's ports to open: await_helper LABEL LOGFILE PORT...
await_helper() {
  local label=$1 logf=$2 port deadline=$(( $(date +%s) + 20 )); shift 2
  for port in "$@"; do
    until port_open "$port"; do
      [ "$(date +%s)" -lt "$deadline" ] || die "$label did not start (see $logf)"
      sleep 0.05
    done
  done
}

# Stops helper NAME (LABEL in the log) and forgets its pid: stop_helper NAME LABEL
stop_helper() {
  local p
  if p=$(helper_pid "$1"); then
    log "stopping $2 ($p)"
    kill -TERM "$p" 2>/dev/null || true
    while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
  fi
  rm -f "$RUN/$1.pid"
}

# The OpenID provider runs from its install dir (Node resolves oidc-provider from the script's
# own directory). Without it (setup.sh not run) the stack still serves password sign-ins.
start_oidc() {
  if [ ! -d "$OIDC_HOME/node_modules/oidc-provider" ]; then
    log "no OpenID provider in $OIDC_HOME (scripts/setup.sh installs it): OAuth sign-ins will fail"
    return 0
  fi
  cp "$SCRIPT_DIR/../oidc/provider.mjs" "$OIDC_HOME/provider.mjs"
  log "starting the OpenID provider"
  ( cd "$OIDC_HOME" && OIDC_PORT=$OIDC_PORT ADMIN_PORT=$OIDC_ADMIN_PORT OIDC_ACCESS_TTL=$OIDC_ACCESS_TTL \
      OIDC_CERT=$TLS/cert.pem OIDC_KEY=$TLS/key.pem OIDC_CLIENT_SECRET=$OIDC_CLIENT_SECRET \
      OIDC_DOVECOT_SECRET=$OIDC_DOVECOT_SECRET detached_exec "$LOGS/oidc.log" node provider.mjs ) &
  echo $! > "$RUN/oidc.pid"
  await_helper "the OpenID provider" "$LOGS/oidc.log" "$OIDC_PORT" "$OIDC_ADMIN_PORT"
}

start_radicale() {
  if ! /usr/bin/python3 -c "import radicale" 2>/dev/null; then
    log "no Radicale (scripts/setup.sh installs it): contacts will fail"
    return 0
  fi
  mkdir -p "$ETC/radicale" "$D/radicale"
  : > "$ETC/radicale/users.tmp"
  local u
  for u in $(all_users); do printf '%s@%s:%s\n' "${u%%:*}" "$DOMAIN" "${u#*:}" >> "$ETC/radicale/users.tmp"; done
  mv "$ETC/radicale/users.tmp" "$ETC/radicale/users"; chmod 0600 "$ETC/radicale/users"
  cat > "$ETC/radicale/config" <<CONF
[server]
hosts = 127.0.0.1:$CARDDAV_PORT
ssl = True
certificate = $TLS/cert.pem
key = $TLS/key.pem
max_connections = 64
[auth]
type = htpasswd
htpasswd_filename = $ETC/radicale/users
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = $D/radicale/collections
[web]
type = none
[logging]
level = warning
CONF
  log "starting Radicale"
  detached_exec "$LOGS/radicale.log" /usr/bin/python3 -m radicale --config "$ETC/radicale/config" &
  echo $! > "$RUN/radicale.pid"
  await_helper Radicale "$LOGS/radicale.log" "$CARDDAV_PORT"
}

stop_radicale() { stop_helper radicale Radicale; }

start_keyserver() {
  mkdir -p "$D/keyserver/by-email" "$D/keyserver/by-fingerprint" "$D/keyserver/by-keyid"
  log "starting the keyserver"
  detached_exec "$LOGS/keyserver.log" /usr/bin/python3 "$SCRIPT_DIR/keyserver.py" "$KEYSERVER_PORT" \
    "$TLS/cert.pem" "$TLS/key.pem" "$D/keyserver" &
  echo $! > "$RUN/keyserver.pid"
  await_helper "the keyserver" "$LOGS/keyserver.log" "$KEYSERVER_PORT"
}

stop_keyserver() { stop_helper keyserver "the keyserver"; }

stop_oidc() { stop_helper oidc "the OpenID provider"; }

write_postfix_conf() {
  mkdir -p "$PCONF" "$STATE/postfix" "$SPOOL" "$LOGS"
  chown postfix:postfix "$STATE/postfix"; chmod 0700 "$STATE/postfix"
  chown root:root "$SPOOL"; chmod 0755 "$SPOOL"

  : > "$PCONF/vmailbox.tmp"; : > "$PCONF/sender_login.tmp"
  local u lp
  for u in $(all_users); do
    lp=${u%%:*}
    printf '%s@%s %s/%s/\n' "$lp" "$DOMAIN" "$DOMAIN" "$lp" >> "$PCONF/vmailbox.tmp"
    printf '%s@%s %s@%s\n' "$lp" "$DOMAIN" "$lp" "$DOMAIN" >> "$PCONF/sender_login.tmp"
  done
  printf 'postmaster@%s postmaster/\n' "$DOMAIN" >> "$PCONF/vmailbox.tmp"
  # gone@: accepted by Postfix at RCPT but unknown to Dovecot, so LMTP refuses it after the
  # fact and Postfix sends a real delivery status notification (bounce) to the sender.
  printf 'gone@%s gone/\n' "$DOMAIN" >> "$PCONF/vmailbox.tmp"
  mv "$PCONF/vmailbox.tmp" "$PCONF/vmailbox"; mv "$PCONF/sender_login.tmp" "$PCONF/sender_login"
  local dom_re=${DOMAIN//./\\.}
  printf 'if !/@%s$/\n/./ %s@%s\nendif\n' "$dom_re" "${SINK:-sink}" "$DOMAIN" > "$PCONF/outbound_sink"
  # postmaster -> first user
  printf 'postmaster@%s %s@%s\n' "$DOMAIN" "$(set -- $USERS; echo "${1%%:*}")" "$DOMAIN" > "$PCONF/virtual_alias"

  cat > "$PCONF/main.cf" <<EOF
# Generated by mailstack.sh - standalone Postfix instance (postfix -c $PCONF ...)
compatibility_level = 3.6
queue_directory = $SPOOL
data_directory = $STATE/postfix
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
# Postfix >= 3.4 internal logging (postlogd) instead of syslog
maillog_file = $LOGS/postfix.log
maillog_file_prefixes = $LOGS
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C

myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP Postfix (mailstack)
biff = no
append_dot_mydomain = no
readme_directory = no
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 local delivery disabled
relayhost =
# nothing ever leaves this box (see outbound_sink / MAILSTACK_SINK)
$(if [ -n "$SINK" ]; then cat <<EOS
# outside recipients are accepted from authenticated users and rewritten (envelope only) to $SINK@$DOMAIN
recipient_canonical_maps = regexp:$PCONF/outbound_sink
recipient_canonical_classes = envelope_recipient
default_transport = discard:outbound delivery disabled in mailstack
relay_transport = discard:outbound delivery disabled in mailstack
EOS
else cat <<EOS
default_transport = error:5.7.1 outbound delivery disabled in mailstack
relay_transport = error:5.7.1 outbound delivery disabled in mailstack
EOS
fi)
delay_warning_time = 0
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
message_size_limit = 52428800
recipient_delimiter = +

virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = texthash:$PCONF/vmailbox
virtual_alias_maps = texthash:$PCONF/virtual_alias
virtual_transport = lmtp:unix:$DBASE/lmtp-postfix

smtpd_tls_cert_file = $TLS/cert.pem
smtpd_tls_key_file = $TLS/key.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_tls_session_cache_database = btree:\${data_directory}/smtpd_scache
smtp_tls_security_level = none

smtpd_sasl_type = dovecot
smtpd_sasl_path = $DBASE/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_sasl_authenticated_header = yes
smtpd_sender_login_maps = texthash:$PCONF/sender_login
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_peername_lookup = no
EOF

  cat > "$PCONF/master.cf" <<EOF
# Generated by mailstack.sh - no chroot anywhere, loopback listeners only
# service type  private unpriv  chroot  wakeup  maxproc command + args
# inbound "MX": no AUTH, only accepts mail for $DOMAIN
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
  -o syslog_name=postfix/mx
# submission: STARTTLS + SASL AUTH required
127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o milter_macro_daemon_name=ORIGINATING
# submissions: implicit TLS + SASL AUTH required
127.0.0.1:$SUBMISSIONS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o milter_macro_daemon_name=ORIGINATING
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  chown -R root:root "$PCONF"; chmod 0644 "$PCONF"/*
  # Postfix's dict_load_file() refuses to use a file whose mtime is within ~1 s of "now" and polls
  # it every 300 ms ("pausing to let ... cool down"), which cost ~2 s on every start. Back-date them.
  touch -d "@$(( $(date +%s) - 10 ))" "$PCONF"/*
}

# ---------------------------------------------------------------- process helpers
dovecot_pid() {
  local f=$DBASE/master.pid p
  [ -s "$f" ] || return 1
  p=$(cat "$f"); kill -0 "$p" 2>/dev/null || return 1
  echo "$p"
}
postfix_pid() {
  local f=$SPOOL/pid/master.pid p
  [ -s "$f" ] || return 1
  p=$(tr -d ' ' < "$f"); kill -0 "$p" 2>/dev/null || return 1
  echo "$p"
}
# all PIDs that belong to this instance: the masters and their descendants
instance_pids() {
  local roots="" p
  p=$(dovecot_pid 2>/dev/null) && roots="$roots $p"
  p=$(postfix_pid 2>/dev/null) && roots="$roots $p"
  [ -n "$roots" ] || return 0
  ps -e -o pid=,ppid= | awk -v roots="$roots" '
    BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
    { parent[$1] = $2; pids[++m] = $1 }
    END { changed = 1
          while (changed) { changed = 0
            for (i = 1; i <= m; i++) { p = pids[i]
              if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } } }
          for (p in keep) print p }'
}

wait_ports() {
  local deadline=$(( $(date +%s) + ${1:-30} )) port
  for port in $ALL_PORTS; do
    until port_open "$port"; do
      [ "$(date +%s)" -lt "$deadline" ] || die "port $port not listening after timeout (see $LOGS)"
      sleep 0.05
    done
  done
  # sockets Postfix needs
  for s in "$DBASE/lmtp-postfix" "$DBASE/auth-postfix"; do
    until [ -S "$s" ]; do
      [ "$(date +%s)" -lt "$deadline" ] || die "socket $s missing"
      sleep 0.05
    done
  done
}

check_ports_free() {
  local port
  for port in $ALL_PORTS; do
    if port_open "$port"; then die "port 127.0.0.1:$port already in use by something else"; fi
  done
}

# ---------------------------------------------------------------- commands
cmd_start() {
  need_root; check_bins
  # Test binaries may start the stack concurrently; one start at a time per directory.
  exec 9>"${D%/}.lock"; flock 9
  if dovecot_pid >/dev/null && postfix_pid >/dev/null; then
    helper_pid oidc >/dev/null || start_oidc
    helper_pid radicale >/dev/null || start_radicale
    helper_pid keyserver >/dev/null || start_keyserver
    log "already running"; return 0
  fi
  if dovecot_pid >/dev/null || postfix_pid >/dev/null; then log "partially running - stopping first"; cmd_stop; fi
  check_ports_free
  local t0; t0=$(date +%s.%N)
  mkdir -p "$D"; chmod 0755 "$D"
  rm -rf "$DBASE"   # stale sockets/pid of a previous (crashed) run; nothing is running at this point
  mkdir -p "$ETC" "$RUN" "$STATE" "$LOGS" "$D/spool"; chmod 0755 "$ETC" "$RUN" "$STATE" "$LOGS" "$D/spool"
  write_tls
  write_dovecot_conf
  write_postfix_conf
  # validate both configs before starting anything
  doveconf -c "$DCONF" -n > "$LOGS/doveconf-n.txt" 2> "$LOGS/doveconf.err" || { cat "$LOGS/doveconf.err" >&2; die "doveconf failed"; }
  log "starting dovecot"
  detached "$LOGS/dovecot.stderr" dovecot -c "$DCONF" || { cat "$LOGS/dovecot.stderr" >&2; die "dovecot failed to start (see $LOGS/dovecot.log)"; }
  log "starting postfix"
  # (postfix start itself runs "postfix-script check-fatal" first and "check-warn" in the background)
  detached "$LOGS/postfix-start.log" postfix -c "$PCONF" start || { cat "$LOGS/postfix-start.log" >&2; die "postfix start failed"; }
  wait_ports 30
  stop_oidc; start_oidc
  stop_radicale; start_radicale
  stop_keyserver; start_keyserver
  log "ready in $(python3 -c "import sys;print(round(float(sys.argv[2])-float(sys.argv[1]),3))" "$t0" "$(date +%s.%N)")s" \
      "- IMAP $IMAP_PORT(STARTTLS)/$IMAPS_PORT(TLS) POP3 $POP3_PORT/$POP3S_PORT LMTP $LMTP_PORT SMTP $SMTP_PORT submission $SUBMISSION_PORT submissions $SUBMISSIONS_PORT ManageSieve $SIEVE_PORT(STARTTLS)"
}

cmd_stop() {
  need_root
  stop_oidc
  stop_radicale
  stop_keyserver
  local pids p deadline
  pids=$(instance_pids | tr '\n' ' ')
  # SIGTERM to both masters at once. For Postfix this is exactly what "postfix stop" does
  # (postfix-script kills the master with SIGTERM, then polls with 1 s sleeps); for Dovecot it is
  # what "doveadm stop" does. Both masters then terminate their children and exit (~2-3 s).
  if p=$(postfix_pid 2>/dev/null); then log "stopping postfix (master $p)"; kill -TERM "$p" 2>/dev/null || true; fi
  if p=$(dovecot_pid 2>/dev/null); then log "stopping dovecot (master $p)"; kill -TERM "$p" 2>/dev/null || true; fi
  deadline=$(( $(date +%s) + 20 ))
  for p in $pids; do
    while kill -0 "$p" 2>/dev/null; do
      if [ "$(date +%s)" -ge "$deadline" ]; then log "pid $p still alive - SIGKILL"; kill -KILL "$p" 2>/dev/null || true; break; fi
      sleep 0.05
    done
  done
  log "stopped"
}

cmd_status() {
  local dp pp rc=0 port
  if dp=$(dovecot_pid); then echo "dovecot: running (master pid $dp)"; else echo "dovecot: stopped"; rc=1; fi
  if pp=$(postfix_pid); then echo "postfix: running (master pid $pp)"; else echo "postfix: stopped"; rc=1; fi
  local pids; pids=$(instance_pids | tr '\n' ' ')
  echo "instance pids: ${pids:-none}"
  for port in $ALL_PORTS; do
    if port_open "$port"; then echo "  127.0.0.1:$port open"; else echo "  127.0.0.1:$port closed"; fi
  done
  return $rc
}

cmd_seed() {
  need_root
  local n=${1:?usage: seed N USER [MAILBOX]} user=${2:?usage: seed N USER [MAILBOX]} mbox=${3:-INBOX}
  case $user in *@*) ;; *) user=$user@$DOMAIN ;; esac
  dovecot_pid >/dev/null || die "dovecot not running"
  local lp=${user%@*} dom=${user#*@} uid gid
  uid=$(id -u "$MAIL_OS_USER"); gid=$(id -g "$MAIL_OS_USER")
  # make sure the mailbox exists (also creates the home/Maildir with correct owner)
  doveadm -c "$DCONF" mailbox create -u "$user" "$mbox" 2>/dev/null || true
  local md=$MAILROOT/$dom/$lp/Maildir
  [ "$mbox" = INBOX ] || md="$md/.${mbox//\//.}"
  [ -d "$md/cur" ] || die "maildir $md not found"
  local t0 t1 t2 t3
  t0=$(date +%s.%N)
  # 1) write maildir files directly into cur/ (chowned to the mail owner)
  python3 "$SCRIPT_DIR/genmail.py" --maildir "$md" --count "$n" --to "$user" --domain "$dom" \
    --uid "$uid" --gid "$gid" --seed "${MAILSTACK_SEED_RANDOM:-42}"
  t1=$(date +%s.%N)
  # 2) let Dovecot pick them up (maildir sync -> index, uidlist)
  doveadm -c "$DCONF" force-resync -u "$user" "$mbox"
  t2=$(date +%s.%N)
  # 3) pre-build the cache so the first client FETCH is not a cold parse of every file.
  #    "doveadm index" alone only caches what mail_cache_fields lists (flags); fetching the
  #    envelope once makes Dovecot's cache decision for imap.envelope permanent ("yes").
  case ${MAILSTACK_SEED_WARM:-envelope} in
    envelope) doveadm -c "$DCONF" fetch -u "$user" "imap.envelope" mailbox "$mbox" all > /dev/null ;;
    index) doveadm -c "$DCONF" index -u "$user" "$mbox" ;;
    none) ;;
  esac
  t3=$(date +%s.%N)
  python3 - "$t0" "$t1" "$t2" "$t3" "$n" <<'PY'
import sys
t0,t1,t2,t3=map(float,sys.argv[1:5]); n=int(sys.argv[5])
print(f"seed: {n} msgs  write={t1-t0:.2f}s  force-resync={t2-t1:.2f}s  warm-cache={t3-t2:.2f}s  total={t3-t0:.2f}s")
PY
  doveadm -c "$DCONF" mailbox status -u "$user" "messages uidnext vsize" "$mbox"
}

roundcube_pid() {
  local p
  [ -s "$RUN/roundcube.pid" ] || return 1
  p=$(cat "$RUN/roundcube.pid"); kill -0 "$p" 2>/dev/null || return 1
  echo "$p"
}

cmd_roundcube() {
  need_root
  case ${1:-} in
    start)
      [ -d /var/lib/roundcube/public_html ] && command -v php >/dev/null ||
        die "YUBIN_SETUP_BENCH=1 scripts/setup.sh installs roundcube-core roundcube-sqlite3 php8.2-cli php8.2-sqlite3"
      if roundcube_pid >/dev/null; then log "roundcube already running"; return 0; fi
      if port_open "$WEBMAIL_PORT"; then die "port $WEBMAIL_PORT in use"; fi
      mkdir -p "$RC/config" "$RC/db" "$RC/logs" "$RC/temp" "$RUN"
      # defaults.inc.php / mimetypes.php come from the package; only config.inc.php is ours
      ln -sf /etc/roundcube/defaults.inc.php "$RC/config/defaults.inc.php"
      ln -sf /etc/roundcube/mimetypes.php "$RC/config/mimetypes.php"
      [ -s "$RC/des_key" ] || head -c 18 /dev/urandom | base64 | tr -d '\n/+=' | head -c 24 > "$RC/des_key"
      cat > "$RC/config/config.inc.php" <<RCCONF
<?php
// Generated by mailstack.sh. Loaded instead of /etc/roundcube because ROUNDCUBE_CONFIG_DIR points here.
\$config = [];
\$config['db_dsnw'] = 'sqlite:///$RC/db/roundcube.sqlite?mode=0640';
\$config['imap_host'] = 'tls://127.0.0.1:$IMAP_PORT';
\$config['smtp_host'] = 'tls://127.0.0.1:$SUBMISSION_PORT';
\$config['smtp_user'] = '%u';
\$config['smtp_pass'] = '%p';
\$config['imap_conn_options'] = ['ssl' => ['verify_peer' => true, 'cafile' => '$TLS/ca.pem', 'peer_name' => 'localhost']];
\$config['smtp_conn_options'] = ['ssl' => ['verify_peer' => true, 'cafile' => '$TLS/ca.pem', 'peer_name' => 'localhost']];
\$config['username_domain'] = '$DOMAIN';
\$config['des_key'] = '$(cat "$RC/des_key")';
\$config['log_dir'] = '$RC/logs/';
\$config['temp_dir'] = '$RC/temp/';
\$config['plugins'] = [];
\$config['skin'] = 'elastic';
\$config['enable_installer'] = false;
\$config['support_url'] = '';
\$config['product_name'] = 'Roundcube (mailstack)';
\$config['login_rate_limit'] = 0;
\$config['session_lifetime'] = 60;
\$config['enable_spellcheck'] = false;
RCCONF
      # Compiled PHP kept between requests (opcache), as in any real deployment of Roundcube.
      # php -S in its own session/process group (setsid does not fork here: a background subshell of a
      # non-interactive shell is not a group leader), so $! is php itself and stop can signal the group
      ( export ROUNDCUBE_CONFIG_DIR=$RC/config PHP_CLI_SERVER_WORKERS=${MAILSTACK_WEBMAIL_WORKERS:-4}
        detached_exec "$RC/logs/php-server.log" setsid php -d opcache.enable_cli=1 -S "127.0.0.1:$WEBMAIL_PORT" -t /var/lib/roundcube/public_html ) &
      echo $! > "$RUN/roundcube.pid"
      local deadline=$(( $(date +%s) + 15 ))
      until port_open "$WEBMAIL_PORT"; do
        [ "$(date +%s)" -lt "$deadline" ] || die "roundcube (php -S) did not start, see $RC/logs"
        sleep 0.05
      done
      log "roundcube on http://127.0.0.1:$WEBMAIL_PORT/ (pid $(cat "$RUN/roundcube.pid"))"
      ;;
    stop)
      local p kids k
      if p=$(roundcube_pid); then
        kids=$(ps -o pid= --ppid "$p" | tr '\n' ' ')   # PHP_CLI_SERVER_WORKERS children
        kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" $kids 2>/dev/null || true
        for k in $p $kids; do while kill -0 "$k" 2>/dev/null; do sleep 0.05; done; done
        log "roundcube stopped"
      fi
      rm -f "$RUN/roundcube.pid"
      ;;
    *) die "usage: roundcube start|stop" ;;
  esac
}

cmd_clean() {
  need_root
  cmd_stop || true
  case $D in /|"") die "refusing to remove '$D'";; esac
  rm -rf "$D"
  log "removed $D"
}

case ${1:-} in
  start) cmd_start ;;
  # The second server family (others.sh) leans on this stack's TLS and Postfix: it goes with it.
  stop) if [ -s "$RUN/roundcube.pid" ]; then cmd_roundcube stop; fi; bash "$SCRIPT_DIR/others.sh" stop; cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  seed) shift; cmd_seed "$@" ;;
  seed-contacts)
    n=${2:?usage: seed-contacts N USER} user=${3:?usage: seed-contacts N USER}
    case $user in *@*) ;; *) user=$user@$DOMAIN ;; esac
    python3 "$SCRIPT_DIR/gencontacts.py" --storage "$D/radicale/collections" --user "$user" --count "$n" ;;
  clean) if [ -s "$RUN/roundcube.pid" ]; then cmd_roundcube stop; fi; bash "$SCRIPT_DIR/others.sh" clean; cmd_clean ;;
  roundcube) shift; cmd_roundcube "$@" ;;
  doveadm) shift; exec doveadm -c "$DCONF" "$@" ;;
  postfix) shift; exec postfix -c "$PCONF" "$@" ;;
  postconf) shift; exec postconf -c "$PCONF" "$@" ;;
  env)
    cat <<EOF
MAILSTACK_DIR=$D
MAILSTACK_DOMAIN=$DOMAIN
MAILSTACK_CA=$TLS/ca.pem
MAILSTACK_OIDC_ISSUER=https://127.0.0.1:$OIDC_PORT
MAILSTACK_OIDC_ADMIN=127.0.0.1:$OIDC_ADMIN_PORT
MAILSTACK_OIDC_CLIENT_SECRET=$OIDC_CLIENT_SECRET
MAILSTACK_IMAP=127.0.0.1:$IMAP_PORT
MAILSTACK_IMAPS=127.0.0.1:$IMAPS_PORT
MAILSTACK_POP3=127.0.0.1:$POP3_PORT
MAILSTACK_POP3S=127.0.0.1:$POP3S_PORT
MAILSTACK_LMTP=127.0.0.1:$LMTP_PORT
MAILSTACK_SMTP=127.0.0.1:$SMTP_PORT
MAILSTACK_SUBMISSION=127.0.0.1:$SUBMISSION_PORT
MAILSTACK_SUBMISSIONS=127.0.0.1:$SUBMISSIONS_PORT
MAILSTACK_SIEVE=127.0.0.1:$SIEVE_PORT
MAILSTACK_CARDDAV=127.0.0.1:$CARDDAV_PORT
MAILSTACK_KEYSERVER=https://127.0.0.1:$KEYSERVER_PORT
MAILSTACK_KEYSERVER_DIR=$D/keyserver
EOF
    ;;
  *) sed -n '2,23p' "$0"; exit 2 ;;
esac
