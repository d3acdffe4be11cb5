# lib.sh - helpers shared by mailstack.sh and others.sh (sourced, not run).

# Run a command that daemonizes with stdin/stdout/stderr detached and every other inherited fd
# closed. Without this the Dovecot master (and its log child) keep the caller's stderr open, so
# "mailstack.sh start | tee" or a CI step capturing output never sees EOF and hangs.
detached_exec() {   # replaces the current (sub)shell
  local logf=$1 fd; shift
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
  done
  exec "$@" </dev/null >>"$logf" 2>&1
}
detached() { ( detached_exec "$@" ); }

# "is something listening on 127.0.0.1:PORT" - via ss(8) when available (no connection, no log noise),
# otherwise a bash /dev/tcp connect
port_open() {
  if command -v ss >/dev/null; then ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; fi
}
