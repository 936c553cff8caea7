# lib.sh: bash library for the interop tests against the real chrony and NTPsec.
#
# A test script sources this file and calls `interop_init "$@"` first. That re-executes the
# script inside its own network namespace (only `lo`, with 127.0.0.1-127.0.0.20), with
# CAP_SYS_TIME removed from every capability set, and then every peer and every tempus process
# it starts also runs with CAP_SYS_TIME removed and with LD_PRELOAD=noclock.so, which blocks
# and logs any clock write. Three layers, because configuration alone is not safe: NTPsec
# 1.2.2 calls ntp_adjtime with mode bits at every start even with "disable ntp".
#
# The kernel clock state (adjtimex with modes=0: status, freq, offset, tick, constant) is read
# before and after the test; the test fails if it changed, or if a tempus process tried to write
# the clock at all. Every started process is stopped by PID on exit, even on failure, and every
# wait is bounded. The peers come from tests/interop/peers-setup.sh (unpacked, not installed).
#
# Exit codes: 0 pass, 1 fail, 77 skip (not root, no unshare, peers or binaries missing; with
# TEMPUS_INTEROP_REQUIRED=1 a missing prerequisite fails instead of skipping).
#
# Two hooks for bench/server_bench.sh, which runs the peers when they are there: with
# INTEROP_PEERS_OPTIONAL=1 (exported) missing peers do not skip the script (it checks
# interop_have_peers), and INTEROP_WRAP (an array, empty by default) is put between the guards
# and every spawned command, e.g. (taskset -c 0) or a valgrind command line.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"

readonly INTEROP_SKIP_CODE=77
INTEROP_PEERS_DIR=${TEMPUS_PEERS_DIR:-/var/cache/tempus-peers}
CHRONYD=$INTEROP_PEERS_DIR/root/chrony/usr/sbin/chronyd
NTPSEC_NTPD=$INTEROP_PEERS_DIR/root/ntpsec/usr/sbin/ntpd
NTPDIG=$INTEROP_PEERS_DIR/root/ntpsec/usr/bin/ntpdig
NTPQ=$INTEROP_PEERS_DIR/root/ntpsec/usr/bin/ntpq
# shellcheck disable=SC2034  # chronyc: used by the test scripts, not here
CHRONYC=$INTEROP_PEERS_DIR/root/chrony/usr/bin/chronyc
INTEROP_NOCLOCK=$INTEROP_PEERS_DIR/lib/noclock.so
INTEROP_PYTHONPATH=$INTEROP_PEERS_DIR/root/ntpsec/usr/lib/python3/dist-packages
# NTPsec's tools are Debian's python3 programs: run them with Debian's interpreter.
INTEROP_PY=/usr/bin/python3
[ -x "$INTEROP_PY" ] || INTEROP_PY=$(command -v python3 || echo python3)

INTEROP_NAME=$(basename "$0" .sh)
INTEROP_WORK=""
INTEROP_FAILURES=0
INTEROP_CLOCK_BEFORE=""
INTEROP_PIDS=()    # every process started with interop_spawn, stopped on exit
INTEROP_OWN=()     # names of tempus processes: their noclock logs must stay empty
INTEROP_PID=""     # PID of the process last started by interop_spawn
INTEROP_WRAP=()    # prefix of every spawned command (see the file comment)

interop_log() { echo "[$INTEROP_NAME] $*" >&2; }

# Fails the test now.
interop_fail() {
  echo "[$INTEROP_NAME] FAIL: $*" >&2
  exit 1
}

# Skips the test (exit 77), or fails it when TEMPUS_INTEROP_REQUIRED=1 (CI must not skip).
interop_skip() {
  if [ "${TEMPUS_INTEROP_REQUIRED:-0}" = 1 ]; then
    interop_fail "prerequisite missing (TEMPUS_INTEROP_REQUIRED=1): $*"
  fi
  echo "[$INTEROP_NAME] SKIP: $*"
  exit $INTEROP_SKIP_CODE
}

