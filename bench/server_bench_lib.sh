# shellcheck shell=bash disable=SC2154,SC2034  # settings come from, and INTEROP_* go to, the sourcing scripts
# server_bench_lib.sh: the steps of bench/server_bench.sh, sourced by it inside its namespace
# (after tests/interop/lib.sh, whose interop_* functions start, guard and stop the servers).
#
# Reads the settings server_bench.sh parsed: server_list rounds seconds warmup outstanding
# clients syscalls callgrind idle idle_seconds out server_cpu load_cpu nice share_core nts_sessions, and the binaries TEMPUSD NTP_LOAD
# MIN_RESPONDER. Every file a step writes goes to $out, named r<ROUND>-<SERVER>-<PHASE>.*, and
# server_bench_report.py reads them all. Every wait here is bounded.

readonly BENCH_TARGET=127.0.0.1:123
BENCH_PID=""      # the server bench_start started last
BENCH_PIN=()      # set by bench_pin
BENCH_RAN=()      # the servers measured, for the smoke check
BENCH_NTS_ARGS=() # ntp_load's NTS options for the server bench_start started last (-nts kinds)
readonly BENCH_NTS_KE_TEMPUSD=127.0.0.1:14460 BENCH_NTS_KE_CHRONYD=127.0.0.1:14461

bench_log() { echo "[server_bench] $*" >&2; }

