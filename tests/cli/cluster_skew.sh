#!/usr/bin/env bash
# tempus cluster on five loopback daemons whose virtual clocks are deliberately apart: the
# reported offsets from the median and the maximum pairwise skew match the known truth within
# their error bounds (and 1 ms), and --max-skew exits 7 above the limit and 0 below it.
# Node state comes over mode 6: node 1 follows node 0 (same clock, so the truth holds) and must
# be reported as following 127.0.0.31:12331 at stratum 3; nodes 0, 2, 3 serve their local clock
# (`--stratum 2`: system peer LOCAL(1), as ntpq shows the local clock); node 4 refuses mode 6 (`restrict default noquery`), so its state falls back
# to its NTP reply and --json says so.
set -u
offsets=(0 0 -0.200 0.050 0.300)   # truth: median 0, skew 0.500 s
pids=()
tmp=$(mktemp -d)
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
echo "restrict default noquery" > "$tmp/noquery.conf"
nodes=()
for i in "${!offsets[@]}"; do
  addr=127.0.0.$((31 + i)):$((12331 + i))
  nodes+=("$addr")
  extra=()
  [ "$i" -eq 1 ] && extra=(--server "${nodes[0]}" --iburst --minpoll 4 --maxpoll 4)
  [ "$i" -eq 4 ] && extra=(-c "$tmp/noquery.conf")
  "$TEMPUSD" --clock=virtual --virtual-offset="${offsets[$i]}" --listen "$addr" --stratum 2 --duration 50 \
    "${extra[@]}" 2>"$tmp/node$i.log" &
  pids+=($!)
done
for _ in $(seq 1 50); do "$TEMPUS" query -n 1 -t 0.1 "${nodes[4]}" >/dev/null 2>&1 && break; sleep 0.1; done
# Node 1 follows node 0 (stratum 3) once its discipline measured the frequency, after a few
# iburst exchanges (bounded: 30 s).
for _ in $(seq 1 60); do
  st=$("$TEMPUS" status --json "${nodes[1]}" 2>/dev/null | tr -d ' \n')
  [[ "$st" == *'"stratum":3'* && "$st" == *'"system_peer":"127.0.0.31:12331"'* ]] && break
  sleep 0.5
done
json=$("$TEMPUS" cluster --json "${nodes[@]}")
echo "$json" | head -80
"$TEMPUS" cluster "${nodes[@]}"
fails=0
/usr/bin/python3 - "$json" "${offsets[@]}" <<'PY' || fails=$((fails + 1))
import json, statistics, sys
d = json.loads(sys.argv[1]); truth = [float(x) for x in sys.argv[2:]]
median = statistics.median(truth)
ok = True
def check(good, text):
    global ok
    print(("ok: " if good else "FAIL: ") + text)
    ok &= bool(good)
for node, t in zip(d["nodes"], truth):
    err = abs(node["offset_from_median"] - (t - median))
    check(err <= max(node["error_bound"] * 2, 0) + 1e-3,
          f'{node["server"]} offset {node["offset_from_median"]:+.6f} truth {t - median:+.6f}')
skew_err = abs(d["max_skew"] - (max(truth) - min(truth)))
check(skew_err < 1e-3 and d["answered"] == 5,
      f'skew {d["max_skew"]:.6f} ±{d["max_skew_error_bound"]:.6f}, truth {max(truth) - min(truth):.6f}')
n = d["nodes"]
check(n[1]["state_from"] == "mode6" and n[1]["system_peer"] == "127.0.0.31:12331" and n[1]["stratum"] == 3
      and n[1]["synchronized"] is True,
      f'node 1 follows {n[1]["system_peer"]} at stratum {n[1]["stratum"]} (mode 6), synchronized {n[1]["synchronized"]}')
for i in (0, 2, 3):
    check(n[i]["state_from"] == "mode6" and n[i]["system_peer"] == "LOCAL(1)" and n[i]["stratum"] == 2,
          f'node {i}: system peer {n[i]["system_peer"]}, stratum {n[i]["stratum"]}, from {n[i]["state_from"]}, follows {n[i]["follows"]}')
check(n[4]["state_from"] == "ntp" and n[4].get("mode6_error") and n[4]["system_peer"] is None and n[4]["stratum"] == 2,
      f'node 4 refuses mode 6: state from {n[4]["state_from"]} ({n[4].get("mode6_error")}), stratum {n[4]["stratum"]}')
sys.exit(0 if ok else 1)
PY
"$TEMPUS" cluster --max-skew 100ms "${nodes[@]}" >/dev/null; rc=$?
if [ $rc -eq 7 ]; then echo "ok: --max-skew 100ms exits 7"; else echo "FAIL: --max-skew 100ms exited $rc"; fails=$((fails + 1)); fi
"$TEMPUS" cluster --max-skew 1s "${nodes[@]}" >/dev/null; rc=$?
if [ $rc -eq 0 ]; then echo "ok: --max-skew 1s exits 0"; else echo "FAIL: --max-skew 1s exited $rc"; fails=$((fails + 1)); fi
echo "$((3 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ] || { tail -n 5 "$tmp"/node*.log; exit 1; }
