#!/usr/bin/env bash
# tempus_queries_ntpsec_nts.sh: `tempus query --nts` gets authenticated time from the real
# NTPsec 1.2.2 ntpd as an NTS server (RFC 8915).
#
# ntpd serves NTP on 127.0.0.1:123 (its port is compiled in) in orphan mode at stratum 8 and
# NTS-KE on port 4460 (`nts enable`, `nts cert`, `nts key`: a certificate for 127.0.0.1 signed by
# a local CA made with the openssl CLI in the work folder), on the same kernel clock as tempus.
# With `--ca` that CA, `tempus query --nts 127.0.0.1 --json` must do NTS-KE (AEAD 15, cookies),
# get authenticated replies (one cookie back per reply) and report an offset of 0 within 2 ms at
# stratum 8; with the system store it must fail with a certificate error and exit 2.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_init_nts "TEMPUS" "" "$@"
w=$INTEROP_WORK
interop_start_ntpsec_nts_server

# nts_field FILE KEY: one field of the first server's "nts" object (Python's repr).
nts_field() {
  "$INTEROP_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["servers"][0]["nts"].get(sys.argv[2]))' "$1" "$2"
}

server=127.0.0.1
INTEROP_OWN+=(query)
# ntpd answers LI=3 "INIT" for about its first second: a few tries, bounded.
for _ in $(seq 1 8); do
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
interop_expect_near "offset of ntpd over NTS" "$(interop_json_field "$out" "$server" offset)" 0 0.002
interop_expect_eq "stratum" "$(interop_json_field "$out" "$server" stratum)" 8
interop_expect_eq "NTP port" "$(interop_json_field "$out" "$server" port)" 123
interop_expect_eq "AEAD" "$(nts_field "$out" aead)" AEAD_AES_SIV_CMAC_256
good=$(interop_json_field "$out" "$server" samples_good)
interop_expect_eq "cookies received = authenticated replies" "$(nts_field "$out" cookies_received)" "$good"

rc=0
interop_run system-store 30 "$TEMPUS" query --nts --samples 1 --timeout 2 "$server" || rc=$?
interop_expect_eq "exit status with the system store" "$rc" 2
grep -q "NTS-KE with 127.0.0.1 (127.0.0.1:4460) failed: certificate: " "$w/system-store.out" ||
  interop_expect_eq "certificate error named" "$(cat "$w/system-store.out")" "... failed: certificate: ..."
