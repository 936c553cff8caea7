#!/usr/bin/env bash
# tempusd runs unmodified under an LD_PRELOAD clock-and-network simulator (clknetsim), as chronyd
# does: `clock system` as an unprivileged process, with preload_sim.so standing in for
# clknetsim's client library (see preload_sim.c: syscall() aborts on numbers it does not know,
# cap_set_proc is a stub, clock adjustments go to the simulator, non-socket descriptors poll
# readable at once). The daemon must start, run its loop without spinning on its signal
# self-pipe, and stop on SIGTERM. The process lacks CAP_SYS_TIME throughout (setpriv when this
# shell still has it), so the kernel would refuse a clock write even if one got past the library.
set -u
source "$(dirname "$0")/../common/lib.sh"
tempus_test_init

shim=$work/preload_sim.so
if ! cc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$shim" "$(dirname "$0")/preload_sim.c" -ldl 2>"$work/cc.err"; then
  cat "$work/cc.err"
  echo "SKIP: no C compiler for preload_sim.so"
  exit 0
fi
guard=()
tempus_lacks_sys_time $$ || guard=(setpriv --bounding-set -sys_time --inh-caps -sys_time --)

# sim NAME SECONDS: sets `cmd` to tempusd under the stand-in for at most SECONDS, preloaded
# after timeout and setpriv, which are not simulated (timeout passes SIGTERM on to the daemon).
# One thread (--workers 1), as under clknetsim. A sanitizer build accepts the library ahead of its runtime with verify_asan_link_order=0.
sim() {
  cmd=(timeout -k 2 "$2" "${guard[@]}" env PRELOAD_SIM_LOG="$work/$1.sim" LD_PRELOAD="$shim"
       ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$TEMPUSD" --clock system --workers 1)
}

# 1. Three seconds to its --duration: a start past the capability check, then a loop that waits.
rc=0
sim duration 20
"${cmd[@]}" --listen 127.0.0.86:12386 --duration 3 >"$work/duration.log" 2>&1 </dev/null || rc=$?
cat "$work/duration.log" "$work/duration.sim" 2>/dev/null
tempus_check "runs to its --duration: exit 0 (got $rc)" "[ $rc -eq 0 ]"
tempus_check "no syscall() the simulator does not know" "! grep -q 'Assertion 0' '$work/duration.sim'"
tempus_check "past the capability check" "! grep -q 'needs CAP_SYS_TIME' '$work/duration.log'"
tempus_check "serves with the system clock" "grep -q 'clock system' '$work/duration.log'"
polls=$(awk '/^polls/ { print $2 }' "$work/duration.sim" 2>/dev/null)
# About one wait per second (the daemon's 1 s tick); a loop spinning on its self-pipe polls
# hundreds of thousands of times.
tempus_check "the loop waits: ${polls:-?} polls in 3 s" "[ -n '$polls' ] && [ '$polls' -le 100 ]"

# 2. SIGTERM stops it (the handler's flag, read when poll returns EINTR).
sim sigterm 60
"${cmd[@]}" --listen 127.0.0.86:12387 >"$work/sigterm.log" 2>&1 </dev/null &
pids+=($!)
for _ in $(seq 1 100); do grep -q 'serving on' "$work/sigterm.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
kill -TERM "${pids[0]}"
rc=0
for _ in $(seq 1 50); do kill -0 "${pids[0]}" 2>/dev/null || break; sleep 0.1; done
tempus_check "SIGTERM: stops within 5 s" "! kill -0 ${pids[0]} 2>/dev/null"
wait "${pids[0]}" || rc=$?
pids=()
cat "$work/sigterm.log"
tempus_check "SIGTERM: exit 0 (got $rc)" "[ $rc -eq 0 ]"
tempus_check "SIGTERM: logged" "grep -q 'SIGTERM: exiting' '$work/sigterm.log'"

tempus_checks_done
