#!/usr/bin/env bash
# `tempusd -u USER`: binds its sockets as root (here the privileged port 123), then runs as USER
# with no capability at all when its clock is virtual (the kernel's own view in
# /proc/PID/status: uids, CapEff/CapPrm/CapBnd/CapAmb, NoNewPrivs), and still serves on port 123.
# The CAP_SYS_TIME-kept case (`clock system`) cannot be run without letting the daemon steer the
# machine's clock, so it is not run here. Needs root and a user "nobody".
source "$(dirname "$0")/lib.sh"
cluster_init "$@"
[ "$(id -u)" -eq 0 ] || cluster_skip "needs root"
[ "$(readlink /proc/1/ns/net)" != "$(readlink /proc/self/ns/net)" ] || cluster_skip "needs its own network namespace for port 123"
uid=$(id -u nobody 2>/dev/null) || cluster_skip "no user nobody"

# `--listen` here is port 123, not CLUSTER_PORT.
setpriv --pdeathsig KILL -- "$TEMPUSD" --clock virtual --stratum 1 --listen 127.0.0.2:123 -u nobody \
  >"$CLUSTER_WORK/d.log" 2>&1 </dev/null &
pid=$!
CLUSTER_PID[d]=$pid
for _ in $(seq 1 100); do grep -q "serving on" "$CLUSTER_WORK/d.log" && break; kill -0 $pid || break; sleep 0.1; done
grep -q "serving on" "$CLUSTER_WORK/d.log" || cluster_fail "did not start: $(cat "$CLUSTER_WORK/d.log")"
status=/proc/$pid/status
field() { awk -v f="$1:" '$1 == f { print $2, $3, $4, $5 }' "$status"; }
cluster_log "Uid: $(field Uid) Gid: $(field Gid) CapEff $(field CapEff) CapPrm $(field CapPrm) CapBnd $(field CapBnd) CapAmb $(field CapAmb) NoNewPrivs $(field NoNewPrivs)"
cluster_expect "runs as nobody (all four uids)" test "$(field Uid)" = "$uid $uid $uid $uid"
for c in CapEff CapPrm CapInh CapBnd CapAmb; do
  cluster_expect "$c is empty" test "$(field $c | tr -d ' ')" = 0000000000000000
done
cluster_expect "no_new_privs set" test "$(field NoNewPrivs | tr -d ' ')" = 1
cluster_expect "logged the switch" grep -q "running as nobody (no capabilities)" "$CLUSTER_WORK/d.log"
rc=0
timeout -k 2 10 "$TEMPUS" query --json 127.0.0.2:123 >"$CLUSTER_WORK/q.json" 2>&1 || rc=$?
cluster_expect "still serves on port 123 after dropping root (tempus query exit $rc)" \
  grep -q '"ok": true' "$CLUSTER_WORK/q.json"

# An unknown user: one message, exit 1.
rc=0
timeout -k 2 10 "$TEMPUSD" --clock virtual --listen 127.0.0.3:123 -u no-such-user-tempus >"$CLUSTER_WORK/u.log" 2>&1 || rc=$?
cluster_expect "unknown user: exit 1 (got $rc)" test $rc = 1
cluster_expect "unknown user: says so" grep -q -- "-u no-such-user-tempus: no such user" "$CLUSTER_WORK/u.log"
