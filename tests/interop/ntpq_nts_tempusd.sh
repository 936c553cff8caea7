#!/usr/bin/env bash
# ntpq_nts_tempusd.sh: the real NTPsec 1.2.2 ntpq shows tempusd's NTS association (RFC 8915) as
# NTPsec's ntpd shows its own: the status word authenable and authentic (`authenb, auth`),
# `ntscookies` (cookies held; ntpq -p puts that count in the `t` column), and tempus's NTS-KE
# state in `rv &1`: ntske_server, ntske_time, ntske_ok, ntske_fail, ntske_reason and the
# authenticated replies (nts_recv_good). `ntpq -c ntsinfo` (NTPsec's 17 system counters) on the
# client, which is an NTS server too, after one `tempus query --nts` of it: its client side (the
# NTS-KE with the server, the requests and authenticated replies) and its server side (the
# query's NTS-KE, cookies made and decoded, NTS requests answered) with the query's figures.
#
# Server: tempusd serving NTS-KE on 127.0.0.1:14470 (`nts enable`, a certificate for 127.0.0.1
# signed by a local CA made with the openssl CLI in the work folder) and NTP on 127.0.0.1:11170,
# a virtual clock 0.01 s ahead at stratum 3. Client: tempusd on 127.0.0.3:123 (ntpq's default port), a virtual
# clock 0.1 s behind, `server 127.0.0.1 nts port 14470` with `nts ca` = that CA, and NTS-KE
# itself on 127.0.0.3:14471 (the same certificate, for 127.0.0.3 too).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init_nts "TEMPUSD TEMPUS" "DNS:localhost,IP:127.0.0.1,IP:127.0.0.3" "$@"
w=$INTEROP_WORK
cat >"$w/server.conf" <<EOF2
clock virtual
nts enable cert $w/server.pem key $w/server.key cookie $w/nts-keys port 14470
EOF2
interop_start_tempusd server -c "$w/server.conf" --listen=127.0.0.1:11170 --stratum=3 --virtual-offset=0.01
interop_wait_tcp "$INTEROP_PID" 127.0.0.1 14470

cat >"$w/tempusd.conf" <<EOF2
clock virtual offset -0.1
nts ca $w/ca.pem
nts enable cert $w/server.pem key $w/server.key cookie $w/nts-keys-client port 14471
server 127.0.0.1 nts port 14470 iburst minpoll 3 maxpoll 4
EOF2
interop_start_tempusd tempusd -c "$w/tempusd.conf" --listen=127.0.0.3:123
# NTS-KE, the step onto the server's time with authenticated samples, then a few more before it
# serves as synchronized.
for _ in $(seq 1 60); do
  grep -q "serving as synchronized" "$w/tempusd.log" && break
  sleep 1
done
interop_log "tempusd: $(grep -E "nts|stepped|system peer|synchronized" "$w/tempusd.log" | tr '\n' '|')"
grep -q "server 127.0.0.1 nts: NTS-KE with 127.0.0.1:14470: [1-8] cookies, NTP at 127.0.0.1:11170" "$w/tempusd.log" ||
  interop_fail "tempusd: no NTS-KE with 127.0.0.1:14470 naming NTP at 127.0.0.1:11170"
interop_stepped_onto_server "$w/tempusd.log" || interop_fail "tempusd did not step onto the server's time"
grep -q "serving as synchronized" "$w/tempusd.log" || interop_fail "tempusd did not synchronize within 60 s"

interop_ntpq rv1 127.0.0.3 "rv &1" || interop_fail "ntpq rv &1 failed: $(cat "$w/rv1.out")"
interop_log "ntpq -c \"rv &1\":"$'\n'"$(cat "$w/rv1.out")"
status_line=$(head -n 1 "$w/rv1.out")
grep -q "authenb, auth," <<<"$status_line" ||
  interop_expect_eq "rv &1 status: authenable and authentic" "$status_line" "... authenb, auth, ..."
var() { interop_ntpq_var "$1" rv1 | tr -d '"'; }  # ntpq quotes the text of variables it does not know
cookies=$(var ntscookies)
awk -v n="$cookies" 'BEGIN { exit !(n ~ /^[1-8]$/) }' || interop_expect_eq "ntscookies" "$cookies" "1..8"
interop_expect_eq "ntske_server" "$(var ntske_server)" 127.0.0.1:14470
interop_expect_eq "ntske_ok" "$(var ntske_ok)" 1
interop_expect_eq "ntske_fail" "$(var ntske_fail)" 0
interop_expect_eq "ntske_reason" "$(var ntske_reason)" none
ke_time=$(var ntske_time)
[[ "$ke_time" =~ ^0x[0-9a-f]{8}\.[0-9a-f]{8} ]] && [[ "$ke_time" != 0x00000000.* ]] ||
  interop_expect_eq "ntske_time: the NTS-KE's time" "$ke_time" "0xSSSSSSSS.FFFFFFFF, not 0"
