#!/usr/bin/env bash
# A plain `pool NAME` line kept across a SIGHUP that raises `tos maxclock`: NAME resolves to two
# tempusd servers (a private /etc/hosts in this test's mount namespace: tempus-grow.test is
# 127.0.0.25 and 127.0.0.26). The client starts with `tos maxclock 1` (one association), then a
# reload drops that limit (10, the default): the kept pool must look its name up again at once and
# take the other address. Before, Sources learnt the new pool size only after Apply, and a pool
# that had filled up never looked again (cluster.nts_pool checks the same for `pool ... nts`).
# A second reload back to `tos maxclock 1` drops one of the two.
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

name=tempus-grow.test
a=127.0.0.25
b=127.0.0.26
cluster_private_hosts $name $a $b
cluster_start server_a $a -c "$(cluster_conf server_a $'clock virtual\nlocal stratum 1')"
cluster_start server_b $b -c "$(cluster_conf server_b $'clock virtual offset 0.0001\nlocal stratum 1')"
pool_line="pool $name iburst minpoll 4 maxpoll 4 port $CLUSTER_PORT"
cluster_start client 127.0.0.24 -c "$(cluster_conf client "clock virtual offset 0.25
tos maxclock 1
$pool_line")"
log=$CLUSTER_WORK/client.log
for _ in $(seq 1 100); do
  [ "$(cluster_count "source 127\.0\.0\.2[56]:$CLUSTER_PORT reachable" client)" -ge 1 ] && break
  sleep 0.2
done
cluster_expect "tos maxclock 1: one association" test "$(cluster_count "association with 127\.0\.0\.2[56]:" client)" = 1
cluster_reload client "clock virtual offset 0.25
$pool_line" "source line\(s\) kept"
cluster_expect "the reload keeps the pool" grep -q "reload: 1 source line(s) kept, 0 removed, 0 added" "$log"
for _ in $(seq 1 150); do
  [ "$(cluster_count "source 127\.0\.0\.2[56]:$CLUSTER_PORT reachable" client)" -ge 2 ] && break
  sleep 0.2
done
cluster_log "client says: $(grep -E "pool $name|reachable|reload" "$log" | sed 's/^.*tempusd\[[0-9]*\]: //' | tr '\n' '|')"
for addr in $a $b; do
  cluster_expect "an association with $addr" grep -q "association with $addr:$CLUSTER_PORT" "$log"
  cluster_expect "$addr reachable" grep -q "source $addr:$CLUSTER_PORT reachable" "$log"
done

# A second reload lowers `tos maxclock` to 1 again: the pool lets one of its two associations go
# (before, it kept both until they failed).
cluster_reload client "clock virtual offset 0.25
tos maxclock 1
$pool_line" "source line\(s\) kept"
cluster_expect "tos maxclock 1 again: the pool drops one association" \
  test "$(cluster_count "pool $name: dropped 127\.0\.0\.2[56]:$CLUSTER_PORT .*the pool keeps 1" client)" = 1
cluster_peers_json 127.0.0.24
cluster_expect "one association left" python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["peers"]
assert len(p) == 1, p' "$CLUSTER_WORK/peers.json"
