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

interop_expect_query ntpsec 127.0.0.4:123 8 127.0.0.1
