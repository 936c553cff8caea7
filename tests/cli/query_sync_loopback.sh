#!/usr/bin/env bash
# tempusd serves a virtual clock 0.25 s ahead on four loopback addresses; tempus query reads all
# four at once (JSON: offset 0.25 s within 2 ms, stratum 3), tempus sync agrees on that offset
# and only reports (observe clock), and a fifth, closed port is a clean "no reply".
set -u
ports=(127.0.0.11:12311 127.0.0.12:12312 127.0.0.13:12313 127.0.0.14:12314)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
listen=()
for p in "${ports[@]}"; do listen+=(--listen "$p"); done
"$TEMPUSD" --clock=virtual --virtual-offset=0.25 "${listen[@]}" --stratum=3 --duration 30 2>/dev/null &
pids+=($!)
for _ in $(seq 1 50); do "$TEMPUS" query -n 1 -t 0.1 "${ports[0]}" >/dev/null 2>&1 && break; sleep 0.1; done

fails=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

start=$(date +%s.%N)
json=$("$TEMPUS" query --json "${ports[@]}")
took=$(echo "$(date +%s.%N) - $start" | bc -l 2>/dev/null || echo 0)
echo "$json"
echo "four servers answered in ${took} s"
check "four servers, each 0.25 s ahead within 2 ms, stratum 3, refid 127.127.1.1" \
  "python3 -c 'import json,sys; d=json.loads(sys.argv[1]); s=d[\"servers\"]; assert len(s)==4; assert all(x[\"ok\"] and abs(x[\"offset\"]-0.25)<0.002 and x[\"stratum\"]==3 and x[\"refid\"]==\"127.127.1.1\" and x[\"samples_good\"]==4 for x in s), s' '$json'"

out=$("$TEMPUS" sync "${ports[@]}" 2>&1); rc=$?
echo "$out"
# All four are truechimers; clustering may then keep fewer than four survivors when one exchange
# was slow (its offset strays by more than the quickest one's jitter): that is still agreement.
agreed=$(sed -nE 's/^offset ([-+0-9.]+) s agreed by [1-4] of 4 .*/\1/p' <<<"$out")
check "sync agrees on +0.25 s (within 2 ms), exit 0, and changes nothing" \
  "[ $rc -eq 0 ] && [ -n '$agreed' ] && awk -v x='$agreed' 'BEGIN { exit !(x > 0.248 && x < 0.252) }' && grep -q 'nothing changed' <<<'$out'"

"$TEMPUS" query 127.0.0.15:12315 >/dev/null 2>&1; rc=$?
check "a closed port: exit 2 (no reply)" "[ $rc -eq 2 ]"
echo "$((3 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