# Reads the kernel clock state with adjtimex(modes=0), a pure read. Prints one line of the
# fields that only a clock write changes (maxerror/esterror are left out: the kernel ages them).
interop_clockstate() {
  "$INTEROP_PY" - <<'PY'
import ctypes, ctypes.util, sys
class Timeval(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("usec", ctypes.c_long)]
class Timex(ctypes.Structure):  # struct timex, x86_64/aarch64 layout (linux/timex.h)
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
                ("constant", ctypes.c_long), ("precision", ctypes.c_long),
                ("tolerance", ctypes.c_long), ("time", Timeval), ("tick", ctypes.c_long),
                ("ppsfreq", ctypes.c_long), ("jitter", ctypes.c_long), ("shift", ctypes.c_int),
                ("stabil", ctypes.c_long), ("jitcnt", ctypes.c_long), ("calcnt", ctypes.c_long),
                ("errcnt", ctypes.c_long), ("stbcnt", ctypes.c_long), ("tai", ctypes.c_int),
                ("reserved", ctypes.c_int * 11)]
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
tx = Timex()
tx.modes = 0  # modes == 0: read only
if libc.adjtimex(ctypes.byref(tx)) < 0 or tx.modes != 0:
    sys.exit("adjtimex read failed: errno %d" % ctypes.get_errno())
print("status=0x%x freq=%d offset=%d tick=%d constant=%d"
      % (tx.status, tx.freq, tx.offset, tx.tick, tx.constant))
PY
}

# True when chrony, NTPsec and the noclock.so guard are unpacked; else names the first missing
# file in INTEROP_MISSING.
interop_have_peers() {
  local f
  for f in "$CHRONYD" "$NTPSEC_NTPD" "$NTPDIG" "$NTPQ" "$INTEROP_NOCLOCK"; do
    [ -e "$f" ] || { INTEROP_MISSING=$f; return 1; }
  done
}

# Sets up the namespace, the work directory, the traps and the clock-state baseline.
interop_init() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  local ns
  ns=$(readlink /proc/self/ns/net)
  if [ -z "${TEMPUS_INTEROP_OUTER_NETNS:-}" ]; then
    # Outer run: check prerequisites, then re-execute inside a fresh namespace without
    # CAP_SYS_TIME.
    [ "$(id -u)" -eq 0 ] || interop_skip "needs root (network namespace)"
    local tool
    for tool in unshare setpriv ip ss timeout awk; do
      command -v "$tool" >/dev/null || interop_skip "missing tool: $tool"
    done
    if [ "${INTEROP_PEERS_OPTIONAL:-0}" != 1 ]; then
      interop_have_peers || interop_skip "missing $INTEROP_MISSING (run $here/peers-setup.sh)"
    fi
    unshare --net true 2>/dev/null || interop_skip "cannot create a network namespace"
    setpriv --pdeathsig KILL true 2>/dev/null || interop_skip "setpriv lacks --pdeathsig"
    export TEMPUS_INTEROP_OUTER_NETNS=$ns
    exec unshare --net -- setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
      bash "$0" "$@"
  fi
  [ "$ns" != "$TEMPUS_INTEROP_OUTER_NETNS" ] || interop_fail "not in a private network namespace"
  tempus_lacks_sys_time $$ || interop_fail "CAP_SYS_TIME still present in the test shell"

  ip link set lo up
  local n
  for n in $(seq 2 20); do ip addr add "127.0.0.$n/8" dev lo; done
  # NTPsec's ntpd accepts only 127.0.0.1 as a loopback upstream and sends from port 123, so
  # traffic to 127.0.0.1 leaves from 127.0.0.5 (the address of an NTPsec client).
  ip route replace local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.5

  INTEROP_WORK=$(mktemp -d "${TMPDIR:-/tmp}/tempus-interop-$INTEROP_NAME.XXXXXX")
  chmod 700 "$INTEROP_WORK"
  trap interop_cleanup EXIT
  trap 'exit 130' INT TERM HUP
  INTEROP_CLOCK_BEFORE=$(interop_clockstate) || interop_fail "cannot read the clock state"
  interop_log "clock before: $INTEROP_CLOCK_BEFORE"
  interop_log "work dir: $INTEROP_WORK"
}

