#!/usr/bin/env bash
# tempus_queries_ntpsec.sh: `tempus query` reads a real NTPsec server correctly.
#
# NTPsec 1.2.2 ntpd serves on 127.0.0.4:123 in orphan mode at stratum 8 (refid 127.0.0.1) on
# the same kernel clock as tempus. The harness waits past its first second of LI=3/"INIT";
# then `tempus query --json` must report an offset of 0 within 2 ms, stratum 8, refid
# 127.0.0.1 and no leap warning.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUS:-}" ] || interop_skip "TEMPUS not built"
interop_init "$@"

interop_start_ntpsec ntpsec 127.0.0.4 8

INTEROP_OWN+=(query)
interop_run query 30 "$TEMPUS" query --json --samples 4 --timeout 5 127.0.0.4:123 ||
  interop_fail "tempus query exited non-zero: $(cat "$INTEROP_WORK/query.out")"
out=$INTEROP_WORK/query.out
interop_log "tempus query: $(tr -d '\n' < "$out")"
server=127.0.0.4:123
interop_expect_eq "ok" "$(interop_json_field "$out" $server ok)" True
interop_expect_near "offset of ntpsec" "$(interop_json_field "$out" $server offset)" 0 0.002
interop_expect_eq "stratum of ntpsec" "$(interop_json_field "$out" $server stratum)" 8
interop_expect_eq "refid of ntpsec" "$(interop_json_field "$out" $server refid)" 127.0.0.1
interop_expect_eq "leap of ntpsec" "$(interop_json_field "$out" $server leap)" none
interop_expect_eq "error" "$(interop_json_field "$out" $server error)" None