# Pinning, optional tools, which servers can run; records the machine's state for the report.
bench_setup() {
  command -v taskset >/dev/null || interop_skip "missing tool: taskset"
  command -v python3 >/dev/null || interop_skip "missing tool: python3"
  if [ "$(nproc)" -lt 2 ]; then
    bench_log "only $(nproc) CPU: server and load generator share it; the figures mean little"
    server_cpu="" load_cpu=""
  fi
  if [ -n "$nice" ] && [ -w /proc/self/autogroup ]; then
    echo "$nice" >/proc/self/autogroup 2>/dev/null || bench_log "cannot renice the autogroup to $nice"
  fi
  if ! interop_have_peers; then
    if [ "${TEMPUS_INTEROP_REQUIRED:-0}" = 1 ]; then
      interop_fail "missing $INTEROP_MISSING (TEMPUS_INTEROP_REQUIRED=1; run tests/interop/peers-setup.sh)"
    fi
    bench_log "no chronyd/NTPsec ($INTEROP_MISSING missing: run tests/interop/peers-setup.sh): measuring without them"
    local kept=() s
    for s in "${server_list[@]}"; do [[ $s == chronyd || $s == chronyd-nts || $s == ntpsec ]] || kept+=("$s"); done
    server_list=("${kept[@]}")
    [ ${#server_list[@]} -gt 0 ] || interop_skip "no server left to measure without chronyd and NTPsec"
  fi
  if [[ " ${server_list[*]} " == *-nts\ * ]]; then
    command -v openssl >/dev/null || interop_skip "missing tool: openssl (the -nts servers need a test CA)"
    tempus_make_test_ca "$INTEROP_WORK" || interop_fail "openssl could not make the test CA"
  fi
  if [ "$syscalls" = 1 ] && ! perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then
    bench_log "perf cannot count raw_syscalls:sys_enter here: no syscall counts"
    syscalls=0
  fi
  if [ "$callgrind" = 1 ] && ! command -v callgrind_control >/dev/null; then
    bench_log "no valgrind (apt-get install valgrind): no instruction counts"
    callgrind=0
  fi
  {
    echo "cpus $(nproc)"
    echo "kernel $(uname -r)"
    echo "nice ${nice:-0} ($(cat /proc/self/autogroup 2>/dev/null || echo 'no autogroup'))"
    echo "start $(cat /proc/loadavg)"
    awk -F': ' '/^model name/ { print "cpu " $2; exit }' /proc/cpuinfo
  } >"$out/machine.txt"
}

# bench_pin CPU: sets BENCH_PIN to the command prefix that runs a program on CPU (anywhere when
# CPU is empty, i.e. on a single-CPU machine), at nice $nice when set.
bench_pin() {
  BENCH_PIN=()
  [ -z "$1" ] || BENCH_PIN=(taskset -c "$1")
  [ -z "$nice" ] || BENCH_PIN+=(nice -n "$nice")
}

# bench_probe FILE: one request; true when answered by a synchronized server (leap != 3).
bench_probe() {
  "$NTP_LOAD" "$BENCH_TARGET" --count 1 --outstanding 1 --warmup 0 --duration 1 --timeout 0.3 \
    --clients 1 --quiet --json "$1" 2>/dev/null || return 1
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(not (d["answered"] == 1 and d["last_leap"] != 3))' "$1"
}

# bench_wait_tcp PID ADDRESS:PORT: waits (at most 30 s) until something listens on ADDRESS:PORT
# (an NTS-KE server), failing if PID exits first.
bench_wait_tcp() {
  for _ in $(seq 1 300); do
    ss -Hltn 2>/dev/null | awk '{ print $4 }' | grep -qx "$2" && return 0
    kill -0 "$1" 2>/dev/null || interop_fail "pid $1 exited before listening on $2"
    sleep 0.1
  done
  interop_fail "nothing listens on $2 after 30 s"
}

# bench_start NAME KIND [WRAPPER...]: starts server KIND on 127.0.0.1:123, pinned to the server
# CPU and run by WRAPPER (e.g. valgrind), and waits (at most 30 s) until it answers
# synchronized. Sets BENCH_PID.
bench_start() {
  local name=$1 kind=$2
  shift 2
  bench_pin "$server_cpu"
  INTEROP_WRAP=("${BENCH_PIN[@]}" "$@")
  BENCH_NTS_ARGS=()
  case $kind in
    tempusd|tempusd-nts|tempusd-ref)
      INTEROP_OWN+=("$name")
      local conf=() file=$INTEROP_WORK/$name.conf
      : >"$file"
      if [ "$limited" = 1 ]; then
        printf 'restrict default limited\ndiscard average 0 minimum 0\n' >>"$file"
        conf=(-c "$file")
      fi
      if [ "$kind" = tempusd-nts ]; then
        echo "nts enable cert $INTEROP_WORK/server.pem key $INTEROP_WORK/server.key cookie $INTEROP_WORK/$name.nts-keys port ${BENCH_NTS_KE_TEMPUSD##*:}" >>"$file"
        conf=(-c "$file")
        BENCH_NTS_ARGS=(--nts-ke "$BENCH_NTS_KE_TEMPUSD" --nts-ca "$INTEROP_WORK/ca.pem" --nts-host localhost
                        --nts-sessions "$nts_sessions")
      fi
      local binary=$TEMPUSD
      [ "$kind" != tempusd-ref ] || binary=$TEMPUSD_REF
      interop_spawn "$name" "$binary" --clock virtual --stratum 1 --listen "$BENCH_TARGET" --workers "$workers" "${conf[@]}" ;;
    chronyd) interop_start_chronyd "$name" 127.0.0.1 123 1 ;;
    chronyd-nts) bench_start_chronyd_nts "$name" ;;
    ntpsec) interop_start_ntpsec "$name" 127.0.0.1 1 ;;
    minimal) interop_spawn "$name" "$MIN_RESPONDER" --listen "$BENCH_TARGET" --duration 3600 ;;
    minimal-batched) interop_spawn "$name" "$MIN_RESPONDER" --listen "$BENCH_TARGET" --batch 64 --duration 3600 ;;
  esac
  BENCH_PID=$INTEROP_PID
  INTEROP_WRAP=()
  interop_wait_udp "$BENCH_PID" 127.0.0.1 123
  case $kind in
    tempusd-nts) bench_wait_tcp "$BENCH_PID" "$BENCH_NTS_KE_TEMPUSD" ;;
    chronyd-nts) bench_wait_tcp "$BENCH_PID" "$BENCH_NTS_KE_CHRONYD" ;;
  esac
  tempus_lacks_sys_time "$BENCH_PID" || interop_fail "$name still has CAP_SYS_TIME"
  for _ in $(seq 1 150); do
    bench_probe "$INTEROP_WORK/probe.json" && return 0
    kill -0 "$BENCH_PID" 2>/dev/null || interop_fail "$name exited at start: $(tail -n 5 "$INTEROP_WORK/$name.log")"
    sleep 0.2
  done
  interop_fail "$name did not answer synchronized within 30 s"
}

