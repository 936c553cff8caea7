#!/usr/bin/env bash
# (c) Three stratum-1 upstreams, one of them 0.5 s off (a falseticker): the node synchronizes to
# the two that agree and never selects the falseticker, neither in its log ("system peer ...")
# nor in the refid it serves. Polls fixed at 16 s (minpoll 4 maxpoll 4, iburst).
# `tos minsane 2`: at least two agreeing sources before the clock is disciplined. With the
# default (minsane 1) the filters are empty right after a step, and the first source to answer
# afterwards, falseticker or not, was briefly system peer (seen: 2 s, no step towards it).
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

good=(127.0.0.2 127.0.0.3)
bad=127.0.0.4
node=127.0.0.10
opts="iburst minpoll 4 maxpoll 4 port $CLUSTER_PORT"
cluster_start good0 ${good[0]} -c "$(cluster_conf good0 $'clock virtual\nlocal stratum 1')"
cluster_start good1 ${good[1]} -c "$(cluster_conf good1 $'clock virtual offset 0.0002\nlocal stratum 1')"
cluster_start bad $bad -c "$(cluster_conf bad $'clock virtual offset 0.5\nlocal stratum 1')"
cluster_start node $node -c "$(cluster_conf node "clock virtual offset -0.3 freq 40
server ${good[0]} $opts
server $bad $opts
server ${good[1]} $opts
tos minsane 2")"

refids=()
if skew=$(cluster_wait_skew 0.001 45 "${good[@]}" $node); then
  cluster_log "ok   (c) node within $skew s of the two truechimers"
else
  cluster_expect "(c) node within 1 ms of the truechimers (last skew $skew s)" false
fi
# Keep watching the refid it serves for a few polls.
for k in $(seq 1 8); do
  cluster_json refid $node
  refids+=("$(cluster_field refid "doc['nodes'][0].get('refid')")")
  sleep 2
done
cluster_log "(c) refids served by the node: ${refids[*]}"
for r in "${refids[@]}"; do
  cluster_expect "(c) refid $r is a truechimer" test "$r" = "${good[0]}" -o "$r" = "${good[1]}"
done
cluster_expect "(c) the log names a truechimer as system peer" grep -qE "system peer (${good[0]}|${good[1]}):" "$CLUSTER_WORK/node.log"
cluster_expect "(c) the log never names the falseticker as system peer" \
  test "$(cluster_count "system peer $bad:" node)" = 0