good=$(var nts_recv_good)
awk -v n="$good" 'BEGIN { exit !(n + 0 >= 2) }' || interop_expect_eq "nts_recv_good" "$good" ">= 2"
interop_expect_eq "nts_recv_bad" "$(var nts_recv_bad)" 0

# ntpq -pn: NTPsec's ntpq shows an association with ntscookies >= 0 by its cookie count in `t`.
interop_run pn 10 "$INTEROP_PY" "$NTPQ" -pn 127.0.0.3 || interop_fail "ntpq -pn failed: $(cat "$w/pn.out")"
interop_log "ntpq -pn:"$'\n'"$(cat "$w/pn.out")"
t=$(awk '$1 ~ /127\.0\.0\.1$/ { print $4 }' "$w/pn.out")
[[ "$t" =~ ^[1-8]$ ]] || interop_expect_eq "ntpq -pn: t column (cookies held)" "$t" "1..8"

# ntpq -c ntsinfo on the client after one NTS client of its own: `tempus query --nts`.
query=127.0.0.3:14471
INTEROP_OWN+=(query)
interop_run query 30 "$TEMPUS" query --nts --ca "$w/ca.pem" --json --samples 3 --timeout 2 "$query" ||
  interop_fail "tempus query --nts $query failed: $(cat "$w/query.out")"
interop_log "tempus query --nts: $(tr -d '\n' <"$w/query.out")"
interop_expect_eq "tempus query --nts: authenticated" "$(interop_json_field "$w/query.out" "$query" authenticated)" True
answered=$(interop_json_field "$w/query.out" "$query" samples_good)
received=$("$INTEROP_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["servers"][0]["nts"]["cookies_received"])' \
  "$w/query.out")
interop_ntpq ntsinfo 127.0.0.3 ntsinfo || interop_fail "ntpq -c ntsinfo failed: $(cat "$w/ntsinfo.out")"
interop_log "ntpq -c ntsinfo:"$'\n'"$(cat "$w/ntsinfo.out")"
grep -q "Unknown variable" "$w/ntsinfo.out" && interop_fail "ntpq -c ntsinfo: a variable is unknown"
# nts LEGEND: the figure ntpq shows after "LEGEND:".
nts() { awk -F: -v k="$1" '$1 == k { gsub(/[ \t]/, "", $2); print $2; exit }' "$w/ntsinfo.out"; }
interop_expect_eq "ntsinfo: NTS-KE client probes good" "$(nts "NTS KE client probes good")" 1
interop_expect_eq "ntsinfo: NTS-KE client probes bad" "$(nts "NTS KE client probes bad")" 0
sends=$(nts "NTS client sends")
recvs=$(nts "NTS client recvs good")
awk -v s="$sends" -v r="$recvs" -v g="$good" 'BEGIN { exit !(r >= g && s >= r && r >= 2) }' ||
  interop_expect_eq "ntsinfo: NTS client sends >= recvs good >= rv &1 nts_recv_good ($good)" "$sends >= $recvs" ">= $good"
interop_expect_eq "ntsinfo: NTS client recvs w error" "$(nts "NTS client recvs w error")" 0
interop_expect_eq "ntsinfo: NTS KE serves good (the query's NTS-KE)" "$(nts "NTS KE serves good")" 1
interop_expect_eq "ntsinfo: NTS KE serves bad" "$(nts "NTS KE serves bad")" 0
interop_expect_eq "ntsinfo: NTS server recvs good (the query's)" "$(nts "NTS server recvs good")" "$answered"
interop_expect_eq "ntsinfo: NTS server sends" "$(nts "NTS server sends")" "$answered"
interop_expect_eq "ntsinfo: NTS server recvs w error" "$(nts "NTS server recvs w error")" 0
interop_expect_eq "ntsinfo: NTS make cookies (8 at NTS-KE, then those of the replies)" \
  "$(nts "NTS make cookies")" "$((8 + received))"
interop_expect_eq "ntsinfo: NTS decode cookies (the current key)" "$(nts "NTS decode cookies")" "$answered"
for legend in "NTS decode cookies old" "NTS decode cookies old2" "NTS decode cookies older" \
  "NTS decode cookies too old" "NTS decode cookies error"; do
  interop_expect_eq "ntsinfo: $legend" "$(nts "$legend")" 0
done
