#!/usr/bin/env bash
# tempus cluster on five loopback daemons whose virtual clocks are deliberately apart (each a
# local reference, so none corrects): the reported offsets from the median and the maximum
# pairwise skew match the known truth within their error bounds (and 1 ms), and --max-skew
# exits 7 above the limit and 0 below it.
set -u
offsets=(0 0.100 -0.200 0.050 0.300)   # truth: median 0.050, skew 0.500 s
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
nodes=()
for i in "${!offsets[@]}"; do
  addr=127.0.0.$((31 + i)):$((12331 + i))
  nodes+=("$addr")
  "$TEMPUSD" --clock=virtual --virtual-offset="${offsets[$i]}" --listen "$addr" --stratum 2 --duration 30 2>/dev/null &
  pids+=($!)
done
for _ in $(seq 1 50); do "$TEMPUS" query -n 1 -t 0.1 "${nodes[4]}" >/dev/null 2>&1 && break; sleep 0.1; done
json=$("$TEMPUS" cluster --json "${nodes[@]}")
echo "$json" | head -60
"$TEMPUS" cluster "${nodes[@]}"
fails=0
/usr/bin/python3 - "$json" "${offsets[@]}" <<'PY' || fails=$((fails + 1))
import json, statistics, sys
d = json.loads(sys.argv[1]); truth = [float(x) for x in sys.argv[2:]]
median = statistics.median(truth)
ok = True
for node, t in zip(d["nodes"], truth):
    err = abs(node["offset_from_median"] - (t - median))
    good = err <= max(node["error_bound"] * 2, 0) + 1e-3
    print(("ok: " if good else "FAIL: ") + f'{node["server"]} offset {node["offset_from_median"]:+.6f} truth {t - median:+.6f}')
    ok &= good
skew_err = abs(d["max_skew"] - (max(truth) - min(truth)))
print(("ok: " if skew_err < 1e-3 else "FAIL: ") + f'skew {d["max_skew"]:.6f} ±{d["max_skew_error_bound"]:.6f}, truth {max(truth) - min(truth):.6f}')
ok &= skew_err < 1e-3 and d["answered"] == 5
sys.exit(0 if ok else 1)
PY
"$TEMPUS" cluster --max-skew 100ms "${nodes[@]}" >/dev/null; rc=$?
if [ $rc -eq 7 ]; then echo "ok: --max-skew 100ms exits 7"; else echo "FAIL: --max-skew 100ms exited $rc"; fails=$((fails + 1)); fi
"$TEMPUS" cluster --max-skew 1s "${nodes[@]}" >/dev/null; rc=$?
if [ $rc -eq 0 ]; then echo "ok: --max-skew 1s exits 0"; else echo "FAIL: --max-skew 1s exited $rc"; fails=$((fails + 1)); fi
echo "$((3 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
