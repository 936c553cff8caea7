#!/usr/bin/env bash
# tempusd's NTS-KE certificate and key are read again on SIGHUP (a renewed certificate without a
# restart), and a client refuses an expired one. tempusd starts with certificate A; after a
# renewed certificate B (a new key too) is written over the same files and tempusd gets SIGHUP,
# new NTS-KE connections see B and get their cookies. A broken certificate file and SIGHUP: the
# log names the file and why, and B is still served. An expired certificate (made with `openssl
# ca -startdate/-enddate` in 2020: `-days` cannot go back in time) and SIGHUP: tempusd serves it
# (the operator's choice), `tempus query --nts` refuses it with a certificate error and exit 2,
# and tempusd counts the handshake it lost (tls_failed or closed_early on /metrics).
set -u
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/../common/nts_ke.sh"
nts_ke_test_init

# served_serial: the serial number of the certificate tempusd serves on NTS-KE now.
served_serial() {
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -alpn ntske/1 -CAfile "$work/ca.pem" </dev/null 2>/dev/null |
    openssl x509 -noout -serial 2>/dev/null
}
serial_of() { openssl x509 -in "$1" -noout -serial; }
# issue NAME [openssl ca dates...]: a new key and certificate for localhost/127.0.0.1 from the
# test CA, in $work/NAME.pem and $work/NAME.key.
issue() {
  local name=$1
  shift
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/$name.key" \
    -out "$work/$name.csr" -subj /CN=localhost 2>/dev/null &&
    openssl ca -batch -config "$work/ca.cnf" -rand_serial -cert "$work/ca.pem" -keyfile "$work/ca.key" \
      -in "$work/$name.csr" -out "$work/$name.pem" -extfile "$work/san.cnf" -notext "$@" >/dev/null 2>&1
}
mkdir "$work/newcerts"
: >"$work/index.txt"
cat >"$work/ca.cnf" <<EOF
[ ca ]
default_ca = test
[ test ]
database = $work/index.txt
new_certs_dir = $work/newcerts
serial = $work/serial
default_md = sha256
default_days = 2
policy = any
unique_subject = no
[ any ]
commonName = supplied
EOF
# sighup_and_wait LOG N: SIGHUP to tempusd, then wait (5 s at most) for its Nth "SIGHUP: NTS-KE" line.
sighup_and_wait() {
  kill -HUP "$pid"
  for _ in $(seq 1 50); do
    [ "$(grep -c "SIGHUP: .*NTS-KE certificate" "$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

log=$work/tempusd.log
TEMPUSD_DURATION=60 start_tempusd "$log"
tempus_check "tempusd logs its NTS-KE address" '[ -n "$port" ]'
a=$(serial_of "$work/server.pem")
tempus_check "certificate A served at start" '[ "$(served_serial)" = "$a" ]'

issue renewed || { echo "FAIL: openssl ca could not issue"; exit 1; }
b=$(serial_of "$work/renewed.pem")
cp "$work/renewed.pem" "$work/server.pem"
cp "$work/renewed.key" "$work/server.key"
tempus_check "before SIGHUP: still A" '[ "$(served_serial)" = "$a" ]'
sighup_and_wait "$log" 1
tempus_check "SIGHUP: the certificate and key reread (logged)" 'grep -q "SIGHUP: NTS-KE certificate and key reread" "$log"'
tempus_check "after SIGHUP: the renewed certificate B served" '[ "$(served_serial)" = "$b" ]'
tempus_check "after SIGHUP: NTS-KE answers with 8 cookies" \
  '[ "$(ke "$port" ntske/1)" = "next=0000 aead=000f cookies=8 sizes=[100] end=True port=$ntp_port" ]'

echo "not a certificate" >"$work/server.pem"
sighup_and_wait "$log" 2
tempus_check "a broken certificate: the file named, the one in use kept" \
  'grep -q "SIGHUP: nts cert $work/server.pem: .*; keeping the NTS-KE certificate in use" "$log"'
tempus_check "a broken certificate: B still served" '[ "$(served_serial)" = "$b" ]'
tempus_check "a broken certificate: NTS-KE still answers" \
  '[ "$(ke "$port" ntske/1)" = "next=0000 aead=000f cookies=8 sizes=[100] end=True port=$ntp_port" ]'
tempus_check "tempusd still runs" 'kill -0 "$pid"'

issue expired -startdate 20200101000000Z -enddate 20200102000000Z || { echo "FAIL: openssl ca could not issue"; exit 1; }
cp "$work/expired.pem" "$work/server.pem"
cp "$work/expired.key" "$work/server.key"
sighup_and_wait "$log" 3
metrics() {
  /usr/bin/python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=2).read().decode())' "$metrics_port" 2>&1
}
lost() {  # handshakes tempusd lost so far: tls_failed + closed_early
  metrics | awk '/^tempus_nts_ke_drops_total\{reason="(tls_failed|closed_early)"\}/ { n += $2 } END { print n + 0 }'
}
lost_before=$(lost)
answered_before=$(metrics | awk '$1 == "tempus_nts_ke_answered_total" { print $2 }')
rc=0
"$TEMPUS" query --nts --ca "$work/ca.pem" --samples 1 --timeout 2 "127.0.0.1:$port" >"$work/query.out" 2>&1 || rc=$?
cat "$work/query.out"
tempus_check "an expired certificate: tempus query --nts exits 2" '[ "$rc" = 2 ]'
tempus_check "an expired certificate: refused as a certificate error" 'grep -q "failed: certificate: .*expired" "$work/query.out"'
tempus_check "an expired certificate: the lost handshake counted" '[ "$(lost)" -gt "$lost_before" ]'
tempus_check "an expired certificate: nothing answered" \
  '[ "$(metrics | awk '"'"'$1 == "tempus_nts_ke_answered_total" { print $2 }'"'"')" = "$answered_before" ]'
tempus_stop_pid "$pid"
tempus_checks_done || { tempus_dump_tails 30 "$log"; exit 1; }
