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
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
[ -x "${TEMPUS:-}" ] || interop_skip "TEMPUS not built"
command -v openssl >/dev/null || interop_skip "missing tool: openssl"
interop_init "$@"
w=$INTEROP_WORK

tempus_make_test_ca "$w" || interop_fail "openssl could not make the test CA"
interop_start_chrony_nts_server 11138 14463

cat >"$w/tempusd.conf" <<EOF2
clock virtual offset -0.1
nts ca $w/ca.pem
server 127.0.0.1 nts port 14463 iburst minpoll 3 maxpoll 4
EOF2
interop_start_tempusd tempusd -c "$w/tempusd.conf" --listen=127.0.0.1:11139
tempusd_pid=$INTEROP_PID

stepped=0
for _ in $(seq 1 60); do
  grep -q "clock stepped by +0.1" "$w/tempusd.log" && stepped=1 && break
  sleep 1
done
interop_log "tempusd: $(grep -E "nts|stepped|system peer" "$w/tempusd.log" | tr '\n' '|')"
grep -q "server 127.0.0.1 nts: NTS-KE with 127.0.0.1:14463: 8 cookies, NTP at 127.0.0.1:11138" "$w/tempusd.log" ||
  interop_fail "tempusd: no NTS-KE with chronyd naming NTP port 11138"
[ $stepped = 1 ] || interop_fail "tempusd did not step onto chronyd's time over NTS within 60 s"
# After the step, a few more authenticated samples before it serves as synchronized.
for _ in $(seq 1 50); do
  grep -q "serving as synchronized" "$w/tempusd.log" && break
  sleep 1
done
interop_expect_query tempusd 127.0.0.1:11139 9 127.0.0.1

INTEROP_OWN+=(peers)
interop_run peers 10 "$TEMPUS" peers --json 127.0.0.1:11139 || interop_fail "tempus peers failed: $(cat "$w/peers.out")"
status=$("$INTEROP_PY" -c 'import json, sys
p = json.load(open(sys.argv[1]))["peers"]
print(p[0]["status"] if len(p) == 1 else "not one peer: %r" % p)' "$w/peers.out" 2>&1)
interop_log "tempus peers: status $status"
"$INTEROP_PY" -c 'import sys; sys.exit((int(sys.argv[1], 16) & 0x6000) != 0x6000)' "$status" 2>/dev/null ||
  interop_expect_eq "mode 6 status: authenable and authentic" "$status" "0x6000 set"

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
