#!/usr/bin/env bash
# Large offsets (issue 10, items 11 and 12). A reference (stratum 1, virtual clock on time) and
# two nodes whose virtual clocks start 2000 s ahead:
#   (a) node `g` (no `tinker panic`, like ntpd -g) steps once at start, logging the size, and
#       synchronizes;
#   (b) node `nog` (`tinker panic 1000`, like ntpd without -g) refuses from the start: one log
#       line, `tempus status` / `tempus peers --json` / /metrics say "panic";
#   (c) the reference is restarted 1500 s ahead: `g` refuses the jump (no step, not synchronized),
#       logs it once however many samples come, and status, peers and metrics say why;
#       `nog` is now 500 s off, within the threshold: it steps and synchronizes.
# Polls fixed at 8 s (minpoll 3 maxpoll 3, iburst) so the clock filter lets the jump through
# within the test's time.
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

ref=127.0.0.2
g=127.0.0.10
nog=127.0.0.11
opts="iburst minpoll 3 maxpoll 3 port $CLUSTER_PORT"
cluster_start ref $ref -c "$(cluster_conf ref $'clock virtual\nlocal stratum 1')"
cluster_start g $g -c "$(cluster_conf g "clock virtual offset 2000
server $ref $opts
metrics $g:9123")"
cluster_start nog $nog -c "$(cluster_conf nog "clock virtual offset 2000
server $ref $opts
tinker panic 1000
metrics $nog:9123")"

# status_of NAME ADDR: `tempus status` text into $WORK/NAME.status, exit code into NAME.rc.
status_of() {
  local rc=0
  timeout -k 2 20 "$TEMPUS" status "$2:$CLUSTER_PORT" >"$CLUSTER_WORK/$1.status" 2>&1 || rc=$?
  echo "$rc" >"$CLUSTER_WORK/$1.rc"
}
# peers_reason ADDR: the `reason` of the first source in `tempus peers --json`.
peers_reason() {
  cluster_peers_json "$1"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["peers"][0]["reason"])' "$CLUSTER_WORK/peers.json" \
    2>/dev/null || echo "none-read"
}
# metrics_has ADDR TEXT: the /metrics of ADDR contain TEXT (read whole first: grep -q would cut
# curl's pipe short, which pipefail counts as a failure).
metrics_has() {
  local text
  text=$(curl -s --max-time 5 "http://$1:9123/metrics") || return 1
  grep -qF "$2" <<<"$text"
}

# (a) One step of about -2000 s, logged with its size, then synchronized.
if skew=$(cluster_wait_skew 0.001 45 $ref $g); then
  cluster_log "ok   (a) g within $skew s of the reference"
else
  cluster_expect "(a) g within 1 ms of the reference (last skew $skew s)" false
fi
cluster_expect "(a) g stepped once" test "$(cluster_count 'clock stepped' g)" = 1
cluster_expect "(a) the step is logged with its size and why it was allowed" \
  grep -qE "clock stepped by -(1999\.9|2000\.0)[0-9]* s \(beyond the panic threshold of 1000 s: allowed once at start" \
  "$CLUSTER_WORK/g.log"

# (b) tinker panic 1000: refused from the start, said once, reported everywhere.
cluster_expect "(b) nog did not step" test "$(cluster_count 'clock stepped' nog)" = 0
cluster_expect "(b) nog logged the refusal once" \
  test "$(cluster_count 'not synchronized: offset -(1999\.9|2000\.0)[0-9]* s is beyond the panic threshold \(1000 s\): refused' nog)" = 1
status_of nog $nog
cluster_expect "(b) tempus status nog exits 5 (not synchronized)" test "$(cat "$CLUSTER_WORK/nog.rc")" = 5
cluster_expect "(b) tempus status nog says why" \
  grep -qE "why: +offset beyond the panic threshold: -(1999\.9|2000\.0) s, refused" "$CLUSTER_WORK/nog.status"
cluster_expect "(b) tempus peers --json nog: reason panic" test "$(peers_reason $nog)" = panic
cluster_expect "(b) /metrics of nog: tempus_system_refusal panic" metrics_has $nog 'tempus_system_refusal{reason="panic"} 1'

# (c) The reference comes back 1500 s ahead.
cluster_stop ref
cluster_start ref2 $ref -c "$(cluster_conf ref2 $'clock virtual offset 1500\nlocal stratum 1')"
refused=0
for _ in $(seq 1 60); do
  [ "$(cluster_count 'not synchronized: offset \+(1499\.9|1500\.0)' g)" -ge 1 ] && { refused=1; break; }
  sleep 2
done
cluster_expect "(c) g refused the jump" test $refused = 1
sleep 30  # several more samples of the jumped reference: still one line
cluster_expect "(c) g logged the refusal once" test "$(cluster_count 'beyond the panic threshold \(1000 s\): refused' g)" = 1
cluster_expect "(c) g did not step again" test "$(cluster_count 'clock stepped' g)" = 1
status_of g $g
cluster_expect "(c) tempus status g exits 5 (not synchronized)" test "$(cat "$CLUSTER_WORK/g.rc")" = 5
cluster_expect "(c) tempus status g says why" \
  grep -qE "why: +offset beyond the panic threshold: \+1500\.0 s, refused" "$CLUSTER_WORK/g.status"
cluster_expect "(c) tempus status g names no system peer" grep -qE "system peer: +none" "$CLUSTER_WORK/g.status"
cluster_expect "(c) tempus peers --json g: reason panic" test "$(peers_reason $g)" = panic
cluster_expect "(c) /metrics of g: tempus_system_refusal panic" metrics_has $g 'tempus_system_refusal{reason="panic"} 1'
cluster_expect "(c) /metrics of g: the source's refusal is panic" \
  metrics_has $g "tempus_source_refusal{source=\"$ref:$CLUSTER_PORT\",reason=\"panic\"} 1"
cluster_expect "(c) nog, now 500 s off, stepped" grep -qE "clock stepped by -(499\.9|500\.0)" "$CLUSTER_WORK/nog.log"
cluster_log "g: $(grep -cE 'panic' "$CLUSTER_WORK/g.log") panic line(s); status: $(tr '\n' '|' <"$CLUSTER_WORK/g.status")"
