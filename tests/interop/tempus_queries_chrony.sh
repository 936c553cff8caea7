#!/usr/bin/env bash
# tempus_queries_chrony.sh: `tempus query` reads a real chronyd server correctly.
#
# chronyd 4.3 serves on 127.0.0.2:11123 with "local stratum 8" (refid 7F7F0101, shown as
# 127.127.1.1) on the same kernel clock as tempus, so `tempus query --json` must report an
# offset of 0 within 2 ms, stratum 8, that refid and no leap warning.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUS:-}" ] || interop_skip "TEMPUS not built"
interop_init "$@"

interop_start_chronyd chrony 127.0.0.2 11123 8

INTEROP_OWN+=(query)
interop_run query 30 "$TEMPUS" query --json --samples 4 --timeout 5 127.0.0.2:11123 ||
  interop_fail "tempus query exited non-zero: $(cat "$INTEROP_WORK/query.out")"
out=$INTEROP_WORK/query.out
interop_log "tempus query: $(tr -d '\n' < "$out")"
server=127.0.0.2:11123
interop_expect_eq "ok" "$(interop_json_field "$out" $server ok)" True
interop_expect_near "offset of chronyd" "$(interop_json_field "$out" $server offset)" 0 0.002
interop_expect_eq "stratum of chronyd" "$(interop_json_field "$out" $server stratum)" 8
interop_expect_eq "refid of chronyd" "$(interop_json_field "$out" $server refid)" 127.127.1.1
interop_expect_eq "leap of chronyd" "$(interop_json_field "$out" $server leap)" none
interop_expect_eq "error" "$(interop_json_field "$out" $server error)" None
