#!/usr/bin/env bash
# ntpq_nts_ke_refused_tempusd.sh: an `nts` line whose NTS-KE fails is visible before any NTS-KE
# has succeeded, as NTPsec and chrony show an unreachable source: the real NTPsec 1.2.2 ntpq -p
# and `tempus peers` list it (reach 0, refid .NTS., `t` 0 cookies, authenable, not authentic),
# `rv &N` says why (ntske_reason=certificate, ntske_fail >= 1), and it sends no request
# (nts_sent 0; the server it would poll receives only mode 6). A line whose server comes up
# later (NTS-KE: connect refused, then retried) turns into a working NTS association (the
# cookie count in `t`, reach). A SIGHUP without the refused line removes it and keeps the other.
#
# Servers: tempusd serving NTS-KE on 127.0.0.45:14474 and NTP on 127.0.0.45:123 (where the
# refused line's association points: HOST, port 123); the same on 127.0.0.46:14475 and :123,
# started after the client's first NTS-KE with it failed. Client: tempusd on 127.0.0.44:123 with
# `server 127.0.0.45 nts port 14474` trusting another CA only (`nts ca`), and `server 127.0.0.46
# nts port 14475 ca` the servers' CA.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init_nts "TEMPUSD TEMPUS" "IP:127.0.0.45,IP:127.0.0.46" "$@"
w=$INTEROP_WORK
mkdir "$w/other" && tempus_make_test_ca "$w/other" || interop_fail "openssl could not make the second CA"
for ke in 45:14474 46:14475; do
  printf 'clock virtual\nnts enable cert %s key %s cookie %s port %s\n' \
    "$w/server.pem" "$w/server.key" "$w/nts-keys-${ke%:*}" "${ke#*:}" >"$w/server${ke%:*}.conf"
done
interop_start_tempusd server -c "$w/server45.conf" --listen=127.0.0.45:123 --stratum=3
server_pid=$INTEROP_PID
interop_wait_tcp "$server_pid" 127.0.0.45 14474

cat >"$w/tempusd.conf" <<EOF2
clock virtual
nts ca $w/other/ca.pem
server 127.0.0.45 nts port 14474 iburst minpoll 3 maxpoll 4
server 127.0.0.46 nts port 14475 ca $w/ca.pem iburst minpoll 3 maxpoll 4
EOF2
interop_start_tempusd tempusd -c "$w/tempusd.conf" --listen=127.0.0.44:123
client_pid=$INTEROP_PID
for _ in $(seq 1 30); do
  [ "$(grep -c "NTS-KE failed" "$w/tempusd.log")" -ge 2 ] && break
  sleep 1
done
grep -q "server 127.0.0.45 nts: NTS-KE failed: certificate" "$w/tempusd.log" ||
  interop_fail "tempusd: no certificate failure logged: $(cat "$w/tempusd.log")"
grep -q "server 127.0.0.46 nts: NTS-KE failed: connect" "$w/tempusd.log" ||
  interop_fail "tempusd: no connect failure logged for 127.0.0.46: $(cat "$w/tempusd.log")"
sleep 10  # a few polls of the association (minpoll 3): none may leave

interop_run pn 10 "$INTEROP_PY" "$NTPQ" -pn 127.0.0.44 || interop_fail "ntpq -pn failed: $(cat "$w/pn.out")"
interop_log "ntpq -pn:"$'\n'"$(cat "$w/pn.out")"
row=$(awk '$1 ~ /127\.0\.0\.45$/' "$w/pn.out")
[ -n "$row" ] || interop_fail "ntpq -pn: no line for the NTS source 127.0.0.45"
# remote refid st t when poll reach delay offset jitter
interop_expect_eq "ntpq -pn: refid" "$(awk '{ print $2 }' <<<"$row")" .NTS.
interop_expect_eq "ntpq -pn: t (cookies held)" "$(awk '{ print $4 }' <<<"$row")" 0
interop_expect_eq "ntpq -pn: reach" "$(awk '{ print $7 }' <<<"$row")" 0

# The refused line's association id (the two failed in either order).
id=""
for i in 1 2; do
  interop_ntpq "srcadr$i" 127.0.0.44 "rv &$i srcadr" || true
  [ "$(interop_ntpq_var srcadr "srcadr$i")" = 127.0.0.45 ] && id=$i
done
[ -n "$id" ] || interop_fail "no association with srcadr 127.0.0.45 among ids 1 and 2"
interop_ntpq rv1 127.0.0.44 "rv &$id" || interop_fail "ntpq rv &$id failed: $(cat "$w/rv1.out")"
interop_log "ntpq -c \"rv &$id\":"$'\n'"$(cat "$w/rv1.out")"
var() { interop_ntpq_var "$1" rv1 | tr -d '"'; }
grep -q "authenb," <<<"$(head -n 1 "$w/rv1.out")" || interop_fail "rv &1: not authenable: $(head -n 1 "$w/rv1.out")"
grep -q "authenb, auth," <<<"$(head -n 1 "$w/rv1.out")" && interop_fail "rv &1: authentic without NTS-KE"
interop_expect_eq "srcadr" "$(var srcadr)" 127.0.0.45
interop_expect_eq "ntske_reason" "$(var ntske_reason)" certificate
interop_expect_eq "ntske_ok" "$(var ntske_ok)" 0
interop_expect_eq "ntscookies" "$(var ntscookies)" 0
interop_expect_eq "nts_sent: nothing sent without NTS-KE" "$(var nts_sent)" 0
fails=$(var ntske_fail)
awk -v n="$fails" 'BEGIN { exit !(n + 0 >= 1) }' || interop_expect_eq "ntske_fail" "$fails" ">= 1"

