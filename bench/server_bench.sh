#!/usr/bin/env bash
# server_bench.sh: how fast tempusd serves, beside chronyd 4.3, NTPsec 1.2.2 and a minimal
# responder (the practical limit), in one run, as ratios (docs/performance.md has the method).
#
# In a network namespace it creates (only lo), with CAP_SYS_TIME dropped and noclock.so
# preloaded (tests/interop/lib.sh), each server in turn listens on 127.0.0.1:123, pinned to one
# CPU, and bench/ntp_load on another CPU measures it from 1000 loopback source addresses:
#   closed loop (--outstanding requests in flight): answered/s at saturation and the server's
#     CPU time per response (/proc/PID/schedstat);
#   open loop at 1.5x that saturation rate: latency under overload (bufferbloat) and whether the
#     answered rate holds.
# Rounds alternate the servers (the order rotates each round); the table shows each figure's
# median over rounds and its ratio to chronyd and to the minimal responder. chronyd and NTPsec
# run when tests/interop/peers-setup.sh has unpacked them. Every process is stopped by PID on
# exit, also on failure; every run is bounded in time.
#
#   bench/server_bench.sh [--rounds N] [--seconds S] [--warmup S] [--servers LIST]
#                         [--outstanding N] [--clients N] [--cpus SERVER,LOAD] [--nice N]
#                         [--syscalls] [--callgrind] [--idle [--idle-seconds S]] [--out DIR]
#                         [--workers N] [--limited] [--nts [--nts-sessions N]] [--share-core] [--smoke]
# --servers: a comma list of tempusd,chronyd,ntpsec,minimal,minimal-batched,tempusd-nts,
# chronyd-nts (default: all but the -nts ones), and tempusd-ref: tempusd as tempusd is run, from
# the binary $TEMPUSD_REF (e.g. a build of main), to measure a change beside its base in one run.
# --nts: NTS-protected requests (RFC 8915 §5) beside plain ones: the servers default to
# tempusd,chronyd,tempusd-nts,chronyd-nts. An -nts server serves NTS-KE with a certificate from a
# test CA (openssl CLI) and ntp_load does one NTS-KE with it before each run (outside the
# measured window), then seals every request with C2S and counts only replies that open with
# S2C; the report adds tempusd-nts ÷ chronyd-nts and NTS ÷ plain ratios.
# --nts-sessions N: ntp_load runs N NTS-KEs (1 to 1024, at most --clients; default 1), each a
# client with its own C2S, S2C and cookies, the requests taking turns as the source addresses do
# (address index mod N): the server keys AES for the client's keys in nearly every request, as
# with many real clients, where one session keeps them keyed (docs/performance.md, branch nts2).
# --nice N: run the server and the generator at nice N, in a session of their own whose
# scheduler autogroup also gets nice N (with autogroups, the default on desktop and many VM
# kernels, a process's nice counts only within its session). E.g. -20 on a machine busy with
# other work: fewer preemptions, steadier figures.
# --syscalls: syscalls per request (perf stat, in a run of its own); --callgrind: user-space
# instructions per request under valgrind (slow; a separate pass after the rounds; with
# --rounds 0 the only measurement); --idle: wake-ups per second of an idle tempusd and chronyd
# with 4 upstream servers (30 s to settle, then --idle-seconds, default 60).
# --workers N: tempusd's `workers` (default 1: the timing thread alone; N threads share the
# server CPU, so the figure to compare is the CPU time per response, docs/performance.md#workers).
# --limited: tempusd serves with `restrict default limited` and `discard average 0 minimum 0`,
# so that every request goes through the rate limiter (issue 12 goal 1's second figure); use
# --clients 100000 to make every lookup miss the limiter's table (the worst case). The other
# servers run as without it.
# --share-core: during each server's turn a busy loop shares the server's CPU (same nice), so
# the server gets about half of it and the generator, on its own core, can offer a true 1.5x
# overload (on 2 CPUs it cannot for the fastest servers otherwise). The server's CPU time per
# response is still its own; its answered rates are halved.
# --smoke: one short round, asserts only that every server answered and none died (CTest
# bench.server_smoke). Binaries: --build DIR (default build/) or $TEMPUSD $NTP_LOAD
# $MIN_RESPONDER. Exit: 0 done, 1 failure, 77 skipped (not root: no network namespace).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
args=("$@")

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "server_bench: $*" >&2; exit 2; }
# need_number NAME VALUE MIN MAX: VALUE must be a plain decimal within [MIN, MAX].
need_number() {
  if ! [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
     ! awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v >= lo && v <= hi) }'; then
    die "$1: expected a number from $3 to $4, got '$2'"
  fi
}

