#!/usr/bin/env bash
# tempus_queries_chrony_nts.sh: `tempus query --nts` gets authenticated time from the real
# chronyd 4.3 as an NTS server (RFC 8915), and refuses a server its CA does not vouch for.
#
# chronyd serves NTP on 127.0.0.1:11124 and NTS-KE on 127.0.0.1:14461 (`ntsserverkey`,
# `ntsservercert`: a certificate for 127.0.0.1 signed by a local CA made with the openssl CLI
# in the work folder), with "local stratum 8" on the same kernel clock as tempus. With `--ca`
# that CA, `tempus query --nts 127.0.0.1:14461 --json` must do NTS-KE (8 cookies, AEAD 15),
# take the NTP port chronyd negotiates (§4.1.8), get authenticated replies whose encrypted
# cookies it keeps (one back per request), and report an offset of 0 within 2 ms at stratum 8.
# With a CA that did not sign chronyd's certificate (and with the system store) it must fail
# with a certificate error and exit 2; chronyd must have seen no NTS request from it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init_nts "TEMPUS" "" "$@"
w=$INTEROP_WORK
mkdir "$w/other" && tempus_make_test_ca "$w/other" || interop_fail "openssl could not make the second CA"
interop_start_chrony_nts_server 11124 14461

# nts_field FILE KEY: one field of the first server's "nts" object (Python's repr).
nts_field() {
  "$INTEROP_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["servers"][0]["nts"].get(sys.argv[2]))' "$1" "$2"
}

server=127.0.0.1:14461
INTEROP_OWN+=(query)
# chronyd answers usefully 1-2 s after start: a few tries, bounded.
for _ in 1 2 3 4 5; do
  rc=0
  interop_run query 30 "$TEMPUS" query --nts --ca "$w/ca.pem" --json --samples 4 --timeout 2 "$server" || rc=$?
  [ $rc = 0 ] && break
  sleep 1
done
interop_log "tempus query --nts: $(tr -d '\n' <"$w/query.out")"
[ $rc = 0 ] || interop_fail "tempus query --nts exited $rc: $(cat "$w/query.out")"
out=$w/query.out
interop_expect_eq "ok" "$(interop_json_field "$out" "$server" ok)" True
interop_expect_eq "authenticated" "$(interop_json_field "$out" "$server" authenticated)" True
interop_expect_near "offset of chronyd over NTS" "$(interop_json_field "$out" "$server" offset)" 0 0.002
interop_expect_eq "stratum" "$(interop_json_field "$out" "$server" stratum)" 8
interop_expect_eq "NTP port negotiated by chronyd (RFC 8915 §4.1.8)" "$(interop_json_field "$out" "$server" port)" 11124
interop_expect_eq "AEAD" "$(nts_field "$out" aead)" AEAD_AES_SIV_CMAC_256
interop_expect_eq "cookies from NTS-KE" "$(nts_field "$out" ke_cookies)" 8
good=$(interop_json_field "$out" "$server" samples_good)
# §5.7: each authenticated reply carries the cookie the request spent back, encrypted.
interop_expect_eq "cookies received = authenticated replies" "$(nts_field "$out" cookies_received)" "$good"

# The table form names the NTS facts too.
interop_run table 30 "$TEMPUS" query --nts --ca "$w/ca.pem" --samples 2 --timeout 2 "$server" ||
  interop_fail "tempus query --nts (table) failed: $(cat "$w/table.out")"
grep -q "^nts: $server: NTS-KE with 127.0.0.1:14461 in .* AEAD_AES_SIV_CMAC_256, 8 cookies; NTP at 127.0.0.1:11124" \
  "$w/table.out" || interop_expect_eq "table's nts line" "$(grep '^nts:' "$w/table.out")" "nts: $server: NTS-KE with ..."

# chronyd's own count: it authenticated tempus's requests (chronyc serverstats).
auth_packets() {
  interop_run serverstats 5 "$CHRONYC" -h "$w/chrony.sock" serverstats || true
  awk -F: '/Authenticated NTP packets/ { gsub(/ /, "", $2); print $2 }' "$w/serverstats.out"
}
authenticated=$(auth_packets)
interop_log "chronyd: $authenticated authenticated NTP packets"
awk -v n="$authenticated" -v g="$good" 'BEGIN { exit !(n + 0 >= g + 0 && g + 0 >= 1) }' ||
  interop_expect_eq "chronyd authenticated tempus's requests" "$authenticated" ">= $good"

# A CA that did not sign chronyd's certificate, and the system store: refused, exit 2.
for ca in "--ca $w/other/ca.pem" ""; do
  rc=0
  # shellcheck disable=SC2086  # $ca is zero or two words
  interop_run wrong-ca 30 "$TEMPUS" query --nts $ca --samples 1 --timeout 2 "$server" || rc=$?
  interop_log "wrong CA (${ca:-system store}): exit $rc: $(tr -d '\n' <"$w/wrong-ca.out")"
  interop_expect_eq "exit status with the wrong CA (${ca:-system store})" "$rc" 2
  grep -q "NTS-KE with 127.0.0.1 (127.0.0.1:14461) failed: certificate: " "$w/wrong-ca.out" ||
    interop_expect_eq "certificate error named" "$(cat "$w/wrong-ca.out")" "... failed: certificate: ..."
done
interop_expect_eq "chronyd saw no NTS request after the refused key exchanges" "$(auth_packets)" "$authenticated"
