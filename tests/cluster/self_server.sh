#!/usr/bin/env bash
# A node never selects itself (issue 10 item 2). A cluster's ntp.conf is one file copied to every
# master, so each has a `server` line with its own address. Before the fix a node with
# `local stratum 8` and such a line polled itself, took its own stratum-8 answer as a source,
# served stratum 9 with its own address as refid, then saw the loop and fell back: it flapped.
# (a) `listen 127.0.0.2`, `server 127.0.0.2`: for about four polls (16 s) the node keeps serving
#     stratum 8 with refid 127.127.1.1 (chrony's `local`), never names itself as system peer, logs
#     the loop once, sends itself nothing, and `tempus peers --json` marks the line as a loop and
#     shows the local clock LOCAL(1) as the system peer (`tempus status` too).
# (b) The same behind a wildcard socket (0.0.0.0): its own address is found among the interface
#     addresses (getifaddrs: 127.0.0.1 on lo), `server 127.0.0.1`.
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

opts="iburst minpoll 4 maxpoll 4 port $CLUSTER_PORT"

# check_node NAME ADDR SELF: samples `tempus status` every 2 s, 25 times (about four polls).
check_node() {
  local name=$1 addr=$2 self=$3 k seen bad=0
  for k in $(seq 1 25); do
    timeout -k 2 10 "$TEMPUS" status --json "$addr:$CLUSTER_PORT" >"$CLUSTER_WORK/status.json" 2>/dev/null || true
    seen=$(cluster_field status "'%s %s %s' % (doc.get('stratum'), doc.get('refid'), doc.get('system_peer'))")
    if [ "$seen" != "8 127.127.1.1 LOCAL(1)" ]; then
      cluster_log "($name) sample $k: stratum, refid, system peer: $seen"
      bad=$((bad + 1))
    fi
    sleep 2
  done
  cluster_expect "($name) always stratum 8, refid 127.127.1.1, system peer LOCAL(1) ($bad of 25 samples differ)" \
    test "$bad" = 0
  cluster_expect "($name) never its own system peer" test "$(cluster_count "system peer $self:" "$name")" = 0
  cluster_expect "($name) the loop is logged once" \
    test "$(cluster_count "source $self:$CLUSTER_PORT: this node's own address, not polled" "$name")" = 1
  timeout -k 2 10 "$TEMPUS" peers -n --json "$addr:$CLUSTER_PORT" >"$CLUSTER_WORK/peers.json" 2>/dev/null || true
  cluster_log "($name) tempus peers: $(tr -d ' \n' <"$CLUSTER_WORK/peers.json")"
  cluster_expect "($name) tempus peers marks $self as a loop, never polled (reach 0)" test \
    "$(cluster_field peers "[(p['loop'], p['reach'], p['tally']) for p in doc['peers'] if p['remote'] == '$self']")" \
    = "[(True, '0', ' ')]"
  cluster_expect "($name) tempus peers shows LOCAL(1) at stratum 7 as the system peer" test \
    "$(cluster_field peers "[(p['tally'], p['refid'], p['stratum'], p['type']) for p in doc['peers'] if p['remote'] == 'LOCAL(1)']")" \
    = "[('*', '.LOCL.', 7, 'l')]"
}

cluster_start a 127.0.0.2 -c "$(cluster_conf a "clock virtual
local stratum 8
server 127.0.0.2 $opts
server 127.0.0.9 $opts")"
check_node a 127.0.0.2 127.0.0.2
cluster_stop a

cluster_start b 0.0.0.0 -c "$(cluster_conf b "clock virtual
local stratum 8
server 127.0.0.1 $opts")"
check_node b 127.0.0.1 127.0.0.1
