#!/usr/bin/env bash
# tempusd as an NTS client (`server HOST nts`, RFC 8915) of another tempusd serving NTS (`nts
# enable`, `local stratum 3`), both on virtual clocks, on 127.0.0.1 ports the kernel hands out:
# - client B (`ca` = the test CA, NTPsec's HOST:PORT form for the NTS-KE port, its clock 0.25 s
#   behind) does NTS-KE, steps onto the server's time with authenticated samples only, serves it
#   (tempus query of B reads ~0), shows the source authenticated in mode 6 (status bits
#   authenable + authentic, `tempus peers --json`), and its exit line counts the replies
#   authenticated and none dropped;
# - client C goes through an on-path relay on 127.0.0.144 (tests/cli/nts_relay.py; `noval`, the
#   certificate names 127.0.0.1): replies with a flipped transmit-timestamp bit, then replies
#   stripped to the bare header, are dropped and counted by reason (/metrics), never a sample (no
#   step); with the relay passing replies untouched, C then steps;
# - client D trusts another CA: NTS-KE fails (certificate), logged once, retried with back-off,
#   and nothing goes to the NTP port.
set -u
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/../common/nts_ke.sh"
nts_ke_test_init
printf 'local stratum 3\n' >>"$conf"
TEMPUSD_DURATION=90 start_tempusd "$work/server.log"
tempus_check "the NTS server is up" '[ -n "$port" ] && [ -n "$ntp_port" ]'


# D trusts another CA: NTS-KE fails on the certificate, logged once however often it is retried
# (after 16 s, then 32 s), and nothing is sent on the NTP port. Runs beside B and C.
mkdir "$work/other" && tempus_make_test_ca "$work/other"
printf 'clock virtual\nserver 127.0.0.1 nts ca %s port %s iburst minpoll 3\n' "$work/other/ca.pem" "$port" >"$work/d.conf"
"$TEMPUSD" -c "$work/d.conf" --listen "127.0.0.1:$(free_port udp)" --duration 20 >"$work/d.log" 2>&1 &
d_pid=$!
pids+=("$d_pid")

b_port=$(free_port udp)
printf 'clock virtual offset -0.25\nserver 127.0.0.1:%s nts ca %s iburst minpoll 3 maxpoll 4\n' \
  "$port" "$work/ca.pem" >"$work/b.conf"
"$TEMPUSD" -c "$work/b.conf" --listen "127.0.0.1:$b_port" --duration 60 >"$work/b.log" 2>&1 &
b_pid=$!
pids+=("$b_pid")
tempus_check "B: NTS-KE with the server, 8 cookies, NTP at its negotiated port" \
  'wait_for "$work/b.log" "NTS-KE with 127.0.0.1:$port: 8 cookies, NTP at 127.0.0.1:$ntp_port" 10'
tempus_check "B: steps its clock onto the server's time" 'wait_for "$work/b.log" "clock stepped by +0.2" 40'
tempus_check "B: serves as synchronized (after more authenticated samples)" \
  'wait_for "$work/b.log" "serving as synchronized" 50'
q=$("$TEMPUS" query --json "127.0.0.1:$b_port" 2>&1)
echo "query B: $q"
tempus_check "B serves the server's time (offset within 20 ms)" \
  "python3 -c 'import json,sys; s=json.loads(sys.argv[1])[\"servers\"][0]; assert s[\"ok\"] and abs(s[\"offset\"])<0.02, s' '$q'"
peers=$("$TEMPUS" peers --json "127.0.0.1:$b_port" 2>&1)
echo "peers B: $peers"
tempus_check "B's mode 6: the NTS source is authenable and authentic (status 0x6000 set)" \
  "python3 -c 'import json,sys; p=json.loads(sys.argv[1])[\"peers\"]; assert any((int(x[\"status\"],16) & 0x6000) == 0x6000 for x in p), p' '$peers'"
tempus_check "B's tempus peers --json: authenticated, NTS-KE with the server once, cookies, replies authenticated" \
  "python3 -c 'import json,sys; p=json.loads(sys.argv[1])[\"peers\"][0]; n=p[\"nts\"]; assert p[\"authenticated\"] and n[\"ke_server\"]==\"127.0.0.1:$port\" and n[\"ke_ok\"]==1 and n[\"ke_failed\"]==0 and n[\"ke_last_failure\"] is None and 1<=n[\"cookies\"]<=8 and n[\"replies_authenticated\"]>=2 and n[\"replies_dropped\"]==0 and 0<=n[\"ke_age_s\"]<3600 and p[\"type\"]==str(n[\"cookies\"]), p' '$peers'"
