#!/usr/bin/env bash
# tempusd_nts_client_of_chrony.sh: tempusd as an NTS client (`server 127.0.0.1 nts`, RFC 8915) of
# the real chronyd 4.3 as an NTS server synchronizes with authenticated samples.
#
# chronyd serves NTP on 127.0.0.1:11138 and NTS-KE on 127.0.0.1:14463 (`ntsserverkey`,
# `ntsservercert`: a certificate for 127.0.0.1 signed by a local CA made with the openssl CLI in
# the work folder), with "local stratum 8" on the kernel clock. tempusd, on a virtual clock 0.1 s
# behind, trusts that CA (`nts ca`), does NTS-KE on port 14463, takes the NTP port chronyd
# negotiates (§4.1.8), steps onto chronyd's time (+0.1 s), serves it (tempus query of tempusd:
# 0 within 2 ms), and shows the source authenticated in mode 6 (status bits 0x6000); chronyd
# counts tempusd's requests as authenticated (chronyc serverstats), and tempusd's exit line has
# no reply dropped and cookies held.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init_nts "TEMPUSD TEMPUS" "" "$@"
w=$INTEROP_WORK
interop_start_chrony_nts_server 11138 14463

cat >"$w/tempusd.conf" <<EOF2
clock virtual offset -0.1
nts ca $w/ca.pem
server 127.0.0.1 nts port 14463 iburst minpoll 3 maxpoll 4
EOF2
interop_start_tempusd tempusd -c "$w/tempusd.conf" --listen=127.0.0.1:11139
tempusd_pid=$INTEROP_PID

interop_expect_tempusd_nts_client 127.0.0.1:14463 127.0.0.1:11138 127.0.0.1:11139

interop_run serverstats 5 "$CHRONYC" -h "$w/chrony.sock" serverstats || true
authenticated=$(awk -F: '/Authenticated NTP packets/ { gsub(/ /, "", $2); print $2 }' "$w/serverstats.out")
interop_log "chronyd: $authenticated authenticated NTP packets"
awk -v n="$authenticated" 'BEGIN { exit !(n + 0 >= 2) }' ||
  interop_expect_eq "chronyd authenticated tempusd's requests" "$authenticated" ">= 2"

interop_stop "$tempusd_pid"
line=$(grep "server 127.0.0.1 nts: NTS-KE " "$w/tempusd.log" | tail -n 1)
interop_log "tempusd exit: $line"
grep -qE "NTS-KE 1 ok, 0 failed; [0-9]+ requests \([0-9]+ polls unsent\); [1-9][0-9]* replies authenticated, 0 dropped; [1-8] cookies held" <<<"$line" ||
  interop_expect_eq "tempusd's exit line" "$line" "NTS-KE 1 ok, 0 failed; ... replies authenticated, 0 dropped; N cookies held"
