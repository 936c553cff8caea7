#!/bin/bash
# simrun.sh SCEN DAEMON SEED OUTDIR  -- one clknetsim simulation (README.md in this folder).
#   SCEN:   lan lan16 lan64 lan256 lan2p4 wan faststart falseticker ft16 long4
#           latestart latestart200 jump jump16 spike spike16 tiers (issue 13 items 4, 6, 7)
#   DAEMON: tempusd | chrony
#            (the daemon under test on every non-reference node;
#           reference servers are always chronyd `local stratum 1`)
#   SEED:   CLKNETSIM_RANDOM_SEED (server and clients)
#   OUTDIR: run directory (created; must be new or empty)
# Env overrides: LIMIT, RESET (simulated seconds), POLL (fixed poll exponent for every DUT),
#   EXTRAOPT (e.g. iburst, appended to DUT server lines), TEMPUSD_STATS=1 (loopstats/peerstats in RUN/statsN/), TEMPUSD (binary), CHRONYD (binary), KEEPLOGS=0.
#
# Safety: every process here runs as the unprivileged user clksim with CAP_SYS_TIME removed from
# the bounding/inheritable sets (re-exec below), and all clock calls of the daemons go to the
# clknetsim server through LD_PRELOAD. Only the PIDs started here are killed.
set -u
# SIMDIR holds clknetsim/ (built), root/usr/sbin/chronyd and tempusd (or set TEMPUSD, CHRONYD);
# README.md. Outside /root: the clksim user must read it.
export SIMDIR=${SIMDIR:-/var/cache/clksim}
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$4" && chown clksim: "$4"
  exec setpriv --reuid=clksim --regid=clksim --init-groups --bounding-set -sys_time --inh-caps -sys_time \
    --no-new-privs -- env HOME=/tmp "$0" "$@"
fi
[ "$(id -un)" = clksim ] || { echo "simrun.sh: run as root (re-execs as clksim) or as clksim" >&2; exit 2; }

SCEN=$1 DAEMON=$2 SEED=$3 RUN=$4
CLKNETSIM=$SIMDIR/clknetsim
TEMPUSD=${TEMPUSD:-$SIMDIR/tempusd}
CHRONYD=${CHRONYD:-$SIMDIR/root/usr/sbin/chronyd}
mkdir -p "$RUN" && cd "$RUN" || exit 2
RUN=$(pwd)
rm -f sock conf stats log.* *.conf pid.* meta

