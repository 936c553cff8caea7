#!/bin/bash
# runall.sh OUTDIR [SEEDS [SCENARIOS [DAEMONS]]] -- the accuracy table (docs/accuracy.md): every
# scenario x daemon x seed with simrun.sh, two simulations at a time, then analyze.py --compare.
#   SEEDS default "1 2 3 4 5"; SCENARIOS default the table's ten; DAEMONS default "tempusd chrony".
#   Env: SIMDIR, TEMPUSD, CHRONYD, POLL, EXTRAOPT as simrun.sh (a POLL or EXTRAOPT run is
#   labelled SCENpN / SCEN+OPT in the table). Run as root (simrun.sh re-execs as clksim).
# OUTDIR/SCEN/DAEMON/SEED holds each run; OUTDIR/table.md the tables (--compare: errors and
# request intervals; --extra: rate errors, poll reached, steps), OUTDIR/runs.csv one line per
# run; OUTDIR/failed lists the runs whose simulation failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = --one ]; then  # --one OUTDIR SCEN DAEMON SEED: one run, for xargs below
  r="$2/$3/$4/$5"
  rm -rf "$r"
  "$here/simrun.sh" "$3" "$4" "$5" "$r" >/dev/null 2>&1 || echo "$3 $4 $5 rc=$?" >>"$2/failed"
  exit 0
fi
[ $# -ge 1 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
out=$1
seeds=${2:-1 2 3 4 5}
scens=${3:-lan16 lan64 lan256 lan2p4 ft16 lan wan falseticker long4 faststart}
daemons=${4:-tempusd chrony}
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
rm -f "$out/failed"
t0=$(date +%s)
for s in $scens; do for d in $daemons; do for n in $seeds; do echo "$s $d $n"; done; done; done |
  xargs -P 2 -L 1 "$here/runall.sh" --one "$out"
echo "wall time: $(( $(date +%s) - t0 )) s for $(echo $scens | wc -w) scenarios x $(echo $daemons | wc -w) daemons x $(echo $seeds | wc -w) seeds" | tee "$out/wall"
dirs=()
for s in $scens; do for d in $daemons; do for n in $seeds; do dirs+=("$out/$s/$d/$n"); done; done; done
python3 "$here/analyze.py" --runs "${dirs[@]}" >"$out/runs.csv"
python3 "$here/analyze.py" --compare --extra "${dirs[@]}" | tee "$out/table.md"
[ ! -s "$out/failed" ] || { echo "failed runs:"; cat "$out/failed"; }