# interop_init_nts PROGRAMS SAN ARGS...: the start of an NTS interop test. Skips unless every
# program PROGRAMS names ("TEMPUSD TEMPUS", "TEMPUS": the variables holding their paths) is built
# and openssl is there, runs interop_init ARGS, then makes the test CA in $INTEROP_WORK
# (tempus_make_test_ca: ca.pem, and server.pem/server.key for SAN; its default SAN when empty).
interop_init_nts() {
  local programs=$1 san=$2 p
  shift 2
  for p in $programs; do
    [ -x "${!p:-}" ] || interop_skip "$p not built"
  done
  command -v openssl >/dev/null || interop_skip "missing tool: openssl"
  interop_init "$@"
  tempus_make_test_ca "$INTEROP_WORK" ${san:+"$san"} || interop_fail "openssl could not make the test CA"
}

# The guard prefix of every process: no CAP_SYS_TIME, killed when the test shell dies, and
# noclock.so preloaded with its own log (NOCLOCK_LOG=$WORK/noclock-NAME.log).
interop_guard() {
  local name=$1
  INTEROP_GUARD=(setpriv --pdeathsig KILL --bounding-set -sys_time --inh-caps -sys_time --
                 env "LD_PRELOAD=$INTEROP_NOCLOCK" "NOCLOCK_LOG=$INTEROP_WORK/noclock-$name.log"
                 "PYTHONPATH=$INTEROP_PYTHONPATH")
  # Only with INTEROP_PEERS_OPTIONAL=1 can the guard be missing; then preload nothing.
  [ -e "$INTEROP_NOCLOCK" ] || INTEROP_GUARD=(setpriv --pdeathsig KILL --bounding-set -sys_time --inh-caps -sys_time --)
}

# interop_spawn NAME CMD...: starts CMD in the background under the guards, output in
# $WORK/NAME.log; sets INTEROP_PID (the PID of CMD itself: setpriv and env exec it).
interop_spawn() {
  local name=$1
  shift
  interop_guard "$name"
  "${INTEROP_GUARD[@]}" "${INTEROP_WRAP[@]}" "$@" >"$INTEROP_WORK/$name.log" 2>&1 </dev/null &
  INTEROP_PID=$!
  INTEROP_PIDS+=("$INTEROP_PID")
  interop_log "started $name pid $INTEROP_PID: $*"
}

# interop_run NAME SECONDS CMD...: runs CMD in the foreground under the guards, at most SECONDS;
# output in $WORK/NAME.out. Returns CMD's exit status (124 on timeout).
interop_run() {
  local name=$1 seconds=$2
  shift 2
  interop_guard "$name"
  local rc=0
  "${INTEROP_GUARD[@]}" timeout -k 2 "$seconds" "$@" >"$INTEROP_WORK/$name.out" 2>&1 </dev/null || rc=$?
  interop_log "ran $name (exit $rc): $*"
  return $rc
}

# Stops one process this test started, by PID: SIGTERM, up to 5 s, then SIGKILL.
interop_stop() {
  local pid=$1 known=0 p
  for p in "${INTEROP_PIDS[@]}"; do [ "$p" = "$pid" ] && known=1; done
  [ $known = 1 ] || { echo "interop_stop: $pid was not started by this test" >&2; return 1; }
  tempus_stop_pid "$pid"
}

# interop_wait_udp PID ADDR PORT: waits (at most 10 s) until ADDR:PORT is bound, failing early
# if PID exits. interop_wait_tcp PID ADDR PORT: the same for a listening TCP socket (NTS-KE).
interop_wait_udp() { interop_wait_socket udp u "$@"; }
interop_wait_tcp() { interop_wait_socket TCP t "$@"; }
interop_wait_socket() {
  local what=$1 ss_flag=$2 pid=$3 addr=$4 port=$5
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || interop_fail "pid $pid exited before binding $addr:$port"
    ss -Hln"$ss_flag" 2>/dev/null | awk '{ print $4 }' | grep -qx "$addr:$port" && return 0
    sleep 0.1
  done
  interop_fail "nothing bound $addr:$port ($what) within 10 s"
}

