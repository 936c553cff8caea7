# lib.sh: bash library for the cluster tests: several tempusd on loopback, virtual clocks.
#
# A test sources this file and calls `cluster_init "$@"` first. As root, that re-executes the
# script in its own network and mount namespaces (only `lo`; 127.0.0.0/8 is local there; a
# test may bind-mount its own /etc/hosts); otherwise it
# stays in the machine's namespace on the same loopback addresses. Either way the script runs
# with CAP_SYS_TIME removed from the bounding and inheritable sets (setpriv), so no process it
# starts could steer the machine's clock; every daemon uses `clock virtual`.
#
# Every daemon runs with short polls (minpoll 4 maxpoll 4, i.e. 16 s, and iburst) so that a
# test takes tens of seconds; production polls 64-1024 s. Every process is started with
# cluster_start, stopped by PID on exit even on failure, and killed with the test shell
# (--pdeathsig). Every wait is bounded. Exit codes: 0 pass, 1 fail, 77 skip.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"

readonly CLUSTER_SKIP_CODE=77
readonly CLUSTER_PORT=${CLUSTER_PORT:-11123}
CLUSTER_NAME=$(basename "$0" .sh)
CLUSTER_WORK=""
CLUSTER_FAILURES=0
declare -A CLUSTER_PID=()   # name -> pid of every daemon this test started
CLUSTER_LAST_PID=""

cluster_log() { echo "[$CLUSTER_NAME] $*" >&2; }
cluster_fail() {
  echo "[$CLUSTER_NAME] FAIL: $*" >&2
  exit 1
}
cluster_skip() {
  echo "[$CLUSTER_NAME] SKIP: $*"
  exit $CLUSTER_SKIP_CODE
}

