#!/usr/bin/env bash
# tempusd_nts_client_of_ntpsec.sh: tempusd as an NTS client (`server 127.0.0.1 nts`, RFC 8915) of
# the real NTPsec 1.2.2 ntpd as an NTS server synchronizes with authenticated samples.
#
# ntpd serves NTP on 127.0.0.1:123 in orphan mode at stratum 8 and NTS-KE on port 4460 (a
# certificate for 127.0.0.1 signed by a local CA made with the openssl CLI in the work folder) on
# the kernel clock. tempusd (listening on 127.0.0.15:11140: ntpd's orphan refid is 127.0.0.1,
# which tempusd on that address would take for a timing loop), on a virtual clock 0.1 s behind,
# trusts that CA (`server ... nts ca FILE`, NTS-KE on the default port), steps onto ntpd's time
# (+0.1 s), serves it (tempus query of tempusd: 0 within 2 ms, stratum 9), shows the source
# authenticated in mode 6 (status bits 0x6000), and its exit line has no reply dropped.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init_nts "TEMPUSD TEMPUS" "" "$@"
w=$INTEROP_WORK
interop_start_ntpsec_nts_server

cat >"$w/tempusd.conf" <<EOF2
clock virtual offset -0.1
server 127.0.0.1 nts ca $w/ca.pem iburst minpoll 3 maxpoll 4
EOF2
interop_start_tempusd tempusd -c "$w/tempusd.conf" --listen=127.0.0.15:11140
tempusd_pid=$INTEROP_PID

interop_expect_tempusd_nts_client 127.0.0.1:4460 127.0.0.1:123 127.0.0.15:11140

interop_stop "$tempusd_pid"
line=$(grep "server 127.0.0.1 nts: NTS-KE " "$w/tempusd.log" | tail -n 1)
interop_log "tempusd exit: $line"
grep -qE "NTS-KE 1 ok, 0 failed; [0-9]+ requests \([0-9]+ polls unsent\); [1-9][0-9]* replies authenticated, 0 dropped" <<<"$line" ||
  interop_expect_eq "tempusd's exit line" "$line" "NTS-KE 1 ok, 0 failed; ... replies authenticated, 0 dropped; N cookies held"
