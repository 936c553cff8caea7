#!/usr/bin/env bash
# real_clients_sync_to_tempusd.sh: continuous chronyd and NTPsec clients select tempusd.
#
# tempusd serves a virtual clock 0.05 s ahead, stratum 3, on 127.0.0.2:11123 (for chronyd,
# client address 127.0.0.6) and 127.0.0.1:123 (for NTPsec, the only loopback server it
# accepts; it sends from 127.0.0.5). Both clients run without clock control (chronyd -x; NTPsec
# "disable ntp", and the guards). Within a bounded wait both must pick tempusd as their system
# peer; then chronyd must have passed all its packet tests on every reply and see stratum 3,
# refid 127.127.1.1 and the system clock 0.05 s slow, and NTPsec must list it as "*" with a
# 50 ms offset and itself become stratum 4. Offsets within 2 ms.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
interop_init "$@"
w=$INTEROP_WORK

interop_start_tempusd tempusd --clock=virtual --virtual-offset=0.05 \
  --listen=127.0.0.2:11123 --listen=127.0.0.1:123 --stratum=3
tempusd_pid=$INTEROP_PID

interop_start_chrony_client chrony-client "server 127.0.0.2 port 11123 iburst minpoll 4 maxpoll 4"
chrony_pid=$INTEROP_PID
interop_start_ntpsec_client ntpsec-client 127.0.0.5 127.0.0.1
interop_check_guards "$chrony_pid"

# Both select tempusd within 40 s (about 8 s seen: iburst, then selection).
selected=0
for _ in $(seq 1 40); do
  sleep 1
  interop_run chrony-sources 5 "$CHRONYC" -c -n -h "$w/chrony-client.sock" sources || true
  interop_run ntpq-peers 5 "$INTEROP_PY" "$NTPQ" -n -p 127.0.0.5 || true
  if grep -q '^\^,\*,127\.0\.0\.2,' "$w/chrony-sources.out" && grep -q '^\*127\.0\.0\.1 ' "$w/ntpq-peers.out"; then
    selected=1
    break
  fi
done
interop_log "chronyc sources: $(cat "$w/chrony-sources.out")"
interop_log "ntpq -p: $(grep 127.0.0.1 "$w/ntpq-peers.out")"
[ $selected = 1 ] || interop_fail "chronyd and NTPsec did not both select tempusd within 40 s"

# chronyd: chronyc -c ntpdata 127.0.0.2 (CSV; 6 leap, 9 stratum, 16 refid, 24-26 the NTP tests,
# 31-34 total TX, RX, valid RX, good RX).
interop_run chrony-ntpdata 5 "$CHRONYC" -c -n -h "$w/chrony-client.sock" ntpdata 127.0.0.2 ||
  interop_fail "chronyc ntpdata failed"
nd=$(head -n 1 "$w/chrony-ntpdata.out")
interop_log "chronyc ntpdata: $nd"
field() { echo "$nd" | cut -d, -f"$1"; }
interop_expect_eq "chrony: leap" "$(field 6)" Normal
interop_expect_eq "chrony: stratum" "$(field 9)" 3
interop_expect_eq "chrony: refid" "$(field 16)" 7F7F0101
interop_expect_eq "chrony: NTP tests" "$(field 24),$(field 25),$(field 26)" 111,111,1111
interop_expect_eq "chrony: every reply valid" "$(field 33)" "$(field 32)"

# chronyd: chronyc -c tracking (CSV; 1 reference ID, 3 stratum, 5 system time = NTP time minus
# system time, i.e. how far the unsteered system clock is behind tempusd).
interop_run chrony-tracking 5 "$CHRONYC" -c -n -h "$w/chrony-client.sock" tracking ||
  interop_fail "chronyc tracking failed"
tr_line=$(head -n 1 "$w/chrony-tracking.out")
interop_log "chronyc tracking: $tr_line"
interop_expect_eq "chrony: reference" "$(echo "$tr_line" | cut -d, -f1)" 7F000002
interop_expect_eq "chrony: own stratum" "$(echo "$tr_line" | cut -d, -f3)" 4
interop_expect_near "chrony: system time behind" "$(echo "$tr_line" | cut -d, -f5)" 0.05 0.002

# NTPsec: ntpq -n -p (st column 3, offset column 9 in ms) and its own system variables.
peer=$(grep '^\*127\.0\.0\.1 ' "$w/ntpq-peers.out")
interop_expect_eq "ntpsec: refid of tempusd" "$(echo "$peer" | awk '{ print $2 }')" 127.127.1.1
interop_expect_eq "ntpsec: stratum of tempusd" "$(echo "$peer" | awk '{ print $3 }')" 3
interop_expect_near "ntpsec: offset of tempusd (ms)" "$(echo "$peer" | awk '{ print $9 }')" 50 2
interop_ntpq ntpq-rv 127.0.0.5 "rv 0 leap,stratum,refid" || interop_fail "ntpq rv failed"
interop_log "ntpq rv: $(tr '\n' ' ' < "$w/ntpq-rv.out")"
interop_expect_eq "ntpsec: own stratum" "$(interop_ntpq_var stratum ntpq-rv)" 4
interop_expect_eq "ntpsec: own refid" "$(interop_ntpq_var refid ntpq-rv)" 127.0.0.1
# (NTPsec's own leap stays 11 here: with "disable ntp" it never runs the clock update that
# clears it. Not a property of tempusd, so not checked.)
kill -0 "$tempusd_pid" 2>/dev/null || interop_fail "tempusd died during the test"