# bench_start_chronyd_nts NAME: chronyd as bench_start's chronyd, also serving NTS (RFC 8915):
# NTS-KE on BENCH_NTS_KE_CHRONYD with the test CA's certificate (one helper process), NTS on the
# NTP port. Sets INTEROP_PID and BENCH_NTS_ARGS.
bench_start_chronyd_nts() {
  local name=$1 chrony_conf=$INTEROP_WORK/$1.conf
  mkdir -p "$INTEROP_WORK/$name.ntsdump"
  cat >"$chrony_conf" <<EOF
port 123
bindaddress 127.0.0.1
bindacqaddress 127.0.0.1
allow 127.0.0.0/8
local stratum 1
ntsserverkey $INTEROP_WORK/server.key
ntsservercert $INTEROP_WORK/server.pem
ntsport ${BENCH_NTS_KE_CHRONYD##*:}
ntsprocesses 1
ntsdumpdir $INTEROP_WORK/$name.ntsdump
cmdport 0
bindcmdaddress $INTEROP_WORK/$name.sock
pidfile $INTEROP_WORK/$name.pid
EOF
  interop_spawn "$name" "$CHRONYD" -x -d -u root -f "$chrony_conf"
  interop_check_guards "$INTEROP_PID"
  BENCH_NTS_ARGS=(--nts-ke "$BENCH_NTS_KE_CHRONYD" --nts-ca "$INTEROP_WORK/ca.pem" --nts-host localhost
                  --nts-sessions "$nts_sessions")
}

# bench_load FILE ARGS...: ntp_load against the server BENCH_PID, pinned, report in FILE; with
# an -nts server, NTS-protected (BENCH_NTS_ARGS).
bench_load() {
  local file=$1 ke_s=0
  shift
  # The NTS-KEs come first, one after the other (a few seconds each under valgrind).
  [ ${#BENCH_NTS_ARGS[@]} = 0 ] || ke_s=$((nts_sessions * 3))
  bench_pin "$load_cpu"
  "${BENCH_PIN[@]}" timeout -k 2 "$(awk -v s="$seconds" -v w="$warmup" -v k="$ke_s" 'BEGIN { print int(s + w + k + 30) }')" \
    "$NTP_LOAD" "$BENCH_TARGET" --clients "$clients" --server-pid "$BENCH_PID" --json "$file" "${BENCH_NTS_ARGS[@]}" "$@" 2>&1 |
    sed "s/^/[server_bench]   /" >&2
  [ "${PIPESTATUS[0]}" = 0 ] || interop_fail "ntp_load failed: $*"
}

# bench_json FILE EXPR: a Python expression over the report `d` in FILE.
bench_json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# bench_syscalls PREFIX: counts the server's system calls (perf's raw_syscalls:sys_enter
# tracepoint) for 2 s at saturation, in a load run of its own so that the tracing does not touch
# the main figures.
bench_syscalls() {
  local prefix=$1
  bench_pin "$load_cpu"
  "${BENCH_PIN[@]}" "$NTP_LOAD" "$BENCH_TARGET" --clients "$clients" --outstanding "$outstanding" \
    --warmup 0.5 --duration 3 --quiet --json "$prefix-sysload.json" "${BENCH_NTS_ARGS[@]}" &
  local load=$!
  INTEROP_PIDS+=("$load")
  sleep 0.8
  perf stat -x, -e raw_syscalls:sys_enter -p "$BENCH_PID" -o "$prefix-perf.txt" -- sleep 2 ||
    bench_log "perf stat failed"
  wait "$load" || bench_log "the load run of the syscall count failed"
}

# bench_server ROUND KIND: one server's turn: start, closed loop, open loop at 1.5x the closed
# loop's answered rate, optionally syscalls, check it is alive, stop it.
bench_server() {
  local round=$1 kind=$2 prefix=$out/r$1-$2
  bench_log "round $round: $kind"
  bench_start "$kind-r$round" "$kind"
  local pid=$BENCH_PID hog=""
  if [ "$share_core" = 1 ]; then  # bounded: stopped below, or by its own timeout
    bench_pin "$server_cpu"
    "${BENCH_PIN[@]}" timeout "$(awk -v s="$seconds" -v w="$warmup" 'BEGIN { print int(4 * (s + w) + 120) }')" \
      sh -c 'while :; do :; done' &
    hog=$!
    INTEROP_PIDS+=("$hog")
  fi
  bench_load "$prefix-closed.json" --outstanding "$outstanding" --warmup "$warmup" --duration "$seconds"
  local rate
  rate=$(bench_json "$prefix-closed.json" 'max(1000.0, 1.5 * d["answered_per_s"])')
  bench_load "$prefix-open.json" --rate "$rate" --warmup "$warmup" --duration "$seconds"
  if [ "$syscalls" = 1 ]; then bench_syscalls "$prefix"; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$kind died during round $round" >"$prefix-died"
    bench_log "FAIL: $kind (pid $pid) died: $(tail -n 5 "$INTEROP_WORK/$kind-r$round.log")"
  fi
  interop_stop "$pid"
  [ -z "$hog" ] || interop_stop "$hog"
  [[ " ${BENCH_RAN[*]} " == *" $kind "* ]] || BENCH_RAN+=("$kind")
}

# bench_callgrind KIND: user-space instructions per request under valgrind's callgrind: counters
# zeroed after a warm-up, dumped after a measured load (closed loop, 4 in flight), so start-up
# is not counted. Valgrind runs the server about 50 times slower; only the instruction count
# means anything.
bench_callgrind() {
  local kind=$1 prefix=$out/callgrind-$1 dir=$INTEROP_WORK/callgrind-$1
  mkdir -p "$dir"
  bench_log "callgrind: $kind"
  bench_start "$kind-callgrind" "$kind" valgrind --tool=callgrind "--callgrind-out-file=$dir/out.%p"
  local pid=$BENCH_PID
  # NTS: the warm-up's NTS-KE keys and cookies serve the measured run, so that no handshake
  # falls between the zeroing and the dump.
  [ ${#BENCH_NTS_ARGS[@]} = 0 ] || BENCH_NTS_ARGS+=(--nts-session "$dir/nts-session.json")
  bench_load "$prefix-warm.json" --outstanding 4 --warmup 0 --duration 2
  callgrind_control -z "$pid" >/dev/null 2>&1 || interop_fail "callgrind_control -z $pid failed"
  bench_load "$prefix.json" --outstanding 4 --warmup 0 --duration 3
  callgrind_control -d "$pid" >/dev/null 2>&1 || interop_fail "callgrind_control -d $pid failed"
  # The first requested dump (-z writes none) holds the measured interval; the one at exit is out.PID.
  local dump=$dir/out.$pid.1
  [ -s "$dump" ] || interop_fail "no callgrind dump for $kind ($dump)"
  awk '/^(summary|totals):/ { print $2; exit }' "$dump" >"$prefix.ir"
  cp "$dump" "$prefix.callgrind"  # for callgrind_annotate: where the instructions go
  interop_stop "$pid"
}

# bench_wakeups PID: the voluntary context switches of all PID's threads so far: each is a sleep
# the process chose, so each is followed by one wake-up.
bench_wakeups() {
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

# bench_idle KIND: wake-ups per second of an idle tempusd or chronyd that has 4 upstream servers
# (min_responder on 127.0.0.2-5) and no clients, counted over $idle_seconds once the start-up
# bursts are over (30 s). Writes $out/idle-KIND.txt: "WAKEUPS SECONDS".
bench_idle() {
  local kind=$1 name=$1-idle a pid ups=() w0 w1 t0 t1
  bench_log "idle: $kind with 4 upstreams, ${idle_seconds} s"
  bench_pin "$load_cpu"
  INTEROP_WRAP=("${BENCH_PIN[@]}")
  for a in 2 3 4 5; do
    interop_spawn "upstream$a" "$MIN_RESPONDER" --listen "127.0.0.$a:123" --duration 3600
    ups+=("$INTEROP_PID")
    interop_wait_udp "$INTEROP_PID" "127.0.0.$a" 123
  done
  bench_pin "$server_cpu"
  INTEROP_WRAP=("${BENCH_PIN[@]}")
  case $kind in
    tempusd)
      INTEROP_OWN+=("$name")
      local binary=$TEMPUSD
      [ "$kind" != tempusd-ref ] || binary=$TEMPUSD_REF
      interop_spawn "$name" "$binary" --clock virtual --listen "$BENCH_TARGET" --iburst \
        --server 127.0.0.2 --server 127.0.0.3 --server 127.0.0.4 --server 127.0.0.5 ;;
    chronyd)
      interop_start_chrony_client "$name" "server 127.0.0.2 iburst" "server 127.0.0.3 iburst" \
        "server 127.0.0.4 iburst" "server 127.0.0.5 iburst" ;;
  esac
  INTEROP_WRAP=()
  pid=$INTEROP_PID
  sleep 30
  kill -0 "$pid" 2>/dev/null || interop_fail "$name exited: $(tail -n 5 "$INTEROP_WORK/$name.log")"
  w0=$(bench_wakeups "$pid") t0=$(date +%s.%N)
  sleep "$idle_seconds"
  w1=$(bench_wakeups "$pid") t1=$(date +%s.%N)
  kill -0 "$pid" 2>/dev/null || interop_fail "$name exited: $(tail -n 5 "$INTEROP_WORK/$name.log")"
  awk -v a="$w0" -v b="$w1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%d %.3f\n", b - a, e - s }' >"$out/idle-$kind.txt"
  bench_log "idle: $kind woke $(cut -d' ' -f1 "$out/idle-$kind.txt") times in $(cut -d' ' -f2 "$out/idle-$kind.txt") s"
  interop_stop "$pid"
  for a in "${ups[@]}"; do interop_stop "$a"; done
}
