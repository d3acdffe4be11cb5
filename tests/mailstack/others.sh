#!/usr/bin/env bash
# others.sh - a second server family beside the Dovecot + Postfix stack, for the interoperability
# tests: Cyrus IMAP/POP3 3.6 and OpenSMTPD 7.4 on 127.0.0.1, run from a private dir.
#
#   others.sh start     write configs and users, start Cyrus and OpenSMTPD, wait until ready
#   others.sh stop      stop both
#   others.sh status    exit 0 when both run
#   others.sh clean     stop + delete the state directory
#   others.sh env       endpoints as KEY=VALUE lines (for tests)
#
# scripts/setup.sh unpacks both (never installs them: they conflict with Dovecot and Postfix)
# under $YUBIN_TOOLS/servers. Cyrus refuses to run as root and runs as $MAILSTACK_MAIL_USER.
# OpenSMTPD has its spool, its privilege-separation users and its helpers compiled in
# (/var/spool/smtpd, opensmtpd/opensmtpq, /usr/libexec/opensmtpd): it runs in a mount namespace
# of its own where private copies are bound over those paths, so nothing of the system changes
# but three empty mount points. TLS reuses the main stack's CA and certificate, so the main
# stack (mailstack.sh) is started first; mail OpenSMTPD takes for other domains goes to its
# Postfix.
#
# Cyrus: SPECIAL-USE folders created unsubscribed at first login, "/" delimiter, no prefix
# (altnamespace), METADATA that refuses undefined entries. Cyrus logs to syslog only; without
# a syslog daemon (a test machine) its log is lost, so `status` and the tests say what failed.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$SCRIPT_DIR/lib.sh"
TOOLS=${YUBIN_TOOLS:-$HOME/.local/share/yubin-tools}
CYRUS_ROOT=$TOOLS/servers/cyrus
SMTPD_ROOT=$TOOLS/servers/opensmtpd
# Beside the main stack it leans on, so a demo stack and the tests' never stop each other's.
D=${OTHERSTACK_DIR:-${MAILSTACK_DIR:-/tmp/yubin-mailstack}-others}
MAIN=${MAILSTACK_DIR:-/tmp/yubin-mailstack}
DOMAIN=cyrus.example.test
USERS=${OTHERSTACK_USERS:-"cora cleo cyd"}          # password: "<user>-pass"
RUN_AS=${MAILSTACK_MAIL_USER:-mail}
IMAP_PORT=${OTHERSTACK_IMAP_PORT:-11143}
POP3_PORT=${OTHERSTACK_POP3_PORT:-11110}
LMTP_PORT=${OTHERSTACK_LMTP_PORT:-11024}
SMTP_PORT=${OTHERSTACK_SMTP_PORT:-11025}
SUBMISSION_PORT=${OTHERSTACK_SUBMISSION_PORT:-11587}
ALL_PORTS="$IMAP_PORT $POP3_PORT $LMTP_PORT $SMTP_PORT $SUBMISSION_PORT"
MAIN_SMTP_PORT=${MAILSTACK_SMTP_PORT:-10025}

