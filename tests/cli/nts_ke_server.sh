#!/usr/bin/env bash
# tempusd with `nts enable` serves NTS-KE (RFC 8915 §4) on 127.0.0.1: Python's ssl module as the
# client (TLS 1.3, ALPN ntske/1, the test CA) gets NTPv4, AEAD 15 and 8 cookies of 100 octets; a
# client offering another ALPN is refused; the cookie key file is created with mode 0600 and kept
# across a restart; the exit line counts the connections. A missing certificate stops tempusd at
# start with the file named; /metrics counts the exchanges. Ephemeral ports only (`nts port 0`;
# --listen and --metrics on ports the kernel just handed out).
set -u
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/../common/nts_ke.sh"
nts_ke_test_init

log1=$work/tempusd1.log
start_tempusd "$log1"
tempus_check "tempusd logs its NTS-KE address" '[ -n "$port" ]'
good=$(ke "$port" ntske/1)
echo "ntske/1: $good"
tempus_check "NTPv4, AEAD 15, 8 cookies of 100 octets, the NTP port negotiated (not 123)" \
  '[ "$good" = "next=0000 aead=000f cookies=8 sizes=[100] end=True port=$ntp_port" ]'
bad=$(ke "$port" http/1.1)
echo "http/1.1: $bad"
tempus_check "another ALPN is refused" '[[ "$bad" == error* ]]'
tempus_check "the cookie key file exists with mode 0600" '[ "$(stat -c %a "$work/nts-keys" 2>/dev/null)" = 600 ]'
keys_before=$(cat "$work/nts-keys" 2>/dev/null)
metrics=$(/usr/bin/python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=2).read().decode())' "$metrics_port" 2>&1)
tempus_check "/metrics: 1 answered, 1 TLS failure" \
  'grep -qx "tempus_nts_ke_answered_total 1" <<<"$metrics" && grep -qx "tempus_nts_ke_drops_total{reason=\"tls_failed\"} 1" <<<"$metrics"'
tempus_stop_pid "$pid"
tempus_check "the exit line counts 2 connections, 1 answered, 1 TLS failure" \
  'grep -q "NTS-KE: 2 connection(s), 1 answered; dropped: 0 over capacity, 0 timed out, 0 too large, 1 TLS failures" "$log1"'

log2=$work/tempusd2.log
start_tempusd "$log2"
again=$(ke "$port" ntske/1)
tempus_check "after a restart: answers again" '[ "$again" = "next=0000 aead=000f cookies=8 sizes=[100] end=True port=$ntp_port" ]'
tempus_check "after a restart: the same cookie keys" '[ "$(cat "$work/nts-keys")" = "$keys_before" ]'
tempus_stop_pid "$pid"

printf 'clock virtual\nnts enable cert %s key %s cookie %s port 0\n' \
  "$work/missing.pem" "$work/server.key" "$work/nts-keys" >"$conf"
rc=0
"$TEMPUSD" -c "$conf" --listen "127.0.0.1:$(free_port udp)" --duration 5 >"$work/missing.log" 2>&1 || rc=$?
tempus_check "a missing certificate: exit 1" '[ "$rc" = 1 ]'
tempus_check "a missing certificate: the file is named" 'grep -q "nts cert $work/missing.pem" "$work/missing.log"'
printf 'clock virtual\nnts enable cert %s key %s cookie %s port 0 rotate 0\n' \
  "$work/server.pem" "$work/server.key" "$work/no-such-keys" >"$conf"
rc=0
"$TEMPUSD" -c "$conf" --listen "127.0.0.1:$(free_port udp)" --duration 5 >"$work/reader.log" 2>&1 || rc=$?
tempus_check "nts rotate 0 (a reader node) with no key file: exit 1, the file named, none created" \
  '[ "$rc" = 1 ] && grep -q "nts cookie $work/no-such-keys" "$work/reader.log" && [ ! -e "$work/no-such-keys" ]'
tempus_checks_done || { tempus_dump_tails 20 "$log1" "$log2" "$work/missing.log" "$work/reader.log"; exit 1; }
