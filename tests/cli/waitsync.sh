#!/usr/bin/env bash
# `tempus waitsync` (chronyc waitsync, ntpwait) on loopback: it waits for a node that is
# synchronizing (exit 0 once synchronized, --max-offset 0.1 too), gives up on a node with no
# source at the timeout (exit 5, saying why), on a closed port (2) and a silent one (3); a node
# with clock observe following a source 2 s ahead is synchronized, but its system clock is 2 s
# off: exit 0 without a bound, exit 7 with --max-offset 0.5.
set -u
up=127.0.0.61:12361
node=127.0.0.62:12362
observe=127.0.0.63:12363
up2=127.0.0.64:12364
lonely=127.0.0.65:12365
closed=127.0.0.66:12366
silent=127.0.0.67:12367
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
tempus_test_init  # $work and pids, cleaned up at exit; tempus_check's counters
tmp=$work
start() { "$TEMPUSD" "$@" --duration 100 2>>"$tmp/daemons.log" & pids+=($!); }
start --clock=virtual --listen "$up" --stratum 1
start --clock=virtual --virtual-offset 2 --listen "$up2" --stratum 1
start --clock=virtual --virtual-offset 0.3 --listen "$node" --server "$up" --iburst --minpoll 4 --maxpoll 4
start --clock=observe --listen "$observe" --server "$up2" --iburst --minpoll 4 --maxpoll 4
start --clock=virtual --listen "$lonely"
python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.67", 12367))
s.settimeout(1)
end = time.time() + 100
while time.time() < end:
    try: s.recv(2048)
    except socket.timeout: pass
' &
pids+=($!)

# wait_for NAME ARGS...: tempus waitsync ARGS (at most 70 s); output in $tmp/NAME.out/.err, status in $rc.
wait_for() {
  local name=$1
  shift
  rc=0
  timeout -k 2 70 "$TEMPUS" waitsync "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  echo "$name: exit $rc: $(tail -n 1 "$tmp/$name.out")"
}

wait_for node --timeout 60 --interval 0.2 "$node"
tempus_check "a node that synchronizes: exit 0, to its source" "[ $rc = 0 ] && tail -n 1 $tmp/node.out | grep -q 'synchronized to 127.0.0.61:12361, offset'"
wait_for bounded --timeout 10 --interval 0.2 --max-offset 0.1 "$node"
tempus_check "--max-offset 0.1: exit 0" "[ $rc = 0 ]"
wait_for bounded_ms --timeout 10 --interval 0.2 --max-offset 100ms "$node"
tempus_check "--max-offset 100ms: exit 0" "[ $rc = 0 ]"

wait_for lonely --timeout 1 --interval 0.2 "$lonely"
tempus_check "a node without a source: exit 5 at the timeout, saying so" \
  "[ $rc = 5 ] && grep -q 'gave up after' $tmp/lonely.err && grep -q 'not synchronized' $tmp/lonely.err"
tempus_check "it says once what it waits for (one line, not one per try)" "[ \$(wc -l < $tmp/lonely.out) = 1 ]"
wait_for closed --timeout 1 --interval 0.2 "$closed"
tempus_check "a closed port: exit 2" "[ $rc = 2 ]"
wait_for silent --timeout 1.5 --interval 0.2 "$silent"
tempus_check "a silent port: exit 3" "[ $rc = 3 ]"

wait_for observe --timeout 60 --interval 0.2 "$observe"
tempus_check "clock observe, no bound: exit 0, saying the system clock is 2 s behind" \
  "[ $rc = 0 ] && tail -n 1 $tmp/observe.out | grep -Eq 'system clock (1\.9|2\.0)[0-9]* s behind'"
wait_for observe_bound --timeout 1 --interval 0.2 --max-offset 0.5 "$observe"
tempus_check "clock observe, --max-offset 0.5: exit 7 (the system clock is off)" \
  "[ $rc = 7 ] && grep -q 'above --max-offset 0.5 s' $tmp/observe_bound.err"

wait_for bad --max-offset fast "$node"
tempus_check "--max-offset fast: usage error" "[ $rc = 1 ]"
[ "$tempus_fails" -eq 0 ] || tempus_dump_tails 5 "$tmp"/*.out "$tmp"/*.err
tempus_checks_done