log() { printf '[others %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_cyrus() {
  local c=$D/cyrus bin=$D/cyrus/bin
  # Its services run as $RUN_AS, who cannot read the tools dir in root's home: a copy (6 MB).
  mkdir -p "$c"; cp -r "$CYRUS_ROOT/usr/lib/cyrus/bin" "$c/bin"; cp -r "$CYRUS_ROOT/usr/lib/x86_64-linux-gnu" "$c/lib"
  mkdir -p "$c/conf/db" "$c/conf/proc" "$c/conf/socket" "$c/conf/lock" "$c/spool" "$c/run"
  install -m 0600 "$MAIN/tls/key.pem" "$c/key.pem"
  cat > "$c/imapd.conf" <<EOF
configdirectory: $c/conf
partition-default: $c/spool
servername: $DOMAIN
# Users sign in with their address, as most providers ask; the domain is Cyrus's default one.
virtdomains: userid
defaultdomain: $DOMAIN
admins: cyrus
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $c/sasldb2
sasl_mech_list: PLAIN LOGIN
autocreate_quota: 0
autocreate_post: yes
autocreate_inbox_folders: Sent | Drafts | Trash | Junk | Archive
xlist-sent: Sent
xlist-drafts: Drafts
xlist-trash: Trash
xlist-junk: Junk
xlist-archive: Archive
lmtpsocket: $c/conf/socket/lmtp
idlesocket: $c/conf/socket/idle
notifysocket: $c/conf/socket/notify
mboxname_lockpath: $c/conf/lock
proc_path: $c/conf/proc
syslog_prefix: yubin-cyrus
tls_server_cert: $MAIN/tls/cert.pem
tls_server_key: $c/key.pem
EOF
  cat > "$c/cyrus.conf" <<EOF
START {
  recover cmd="$bin/ctl_cyrusdb -r -C $c/imapd.conf"
}
SERVICES {
  imap cmd="$bin/imapd -C $c/imapd.conf" listen="127.0.0.1:$IMAP_PORT" prefork=0
  pop3 cmd="$bin/pop3d -C $c/imapd.conf" listen="127.0.0.1:$POP3_PORT" prefork=0
  lmtp cmd="$bin/lmtpd -a -C $c/imapd.conf" listen="127.0.0.1:$LMTP_PORT" prefork=0
}
DAEMON {
  idled cmd="$bin/idled -C $c/imapd.conf"
}
EVENTS {
  checkpoint cmd="$bin/ctl_cyrusdb -c -C $c/imapd.conf" period=30
}
EOF
  local user
  for user in $USERS; do
    echo "$user-pass" | saslpasswd2 -p -c -f "$c/sasldb2" -u "$DOMAIN" "$user"
  done
  chown -R "$RUN_AS:" "$c"
}

