#!/usr/bin/env bash
# (a) An upstream reference (stratum 1) and 4 nodes whose virtual clocks start up to ±2 s and
# ±100 ppm off converge to < 1 ms pairwise skew (measured with `tempus cluster --json`).
# (b) With the upstream killed, the nodes stay together: orphan mode (tos orphan 10) elects one
# parent and the others follow it; the skew stays < 1 ms.
# Polls fixed at 16 s (minpoll 4 maxpoll 4, iburst) to keep the test short; the upstream line
# polls at 8 s (minpoll 3 maxpoll 3) so that, once killed, it is unreachable (8 unanswered
# polls, RFC 5905 §13) after about 64 s instead of 128 s.
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

up=127.0.0.2
nodes=(127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6)
offsets=(1.5 -2.0 0.7 -0.4)  # the parser takes no leading +
freqs=(80 -100 30 -60)
opts="iburst minpoll 4 maxpoll 4 port $CLUSTER_PORT"

cluster_start upstream $up -c "$(cluster_conf upstream "clock virtual
local stratum 1")"
for i in "${!nodes[@]}"; do
  conf="clock virtual offset ${offsets[$i]} freq ${freqs[$i]}
server $up iburst minpoll 3 maxpoll 3 port $CLUSTER_PORT
tos orphan 10 orphanwait 16"
  for j in "${!nodes[@]}"; do [ "$i" = "$j" ] || conf+=$'\n'"server ${nodes[$j]} $opts"; done
  cluster_start "node$i" "${nodes[$i]}" -c "$(cluster_conf "node$i" "$conf")"
done

# (a) Convergence: the skew must stay below 1 ms for 10 consecutive samples (about 40 s, more
# than two polls: the frequency errors are learned, not just the offsets stepped away); at most
# 70 samples.
if r=$(cluster_wait_stable 0.001 10 70 $up "${nodes[@]}"); then
  cluster_log "ok   (a) converged: worst pairwise skew ${r% *} s over 10 consecutive samples (upstream + 4 nodes; held from sample $(( ${r#* } - 9 )))"
else
  cluster_fail "(a) did not hold below 1 ms for 10 samples: last skew ${r% *} s"
fi
# Each node follows the upstream (stratum 2) or a node that does (stratum 3).
for i in "${!nodes[@]}"; do
  st=$(cluster_field wait "[n['stratum'] for n in doc['nodes'] if n['address'] == '${nodes[$i]}'][0]")
  ref=$(cluster_field wait "[n['refid'] for n in doc['nodes'] if n['address'] == '${nodes[$i]}'][0]")
  cluster_expect "(a) node$i at stratum $st following $ref" test "$st" = 2 -o "$st" = 3
done

# (b) Kill the upstream; once every node has declared it unreachable (8 unanswered polls of
# 8 s), check they stay together: skew below 1 ms for 5 consecutive samples. The strata and
# refids they serve are logged (one parent at stratum 10, children at 11, once every node has
# noticed; peers_orphan.sh and orphan_minsane.sh check the tree).
cluster_stop upstream
for i in "${!nodes[@]}"; do
  for _ in $(seq 1 120); do
    grep -q "source $up:$CLUSTER_PORT unreachable" "$CLUSTER_WORK/node$i.log" && break
    sleep 1
  done
  cluster_expect "(b) node$i declared the upstream unreachable" grep -q "source $up:$CLUSTER_PORT unreachable" "$CLUSTER_WORK/node$i.log"
done
if r=$(cluster_wait_stable 0.001 5 10 "${nodes[@]}"); then
  cluster_log "ok   (b) together without the upstream: worst pairwise skew ${r% *} s over 5 consecutive samples"
else
  cluster_expect "(b) skew below 1 ms for 5 samples without the upstream (last ${r% *} s)" false
fi
cluster_log "(b) strata (node0..3): $(cluster_field wait "[n.get('stratum') for n in doc['nodes']]"), refids: $(cluster_field wait "[n.get('refid') for n in doc['nodes']]")"
cluster_expect "(b) every node still synchronized" test "$(cluster_field wait "all(n['synchronized'] for n in doc['nodes'])")" = True
for i in "${!nodes[@]}"; do
  cluster_expect "(b) node$i was never stepped after synchronizing" \
    test "$(grep -A1000 'system peer' "$CLUSTER_WORK/node$i.log" | grep -c 'clock stepped' || true)" -le 1
done
