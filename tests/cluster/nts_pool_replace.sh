#!/usr/bin/env bash
# A pool address whose NTS-KE keeps failing is replaced by another address of the pool, as a plain
# pool's unreachable address is (LookupSchedule, the policy both share): in a private /etc/hosts,
# tempus-nts-replace.test is 127.0.0.21 and 127.0.0.22; the address the name service gives
# first has nothing listening on the NTS-KE port (every NTS-KE is refused), the other is a tempusd
# with `nts enable`. The client keeps one association (`tos maxclock 1`) and takes the first. After 3 failed NTS-KE with it (16 s and 32 s
# apart, less up to a quarter at random) it gives that address up, looks the name up again at
# once and takes the other: NTS-KE, reachable with authenticated replies. Polls fixed at 16 s.
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

name=tempus-nts-replace.test
client=127.0.0.20
ke_port=14460
cluster_private_hosts $name 127.0.0.21 127.0.0.22
# a: the address the client takes first (RFC 6724 sorting may put either first); b: the other.
a=$(getent ahosts $name | awk '$2 == "STREAM" {print $1; exit}')
b=127.0.0.22
[ "$a" = 127.0.0.22 ] && b=127.0.0.21
cluster_log "$a refuses NTS-KE, $b serves it"
tempus_make_test_ca "$CLUSTER_WORK" "DNS:$name" || cluster_fail "openssl could not make the test CA"

cluster_start server_b $b -c "$(cluster_conf server_b "clock virtual
local stratum 1
nts enable cert $CLUSTER_WORK/server.pem key $CLUSTER_WORK/server.key cookie $CLUSTER_WORK/keys_b port $ke_port")"
cluster_start client $client -c "$(cluster_conf client "clock virtual offset 0.25
tos maxclock 1
pool $name nts ca $CLUSTER_WORK/ca.pem port $ke_port iburst minpoll 4 maxpoll 4")"
log=$CLUSTER_WORK/client.log

for _ in $(seq 1 600); do
  grep -q "source $b:$CLUSTER_PORT reachable" "$log" && break
  sleep 0.2
done
cluster_log "client says: $(grep -E "pool $name|reachable|stepped" "$log" | sed 's/^.*tempusd\[[0-9]*\]: //' | tr '\n' '|')"
cluster_expect "first an NTS association with $a" \
  bash -c "grep 'NTS association with' '$log' | head -1 | grep -q 'pool $name nts: NTS association with $a:$ke_port'"
cluster_expect "its NTS-KE refused, logged once" \
  test "$(grep -c "pool $name nts ($a): NTS-KE failed: connect" "$log")" = 1
cluster_expect "$a given up after 3 NTS-KE failures in a row" \
  grep -q "pool $name nts ($a): NTS-KE failed 3 times in a row; replacing it" "$log"
cluster_expect "then an NTS association with $b" grep -q "pool $name nts: NTS association with $b:$ke_port" "$log"
cluster_expect "its NTS-KE with $b: 8 cookies, NTP at $b:$CLUSTER_PORT" \
  grep -q "pool $name nts ($b): NTS-KE with $b:$ke_port: 8 cookies, NTP at $b:$CLUSTER_PORT" "$log"
cluster_expect "$b reachable" grep -q "source $b:$CLUSTER_PORT reachable" "$log"
cluster_expect "no other NTS association with $a" test "$(grep -c "NTS association with $a" "$log")" = 1

cluster_stop client
cluster_expect "exit line for $b: one NTS-KE, authenticated replies, none dropped" \
  grep -qE "pool $name nts \($b\): NTS-KE 1 ok, 0 failed; [0-9]+ requests \([0-9]+ polls unsent\); [1-9][0-9]* replies authenticated, 0 dropped" "$log"
