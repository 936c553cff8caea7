#!/usr/bin/env bash
# The same condition gives the same exit status in every subcommand (apps/tempus/exit_codes.h):
# a closed port is 2 (no reply) for query, sync, cluster, peers and status alike; a host that
# never answers is 3 (timeout); a server that answers but is not synchronized is 5 for query,
# sync and status (cluster and peers report it and exit 0). All on loopback.
set -u
closed=127.0.0.73:12373
silent=127.0.0.73:12374
unsynced=127.0.0.73:12375
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT

ready=$(mktemp -u)
# A UDP socket that reads and never answers (bounded: it exits after 90 s); it says when bound
# (python can take seconds to start on a loaded machine).
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.73", 12374))
open(sys.argv[1], "w").close()
s.settimeout(1)
end = time.time() + 90
while time.time() < end:
    try: s.recv(2048)
    except socket.timeout: pass
' "$ready" &
pids+=($!)
# tempusd with no source: it answers, unsynchronized (LI 3, stratum 16).
"$TEMPUSD" --clock=virtual --listen "$unsynced" --duration 90 2>/dev/null &
pids+=($!)
for _ in $(seq 1 50); do "$TEMPUS" peers "$unsynced" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 1 300); do [ -e "$ready" ] && break; sleep 0.1; done
rm -f "$ready"

checks=0
fails=0
# status WANT SUBCOMMAND ARGS...: at most 20 s.
status() {
  local want=$1 rc=0
  shift
  checks=$((checks + 1))
  timeout -k 2 20 "$TEMPUS" "$@" >/dev/null 2>&1 || rc=$?
  if [ "$rc" = "$want" ]; then echo "ok: tempus $* -> $rc"; else echo "FAIL: tempus $* -> $rc (want $want)"; fails=$((fails + 1)); fi
}
fast=(-n 1 -t 0.3)
for sub in query sync cluster; do status 2 "$sub" "${fast[@]}" "$closed"; done
for sub in peers status; do status 2 "$sub" "$closed"; done
for sub in query sync cluster; do status 3 "$sub" "${fast[@]}" "$silent"; done
for sub in peers status; do status 3 "$sub" "$silent"; done
for sub in query sync; do status 5 "$sub" "${fast[@]}" "$unsynced"; done
status 5 status "$unsynced"
status 0 cluster "${fast[@]}" "$unsynced"
status 0 peers "$unsynced"
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