cluster_init() {
  [ -x "${TEMPUSD:-}" ] || cluster_skip "TEMPUSD not built"
  [ -x "${TEMPUS:-}" ] || cluster_skip "TEMPUS not built"
  command -v setpriv >/dev/null || cluster_skip "missing setpriv"
  if [ -z "${TEMPUS_CLUSTER_INNER:-}" ]; then
    export TEMPUS_CLUSTER_INNER=1
    if [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
      exec unshare --net --mount -- setpriv --bounding-set -sys_time --inh-caps -sys_time -- bash "$0" "$@"
    fi
    exec setpriv --bounding-set -sys_time --inh-caps -sys_time -- bash "$0" "$@"
  fi
  tempus_lacks_sys_time $$ || cluster_fail "CAP_SYS_TIME still present in the test shell"
  if [ "$(id -u)" -eq 0 ]; then ip link set lo up 2>/dev/null || true; fi
  CLUSTER_WORK=$(mktemp -d "${TMPDIR:-/tmp}/tempus-cluster-$CLUSTER_NAME.XXXXXX")
  chmod 755 "$CLUSTER_WORK"
  trap cluster_cleanup EXIT
  trap 'exit 130' INT TERM HUP
  cluster_log "work dir: $CLUSTER_WORK (polls fixed at 16 s: minpoll 4 maxpoll 4, iburst)"
}

# cluster_conf NAME TEXT: writes $WORK/NAME.conf and prints its path.
cluster_conf() {
  printf '%s\n' "$2" >"$CLUSTER_WORK/$1.conf"
  echo "$CLUSTER_WORK/$1.conf"
}

# cluster_start NAME ADDR ARGS...: starts `tempusd --listen ADDR:PORT ARGS...` with its log in
# $WORK/NAME.log and waits (at most 10 s) until it logs that it serves. Sets CLUSTER_LAST_PID.
cluster_start() {
  local name=$1 addr=$2
  shift 2
  setpriv --pdeathsig KILL -- "$TEMPUSD" --listen "$addr:$CLUSTER_PORT" "$@" \
    >>"$CLUSTER_WORK/$name.log" 2>&1 </dev/null &
  local pid=$!
  CLUSTER_PID[$name]=$pid
  CLUSTER_LAST_PID=$pid
  cluster_log "started $name pid $pid on $addr:$CLUSTER_PORT: $*"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$CLUSTER_WORK/$name.log" >&2; cluster_fail "$name exited at start"; }
    grep -q "serving on" "$CLUSTER_WORK/$name.log" && return 0
    sleep 0.1
  done
  cluster_fail "$name did not start within 10 s"
}

# cluster_stop NAME: SIGTERM, at most 5 s, then SIGKILL; by PID.
cluster_stop() {
  local name=$1 pid=${CLUSTER_PID[$1]:-}
  [ -n "$pid" ] || return 0
  tempus_stop_pid "$pid"
  unset "CLUSTER_PID[$name]"
}

# cluster_json OUT NODE...: `tempus cluster --json NODE:PORT...` into $WORK/OUT.json.
cluster_json() {
  local out=$1
  shift
  local targets=() n
  for n in "$@"; do targets+=("$n:$CLUSTER_PORT"); done
  timeout -k 2 20 "$TEMPUS" cluster --json "${targets[@]}" >"$CLUSTER_WORK/$out.json" 2>"$CLUSTER_WORK/$out.err" || true
}

# cluster_field OUT EXPR: a Python expression over `doc` (the JSON of OUT) printed.
cluster_field() {
  python3 - "$CLUSTER_WORK/$1.json" "$2" <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except Exception:
    print("none"); sys.exit(0)
v = eval(sys.argv[2], {"doc": doc})
print("%.9f" % v if isinstance(v, float) else v)
PY
}

# cluster_wait_skew LIMIT_S TRIES NODE...: samples the cluster every 2 s, at most TRIES times,
# until every node answers synchronized and the max pairwise skew is below LIMIT_S. Prints the
# last skew; returns 1 when it never got there.
cluster_wait_skew() {
  local limit=$1 tries=$2 skew ok
  shift 2
  for _ in $(seq 1 "$tries"); do
    cluster_json wait "$@"
    ok=$(cluster_field wait "all(n['synchronized'] for n in doc['nodes']) and doc['answered'] == len(doc['nodes'])")
    skew=$(cluster_field wait "doc['max_skew']")
    if [ "$ok" = True ] && awk -v s="$skew" -v l="$limit" 'BEGIN { exit !(s < l) }'; then
      echo "$skew"
      return 0
    fi
    sleep 2
  done
  echo "$skew"
  return 1
}

# cluster_wait_stable LIMIT_S NEEDED TRIES NODE...: samples every ~2 s, at most TRIES times,
# until NEEDED consecutive samples all have every node synchronized and the skew below LIMIT_S.
# Prints "WORST_SKEW_OF_THAT_RUN SAMPLES_TAKEN"; returns 1 when it never held that long.
cluster_wait_stable() {
  local limit=$1 needed=$2 tries=$3 run=0 worst=0 skew k
  shift 3
  for k in $(seq 1 "$tries"); do
    if skew=$(cluster_wait_skew "$limit" 1 "$@"); then
      run=$((run + 1))
      worst=$(awk -v a="$worst" -v b="$skew" 'BEGIN { print (b > a ? b : a) }')
      if [ $run -ge "$needed" ]; then
        echo "$worst $k"
        return 0
      fi
      sleep 2
    else
      run=0
      worst=0
    fi
  done
  echo "$skew $tries"
  return 1
}

# cluster_expect WHAT CONDITION_EXIT_STATUS: records a failure unless the command succeeds.
cluster_expect() {
  local what=$1
  shift
  if "$@"; then cluster_log "ok   $what"; else
    echo "[$CLUSTER_NAME] FAIL $what" >&2
    CLUSTER_FAILURES=$((CLUSTER_FAILURES + 1))
  fi
}

# cluster_count PATTERN NAME: how many lines of NAME's log match PATTERN (grep -E).
cluster_count() { grep -cE "$1" "$CLUSTER_WORK/$2.log" || true; }

# cluster_reload NAME CONF PATTERN: rewrites NAME's configuration to CONF, sends NAME a SIGHUP
# and waits (at most 10 s) until one more line of its log matches PATTERN (grep -E), the line
# that says the reload was applied.
cluster_reload() {
  local before
  before=$(cluster_count "$3" "$1")
  cluster_conf "$1" "$2" >/dev/null
  kill -HUP "${CLUSTER_PID[$1]}"
  for _ in $(seq 1 100); do [ "$(cluster_count "$3" "$1")" -gt "$before" ] && return; sleep 0.1; done
}

# cluster_peers_json ADDR: `tempus peers --json` of the tempusd serving on ADDR, into
# $CLUSTER_WORK/peers.json (empty when it does not answer within 20 s).
cluster_peers_json() {
  timeout -k 2 20 "$TEMPUS" peers --json -n "$1:$CLUSTER_PORT" >"$CLUSTER_WORK/peers.json" 2>/dev/null || true
}

# cluster_private_hosts NAME ADDR...: bind-mounts a private /etc/hosts (this test's mount
# namespace) in which NAME is each ADDR, in that order; skips the test where that cannot be done.
cluster_private_hosts() {
  local name=$1 addr
  shift
  { echo "127.0.0.1 localhost"; for addr in "$@"; do echo "$addr $name"; done; } >"$CLUSTER_WORK/hosts"
  if [ "$(readlink /proc/1/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ] || ! mount --bind "$CLUSTER_WORK/hosts" /etc/hosts ||
    [ "$(getent ahosts "$name" | awk '$2 == "STREAM"' | wc -l)" != $# ]; then
    cluster_skip "cannot use a private /etc/hosts here (needs root and a mount namespace)"
  fi
}

cluster_cleanup() {
  local rc=$? name
  trap - EXIT
  set +e
  for name in "${!CLUSTER_PID[@]}"; do cluster_stop "$name"; done
  if [ $rc -eq 0 ] && [ "$CLUSTER_FAILURES" -gt 0 ]; then rc=1; fi
  if [ $rc -ne 0 ] && [ $rc -ne $CLUSTER_SKIP_CODE ]; then
    tempus_dump_tails 30 "$CLUSTER_WORK"/*.log "$CLUSTER_WORK"/*.json "$CLUSTER_WORK"/*.err
    echo "[$CLUSTER_NAME] FAILED ($CLUSTER_FAILURES failed expectations, exit $rc)"
  elif [ $rc -eq 0 ]; then
    echo "[$CLUSTER_NAME] PASSED"
  fi
  if [ "${TEMPUS_CLUSTER_KEEP:-0}" = 1 ]; then echo "[$CLUSTER_NAME] kept $CLUSTER_WORK"; elif [ -n "$CLUSTER_WORK" ]; then rm -rf "$CLUSTER_WORK"; fi
  exit $rc
}