table=$("$TEMPUS" peers -n "127.0.0.1:$b_port" 2>&1)
echo "$table"
tempus_check "B's tempus peers: the cookie count in t (as NTPsec's ntpq), an nts: line after the table" \
  'grep -qE "^.127\.0\.0\.1 .* [0-9]+ [1-8] +[0-9-]" <<<"$table" && grep -qE "^nts: 127\.0\.0\.1 authenticated, [1-8] cookies?, NTS-KE with 127\.0\.0\.1:$port [0-9]+s ago \(1 ok, 0 failed\), [0-9]+ replies authenticated, 0 dropped$" <<<"$table"'
st=$("$TEMPUS" status "127.0.0.1:$b_port" 2>&1)
echo "$st"
tempus_check "B's tempus status: the system peer's NTS state" \
  'grep -qE "^  nts: +[1-8] cookies?, NTS-KE with 127\.0\.0\.1:$port" <<<"$st"'
tempus_stop_pid "$b_pid"
grep "nts" "$work/b.log" | tail -3
tempus_check "B's exit line: replies authenticated, none dropped" \
  'grep -qE "server 127.0.0.1 nts: NTS-KE 1 ok, 0 failed; [0-9]+ requests \([0-9]+ polls unsent\); [1-9][0-9]* replies authenticated, 0 dropped" "$work/b.log"'

# C through the relay: tampered replies, then stripped ones, then good ones.
relay_ke=$(free_port tcp)
c_metrics=$(free_port tcp)
echo tamper >"$work/mode"
/usr/bin/python3 "$(dirname "$0")/nts_relay.py" "$work/mode" 60 "127.0.0.144:$relay_ke" "127.0.0.1:$port" \
  "127.0.0.144:$ntp_port" "127.0.0.1:$ntp_port" >"$work/relay.log" 2>&1 &
pids+=("$!")
wait_for "$work/relay.log" ready 5
printf 'clock virtual offset -0.25\nserver 127.0.0.144 nts noval port %s iburst minpoll 3 maxpoll 3\n' "$relay_ke" \
  >"$work/c.conf"
"$TEMPUSD" -c "$work/c.conf" --listen "127.0.0.1:$(free_port udp)" --metrics "127.0.0.1:$c_metrics" --duration 60 \
  >"$work/c.log" 2>&1 &
c_pid=$!
pids+=("$c_pid")
drops() { metric "$c_metrics" "tempus_nts_client_replies_dropped_total{server=\"127.0.0.144\",reason=\"$1\"}"; }
for _ in $(seq 1 100); do [ "$(drops authentication_failed)" -ge 2 ] 2>/dev/null && break; sleep 0.1; done
tampered=$(drops authentication_failed)
tempus_check "C: tampered replies dropped as authentication_failed ($tampered)" '[ "${tampered:-0}" -ge 2 ]'
echo strip >"$work/mode"
for _ in $(seq 1 150); do [ "$(drops wrong_unique_id)" -ge 1 ] 2>/dev/null && break; sleep 0.1; done
stripped=$(drops wrong_unique_id)
tempus_check "C: replies stripped of their NTS fields dropped ($stripped)" '[ "${stripped:-0}" -ge 1 ]'
tempus_check "C: no step while every reply was spoiled" '! grep -q "clock stepped" "$work/c.log"'
echo pass >"$work/mode"
tempus_check "C: steps once the relay passes replies untouched" 'wait_for "$work/c.log" "clock stepped by +0.2" 40'
tempus_stop_pid "$c_pid"
grep "nts" "$work/c.log" | tail -3
tempus_check "C's exit line counts the drops" \
  'grep -qE "server 127.0.0.144 nts: .* replies authenticated, [1-9][0-9]* dropped \(.*authentication_failed" "$work/c.log"'
wait "$d_pid"
grep "nts" "$work/d.log" | tail -3
tempus_check "D: the certificate failure logged once, with the back-off" \
  '[ "$(grep -c "NTS-KE failed: certificate: .*; retrying in 1[2-6] s" "$work/d.log")" = 1 ]'
tempus_check "D: retried, never sent a request" \
  'grep -qE "NTS-KE 0 ok, 2 failed; 0 requests \([0-9]+ polls unsent\); 0 replies authenticated" "$work/d.log"'
tempus_checks_done || { tempus_dump_tails 30 "$work/server.log" "$work/b.log" "$work/c.log" "$work/d.log" "$work/relay.log"; exit 1; }