# interop_check_guards PID: fails unless the running process PID lacks CAP_SYS_TIME in every
# set and has noclock.so mapped (i.e. the guards really apply to it).
# A process just spawned may still be setpriv or env on its way to exec the program (their
# maps have no noclock.so yet): wait for the exec, 5 s at most.
interop_check_guards() {
  local pid=$1
  for _ in $(seq 1 50); do
    grep -qF "$INTEROP_NOCLOCK" "/proc/$pid/maps" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tempus_lacks_sys_time "$pid" || interop_fail "pid $pid still has CAP_SYS_TIME"
  grep -qF "$INTEROP_NOCLOCK" "/proc/$pid/maps" || interop_fail "pid $pid has no noclock.so loaded"
}

# interop_start_chronyd NAME ADDR PORT [STRATUM]: chronyd 4.3 as a server with no upstream
# ("local stratum"), -x (never touches the clock), foreground. Sets INTEROP_PID.
interop_start_chronyd() {
  local name=$1 addr=$2 port=$3 stratum=${4:-8}
  local conf=$INTEROP_WORK/$name.conf
  cat >"$conf" <<EOF
# chronyd server for $INTEROP_NAME: $addr:$port, local stratum $stratum, -x (no clock control)
port $port
bindaddress $addr
bindacqaddress $addr
allow 127.0.0.0/8
local stratum $stratum
cmdport 0
bindcmdaddress $INTEROP_WORK/$name.sock
pidfile $INTEROP_WORK/$name.pid
EOF
  # -u root: Debian's _chrony user does not exist because the package is not installed.
  interop_spawn "$name" "$CHRONYD" -x -d -u root -f "$conf"
  interop_wait_udp "$INTEROP_PID" "$addr" "$port"
  interop_check_guards "$INTEROP_PID"
}

# interop_ntpsec_conf NAME ADDR LINE...: writes $WORK/NAME.conf for NTPsec's ntpd: it listens
# on ADDR:123 only, answers 127.0.0.0/8, has its loop and kernel discipline disabled ("disable
# ntp", "disable kernel"; the guards block the clock writes it tries anyway), and its log,
# statistics and pid file in $WORK; the LINEs (its role) come after the restrict line.
interop_ntpsec_conf() {
  local name=$1 addr=$2
  shift 2
  {
    cat <<EOF
interface ignore wildcard
interface ignore ipv6
interface ignore ipv4
interface listen $addr
restrict 127.0.0.0 mask 255.0.0.0
EOF
    printf '%s\n' "$@"
    cat <<EOF
disable ntp
disable kernel
logfile $INTEROP_WORK/$name.ntpd.log
statsdir $INTEROP_WORK/
pidfile $INTEROP_WORK/$name.pid
EOF
  } >"$INTEROP_WORK/$name.conf"
}

# interop_start_ntpsec NAME ADDR [STRATUM]: NTPsec 1.2.2 ntpd as an orphan-mode server on
# ADDR:123 (its port is compiled in), loop and kernel discipline disabled; waits until it
# answers synchronised (LI != 3, stratum STRATUM), past its first second of LI=3 "INIT".
interop_start_ntpsec() {
  local name=$1 addr=$2 stratum=${3:-8}
  interop_ntpsec_conf "$name" "$addr" \
    "# ntpd (NTPsec) server for $INTEROP_NAME: $addr:123, orphan stratum $stratum" \
    "tos orphan $stratum orphanwait 0" "logconfig =all"
  interop_spawn "$name" "$NTPSEC_NTPD" -n -c "$INTEROP_WORK/$name.conf"
  local pid=$INTEROP_PID
  interop_wait_udp "$pid" "$addr" 123
  interop_check_guards "$pid"
  for _ in $(seq 1 20); do
    if interop_ntpdig "$name-ready" "$addr" 1 &&
       [ "$(interop_ntpdig_field stratum "$name-ready")" = "$stratum" ]; then
      INTEROP_PID=$pid
      return 0
    fi
    sleep 0.5
  done
  interop_fail "ntpsec $addr did not answer with stratum $stratum within 10 s"
}

