#!/usr/bin/env bash
# demo.sh: build tempus, then run a local demo cluster on loopback and watch it converge.
#
# One upstream reference (stratum 1) and four nodes whose virtual clocks start seconds apart and
# run up to 100 ppm fast or slow. Every daemon uses a virtual clock (a software clock over
# CLOCK_MONOTONIC): this machine's real clock is never touched. Polling is fixed at 16 s with
# iburst so that the demo is quick; a production default polls 64-1024 s.
# Stops by itself after DEMO_SECONDS (default 40) and every daemon it started, even on Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${DEMO_SECONDS:-40}

if [ "$(id -u)" -eq 0 ] && [ -x scripts/install-deps.sh ]; then scripts/install-deps.sh; fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target tempusd tempus

bin=build/apps
port=11123
upstream=127.0.0.2:$port
nodes=(127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6)
offsets=(+1.5 -2.0 +0.7 -0.4)   # seconds off at start
freqs=(+80 -100 +30 -60)        # ppm
pids=()
logs=$(mktemp -d)
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$logs"
}
trap cleanup EXIT INT TERM

duration=$((seconds + 5))
for i in "${!nodes[@]}"; do
  peers=()
  for j in "${!nodes[@]}"; do [ "$i" = "$j" ] || peers+=(--server "${nodes[$j]}:$port"); done
  "$bin/tempusd" --clock=virtual --virtual-offset="${offsets[$i]}" --virtual-freq="${freqs[$i]}" \
    --listen "${nodes[$i]}:$port" --server "$upstream" "${peers[@]}" --iburst --minpoll 4 --maxpoll 4 \
    --orphan 10 --duration "$duration" 2>"$logs/node$i.log" &
  pids+=($!)
done
sleep 0.3
for p in "${pids[@]}"; do
  kill -0 "$p" 2>/dev/null || { echo "demo: a daemon failed to start:"; cat "$logs"/*.log; exit 1; }
done
cluster=("$upstream")
for n in "${nodes[@]}"; do cluster+=("$n:$port"); done

echo "tempus demo: 4 nodes on loopback with virtual clocks ${offsets[*]} s and ${freqs[*]} ppm off,"
echo "each using the upstream $upstream and the other nodes (tos orphan 10)."
echo "Demo timings: iburst, poll fixed at 16 s (production polls 64-1024 s)."
echo
echo "Before the upstream is up, the nodes are unsynchronized:"
"$bin/tempus" cluster "${cluster[@]:1}" || true
echo
echo "Starting the upstream reference (stratum 1) and watching for ${seconds} s ..."
sleep 2
"$bin/tempusd" --clock=virtual --listen "$upstream" --stratum 1 --duration "$duration" 2>"$logs/upstream.log" &
pids+=($!)
"$bin/tempus" cluster --watch 2 --duration "$seconds" "${cluster[@]}"
echo
echo "The nodes' own view (log of $(echo "${nodes[0]}")):"
sed 's/^/  /' "$logs/node0.log"
