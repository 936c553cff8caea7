#!/usr/bin/env bash
# ntpdig_queries_tempusd.sh: NTPsec's ntpdig reads tempusd's time and stratum correctly.
#
# tempusd serves a virtual clock 0.125 s behind the kernel clock, stratum 3, on 127.0.0.3:123
# (ntpdig only speaks to port 123; the namespace makes that port ours). `ntpdig -d` prints
# t21 = t2 - t1 and t34 = t3 - t4; the offset (t21 + t34) / 2 must be -0.125 s within 2 ms,
# the stratum 3 and the leap indicator "no-leap".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
interop_init "$@"

interop_start_tempusd tempusd --clock=virtual --virtual-offset=-0.125 \
  --listen=127.0.0.3:123 --stratum=3

interop_ntpdig dig 127.0.0.3 || interop_fail "ntpdig got no answer from tempusd"
interop_log "ntpdig: $(grep -E 'rec-org|s[0-9]+ ' "$INTEROP_WORK/dig.out" | tr '\n' '|')"
interop_expect_near "ntpdig offset of tempusd" "$(interop_ntpdig_field offset dig)" -0.125 0.002
interop_expect_eq "ntpdig stratum of tempusd" "$(interop_ntpdig_field stratum dig)" 3
interop_expect_eq "ntpdig leap of tempusd" "$(interop_ntpdig_field leap dig)" no-leap
kill -0 "$INTEROP_PID" 2>/dev/null || interop_fail "tempusd died during the test"