# interop_start_ntpsec_client NAME ADDR SERVER [OPTION...]: NTPsec 1.2.2 ntpd listening on
# ADDR:123 as a client of SERVER (port 123; NTPsec accepts only 127.0.0.1 as a loopback server),
# with the server line's OPTIONs (e.g. nts ca FILE), polls fixed at 16 s, loop and kernel
# discipline disabled. Waits until ADDR:123 is bound and checks the guards. Sets INTEROP_PID.
interop_start_ntpsec_client() {
  local name=$1 addr=$2 server=$3
  shift 3
  interop_ntpsec_conf "$name" "$addr" "server $server${*:+ $*} iburst minpoll 4 maxpoll 4"
  interop_spawn "$name" "$NTPSEC_NTPD" -n -c "$INTEROP_WORK/$name.conf"
  local pid=$INTEROP_PID
  interop_wait_udp "$pid" "$addr" 123
  interop_check_guards "$pid"
  INTEROP_PID=$pid
}

# interop_start_chrony_client NAME LINE...: a continuous chronyd 4.3 client, -x (never touches
# the clock), foreground, whose chrony.conf is the LINEs (its `server` lines and so on) and then
# an acquisition address of 127.0.0.6, no NTP port, and its command socket at
# $WORK/NAME.sock (for chronyc -h). Sets INTEROP_PID; the caller checks the guards once the
# process has started.
interop_start_chrony_client() {
  local name=$1
  shift
  {
    printf '%s\n' "$@"
    cat <<EOF
bindacqaddress 127.0.0.6
port 0
cmdport 0
bindcmdaddress $INTEROP_WORK/$name.sock
pidfile $INTEROP_WORK/$name.pid
EOF
  } >"$INTEROP_WORK/$name.conf"
  interop_spawn "$name" "$CHRONYD" -x -d -u root -f "$INTEROP_WORK/$name.conf"
}

# interop_start_chrony_nts_server NTP_PORT KE_PORT: chronyd (named chrony) as an NTS server on
# 127.0.0.1: NTP on NTP_PORT, NTS-KE on KE_PORT with $WORK/server.pem and server.key
# (tempus_make_test_ca), "local stratum 8" on the kernel clock, its command socket at
# $WORK/chrony.sock; waits until both ports listen and checks its guards. Sets INTEROP_PID.
interop_start_chrony_nts_server() {
  local ntp=$1 ke=$2 w=$INTEROP_WORK
  cat >"$w/chrony.conf" <<EOF
port $ntp
bindaddress 127.0.0.1
bindacqaddress 127.0.0.1
allow 127.0.0.0/8
local stratum 8
ntsserverkey $w/server.key
ntsservercert $w/server.pem
ntsport $ke
ntsdumpdir $w
cmdport 0
bindcmdaddress $w/chrony.sock
pidfile $w/chrony.pid
EOF
  interop_spawn chrony "$CHRONYD" -x -d -u root -f "$w/chrony.conf"
  local pid=$INTEROP_PID
  interop_wait_udp "$pid" 127.0.0.1 "$ntp"
  interop_check_guards "$pid"
  interop_wait_tcp "$pid" 127.0.0.1 "$ke"
  INTEROP_PID=$pid
}

# interop_start_ntpsec_nts_server: NTPsec's ntpd (named ntpsec) as an NTS server on 127.0.0.1:
# NTP on 123 (compiled in) in orphan mode at stratum 8, NTS-KE on 4460 with $WORK/server.pem and
# server.key (tempus_make_test_ca); waits until both listen and checks its guards. Sets INTEROP_PID.
interop_start_ntpsec_nts_server() {
  local w=$INTEROP_WORK
  interop_ntpsec_conf ntpsec 127.0.0.1 "tos orphan 8 orphanwait 0" \
    "nts enable" "nts cert $w/server.pem" "nts key $w/server.key" "nts cookie $w/ntpsec-cookies"
  interop_spawn ntpsec "$NTPSEC_NTPD" -n -c "$w/ntpsec.conf"
  local pid=$INTEROP_PID
  interop_wait_udp "$pid" 127.0.0.1 123
  interop_check_guards "$pid"
  for _ in $(seq 1 50); do
    ss -Hltn 2>/dev/null | awk '{ print $4 }' | grep -Eqx "(\*|0\.0\.0\.0|127\.0\.0\.1|\[::\]):4460" && break
    sleep 0.1
  done
  INTEROP_PID=$pid
}

