#!/usr/bin/env bash
# chrony_queries_tempusd.sh: the real chrony measures tempusd's virtual clock correctly.
#
# tempusd serves a virtual clock 0.25 s ahead of the kernel clock on two sockets,
# 127.0.0.2:11123 and 127.0.0.2:123. `chronyd -x -Q` (one measurement, no clock control) on
# the first must report +0.25 s within 2 ms: it logs "System clock wrong by X seconds
# (ignored)" with X = server minus client (RFC 5905 sign). NTPsec's ntpdig on the second (it
# only speaks to port 123) must agree, which pins the sign convention with a second client.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
interop_init "$@"

interop_start_tempusd tempusd --clock=virtual --virtual-offset=0.25 \
  --listen=127.0.0.2:11123 --listen=127.0.0.2:123 --stratum=3

offset=$(interop_chronyd_oneshot chrony-q 127.0.0.2 11123) ||
  interop_fail "chronyd -Q got no usable answer from tempusd"
interop_log "chronyd -Q: $(grep 'System clock wrong' "$INTEROP_WORK/chrony-q.out")"
interop_expect_near "offset chronyd measured of tempusd" "$offset" 0.25 0.002

interop_ntpdig dig 127.0.0.2 || interop_fail "ntpdig got no answer from tempusd"
interop_log "ntpdig: $(grep -E 'rec-org|s[0-9]+ ' "$INTEROP_WORK/dig.out" | tr '\n' '|')"
interop_expect_near "offset ntpdig measured of tempusd" "$(interop_ntpdig_field offset dig)" 0.25 0.002
kill -0 "$INTEROP_PID" 2>/dev/null || interop_fail "tempusd died during the test"
