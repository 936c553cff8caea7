#!/usr/bin/env bash
# (d) A restarted node resumes from its driftfile without a step.
# Run 1: the node's virtual clock starts 0.3 s off and runs 50 ppm fast; it steps once, learns
# the frequency and writes the driftfile ("FREQ ERROR", chrony's form) at exit (SIGTERM). Run 2:
# restarted at the offset it had (0, where its synchronized clock was) with the same 50 ppm error:
# the frequency comes from the driftfile (logged), no "clock stepped" appears, and it is within
# 1 ms again; temporary files a killed write left are removed at its start. Runs 4-11: eight
# restarts of 3-5 s each (an iburst's 2-3 samples) never make the file's value worse than the
# long runs' (every stop used to write: 40 such restarts of a 25 ppm clock wrote -47.9 ... +12.4
# ppm where 2 minutes gave -25.19). A garbage driftfile is reported and ignored (run 3).
# Polls fixed at 16 s (minpoll 4 maxpoll 4, iburst).
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

up=127.0.0.2
node=127.0.0.3
drift=$CLUSTER_WORK/drift
cluster_start upstream $up -c "$(cluster_conf upstream $'clock virtual\nlocal stratum 1')"
conf() {
  cluster_conf "node$1" "clock virtual offset $2 freq 50
server $up iburst minpoll 4 maxpoll 4 port $CLUSTER_PORT
driftfile $drift"
}

# Run 1: wait until it holds < 200 µs for two consecutive samples 16 s apart, and has run 80 s
# (the iburst and five polls): the frequency is then learned well enough to write. Without the
# 80 s the run could end 25 s after its start, its frequency resting on the iburst and one or two
# polls: idle, main's binary wrote -61.4 +/- 16.3 ppm once in five runs.
run1_start=$SECONDS
cluster_start run1 $node -c "$(conf 1 0.3)"
cluster_wait_skew 0.001 45 $up $node >/dev/null || cluster_fail "run 1 did not synchronize"
settled=0
for _ in $(seq 1 80); do
  s=$(cluster_wait_skew 0.0002 1 $up $node) && settled=$((settled + 1)) || settled=0
  [ $settled -ge 8 ] && [ $((SECONDS - run1_start)) -ge 80 ] && break
  sleep 2
done
cluster_log "run 1 ran $((SECONDS - run1_start)) s"
cluster_stop run1
# The 0.3 s offset goes in one step; the discipline may add a start-up step of a millisecond or
# less (seen under ASan: -0.001005 s 4 s after the first), which is not this test's subject.
cluster_expect "run 1 stepped the 0.3 s offset away once" \
  test "$(cluster_count 'clock stepped by [-+]0\.[1-9]' run1)" = 1
cluster_expect "run 1 wrote the driftfile" grep -q "wrote" "$CLUSTER_WORK/run1.log"
[ -s "$drift" ] || cluster_fail "no driftfile written"
written=$(awk '{ print $1 }' "$drift")
cluster_log "driftfile after run 1: $(cat "$drift") (ppm and its error; the clock's error is +50 ppm)"
cluster_expect "driftfile holds a correction of -50 ppm +/- 5" \
  awk -v f="$written" 'BEGIN { d = f + 50; if (d < 0) d = -d; exit !(d <= 5) }'
# The bound is honest and informative (< 10 ppm); how tight it is depends on how many samples the
# run got, fewer under ASan on a loaded machine. It is a standard error (docs/discipline.md, item
# 10), so honest means the real error is within three of it: one bound is passed about one run in
# three (idle: -49.571 +/- 0.263, 1.6 bounds off).
cluster_expect "driftfile holds an error bound whose triple covers the frequency's error" \
  awk '{ d = $1 + 50; if (d < 0) d = -d; exit !(NF == 2 && 3 * $2 >= d && $2 < 10) }' "$drift"

# Run 2: restart at the offset the synchronized clock had. Three temporary files of a write
# killed before its rename are lying around (and one file that only looks like one).
for t in a1B2c3 XyZ789 000000; do echo 1.0 >"$drift.tmp.$t"; done
echo keep >"$drift.tmp.keep"
cluster_start run2 $node -c "$(conf 2 0)"
cluster_expect "run 2 read the driftfile" grep -q "driftfile $drift: $(printf '%+.3f' "$written") ppm" "$CLUSTER_WORK/run2.log"
cluster_expect "run 2 removed the 3 stale temporary files" \
  test "$(ls "$CLUSTER_WORK" | grep -c '^drift\.tmp\.')" = 1 -a -e "$drift.tmp.keep"
cluster_expect "run 2 said so" test "$(cluster_count 'removed 3 temporary file' run2)" = 1
if skew=$(cluster_wait_skew 0.001 30 $up $node); then
  cluster_log "ok   run 2 within $skew s of the upstream"
else
  cluster_expect "run 2 within 1 ms (last $skew s)" false
fi
for _ in $(seq 1 8); do  # a few more polls: still no step
  sleep 2
done
cluster_json run2 $up $node
cluster_log "run 2 skew after 16 more s: $(cluster_field run2 "doc['max_skew']") s"
cluster_stop run2
cluster_expect "run 2 did not step the clock" test "$(cluster_count 'clock stepped' run2)" = 0

# Runs 4-11: short restarts. None may leave the file worse than the long runs did.
long_freq=$(awk '{ print $1 }' "$drift")
long_off=$(awk -v f="$long_freq" 'BEGIN { d = f + 50; print (d < 0 ? -d : d) }')
cluster_log "driftfile after the long runs: $(cat "$drift") ($long_off ppm from the truth)"
worst=$long_off
for i in $(seq 4 11); do
  cluster_start run$i $node -c "$(conf $i 0)"
  sleep "$(awk -v i=$i 'BEGIN { srand(i); printf "%.1f", 3 + 2 * rand() }')"
  cluster_stop run$i
  off=$(awk '{ d = $1 + 50; print (d < 0 ? -d : d) }' "$drift")
  worst=$(awk -v a="$worst" -v b="$off" 'BEGIN { print (b > a ? b : a) }')
done
cluster_log "driftfile after 8 short runs: $(cat "$drift"); worst distance from the truth on the way: $worst ppm"
cluster_expect "short runs never left the driftfile worse than the long runs ($long_off ppm off; worst $worst)" \
  awk -v w="$worst" -v l="$long_off" 'BEGIN { exit !(w <= l + 0.01) }'

# Run 3: a garbage driftfile is reported once and ignored.
echo "not a number" >"$drift"
cluster_start run3 $node -c "$(conf 3 0)"
cluster_stop run3
cluster_expect "run 3 reported the garbage driftfile" test "$(cluster_count "driftfile.*ignored, starting from 0 ppm" run3)" = 1
