#!/usr/bin/env bash
# SIGHUP and tempusd's `pool HOST nts` lines (the same rules as server lines): two tempusd NTS
# servers (S1, S2; `nts enable`, `local stratum 3`) on 127.0.0.1 ports the kernel hands out, and
# a client C (virtual clock) with one line, `pool 127.0.0.1 nts` on S1's NTS-KE port (a pool of
# one address). A reload that adds a pool line for S2 (`pool -4 localhost nts`) and moves S1's
# keeps S1's pool and its address's association with its session and cookies (no second NTS-KE
# with S1, its requests go on) and starts S2's; a reload that drops S1's pool line removes its
# address's association (mode 6 shows S2's alone); a reload that changes S2's line (another
# poll) replaces its association with a new one (a new NTS-KE).
set -u
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/../common/nts_ke.sh"
nts_ke_test_init
printf 'local stratum 3\n' >>"$conf"
TEMPUSD_DURATION=100 start_tempusd "$work/s1.log"
port1=$port ntp1=$ntp_port
TEMPUSD_DURATION=100 start_tempusd "$work/s2.log"
port2=$port ntp2=$ntp_port
tempus_check "both NTS servers are up" '[ -n "$port1" ] && [ -n "$ntp1" ] && [ -n "$port2" ] && [ -n "$ntp2" ]'

line1="pool 127.0.0.1 nts ca $work/ca.pem port $port1 iburst minpoll 3 maxpoll 3"
line2="pool -4 localhost nts ca $work/ca.pem port $port2 iburst minpoll 3 maxpoll 3"
line2b="pool -4 localhost nts ca $work/ca.pem port $port2 iburst minpoll 4 maxpoll 4"
start_client "$line1" 90
p1="pool 127.0.0.1 nts (127.0.0.1)"
p2="pool localhost nts (127.0.0.1)"
tempus_check "C: NTS-KE with S1's address" 'wait_for "$work/c.log" "$p1: NTS-KE with 127.0.0.1:$port1: 8 cookies" 10'
tempus_check "C: S1 reachable" 'wait_for "$work/c.log" "source 127.0.0.1:$ntp1 reachable" 20'

# 1. Add S2's pool line (and move S1's to line 3): S1's pool and association are kept.
tempus_check "reload 1 applied" "reload 'clock virtual
$line2
$line1'"
grep -E "reload|kept|removed" "$work/c.log" | tail -4
tempus_check "reload 1: 1 NTS line kept, 0 removed, 1 added" \
  'grep -q "reload: 1 NTS line(s) kept, 0 removed, 1 added" "$work/c.log"'
tempus_check "reload 1: S1's pool address kept (its line moved to 3) with its cookies and its one NTS-KE" \
  'grep -F "c.conf:3: $p1: kept (" "$work/c.log" | grep -qE "kept \([1-8] cookies, 1 NTS-KE\)"'
tempus_check "C: NTS-KE with S2's address (localhost)" \
  'wait_for "$work/c.log" "c.conf:2: $p2: NTS-KE with 127.0.0.1:$port2: 8 cookies, NTP at 127.0.0.1:$ntp2" 10'
tempus_check "C: S2 reachable" 'wait_for "$work/c.log" "source 127.0.0.1:$ntp2 reachable" 20'
replies() { metric "$c_metrics" "tempus_source_replies_total{source=\"127.0.0.1:$ntp1\"}"; }
r0=$(replies)
for _ in $(seq 1 400); do [ "$(replies)" -ge $((${r0:-0} + 2)) ] 2>/dev/null && break; sleep 0.1; done
r1=$(replies)
echo "S1's replies after reload 1: $r0 -> $r1"
tempus_check "S1's association kept counting replies ($r0 -> $r1)" '[ "${r0:-0}" -ge 1 ] && [ "${r1:-0}" -ge $((r0 + 2)) ]'
tempus_check "S1's pool address did no second NTS-KE" \
  '[ "$(grep -c "$p1: NTS-KE with" "$work/c.log")" = 1 ] &&
   [ "$(metric "$c_metrics" "tempus_nts_client_ke_total{server=\"127.0.0.1 127.0.0.1\",result=\"ok\"}")" = 1 ]'

# 2. Drop S1's pool line: its address's association goes.
tempus_check "reload 2 applied" "reload 'clock virtual
$line2'"
grep -E "reload|kept|removed" "$work/c.log" | tail -4
tempus_check "reload 2: 1 NTS line kept, 1 removed, 0 added" \
  'grep -q "reload: 1 NTS line(s) kept, 1 removed, 0 added" "$work/c.log"'
tempus_check "reload 2: S1's pool removed, with its address's association" \
  'grep -q "c.conf:3: pool 127.0.0.1 nts: removed" "$work/c.log" &&
   grep -q "c.conf:3: $p1: removed (1 association(s))" "$work/c.log"'
peers=$("$TEMPUS" peers --json "127.0.0.1:$c_port" 2>&1)
echo "peers C: $peers"
tempus_check "C's mode 6: one source left, authentic" \
  "python3 -c 'import json,sys; p=json.loads(sys.argv[1])[\"peers\"]; assert len(p)==1 and (int(p[0][\"status\"],16) & 0x6000) == 0x6000, p' '$peers'"
tempus_check "C's sources: S2's, not S1's (/metrics)" \
  '[ -n "$(metric "$c_metrics" "tempus_source_replies_total{source=\"127.0.0.1:$ntp2\"}")" ] &&
   [ -z "$(metric "$c_metrics" "tempus_source_replies_total{source=\"127.0.0.1:$ntp1\"}")" ]'

# 3. Change S2's pool line (polls): the old one goes, the new one makes its own NTS-KE.
tempus_check "reload 3 applied" "reload 'clock virtual
$line2b'"
grep -E "reload|kept|removed" "$work/c.log" | tail -4
tempus_check "reload 3: 0 NTS lines kept, 1 removed, 1 added" \
  'grep -q "reload: 0 NTS line(s) kept, 1 removed, 1 added" "$work/c.log"'
tempus_check "C: a second NTS-KE with S2's address" \
  'for _ in $(seq 1 100); do [ "$(grep -c "$p2: NTS-KE with 127.0.0.1:$port2: 8 cookies" "$work/c.log")" = 2 ] && break; sleep 0.1; done
   [ "$(grep -c "$p2: NTS-KE with 127.0.0.1:$port2: 8 cookies" "$work/c.log")" = 2 ]'
tempus_check "C: S2 reachable again" \
  'for _ in $(seq 1 200); do [ "$(grep -c "source 127.0.0.1:$ntp2 reachable" "$work/c.log")" -ge 2 ] && break; sleep 0.1; done
   [ "$(grep -c "source 127.0.0.1:$ntp2 reachable" "$work/c.log")" -ge 2 ]'
tempus_stop_pid "$c_pid"
grep "nts" "$work/c.log" | tail -2
tempus_check "C's exit line: S2's new pool address only" \
  '[ "$(grep -c "NTS-KE [0-9]* ok" "$work/c.log")" = 1 ] && grep -q "$p2: NTS-KE 1 ok" "$work/c.log"'
tempus_checks_done || { tempus_dump_tails 30 "$work/s1.log" "$work/s2.log" "$work/c.log"; exit 1; }