LAN='(+ 1e-4 (* 1e-4 (exponential)))'
WANDER='(sum (* 1e-9 (normal)))'
# Per node: ROLE[n]=ref|dut, UP[n]="servers", OPTS[n]=server options, TIER[n]=label, START[n]
declare -A ROLE UP OPTS TIER START EXTRA
N=0 LIMIT_D=30000 RESET_D=10000
: > conf
link() { # link A B DELAY_EXPR_AB [DELAY_EXPR_BA]
  echo "node$1_delay$2 = $3" >> conf
  echo "node$2_delay$1 = ${4:-$3}" >> conf
}
ref() { # ref N [OFFSET [START]]
  ROLE[$1]=ref; TIER[$1]=ref; START[$1]=${3:-0}; echo "node$1_offset = ${2:-0.0}" >> conf
  [ "${3:-0}" != 0 ] && echo "node$1_start = $3" >> conf
}
# once T: an expression that is 1 at the T-th evaluation (second) only, 0 before (and until 2T)
once() { echo "(* 0.5 (+ 1 (* -1 (pulse $(($1 - 1)) 1))))"; }
dut() { # dut N OFFSET FREQ TIER "UPSTREAMS" "OPTS" [START]
  ROLE[$1]=dut; TIER[$1]=$4; UP[$1]=$5; OPTS[$1]=$6; START[$1]=${7:-0}
  echo "node$1_offset = $2" >> conf
  echo "node$1_freq = (+ $3 $WANDER)" >> conf
  [ "${7:-0}" != 0 ] && echo "node$1_start = $7" >> conf
}
case $SCEN in
  lan|lan16|lan64|lan256|wan|faststart)
    N=2; ref 1
    o=""; off=0.1; fr=1e-4; d=$LAN; d2=""
    case $SCEN in
      lan16) o="minpoll 4 maxpoll 4" ;;
      lan64) o="minpoll 6 maxpoll 6" ;;
      lan256) o="minpoll 8 maxpoll 8" ;;
      wan) d='(+ 1e-2 (* 1e-3 (exponential)))' ;;
      faststart) o="iburst"; off=0.5; fr=2e-4; LIMIT_D=20000 ;;
    esac
    dut 2 $off $fr leaf "1" "$o"
    if [ -n "$d2" ]; then link 1 2 "$d" "$d2"; else link 1 2 "$d"; fi ;;
  lan2p4)
    N=3; ref 1; ref 2
    dut 3 0.1 1e-4 leaf "1 2" "minpoll 4 maxpoll 4"
    link 1 3 "$LAN"; link 2 3 "$LAN" ;;
  falseticker|ft16)
    # 5 refs, node1 (+1.0 s) is the first server line = the one polled first
    N=6; ref 1 1.0; for i in 2 3 4 5; do ref $i; done
    o=""; [ $SCEN = ft16 ] && o="minpoll 4 maxpoll 4"
    dut 6 0.1 1e-4 leaf "1 2 3 4 5" "$o"
    for i in 1 2 3 4 5; do link $i 6 '(+ 1e-3 (* 1e-4 (exponential)))'; done ;;
  long4)
    N=5; LIMIT_D=100000; RESET_D=50000; for i in 1 2 3 4; do ref $i; done
    dut 5 0.1 1e-4 leaf "1 2 3 4" ""
    for i in 1 2 3 4; do link $i 5 "$LAN"; done ;;
  latestart|latestart200)
    # 3 refs; node1 (+1 s, the first server line) answers from the start, the two good ones start
    # at 60 s (200 s in latestart200: after tempusd's start wait); EXTRAOPT=iburst for the burst.
    N=4; LIMIT_D=20000; RESET_D=5000; late=60; [ $SCEN = latestart200 ] && late=200
    ref 1 1.0; ref 2 0.0 $late; ref 3 0.0 $late
    dut 4 0.1 1e-4 leaf "1 2 3" ""
    for i in 1 2 3; do link $i 4 '(+ 1e-3 (* 1e-4 (exponential)))'; done ;;
  jump|jump16)
    # 1 LAN ref; the client's clock jumps 0.5 s back at JUMP_AT (a VM pause): back within 1 ms
    # after how long (analyze.py: tjump), and no other step.
    N=2; LIMIT_D=25000; RESET_D=17000; JUMP_AT=15000; ref 1
    o=""; [ $SCEN = jump16 ] && o="minpoll 4 maxpoll 4"
    dut 2 0.1 1e-4 leaf "1" "$o"
    echo "node2_step = (* -0.5 $(once $JUMP_AT))" >> conf
    link 1 2 "$LAN" ;;
  spike|spike16)
    # 1 LAN ref; replies to the client are 1 s late for 100 s from 15,000 s (a delay spike, the
    # offset moves 0.5 s): nothing may be stepped.
    N=2; LIMIT_D=25000; RESET_D=17000; ref 1
    o=""; [ $SCEN = spike16 ] && o="minpoll 4 maxpoll 4"
    dut 2 0.1 1e-4 leaf "1" "$o"
    link 1 2 "(+ $LAN (equal 50 time 15050))" "$LAN" ;;
  tiers)
    # cold start of a tiered cluster: 2 refs -> 2 (both refs) -> 4 (both stratum-2 nodes) -> 8
    # (two stratum-3 nodes each); every clock starts 0.1 s and 50-150 ppm off
    N=16; LIMIT_D=10000; RESET_D=3000; ref 1; ref 2
    fr=(0 0 0 1.2e-4 0.8e-4 0.6e-4 1.4e-4 1.1e-4 0.9e-4 0.5e-4 1.5e-4 0.7e-4 1.3e-4 1.0e-4 0.55e-4 1.45e-4 0.95e-4)
    dut 3 0.1 ${fr[3]} s2 "1 2" ""; dut 4 -0.1 ${fr[4]} s2 "1 2" ""
    for i in 5 6 7 8; do dut $i 0.1 ${fr[$i]} s3 "3 4" ""; done
    for i in $(seq 9 16); do dut $i -0.1 ${fr[$i]} s4 "$(( 5 + (i - 9) / 2 )) $(( 5 + ((i - 9) / 2 + 1 + (i - 9) % 2) % 4 ))" ""; done
    for i in 3 4; do link 1 $i "$LAN"; link 2 $i "$LAN"; done
    for i in 5 6 7 8; do link 3 $i "$LAN"; link 4 $i "$LAN"; done
    for i in $(seq 9 16); do for u in ${UP[$i]}; do link $u $i "$LAN"; done; done ;;
  *) echo "unknown scenario $SCEN" >&2; exit 2 ;;