write_smtpd() {
  local s=$D/opensmtpd user n=60010
  mkdir -p "$s/etc" "$s/spool" "$s/empty"; chmod 0711 "$s/spool"
  install -m 0600 "$MAIN/tls/key.pem" "$s/key.pem"
  # Its own view of the users: the privilege-separation users and one account per mailbox
  # (OpenSMTPD checks that a local recipient exists before it takes the mail).
  cp /etc/passwd "$s/etc/passwd"; cp /etc/group "$s/etc/group"
  {
    echo "opensmtpd:x:60001:60001::/var/lib/opensmtpd/empty:/usr/sbin/nologin"
    echo "opensmtpq:x:60002:60002::/var/lib/opensmtpd/empty:/usr/sbin/nologin"
    for user in $USERS; do echo "$user:x:$((n++)):60001::/var/lib/opensmtpd/empty:/usr/sbin/nologin"; done
  } >> "$s/etc/passwd"
  printf '%s\n' "opensmtpd:x:60001:" "opensmtpq:x:60002:" >> "$s/etc/group"
  : > "$s/creds"; chmod 0600 "$s/creds"
  local hash
  for user in $USERS; do   # by name and by address, as Cyrus takes both
    hash=$(openssl passwd -6 "$user-pass"); printf '%s\n' "$user $hash" "$user@$DOMAIN $hash" >> "$s/creds"
  done
  cat > "$s/smtpd.conf" <<EOF
pki mail.example.test cert "$MAIN/tls/cert.pem"
pki mail.example.test key "$s/key.pem"
table creds file:$s/creds
listen on 127.0.0.1 port $SMTP_PORT
listen on 127.0.0.1 port $SUBMISSION_PORT tls pki mail.example.test auth <creds>
action "cyrus" lmtp "127.0.0.1:$LMTP_PORT" rcpt-to
action "main" relay host smtp://127.0.0.1:$MAIN_SMTP_PORT
match from any for domain "$DOMAIN" action "cyrus"
match auth from any for domain "$DOMAIN" action "cyrus"
match auth from any for any action "main"
EOF
  cat > "$s/run.sh" <<EOF
#!/bin/sh
set -e
mount --bind $s/etc/passwd /etc/passwd
mount --bind $s/etc/group /etc/group
mount --bind $s/spool /var/spool/smtpd
mount --bind $s/empty /var/lib/opensmtpd/empty
mount --bind $SMTPD_ROOT/usr/libexec/opensmtpd /usr/libexec/opensmtpd
echo \$\$ > $s/smtpd.pid
exec $SMTPD_ROOT/usr/sbin/smtpd -d -f $s/smtpd.conf
EOF
  chmod 0755 "$s/run.sh"
  mkdir -p /var/spool/smtpd /var/lib/opensmtpd/empty /usr/libexec/opensmtpd
}

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  [ -x "$CYRUS_ROOT/usr/lib/cyrus/bin/master" ] && [ -x "$SMTPD_ROOT/usr/sbin/smtpd" ] \
    || die "Cyrus/OpenSMTPD not unpacked: run scripts/setup.sh"
  exec 9>"${D%/}.lock"; flock 9
  if cmd_status >/dev/null 2>&1; then log "already running"; return 0; fi
  cmd_stop >/dev/null 2>&1 || true
  bash "$SCRIPT_DIR/mailstack.sh" start
  local port; for port in $ALL_PORTS; do port_open "$port" && die "port $port in use"; done
  rm -rf "$D"; mkdir -p "$D"; chmod 0755 "$D"
  write_cyrus; write_smtpd
  log "starting cyrus"
  (cd "$D/cyrus" && detached_exec "$D/cyrus/master.log" env CYRUS_USER="$RUN_AS" LD_LIBRARY_PATH="$D/cyrus/lib" \
    setsid "$D/cyrus/bin/master" -D -C "$D/cyrus/imapd.conf" -M "$D/cyrus/cyrus.conf" -p "$D/cyrus/run/master.pid") &
  log "starting opensmtpd"
  "$SMTPD_ROOT/usr/sbin/smtpd" -n -f "$D/opensmtpd/smtpd.conf" >/dev/null 2>&1 || die "smtpd.conf invalid"
  (detached_exec "$D/opensmtpd/smtpd.log" setsid unshare --mount --propagation private "$D/opensmtpd/run.sh") &
  local deadline=$(( $(date +%s) + 30 ))
  for port in $ALL_PORTS; do
    until port_open "$port"; do
      [ "$(date +%s)" -lt "$deadline" ] || die "port $port not listening (see $D/*/*.log)"
      sleep 0.05
    done
  done
  log "ready: Cyrus IMAP $IMAP_PORT POP3 $POP3_PORT LMTP $LMTP_PORT, OpenSMTPD SMTP $SMTP_PORT submission $SUBMISSION_PORT"
}

cmd_stop() {
  local pidfile
  for pidfile in "$D/cyrus/run/master.pid" "$D/opensmtpd/smtpd.pid"; do
    alive "$pidfile" && kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
  done
  local deadline=$(( $(date +%s) + 10 ))
  while alive "$D/cyrus/run/master.pid" || alive "$D/opensmtpd/smtpd.pid"; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "killing"; pkill -KILL -f "$D/" || true; break; }
    sleep 0.1
  done
}

cmd_status() {
  alive "$D/cyrus/run/master.pid" && alive "$D/opensmtpd/smtpd.pid" || return 1
  local port; for port in $ALL_PORTS; do port_open "$port" || return 1; done
  echo "cyrus $(cat "$D/cyrus/run/master.pid"), opensmtpd $(cat "$D/opensmtpd/smtpd.pid")"
}

cmd_env() {
  cat <<EOF
OTHERSTACK_DOMAIN=$DOMAIN
OTHERSTACK_CA=$MAIN/tls/ca.pem
OTHERSTACK_IMAP=127.0.0.1:$IMAP_PORT
OTHERSTACK_POP3=127.0.0.1:$POP3_PORT
OTHERSTACK_LMTP=127.0.0.1:$LMTP_PORT
OTHERSTACK_SMTP=127.0.0.1:$SMTP_PORT
OTHERSTACK_SUBMISSION=127.0.0.1:$SUBMISSION_PORT
EOF
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  clean) cmd_stop; rm -rf "$D" ;;
  env) cmd_env ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
