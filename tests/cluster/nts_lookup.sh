#!/usr/bin/env bash
# The NTS-KE host of `server NAME nts` and `pool NAME nts` is looked up without blocking the
# daemon: in this test's namespaces, /etc/resolv.conf names a DNS server on 127.0.0.53 that reads
# queries and never answers (a black hole, as a dead name server), with a 30 s timeout. While
# both lookups hang, tempusd keeps answering time requests; when they time out, each line logs
# its failure (the server line's NTS-KE "lookup" failure, the pool's warning) and retries later.
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

node=127.0.0.30
printf 'nameserver 127.0.0.53\noptions timeout:30 attempts:1\n' >"$CLUSTER_WORK/resolv.conf"
if [ "$(readlink /proc/1/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ] ||
  [ "$(readlink /proc/1/ns/net)" = "$(readlink /proc/self/ns/net)" ] ||
  ! mount --bind "$CLUSTER_WORK/resolv.conf" /etc/resolv.conf; then
  cluster_skip "cannot use a private /etc/resolv.conf here (needs root and own namespaces)"
fi
# The black hole: bound for 60 s at most, counts the queries it swallowed.
python3 - "$CLUSTER_WORK/dns.count" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.53", 53))
s.settimeout(1)
open(sys.argv[1], "w").write("0")  # bound: a query now waits, never gets "port unreachable"
n, end = 0, time.monotonic() + 60
while time.monotonic() < end:
    try:
        s.recv(512)
        n += 1
        open(sys.argv[1], "w").write(str(n))
    except socket.timeout:
        pass
PY
CLUSTER_PID[dns]=$!
for _ in $(seq 1 100); do [ -s "$CLUSTER_WORK/dns.count" ] && break; sleep 0.1; done
[ -s "$CLUSTER_WORK/dns.count" ] || cluster_fail "the silent name server did not start"

cluster_start node $node -c "$(cluster_conf node "clock virtual
local stratum 2
server slow.tempus-test nts iburst
pool slowpool.tempus-test nts iburst")"
log=$CLUSTER_WORK/node.log
for _ in $(seq 1 50); do [ "$(cat "$CLUSTER_WORK/dns.count" 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.1; done
cluster_expect "both lookups reached the silent name server" test "$(cat "$CLUSTER_WORK/dns.count" 2>/dev/null || echo 0)" -ge 2
# Queries while the lookups hang (each lasts 30 s): answered at once.
for i in 1 2 3; do
  cluster_expect "time request $i answered while the lookups hang" \
    timeout -k 2 10 "$TEMPUS" query -n 1 -t 1 "$node:$CLUSTER_PORT"
done
cluster_expect "the lookups were still hanging meanwhile" bash -c "! grep -q 'cannot resolve' '$log'"
for _ in $(seq 1 450); do
  grep -q "server slow.tempus-test nts: NTS-KE failed: cannot resolve" "$log" &&
    grep -q "pool slowpool.tempus-test nts: warning: cannot resolve" "$log" && break
  sleep 0.1
done
cluster_log "node says: $(grep -E 'slow' "$log" | sed 's/^.*tempusd\[[0-9]*\]: //' | tr '\n' '|')"
cluster_expect "the server line's lookup failure logged, retried with back-off" \
  grep -qE "server slow.tempus-test nts: NTS-KE failed: cannot resolve 'slow.tempus-test': .*; retrying in [0-9]+ s" "$log"
cluster_expect "the pool's lookup failure logged, retried" \
  grep -qE "pool slowpool.tempus-test nts: warning: cannot resolve 'slowpool.tempus-test': .*; retrying in 4 s" "$log"