# interop_stepped_onto_server LOG: LOG has a "clock stepped by +X s" with X within 20 ms of 0.1 s,
# the step of a tempusd whose virtual clock starts 0.1 s behind the server's. The step carries the
# server's own offset from the kernel clock (measured: chronyd 4.3 -70 µs, NTPsec under the
# lab's clock guard up to +10 ms), so a match on the text "+0.1" failed on +0.099931.
interop_stepped_onto_server() {
  awk '/clock stepped by [+-][0-9.]+ s/ {
         for (i = 1; i < NF; ++i) if ($i == "by") { x = $(i + 1) + 0; if (x > 0.08 && x < 0.12) found = 1 }
       } END { exit !found }' "$1"
}

# interop_expect_tempusd_nts_client KE NTP TEMPUSD: tempusd (named tempusd, virtual clock 0.1 s
# behind, one `server 127.0.0.1 nts` line) did NTS-KE with KE (ADDR:PORT) naming NTP, steps onto
# the server's time, serves it at TEMPUSD (stratum 9, refid 127.0.0.1, offset 0 within 2 ms), and
# mode 6 shows its one source authenable and authentic (status bits 0x6000).
interop_expect_tempusd_nts_client() {
  local ke=$1 ntp=$2 me=$3 w=$INTEROP_WORK stepped=0 status
  for _ in $(seq 1 60); do
    interop_stepped_onto_server "$w/tempusd.log" && stepped=1 && break
    sleep 1
  done
  interop_log "tempusd: $(grep -E "nts|stepped|system peer" "$w/tempusd.log" | tr '\n' '|')"
  grep -q "server 127.0.0.1 nts: NTS-KE with $ke: [1-8] cookies, NTP at $ntp" "$w/tempusd.log" ||
    interop_fail "tempusd: no NTS-KE with $ke naming NTP at $ntp"
  [ $stepped = 1 ] || interop_fail "tempusd did not step onto the server's time over NTS within 60 s"
  # After the step, a few more authenticated samples before it serves as synchronized.
  for _ in $(seq 1 50); do
    grep -q "serving as synchronized" "$w/tempusd.log" && break
    sleep 1
  done
  interop_expect_query tempusd "$me" 9 127.0.0.1
  INTEROP_OWN+=(peers)
  interop_run peers 10 "$TEMPUS" peers --json "$me" || interop_fail "tempus peers failed: $(cat "$w/peers.out")"
  status=$("$INTEROP_PY" -c 'import json, sys
p = json.load(open(sys.argv[1]))["peers"]
print(p[0]["status"] if len(p) == 1 else "not one peer: %r" % p)' "$w/peers.out" 2>&1)
  interop_log "tempus peers: status $status"
  "$INTEROP_PY" -c 'import sys; sys.exit((int(sys.argv[1], 16) & 0x6000) != 0x6000)' "$status" 2>/dev/null ||
    interop_expect_eq "mode 6 status: authenable and authentic" "$status" "0x6000 set"
}

# interop_start_tempusd NAME ARGS...: starts tempusd (path in $TEMPUSD) with ARGS and waits
# until each --listen=ADDR:PORT is bound. Its noclock log must stay empty.
interop_start_tempusd() {
  local name=$1
  shift
  [ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
  INTEROP_OWN+=("$name")
  interop_spawn "$name" "$TEMPUSD" "$@"
  local pid=$INTEROP_PID arg prev="" ap
  for arg in "$@"; do
    ap=""
    case $arg in
      --listen=*) ap=${arg#--listen=} ;;
      *) [ "$prev" = --listen ] && ap=$arg ;;
    esac
    [ -z "$ap" ] || interop_wait_udp "$pid" "${ap%:*}" "${ap##*:}"
    prev=$arg
  done
  interop_check_guards "$pid"
  INTEROP_PID=$pid
}

# interop_ntpdig NAME ADDR [SAMPLES]: `ntpdig -d -p SAMPLES ADDR` (port 123; default 3 samples,
# of which ntpdig prints the one it keeps), output in $WORK/NAME.out.
interop_ntpdig() {
  local name=$1 addr=$2 samples=${3:-3}
  interop_run "$name" 20 "$INTEROP_PY" "$NTPDIG" -d -p "$samples" -t 2 "$addr"
}

# interop_ntpdig_field FIELD NAME: a value from the ntpdig -d output in $WORK/NAME.out:
#   offset (seconds, server minus client, from t21 and t34), delay, stratum, leap.
# Parses (ntpdig 1.2.2):
#   rec-org t21: 0.000074  xmt-dst t34: -0.000070
#   2026-11-29 04:55:39.439432 (+0000) +0.000002 +/- 0.000072 127.0.0.1 s8 no-leap
interop_ntpdig_field() {
  local field=$1 name=$2
  awk -v want="$field" '
    /rec-org t21:/ { t21 = $3; t34 = $6; have = 1 }
    / s[0-9]+ / { for (i = 1; i <= NF; i++) { if ($i ~ /^s[0-9]+$/) st = substr($i, 2)
                                             if ($i ~ /leap$/) lp = $i } }
    END {
      if (want == "offset" && have) printf "%.6f\n", (t21 + t34) / 2
      else if (want == "delay" && have) printf "%.6f\n", t21 - t34
      else if (want == "stratum") print st
      else if (want == "leap") print lp
    }' "$INTEROP_WORK/$name.out"
}

# interop_ntpq NAME ADDR COMMAND: one NTPsec `ntpq -c COMMAND ADDR` (mode 6, port 123), output
# in $WORK/NAME.out.
interop_ntpq() {
  local name=$1 addr=$2 command=$3
  interop_run "$name" 10 "$INTEROP_PY" "$NTPQ" -c "$command" "$addr"
}

# interop_ntpq_var VAR NAME: the value of VAR in `ntpq -c rv` output in $WORK/NAME.out, e.g.
#   leap=00, stratum=8, refid=127.0.0.1
interop_ntpq_var() {
  tr ',' '\n' <"$INTEROP_WORK/$2.out" | awk -F= -v v="$1" '{ sub(/^[ \t]+/, "", $1) } $1 == v { print $2; exit }'
}

# interop_chronyd_oneshot NAME ADDR PORT: `chronyd -x -Q` measures ADDR:PORT once and logs
# "System clock wrong by X seconds (ignored)"; output in $WORK/NAME.out. Prints X, which is the
# offset in the RFC 5905 sense (server minus client): chrony's own offset is local minus true
# and it logs its negation (reference.c), so a server 0.25 s ahead gives "wrong by 0.250030".
interop_chronyd_oneshot() {
  local name=$1 addr=$2 port=$3
  interop_run "$name" 20 "$CHRONYD" -x -Q -t 10 -u root \
    "server $addr port $port iburst" "bindacqaddress 127.0.0.19" \
    "pidfile $INTEROP_WORK/$name.pid" || return 1
  awk '/System clock wrong by/ { for (i = 1; i <= NF; i++) if ($i == "by") { printf "%.6f\n", $(i + 1); found = 1 } }
       END { if (!found) exit 1 }' "$INTEROP_WORK/$name.out"
}

# interop_json_field FILE SERVER KEY: one field of the entry for SERVER in the "servers" array
# of `tempus query --json` output (Python's repr for null/booleans: None, True, False).
interop_json_field() {
  "$INTEROP_PY" - "$1" "$2" "$3" <<'PY'
import json, sys
path, server, key = sys.argv[1:4]
with open(path) as f:
    doc = json.load(f)
for entry in doc["servers"]:
    if entry.get("server") == server:
        value = entry.get(key)
        print(value if not isinstance(value, float) else "%.9f" % value)
        sys.exit(0)
sys.exit("no entry for %s in %s" % (server, path))
PY
}

# interop_expect_query WHO ADDR:PORT STRATUM REFID: `tempus query --json` of one server (4
# samples) must succeed and report it ok, within 2 ms of this kernel clock (the server serves
# the same clock), at STRATUM with REFID, no leap warning and no error.
interop_expect_query() {
  local who=$1 server=$2 stratum=$3 refid=$4
  local out=$INTEROP_WORK/query.out
  INTEROP_OWN+=(query)
  interop_run query 30 "$TEMPUS" query --json --samples 4 --timeout 5 "$server" ||
    interop_fail "tempus query exited non-zero: $(cat "$out")"
  interop_log "tempus query: $(tr -d '\n' < "$out")"
  interop_expect_eq "ok" "$(interop_json_field "$out" "$server" ok)" True
  interop_expect_near "offset of $who" "$(interop_json_field "$out" "$server" offset)" 0 0.002
  interop_expect_eq "stratum of $who" "$(interop_json_field "$out" "$server" stratum)" "$stratum"
  interop_expect_eq "refid of $who" "$(interop_json_field "$out" "$server" refid)" "$refid"
  interop_expect_eq "leap of $who" "$(interop_json_field "$out" "$server" leap)" none
  interop_expect_eq "error" "$(interop_json_field "$out" "$server" error)" None
}

# interop_expect_eq WHAT ACTUAL EXPECTED: records a failure unless equal.
interop_expect_eq() {
  if [ "$2" = "$3" ]; then
    interop_log "ok   $1: $2"
  else
    echo "[$INTEROP_NAME] FAIL $1: got '$2', want '$3'" >&2
    INTEROP_FAILURES=$((INTEROP_FAILURES + 1))
  fi
}

# interop_expect_near WHAT ACTUAL EXPECTED TOLERANCE: records a failure unless
# |ACTUAL - EXPECTED| <= TOLERANCE (numbers in seconds).
interop_expect_near() {
  if awk -v a="$2" -v e="$3" -v t="$4" 'BEGIN { if (a !~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/) exit 1
                                                d = a - e; if (d < 0) d = -d; exit !(d <= t) }'; then
    interop_log "ok   $1: $2 (want $3 +/- $4)"
  else
    echo "[$INTEROP_NAME] FAIL $1: got '$2', want $3 +/- $4" >&2
    INTEROP_FAILURES=$((INTEROP_FAILURES + 1))
  fi
}

