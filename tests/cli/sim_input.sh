#!/usr/bin/env bash
# `tempus sim` on hostile input: the file is read as tempusd reads ntp.conf (a regular file of at
# most 16 MiB: /dev/zero once grew to 11.6 GB), and every number of the command line and of the
# scenario is finite and bounded (a `--duration 1e300` hung; `-1` and `nan` printed "limits: all
# met" and exited 0). Each is a usage error (exit 1) with one clear line, in well under 10 s.
set -u
here=$(cd "$(dirname "$0")" && pwd)
lan="$here/../scenarios/lan.scn"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checks=0
fails=0
# expect EXIT_CODE PATTERN ARGS...: `tempus sim ARGS` (at most 10 s) exits EXIT_CODE and its stderr
# has a line matching PATTERN.
expect() {
  local want=$1 pattern=$2 err rc=0
  shift 2
  checks=$((checks + 1))
  err=$(timeout -k 2 10 "$TEMPUS" sim "$@" 2>&1 >/dev/null) || rc=$?
  if [ "$rc" != "$want" ] || ! grep -qE -- "$pattern" <<<"$err"; then
    echo "FAIL: sim $* -> exit $rc (want $want), stderr: ${err:0:1000}"
    fails=$((fails + 1))
  else
    echo "ok: sim $* -> $rc: $(head -1 <<<"$err")"
  fi
}
expect 1 "^tempus sim: cannot read /dev/zero: not a regular file$" /dev/zero
mkfifo "$work/fifo.scn"
expect 1 "^tempus sim: cannot read $work/fifo.scn: not a regular file$" "$work/fifo.scn"
head -c $((17 << 20)) /dev/zero | tr '\0' '#' >"$work/big.scn"
expect 1 "^tempus sim: cannot read $work/big.scn: file larger than 16 MiB$" "$work/big.scn"
for v in 1e300 -1 nan inf; do
  expect 1 "^tempus: --duration: expected a number 0..100000000, got '$v'$" "$lan" --duration="$v"
done
expect 1 "^tempus: --stats-from: expected a number 0..100000000, got 'nan'$" "$lan" --stats-from=nan
expect 1 "expected a duration > 0" "$lan" --duration=0
# An override that empties the stats window would make every limit pass vacuously.
expect 1 "lan.scn: expected stats_from \(10000 s\) before the end of the run \(5000 s\)" "$lan" --duration 5000
# The scenario's own numbers.
scn() { printf '[sim]\n%s\n[node a]\naddress = 10.0.0.1\n%s\n' "$1" "${2:-}" >"$work/x.scn"; }
scn "duration = 1e300"
expect 1 "x.scn:2: expected a duration \(seconds 0..100000000, e.g. 10, 1.5ms, 100us\), got '1e300'" "$work/x.scn"
scn "duration = 10" "[nodes n 1..99999]"
expect 1 "x.scn:5: expected at most 10000 nodes in all \(1 so far\), got '1..99999'" "$work/x.scn"
scn "duration = 10" "offset = 1e300"
expect 1 "x.scn:5: expected an offset in seconds or LO..HI within" "$work/x.scn"
scn "duration = 3600
sample_interval = 1ns"
expect 1 "expected at most 100000000 samples" "$work/x.scn"
scn "duration = 10"
expect 0 "" "$work/x.scn"
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
