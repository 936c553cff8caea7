#!/usr/bin/env bash
# SIGHUP and tempusd's NTS lines: two tempusd NTS servers (S1, S2; `nts enable`, `local stratum
# 3`) on 127.0.0.1 ports the kernel hands out, and a client C (virtual clock) with one line,
# `server 127.0.0.1 nts` for S1. A reload that adds a line for S2 (NTPsec's HOST:PORT form, by
# name: `-4 localhost:PORT`) and moves S1's line keeps S1's association with its session and
# cookies (no second NTS-KE with S1, its requests go on) and starts S2's NTS-KE; a reload that
# drops S1's line removes its association (mode 6 shows S2's alone).
set -u
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/../common/nts_ke.sh"
nts_ke_test_init
printf 'local stratum 3\n' >>"$conf"
TEMPUSD_DURATION=90 start_tempusd "$work/s1.log"
port1=$port ntp1=$ntp_port
TEMPUSD_DURATION=90 start_tempusd "$work/s2.log"
port2=$port ntp2=$ntp_port
tempus_check "both NTS servers are up" '[ -n "$port1" ] && [ -n "$ntp1" ] && [ -n "$port2" ] && [ -n "$ntp2" ]'

line1="server 127.0.0.1 nts ca $work/ca.pem port $port1 iburst minpoll 3 maxpoll 3"
line2="server -4 localhost:$port2 nts ca $work/ca.pem iburst minpoll 3 maxpoll 3"
start_client "$line1" 80
tempus_check "C: NTS-KE with S1" 'wait_for "$work/c.log" "server 127.0.0.1 nts: NTS-KE with 127.0.0.1:$port1: 8 cookies" 10'
tempus_check "C: S1 reachable" 'wait_for "$work/c.log" "source 127.0.0.1:$ntp1 reachable" 20'

# 1. Add S2's line (and move S1's to line 3): S1's association is kept with its cookies.
tempus_check "reload 1 applied" "reload 'clock virtual
$line2
$line1'"
grep -E "reload|kept|removed" "$work/c.log" | tail -4
tempus_check "reload 1: 1 NTS line kept, 0 removed, 1 added" \
  'grep -q "reload: 1 NTS line(s) kept, 0 removed, 1 added" "$work/c.log"'
tempus_check "reload 1: S1's line kept (moved to line 3) with its cookies and its one NTS-KE" \
  'grep -qE "c.conf:3: server 127.0.0.1 nts: kept \([1-8] cookies, 1 NTS-KE\)" "$work/c.log"'
tempus_check "C: NTS-KE with S2 (localhost:PORT)" \
  'wait_for "$work/c.log" "c.conf:2: server localhost nts: NTS-KE with 127.0.0.1:$port2: 8 cookies, NTP at 127.0.0.1:$ntp2" 10'
tempus_check "C: S2 reachable" 'wait_for "$work/c.log" "source 127.0.0.1:$ntp2 reachable" 20'
# S1's association goes on with the session it kept: its count of replies (the same association)
# grows by two more authenticated ones, without a second NTS-KE.
replies() { metric "$c_metrics" "tempus_source_replies_total{source=\"127.0.0.1:$ntp1\"}"; }
r0=$(replies)
for _ in $(seq 1 400); do [ "$(replies)" -ge $((${r0:-0} + 2)) ] 2>/dev/null && break; sleep 0.1; done
r1=$(replies)
echo "S1's replies after reload 1: $r0 -> $r1"
tempus_check "S1's association kept counting replies ($r0 -> $r1)" '[ "${r0:-0}" -ge 1 ] && [ "${r1:-0}" -ge $((r0 + 2)) ]'
tempus_check "S1's line did no second NTS-KE" \
  '[ "$(grep -c "server 127.0.0.1 nts: NTS-KE with" "$work/c.log")" = 1 ] &&
   [ "$(metric "$c_metrics" "tempus_nts_client_ke_total{server=\"127.0.0.1\",result=\"ok\"}")" = 1 ]'

# 2. Drop S1's line: its association goes.
tempus_check "reload 2 applied" "reload 'clock virtual
$line2'"
grep -E "reload|kept|removed" "$work/c.log" | tail -4
tempus_check "reload 2: 1 NTS line kept, 1 removed, 0 added" \
  'grep -q "reload: 1 NTS line(s) kept, 1 removed, 0 added" "$work/c.log"'
tempus_check "reload 2: S1's line removed with its association" \
  'grep -q "c.conf:3: server 127.0.0.1 nts: removed (1 association(s))" "$work/c.log"'
peers=$("$TEMPUS" peers --json "127.0.0.1:$c_port" 2>&1)
echo "peers C: $peers"
tempus_check "C's mode 6: one source left, authentic" \
  "python3 -c 'import json,sys; p=json.loads(sys.argv[1])[\"peers\"]; assert len(p)==1 and (int(p[0][\"status\"],16) & 0x6000) == 0x6000, p' '$peers'"
tempus_check "C's sources: S2's, not S1's (/metrics)" \
  '[ -n "$(metric "$c_metrics" "tempus_source_replies_total{source=\"127.0.0.1:$ntp2\"}")" ] &&
   [ -z "$(metric "$c_metrics" "tempus_source_replies_total{source=\"127.0.0.1:$ntp1\"}")" ]'
tempus_stop_pid "$c_pid"
grep "nts" "$work/c.log" | tail -2
tempus_check "C's exit line: S2's line only" \
  '[ "$(grep -c "NTS-KE [0-9]* ok" "$work/c.log")" = 1 ] && grep -q "server localhost nts: NTS-KE 1 ok" "$work/c.log"'
tempus_checks_done || { tempus_dump_tails 30 "$work/s1.log" "$work/s2.log" "$work/c.log"; exit 1; }
