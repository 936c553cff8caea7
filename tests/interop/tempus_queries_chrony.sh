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

interop_expect_query chronyd 127.0.0.2:11123 8 127.127.1.1
