#!/usr/bin/env bash
# Quiet when idle (issue 12, item 5): a tempusd with a numeric source and no clients has no
# periodic timer but its polls (the sources' timer runs only while a name lookup or a retry is
# pending). Between two polls (64 s apart) it sleeps: its voluntary context switches (each a sleep
# it chose, i.e. one wake-up) do not grow by one a second, as they did with the old 1 Hz timer.
# The source, 127.0.0.77, answers nothing; only the count of wake-ups is checked, never a time.
set -u
source "$(dirname "$0")/../common/lib.sh"
tempus_test_init
wakeups() { awk '/^voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }' /proc/"$1"/task/*/status 2>/dev/null; }

"$TEMPUSD" --clock virtual --listen 127.0.0.76:12379 --server 127.0.0.77 --duration 60 2>"$work/tempusd.err" &
pid=$!
pids+=("$pid")
for _ in $(seq 1 100); do grep -q "serving on" "$work/tempusd.err" && break; sleep 0.1; done
sleep 1  # the first poll, and the start's timers, are behind it
w0=$(wakeups "$pid")
sleep 5
w1=$(wakeups "$pid")
kill -0 "$pid" 2>/dev/null
tempus_check "tempusd still runs" "[ $? -eq 0 ]"
echo "wake-ups in 5 s of idling: $((w1 - w0))"
tempus_check "at most 2 wake-ups in 5 s without clients (a 1 Hz timer makes 5)" "[ $((w1 - w0)) -le 2 ]"
tempus_dump_tails 20 "$work/tempusd.err"
tempus_checks_done