rounds=3 seconds=5 warmup=1 outstanding=128 clients=1000 smoke=0 syscalls=0 callgrind=0
idle=0 idle_seconds=60
servers=tempusd,chronyd,ntpsec,minimal,minimal-batched out="" build=$root/build
server_cpu=0 load_cpu=1 nice="" workers=1 limited=0 nts=0 servers_given=0 share_core=0 nts_sessions=1
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) need_number "$1" "${2:-}" 0 20; rounds=$2; shift ;;
    --seconds) need_number "$1" "${2:-}" 0.5 120; seconds=$2; shift ;;
    --warmup) need_number "$1" "${2:-}" 0 30; warmup=$2; shift ;;
    --outstanding) need_number "$1" "${2:-}" 1 65536; outstanding=$2; shift ;;
    --clients) need_number "$1" "${2:-}" 1 1000000; clients=$2; shift ;;
    --servers) servers=${2:-} servers_given=1; shift ;;
    --out) out=${2:-}; shift ;;
    --build) build=${2:-}; shift ;;
    --cpus) [[ ${2:-} =~ ^([0-9]+),([0-9]+)$ ]] || die "--cpus: expected SERVER,LOAD, got '${2:-}'"
            server_cpu=${BASH_REMATCH[1]} load_cpu=${BASH_REMATCH[2]}; shift ;;
    --nice) [[ ${2:-} =~ ^-?[0-9]{1,2}$ ]] || die "--nice: expected -20 to 19, got '${2:-}'"
            if [ "$2" -lt -20 ] || [ "$2" -gt 19 ]; then die "--nice: expected -20 to 19, got '$2'"; fi
            nice=$2; shift ;;
    --syscalls) syscalls=1 ;;
    --callgrind) callgrind=1 ;;
    --idle) idle=1 ;;
    --idle-seconds) need_number "$1" "${2:-}" 5 3600; idle_seconds=$2; shift ;;
    --workers) { [[ ${2:-} =~ ^[0-9]{1,2}$ ]] && [ "$2" -ge 1 ] && [ "$2" -le 64 ]; } ||
                 die "--workers: expected a whole number from 1 to 64, got '${2:-}'"
               workers=$2; shift ;;
    --limited) limited=1 ;;
    --nts) nts=1 ;;
    --share-core) share_core=1 ;;
    --nts-sessions) { [[ ${2:-} =~ ^[0-9]{1,4}$ ]] && [ "$2" -ge 1 ] && [ "$2" -le 1024 ]; } ||
                      die "--nts-sessions: expected a whole number from 1 to 1024, got '${2:-}'"
                    nts_sessions=$2; shift ;;
    --smoke) smoke=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
if [ $smoke = 1 ]; then rounds=1 seconds=1 warmup=0.2 syscalls=0 callgrind=0 idle=0; fi
[ "$nts_sessions" -le "${clients%%.*}" ] ||
  die "--nts-sessions $nts_sessions needs at least as many --clients ($clients): each session speaks from addresses of its own"
[[ $rounds =~ ^[0-9]+$ ]] || die "--rounds: expected a whole number, got '$rounds'"
[ "$rounds" -gt 0 ] || [ $callgrind = 1 ] || [ $idle = 1 ] ||
  die "--rounds 0 measures nothing without --callgrind or --idle"
TEMPUSD=${TEMPUSD:-$build/apps/tempusd}
NTP_LOAD=${NTP_LOAD:-$build/bench/ntp_load}
MIN_RESPONDER=${MIN_RESPONDER:-$build/bench/min_responder}
if [ $nts = 1 ] && [ $servers_given = 0 ]; then servers=tempusd,chronyd,tempusd-nts,chronyd-nts; fi
IFS=, read -r -a server_list <<<"$servers"
for s in "${server_list[@]}"; do
  case $s in
    tempusd|chronyd|ntpsec|minimal|minimal-batched|tempusd-nts|chronyd-nts) ;;
    tempusd-ref) [ -x "${TEMPUSD_REF:-}" ] || die "--servers tempusd-ref: set TEMPUSD_REF to a tempusd binary" ;;
    *) die "--servers: unknown server '$s'" ;;
  esac
done

# --nice: a new session, so that the autogroup bench_setup renices holds only this benchmark.
if [ -n "$nice" ] && [ -z "${BENCH_OWN_SESSION:-}" ] && command -v setsid >/dev/null; then
  export BENCH_OWN_SESSION=1
  exec setsid --wait bash "$0" "${args[@]}"
fi
export INTEROP_PEERS_OPTIONAL=1
# shellcheck source=tests/interop/lib.sh
source "$root/tests/interop/lib.sh"
for b in "$TEMPUSD" "$NTP_LOAD" "$MIN_RESPONDER"; do [ -x "$b" ] || interop_skip "not built: $b"; done
interop_init "${args[@]}"
# shellcheck source=bench/server_bench_lib.sh
source "$here/server_bench_lib.sh"

if [ -z "$out" ]; then out=$INTEROP_WORK/results; fi
mkdir -p "$out"
bench_setup
bench_log "results in $out; ${rounds} round(s) of ${seconds} s per phase; servers: ${server_list[*]}"

for round in $(seq 1 "$rounds"); do
  # Rotate the order each round so that no server always runs first (or right after another).
  n=${#server_list[@]}
  for i in $(seq 0 $((n - 1))); do
    bench_server "$round" "${server_list[$(((i + round - 1) % n))]}"
  done
done
if [ $callgrind = 1 ]; then
  for s in "${server_list[@]}"; do bench_callgrind "$s"; done
fi
if [ $idle = 1 ]; then
  for s in "${server_list[@]}"; do
    if [[ $s == tempusd || $s == chronyd ]]; then bench_idle "$s"; fi
  done
fi

echo "end $(cat /proc/loadavg)" >>"$out/machine.txt"
report=(python3 "$here/server_bench_report.py" "$out")
if [ $smoke = 1 ]; then report+=(--check "${BENCH_RAN[@]}"); fi
"${report[@]}" || interop_fail "the report or its check failed (see above)"
[ "$out" = "$INTEROP_WORK/results" ] || bench_log "raw results kept in $out"
