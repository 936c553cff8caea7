#!/usr/bin/env bash
# nts_ke_bench.sh: how fast tempusd's NTS-KE server (RFC 8915 §4) answers, beside chronyd 4.3's,
# in one run, as a ratio (docs/performance.md, "NTS-KE").
#
# In a network namespace it creates (tests/interop/lib.sh: CAP_SYS_TIME dropped, noclock.so
# preloaded, every process stopped by PID), tempusd (`nts enable`, virtual clock) and chronyd
# (`ntsserverkey`/`ntsservercert`, -x) serve NTS-KE on 127.0.0.1:14460 and :14461 with one
# certificate from a test CA made by the openssl CLI, both pinned to CPU 0. build/bench/nts_ke_load
# on CPU 1 runs --count full exchanges (TCP, a TLS 1.3 handshake without resumption, the request,
# the 8 cookies of the response) --concurrency at a time against each in turn, rounds alternating
# the order, and reads the server's CPU time (chronyd: its NTS-KE helper process too). The table
# gives each figure's median over rounds and tempusd's ratio to chronyd.
#
#   bench/nts_ke_bench.sh [--rounds N] [--count N] [--concurrency N] [--build DIR] [--smoke]
#                         [--callgrind [--callgrind-count N]]
# --smoke: one round of 200 exchanges; asserts only that both servers answered all of them (no
# speed). --callgrind: then tempusd's user-space instructions per exchange (its NTS-KE server
# under valgrind's callgrind, on 127.0.0.1:14462: counters zeroed after 20 exchanges, dumped after
# --callgrind-count more, default 300, one at a time; the dump is kept as DIR/nts-ke.callgrind
# when NTS_KE_BENCH_OUT=DIR is set). --rounds 0 with --callgrind: only that.
# Exit: 0 done, 1 failure, 77 skipped (not root, or chronyd not unpacked).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
args=("$@")
rounds=3 count=3000 concurrency=4 smoke=0 build=$root/build callgrind=0 callgrind_count=300
die() { echo "nts_ke_bench: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) [[ ${2:-} =~ ^[0-9]{1,2}$ ]] || die "--rounds: expected 0..99, got '${2:-}'"; rounds=$2; shift ;;
    --callgrind) callgrind=1 ;;
    --callgrind-count) [[ ${2:-} =~ ^[1-9][0-9]{0,4}$ ]] || die "--callgrind-count: expected 1..99999, got '${2:-}'"
                       callgrind_count=$2; shift ;;
    --count) [[ ${2:-} =~ ^[1-9][0-9]{0,6}$ ]] || die "--count: expected 1..9999999, got '${2:-}'"; count=$2; shift ;;
    --concurrency) [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || die "--concurrency: expected 1..64, got '${2:-}'"; concurrency=$2; shift ;;
    --build) build=${2:-}; shift ;;
    --smoke) smoke=1 rounds=1 count=200 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (--help)" ;;
  esac
  shift
done
[ "$rounds" -gt 0 ] || [ $callgrind = 1 ] || die "--rounds 0 measures nothing without --callgrind"
TEMPUSD=${TEMPUSD:-$build/apps/tempusd}
NTS_KE_LOAD=${NTS_KE_LOAD:-$build/bench/nts_ke_load}
export TEMPUSD NTS_KE_LOAD

source "$root/tests/interop/lib.sh"
[ -x "$NTS_KE_LOAD" ] || interop_skip "nts_ke_load not built ($NTS_KE_LOAD)"
command -v openssl >/dev/null || interop_skip "missing tool: openssl"
command -v taskset >/dev/null || interop_skip "missing tool: taskset"
interop_init "${args[@]}"
w=$INTEROP_WORK
server_cpu=0 load_cpu=1
[ "$(nproc)" -ge 2 ] || { server_cpu="" load_cpu=""; interop_log "one CPU: server and load share it"; }
pin() { [ -z "$1" ] || echo "taskset -c $1"; }

tempus_make_test_ca "$w" || interop_fail "openssl could not make the test CA"
cat >"$w/tempusd.conf" <<EOF2
clock virtual
nts enable cert $w/server.pem key $w/server.key cookie $w/nts-keys port 14460
EOF2
read -ra INTEROP_WRAP <<<"$(pin "$server_cpu")"
interop_start_tempusd tempusd -c "$w/tempusd.conf" --listen=127.0.0.1:11123
tempusd_pids=("$INTEROP_PID")
cat >"$w/chronyd.conf" <<EOF2
port 11124
bindaddress 127.0.0.1
allow 127.0.0.0/8
local stratum 8
ntsserverkey $w/server.key
ntsservercert $w/server.pem
ntsport 14461
ntsprocesses 1
ntsdumpdir $w
cmdport 0
bindcmdaddress $w/chronyd.sock
pidfile $w/chronyd.pid
EOF2
interop_spawn chronyd "$CHRONYD" -x -d -u root -f "$w/chronyd.conf"
chronyd_pid=$INTEROP_PID
INTEROP_WRAP=()
for port in 14460 14461; do
  for _ in $(seq 1 100); do
    ss -Hltn 2>/dev/null | awk '{ print $4 }' | grep -qx "127.0.0.1:$port" && break
    sleep 0.1
  done
  ss -Hltn 2>/dev/null | awk '{ print $4 }' | grep -qx "127.0.0.1:$port" || interop_fail "nothing listens on 127.0.0.1:$port"