# Prints the interesting lines of every output file (on failure).
interop_dump() { tempus_dump_tails 40 "$INTEROP_WORK"/*.log "$INTEROP_WORK"/*.out; }

# EXIT trap: stop every started process, check the clock state and the noclock logs of
# tempus processes, report, remove the work directory.
interop_cleanup() {
  local rc=$? pid name after
  trap - EXIT
  set +e
  for pid in "${INTEROP_PIDS[@]}"; do interop_stop "$pid"; done
  after=$(interop_clockstate)
  interop_log "clock after:  $after"
  if [ "$after" != "$INTEROP_CLOCK_BEFORE" ]; then
    echo "[$INTEROP_NAME] FAIL: kernel clock state changed: before '$INTEROP_CLOCK_BEFORE' after '$after'" >&2
    rc=1
  fi
  for name in "${INTEROP_OWN[@]}"; do
    for f in "$INTEROP_WORK/noclock-$name"*.log; do
      [ -s "$f" ] || continue
      echo "[$INTEROP_NAME] FAIL: $name tried to write the clock:" >&2
      cat "$f" >&2
      rc=1
    done
  done
  for f in "$INTEROP_WORK"/noclock-*.log; do
    [ -s "$f" ] && interop_log "guard log $(basename "$f"): $(head -n 3 "$f" | tr '\n' ' ')"
  done
  if [ $rc -eq 0 ] && [ "$INTEROP_FAILURES" -gt 0 ]; then rc=1; fi
  if [ $rc -ne 0 ] && [ $rc -ne $INTEROP_SKIP_CODE ]; then
    interop_dump
    echo "[$INTEROP_NAME] FAILED ($INTEROP_FAILURES failed expectations, exit $rc)"
  elif [ $rc -eq 0 ]; then
    echo "[$INTEROP_NAME] PASSED"
  fi
  [ -n "$INTEROP_WORK" ] && rm -rf "$INTEROP_WORK"
  exit $rc
}