interop_run peers 10 "$TEMPUS" peers -n 127.0.0.44 || interop_fail "tempus peers failed: $(cat "$w/peers.out")"
interop_log "tempus peers -n:"$'\n'"$(cat "$w/peers.out")"
grep -Eq "^nts: 127\.0\.0\.45(:123)? not authenticated, 0 cookies, NTS-KE with 127\.0\.0\.45:14474 \(0 ok, [0-9]+ failed\), last NTS-KE failure: certificate" "$w/peers.out" ||
  interop_fail "tempus peers: no nts: line with the certificate failure"

# The server the association points at heard nothing but mode 6: every datagram it received was
# an ntpq request (ss_received = ss_numctlreq).
interop_ntpq server_ss 127.0.0.45 "rv 0 ss_received,ss_numctlreq" || interop_fail "ntpq sysstats of the server failed"
interop_log "server: $(cat "$w/server_ss.out")"
interop_expect_eq "the server received only mode 6 (ss_received = ss_numctlreq)" \
  "$(interop_ntpq_var ss_received server_ss)" "$(interop_ntpq_var ss_numctlreq server_ss)"

# The second server comes up: the next NTS-KE succeeds, and the line is a working NTS association.
interop_start_tempusd server46 -c "$w/server46.conf" --listen=127.0.0.46:123 --stratum=3
interop_wait_tcp "$INTEROP_PID" 127.0.0.46 14475
for _ in $(seq 1 40); do
  grep -q "server 127.0.0.46 nts: NTS-KE with 127.0.0.46:14475: 8 cookies, NTP at 127.0.0.46:123 (recovered)" \
    "$w/tempusd.log" && break
  sleep 1
done
grep -q "server 127.0.0.46 nts: NTS-KE with 127.0.0.46:14475: 8 cookies, NTP at 127.0.0.46:123 (recovered)" \
  "$w/tempusd.log" || interop_fail "tempusd: no NTS-KE with 127.0.0.46 once it came up"
row46=""
for _ in $(seq 1 20); do
  interop_run pn46 10 "$INTEROP_PY" "$NTPQ" -pn 127.0.0.44 || true
  row46=$(awk '$1 ~ /127\.0\.0\.46$/' "$w/pn46.out")
  [[ "$(awk '{ print $4 " " $7 }' <<<"$row46")" =~ ^[1-8]\ [1-7]+$ ]] && break
  sleep 1
done
interop_log "ntpq -pn once 127.0.0.46 is up:"$'\n'"$(cat "$w/pn46.out")"
[[ "$(awk '{ print $4 " " $7 }' <<<"$row46")" =~ ^[1-8]\ [1-7]+$ ]] ||
  interop_expect_eq "ntpq -pn: 127.0.0.46's cookies (t) and reach" "$(awk '{ print $4 " " $7 }' <<<"$row46")" "1..8 N"
[ "$(awk '{ print $2 }' <<<"$row46")" != .NTS. ] || interop_fail "ntpq -pn: 127.0.0.46 still .NTS. after its NTS-KE"
interop_expect_eq "ntpq -pn: 127.0.0.45 still waiting" "$(awk '$1 ~ /127\.0\.0\.45$/ { print $2 }' "$w/pn46.out")" .NTS.

# SIGHUP without the refused line: its association goes, the other stays.
grep -v "127.0.0.45" "$w/tempusd.conf" >"$w/tempusd.conf.new" && mv "$w/tempusd.conf.new" "$w/tempusd.conf"
kill -HUP "$client_pid"
for _ in $(seq 1 20); do
  grep -q "server 127.0.0.45 nts: removed (1 association(s))" "$w/tempusd.log" && break
  sleep 0.5
done
grep -q "server 127.0.0.45 nts: removed (1 association(s))" "$w/tempusd.log" ||
  interop_fail "tempusd: the line's association was not removed on SIGHUP"
interop_run pn2 10 "$INTEROP_PY" "$NTPQ" -pn 127.0.0.44 || true
interop_log "ntpq -pn after SIGHUP:"$'\n'"$(cat "$w/pn2.out")"
grep -q "127\.0\.0\.45 " "$w/pn2.out" && interop_fail "ntpq -pn: the removed line is still listed"
grep -q "127\.0\.0\.46 " "$w/pn2.out" || interop_fail "ntpq -pn: the kept line is gone"
