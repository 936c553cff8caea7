#!/usr/bin/env bash
# `pool NAME nts` (NTPsec's NTS pool line): NAME resolves to two NTS servers (a private /etc/hosts
# in this test's mount namespace: tempus-nts-pool.test is 127.0.0.21 and 127.0.0.22, two tempusd
# with `nts enable`, each its own cookie keys, NTS-KE on port 14460, a certificate for the pool's
# name signed by a test CA). The client makes one NTS association per address: its own NTS-KE
# with each (8 cookies each, the certificate checked for the pool's name), both reachable with
# authenticated replies only, and its clock steps onto theirs. It starts with `tos maxclock 1`
# (one association), and a SIGHUP that drops that limit (10, the default) makes the kept pool
# look up again at once and take the other address (before, a pool that had filled up never
# looked again after a reload raised maxclock). A second SIGHUP back to `tos maxclock 1` drops one
# address (before, both stayed). Polls fixed at 16 s (iburst).
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

name=tempus-nts-pool.test
a=127.0.0.21
b=127.0.0.22
client=127.0.0.20
ke_port=14460
cluster_private_hosts $name $a $b
tempus_make_test_ca "$CLUSTER_WORK" "DNS:$name" || cluster_fail "openssl could not make the test CA"

for s in a b; do
  addr=${!s}
  cluster_start "server_$s" "$addr" -c "$(cluster_conf "server_$s" "clock virtual
local stratum 1
nts enable cert $CLUSTER_WORK/server.pem key $CLUSTER_WORK/server.key cookie $CLUSTER_WORK/keys_$s port $ke_port")"
done
pool_line="pool $name nts ca $CLUSTER_WORK/ca.pem port $ke_port iburst minpoll 4 maxpoll 4"
cluster_start client $client -c "$(cluster_conf client "clock virtual offset 0.25
tos maxclock 1
$pool_line")"
log=$CLUSTER_WORK/client.log
for _ in $(seq 1 150); do
  [ "$(cluster_count "source 127\.0\.0\.2[12]:$CLUSTER_PORT reachable" client)" -ge 1 ] && break
  sleep 0.2
done
cluster_expect "tos maxclock 1: one NTS association" test "$(cluster_count "NTS association with" client)" = 1
cluster_reload client "clock virtual offset 0.25
$pool_line" "NTS line\(s\) kept"
cluster_expect "the reload keeps the pool" grep -q "reload: 1 NTS line(s) kept, 0 removed, 0 added" "$log"

for _ in $(seq 1 300); do
  [ "$(cluster_count "source 127\.0\.0\.2[12]:$CLUSTER_PORT reachable" client)" -ge 2 ] &&
    grep -q "clock stepped" "$log" && break
  sleep 0.2
done
cluster_log "client says: $(grep -E "pool $name|reachable|stepped" "$log" | sed 's/^.*tempusd\[[0-9]*\]: //' | tr '\n' '|')"
for addr in $a $b; do
  cluster_expect "an NTS association with $addr" grep -q "pool $name nts: NTS association with $addr:$ke_port" "$log"
  cluster_expect "its own NTS-KE with $addr: 8 cookies, NTP at $addr:$CLUSTER_PORT" \
    grep -q "pool $name nts ($addr): NTS-KE with $addr:$ke_port: 8 cookies, NTP at $addr:$CLUSTER_PORT" "$log"
  cluster_expect "$addr reachable" grep -q "source $addr:$CLUSTER_PORT reachable" "$log"
done
cluster_expect "the clock stepped onto the pool's time" grep -q "clock stepped by -0.2" "$log"
cluster_expect "one NTS-KE with each server" test "$(cluster_count 'NTS-KE with' client)" = 2


# A second reload back to `tos maxclock 1`: the pool lets one of its two addresses go (before, it
# kept both) and the other keeps its session.
cluster_reload client "clock virtual offset 0.25
tos maxclock 1
$pool_line" "NTS line\(s\) kept"
cluster_expect "tos maxclock 1 again: one address dropped" \
  test "$(cluster_count "pool $name nts \(127\.0\.0\.2[12]\): dropped: the pool keeps 1" client)" = 1
dropped=$(sed -n "s/.*pool $name nts (\(127\.0\.0\.2[12]\)): dropped.*/\1/p" "$log")
kept=$a
[ "$dropped" = $a ] && kept=$b
cluster_peers_json $client
cluster_expect "one association left, $kept's" python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["peers"]
assert len(p) == 1 and p[0]["remote"].startswith(sys.argv[2]), p' "$CLUSTER_WORK/peers.json" "$kept"

cluster_stop client
cluster_expect "exit line for $kept: one NTS-KE, authenticated replies, none dropped" \
  grep -qE "pool $name nts \($kept\): NTS-KE 1 ok, 0 failed; [0-9]+ requests \([0-9]+ polls unsent\); [1-9][0-9]* replies authenticated, 0 dropped" "$log"
cluster_expect "no exit line for $dropped, dropped before" test "$(cluster_count "NTS-KE 1 ok" client)" = 1
