#!/usr/bin/env bash
# A source of an address family that no serving socket has: tempusd serves on 127.0.0.1 only and
# is given `server ::1 port PORT iburst`. Its requests cannot leave (sources send from a serving
# socket of their family), and tempusd says so once, naming the address, the family and what it
# serves on, instead of counting failed sends in silence (it did before this test), and its exit
# line counts them.
set -u
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/../common/nts_ke.sh"
tempus_test_init
port=$(free_port udp)
printf 'clock virtual\nserver ::1 port %s iburst minpoll 3 maxpoll 3\n' "$(free_port udp)" >"$work/c.conf"
"$TEMPUSD" -c "$work/c.conf" --listen "127.0.0.1:$port" --duration 30 >"$work/c.log" 2>&1 &
pid=$!
pids+=("$pid")
tempus_check "tempusd names the source it cannot send to, its family and what it serves on" \
  'wait_for "$work/c.log" "cannot send to \[::1\]:[0-9]*: no IPv6 address is served here (serving on 127.0.0.1:$port)" 10'
sleep 3  # the iburst's further requests fail too
tempus_check "once, not once per request" '[ "$(grep -c "cannot send to" "$work/c.log")" = 1 ]'
tempus_check "tempusd keeps running" 'kill -0 "$pid"'
tempus_stop_pid "$pid"
tempus_check "its exit line counts the failed sends" 'grep -qE "sent ([1-9][0-9]*) requests; \1 send error\(s\)" "$work/c.log"'
tempus_checks_done || { tempus_dump_tails 30 "$work/c.log"; exit 1; }
