#!/usr/bin/env bash
# The NTS-KE host of `server NAME nts` and `pool NAME nts`, and the NTP server an NTS-KE names
# (§4.1.7: a stub NTS-KE server on 127.0.0.31 names slowntp.tempus-test), are looked up without
# blocking the daemon: in this test's namespaces, /etc/resolv.conf names a DNS server on
# 127.0.0.53 that reads queries and never answers (a black hole, as a dead name server), with a
# 30 s timeout. While the lookups hang, tempusd keeps answering time requests; when they time
# out, each line logs its failure (the server line's NTS-KE "lookup" failure, the pool's warning,
# the stub's line an "ntp_server" one) and retries later. (Before the NTP server's name was
# looked up on a helper thread, the daemon stopped answering for the 30 s of that lookup.)
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

node=127.0.0.30
stub=127.0.0.31
stub_port=14461
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

tempus_make_test_ca "$CLUSTER_WORK" "IP:$stub" || cluster_fail "openssl could not make the test CA"
python3 "$(dirname "$0")/../common/nts_ke_stub.py" "$CLUSTER_WORK/server.pem" "$CLUSTER_WORK/server.key" \
  $stub $stub_port slowntp.tempus-test 70 >"$CLUSTER_WORK/stub.log" 2>&1 &
CLUSTER_PID[stub]=$!
for _ in $(seq 1 100); do grep -q listening "$CLUSTER_WORK/stub.log" && break; sleep 0.1; done
grep -q listening "$CLUSTER_WORK/stub.log" || cluster_fail "the stub NTS-KE server did not start"

cluster_start node $node -c "$(cluster_conf node "clock virtual
local stratum 2
server slow.tempus-test nts iburst
pool slowpool.tempus-test nts iburst
server $stub nts ca $CLUSTER_WORK/ca.pem port $stub_port iburst")"
log=$CLUSTER_WORK/node.log
for _ in $(seq 1 50); do [ "$(cat "$CLUSTER_WORK/dns.count" 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.1; done
cluster_expect "both lookups reached the silent name server" test "$(cat "$CLUSTER_WORK/dns.count" 2>/dev/null || echo 0)" -ge 2
for _ in $(seq 1 50); do grep -q "served 1" "$CLUSTER_WORK/stub.log" && break; sleep 0.1; done
cluster_expect "the stub NTS-KE server answered the client" grep -q "served 1" "$CLUSTER_WORK/stub.log"
sleep 0.5  # the client reads the answer and starts the lookup of the NTP server it names
# Queries while the lookups hang (each lasts 30 s): answered at once.
for i in 1 2 3; do
  cluster_expect "time request $i answered while the lookups hang" \
    timeout -k 2 10 "$TEMPUS" query -n 1 -t 1 "$node:$CLUSTER_PORT"
done
cluster_expect "the lookups were still hanging meanwhile" bash -c "! grep -q 'cannot resolve' '$log'"
for _ in $(seq 1 450); do
  grep -q "server slow.tempus-test nts: NTS-KE failed: cannot resolve" "$log" &&
    grep -q "pool slowpool.tempus-test nts: warning: cannot resolve" "$log" &&
    grep -q "server $stub nts: NTS-KE failed: the NTP server it named: cannot resolve" "$log" && break
  sleep 0.1
done
cluster_log "node says: $(grep -E 'slow' "$log" | sed 's/^.*tempusd\[[0-9]*\]: //' | tr '\n' '|')"
cluster_expect "the server line's lookup failure logged, retried with back-off" \
  grep -qE "server slow.tempus-test nts: NTS-KE failed: cannot resolve 'slow.tempus-test': .*; retrying in [0-9]+ s" "$log"
cluster_expect "the pool's lookup failure logged, retried" \
  grep -qE "pool slowpool.tempus-test nts: warning: cannot resolve 'slowpool.tempus-test': .*; retrying in 4 s" "$log"
cluster_expect "the stub's session waited for the lookup of the NTP server it named" \
  grep -q "server $stub nts: NTS-KE with $stub:$stub_port names the NTP server slowntp.tempus-test: looking it up" "$log"
cluster_expect "that lookup's failure logged as an NTS-KE failure, retried with back-off" \
  grep -qE "server $stub nts: NTS-KE failed: the NTP server it named: cannot resolve 'slowntp.tempus-test': .*; retrying in [0-9]+ s" "$log"