done
interop_check_guards "$chronyd_pid"
# chronyd serves NTS-KE in a helper process it forks (ntsprocesses 1): its CPU counts too.
chronyd_pids=("$chronyd_pid" $(pgrep -P "$chronyd_pid" || true))
interop_log "tempusd pid ${tempusd_pids[*]}; chronyd pids ${chronyd_pids[*]}"

results=$w/results.txt
: >"$results"
for r in $(seq 1 "$rounds"); do
  order=(tempusd chronyd)
  [ $((r % 2)) = 0 ] && order=(chronyd tempusd)
  for s in "${order[@]}"; do
    if [ "$s" = tempusd ]; then port=14460 pids=("${tempusd_pids[@]}"); else port=14461 pids=("${chronyd_pids[@]}"); fi
    pid_args=()
    for p in "${pids[@]}"; do pid_args+=(--server-pid "$p"); done
    # shellcheck disable=SC2046
    line=$(timeout -k 2 120 $(pin "$load_cpu") "$NTS_KE_LOAD" --address 127.0.0.1 --port "$port" --host localhost \
             --ca "$w/ca.pem" --count "$count" --concurrency "$concurrency" --seconds 60 "${pid_args[@]}") ||
      interop_fail "nts_ke_load against $s failed: $line"
    interop_log "round $r $s: $line"
    echo "$s $line" >>"$results"
  done
done

# --callgrind: tempusd's NTS-KE server under valgrind; instructions between a zeroing after a
# warm-up and a dump, per exchange answered in between. Handshakes only, one at a time.
if [ $callgrind = 1 ]; then
  command -v callgrind_control >/dev/null || interop_skip "no valgrind (apt-get install valgrind)"
  cat >"$w/tempusd-cg.conf" <<EOF2
clock virtual
nts enable cert $w/server.pem key $w/server.key cookie $w/nts-keys-cg port 14462
EOF2
  read -ra INTEROP_WRAP <<<"$(pin "$server_cpu")"
  INTEROP_WRAP+=(valgrind --tool=callgrind "--callgrind-out-file=$w/cg.%p")
  interop_start_tempusd tempusd-cg -c "$w/tempusd-cg.conf" --listen=127.0.0.1:11125
  cg_pid=$INTEROP_PID
  INTEROP_WRAP=()
  for _ in $(seq 1 600); do
    ss -Hltn 2>/dev/null | awk '{ print $4 }' | grep -qx "127.0.0.1:14462" && break
    kill -0 "$cg_pid" 2>/dev/null || interop_fail "tempusd under callgrind exited"
    sleep 0.1
  done
  cg_load() {
    # shellcheck disable=SC2046
    timeout -k 2 300 $(pin "$load_cpu") "$NTS_KE_LOAD" --address 127.0.0.1 --port 14462 --host localhost \
      --ca "$w/ca.pem" --count "$1" --concurrency 1 --seconds 240
  }
  cg_load 20 >/dev/null || interop_fail "nts_ke_load's warm-up against tempusd under callgrind failed"
  callgrind_control -z "$cg_pid" >/dev/null 2>&1 || interop_fail "callgrind_control -z $cg_pid failed"
  line=$(cg_load "$callgrind_count") || interop_fail "nts_ke_load against tempusd under callgrind failed: $line"
  callgrind_control -d "$cg_pid" >/dev/null 2>&1 || interop_fail "callgrind_control -d $cg_pid failed"
  dump=$w/cg.$cg_pid.1
  [ -s "$dump" ] || interop_fail "no callgrind dump ($dump)"
  ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$dump")
  answered=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["answered"])' "$line")
  [ "$answered" -gt 0 ] || interop_fail "no exchange answered under callgrind: $line"
  echo "tempusd NTS-KE server: $((ir / answered)) user-space instructions per exchange (callgrind, $answered exchanges)" |
    tee "$w/callgrind.txt"
  if [ -n "${NTS_KE_BENCH_OUT:-}" ]; then mkdir -p "$NTS_KE_BENCH_OUT" && cp "$dump" "$NTS_KE_BENCH_OUT/nts-ke.callgrind"; fi
  interop_stop "$cg_pid"
fi
[ "$rounds" -gt 0 ] || exit 0

python3 - "$results" "$count" "$smoke" <<'PY'
import json, statistics, sys
rows, count, smoke = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
runs = {}
for line in open(rows):
    name, js = line.split(" ", 1)
    runs.setdefault(name, []).append(json.loads(js))
def med(name, key):
    vals = [r[key] for r in runs.get(name, []) if key in r]
    return statistics.median(vals) if vals else float("nan")
print("| figure (median over rounds) | tempusd | chronyd 4.3 | ratio |")
print("|---|---|---|---|")
for key, label, fmt in (("per_second", "NTS-KE exchanges per second", "{:.0f}"),
                        ("server_cpu_us_per_exchange", "server CPU µs per exchange", "{:.0f}")):
    t, c = med("tempusd", key), med("chronyd", key)
    print(f"| {label} | {fmt.format(t)} | {fmt.format(c)} | {t / c:.2f} |")
bad = [(n, r) for n, rs in runs.items() for r in rs if r["answered"] != count]
for n, r in bad:
    print(f"{n}: {r['answered']} of {count} answered ({r})")
sys.exit(1 if smoke and bad else 0)
PY