esac
LIMIT=${LIMIT:-$LIMIT_D}; RESET=${RESET:-$RESET_D}
# POLL=N: every DUT polls its servers at a fixed 2^N s (minpoll N maxpoll N); the run is labelled SCENpN
LABEL=$SCEN
# EXTRAOPT="iburst": appended to every DUT server line; label SCEN+i
if [ -n "${EXTRAOPT:-}" ]; then
  LABEL=${LABEL}+${EXTRAOPT}
  for i in "${!OPTS[@]}"; do OPTS[$i]="${OPTS[$i]} $EXTRAOPT"; done
fi
if [ -n "${POLL:-}" ]; then
  LABEL=${LABEL}p$POLL
  for i in "${!OPTS[@]}"; do OPTS[$i]="${OPTS[$i]} minpoll $POLL maxpoll $POLL"; done
fi
for i in $(seq 1 $N); do echo "node${i}_shift_pll = 2" >> conf; done

addr() { echo "192.168.123.$1"; }
write_conf() { # node
  local n=$1 s
  if [ "${ROLE[$n]}" = ref ]; then
    printf 'local stratum 1\nallow\ncmdport 0\nbindcmdaddress /\nuser clksim\npidfile %s/pid.%s\n' "$RUN" $n > $n.conf
    echo "$CHRONYD -d -f $RUN/$n.conf"; return
  fi
  case $DAEMON in
    tempusd)
      # workers 1: the simulator has no SO_REUSEPORT steering nor threads of its own to run.
      { echo "clock system"; echo "workers 1"; echo "listen 0.0.0.0:123"; echo "pidfile $RUN/pid.$n"
        [ -n "${TEMPUSD_STATS:-}" ] && mkdir -p "$RUN/stats$n" && printf 'statsdir %s/stats%s/\nstatistics loopstats peerstats\nfilegen loopstats type none\nfilegen peerstats type none\n' "$RUN" $n
        for s in ${UP[$n]}; do echo "server $(addr $s) ${OPTS[$n]}"; done; } > $n.conf
      # --seed: the daemon's randomness (cookies, poll jitter) replays; one seed per node.
      echo "$TEMPUSD -c $RUN/$n.conf --seed $((SEED * 100 + n))" ;;
    chrony)
      { for s in ${UP[$n]}; do echo "server $(addr $s) ${OPTS[$n]}"; done
        echo "cmdport 0"; echo "bindcmdaddress /"; echo "pidfile $RUN/pid.$n"
        [ "$SCEN" = faststart ] && echo "makestep 1 3"
        [ "$SCEN" = tiers ] && echo "allow"   # serves the tier below, as tempusd (listen) does
        echo "user clksim"; } > $n.conf
      echo "$CHRONYD -d -f $RUN/$n.conf" ;;
    *) echo "unknown daemon $DAEMON" >&2; exit 2 ;;
  esac
}

{ echo "scen=$LABEL"; echo "daemon=$DAEMON"; echo "seed=$SEED"; echo "nodes=$N"; echo "limit=$LIMIT"; echo "reset=$RESET"
  [ -n "${JUMP_AT:-}" ] && echo "jump=$JUMP_AT"
  for i in $(seq 1 $N); do echo "node$i=${ROLE[$i]} ${TIER[$i]} start=${START[$i]} up=${UP[$i]:-}"; done; } > meta

PIDS=()
for i in $(seq 1 $N); do
  cmd=$(write_conf $i) || exit 2
  pre=$CLKNETSIM/clknetsim.so
  CLKNETSIM_NODE=$i CLKNETSIM_SOCKET=$RUN/sock CLKNETSIM_RANDOM_SEED=$SEED CLKNETSIM_START_DATE=1735689600 \
    LD_PRELOAD=$pre $cmd > log.$i 2>&1 &
  PIDS+=($!)
done
echo "pids=${PIDS[*]}" >> meta
t0=$(date +%s.%N)
CLKNETSIM_RANDOM_SEED=$SEED timeout 900 $CLKNETSIM/clknetsim -s $RUN/sock -o log.offset -f log.freq -p log.packets \
  -r $RESET -l $LIMIT conf $N > stats 2> log.server
rc=$?
t1=$(date +%s.%N)
for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done
for p in "${PIDS[@]}"; do wait $p 2>/dev/null; done
echo "simrc=$rc" >> meta
echo "wall_s=$(echo "$t1 - $t0" | bc)" >> meta
exit $rc
