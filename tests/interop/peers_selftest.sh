#!/usr/bin/env bash
# peers_selftest.sh: the interop harness itself works, with no tempus involved.
#
# chrony and NTPsec measure each other inside the test namespace: chronyd -Q against the NTPsec
# orphan server and ntpdig against the chronyd server. Both run on the same kernel clock, so
# each must see an offset of about 0, the other's stratum, and the clock state stays unchanged.
# When this test fails, the tempus interop tests cannot be trusted either.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init "$@"

interop_start_chronyd chrony 127.0.0.2 123 8
interop_start_ntpsec ntpsec 127.0.0.4 8

# chronyd one-shot client -> NTPsec server.
offset=$(interop_chronyd_oneshot chrony-q 127.0.0.4 123) || interop_fail "chronyd -Q got no offset from ntpsec"
interop_log "chronyd -Q: $(grep 'System clock wrong' "$INTEROP_WORK/chrony-q.out")"
interop_expect_near "chronyd -Q offset of ntpsec" "$offset" 0 0.002

# ntpdig -> chronyd server.
interop_ntpdig dig-chrony 127.0.0.2 || interop_fail "ntpdig got no answer from chronyd"
interop_log "ntpdig: $(grep -E 'rec-org|s[0-9]+ ' "$INTEROP_WORK/dig-chrony.out" | tr '\n' '|')"
interop_expect_near "ntpdig offset of chronyd" "$(interop_ntpdig_field offset dig-chrony)" 0 0.002
interop_expect_eq "ntpdig stratum of chronyd" "$(interop_ntpdig_field stratum dig-chrony)" 8
interop_expect_eq "ntpdig leap of chronyd" "$(interop_ntpdig_field leap dig-chrony)" no-leap

# ntpq (mode 6) -> NTPsec's own system variables.
interop_ntpq ntpq 127.0.0.4 "rv 0 leap,stratum,refid" || interop_fail "ntpq got no answer from ntpsec"
interop_log "ntpq: $(tr '\n' ' ' < "$INTEROP_WORK/ntpq.out")"
interop_expect_eq "ntpq stratum of ntpsec" "$(interop_ntpq_var stratum ntpq)" 8
interop_expect_eq "ntpq refid of ntpsec" "$(interop_ntpq_var refid ntpq)" 127.0.0.1
interop_expect_eq "ntpq leap of ntpsec" "$(interop_ntpq_var leap ntpq)" 00

# The guard is live: NTPsec's start-up ntp_adjtime writes were blocked and logged.
interop_expect_eq "noclock.so blocked NTPsec's clock writes" \
  "$(grep -c 'ntpd.* BLOCKED ntp_adjtime' "$INTEROP_WORK/noclock-ntpsec.log" | awk '{ print ($1 > 0) }')" 1
