#!/usr/bin/env bash
# `workers 2`: two threads answer time requests beside the timing thread (apps/tempusd/workers.h).
# tempusd serves a virtual clock 0.25 s ahead on 127.0.0.91:12391 with `restrict default limited`
# (discard minimum 2 s: one answer per client address in a burst). With 2 workers: tempus query
# reads +0.25 s; 40 clients 127.0.0.150..189 all get replies whose T2 and T3, less 0.25 s, lie
# between their T1 and T4; a burst of 24
# requests from each of 4 addresses, every request from a new source port, gets exactly as many
# answers as the single thread gives (the source-address steering keeps each client on one
# worker, so its quota is not multiplied); mode 6 (forwarded to the timing thread) reports the
# workers' counts in ss_received/ss_processed, and so does the exit summary. A second tempusd on
# the same port fails (address in use) rather than joining the SO_REUSEPORT group. A follower
# with 2 workers syncs to a source (its replies forwarded to the timing thread) and serves it.
# Without `workers`, clock observe starts one per CPU (up to 4) and clock virtual none.
set -u
. "$(dirname "$0")/../common/lib.sh"
tempus_test_init
client=(python3 "$(dirname "$0")/workers_client.py")
server=127.0.0.91
port=12391

# start NAME WORKERS: tempusd with that many workers; its PID in $daemon.
start() {
  printf 'clock virtual offset 0.25\nlisten %s:%s\nlocal stratum 3\nrestrict default limited\nrestrict 127.0.0.1\nworkers %s\n' \
    "$server" "$port" "$2" >"$work/$1.conf"
  "$TEMPUSD" -c "$work/$1.conf" --duration 60 2>"$work/$1.log" &
  daemon=$!
  pids+=("$daemon")
  for _ in $(seq 1 50); do "$TEMPUS" query -n 1 -t 0.1 "$server:$port" >/dev/null 2>&1 && return; sleep 0.1; done
}

# bursts: the answers to 24 requests from each of 127.0.0.200..203 (new source ports), summed.
bursts() {
  local total=0 n
  for a in 200 201 202 203; do
    n=$("${client[@]}" burst "$server" "$port" "127.0.0.$a" 24)
    total=$((total + n))
  done
  echo "$total"
}

start two 2
tempus_check "2 workers started" "grep -q '2 workers answer time requests' '$work/two.log'"
tempus_check "three threads (timing + 2 workers)" "[ \$(ls /proc/$daemon/task | wc -l) -eq 3 ]"
out=$("$TEMPUS" query --json "$server:$port")
tempus_check "tempus query: 0.25 s ahead within 2 ms" \
  "python3 -c 'import json,sys; s=json.loads(sys.argv[1])[\"servers\"][0]; assert s[\"ok\"] and abs(s[\"offset\"]-0.25)<0.002, s' '$out'"
rc=0
timeout -k 2 10 "$TEMPUSD" -c "$work/two.conf" --duration 5 >"$work/second.log" 2>&1 || rc=$?
tempus_check "a second tempusd on the port exits 1: address in use (SO_REUSEPORT joins no one silently)" \
  "[ $rc = 1 ] && grep -q 'Address already in use' '$work/second.log'"
read -r answered causal low high <<<"$("${client[@]}" time "$server" "$port" 150 189 0.25)"
echo "40 clients: $answered answered, $causal with T1 <= T2 - 0.25 s <= T3 - 0.25 s <= T4, offsets $low..$high s"
tempus_check "40 source addresses all answered with the time 0.25 s ahead" "[ '$answered' = 40 ] && [ '$causal' = 40 ]"
two=$(bursts)
stats=$("${client[@]}" sysstats "$server" "$port")
echo "2 workers: $two answers to 4 x 24 requests; mode 6: $stats"
received=$(sed -nE 's/.*ss_received=([0-9]+).*/\1/p' <<<"$stats")
processed=$(sed -nE 's/.*ss_processed=([0-9]+).*/\1/p' <<<"$stats")
# 40 + 96 + the query's 4 and the start probe's requests reached the workers.
tempus_check "mode 6 counts the workers' requests (ss_received >= 140, ss_processed >= 44)" \
  "[ '${received:-0}' -ge 140 ] && [ '${processed:-0}' -ge 44 ]"
tempus_stop_pid "$daemon"
tempus_check "the exit summary counts them too" \
  "grep -qE 'served (1[4-9][0-9]|[2-9][0-9][0-9]) requests' '$work/two.log'"

start one 1
tempus_check "workers 1: no worker thread" "[ \$(ls /proc/$daemon/task | wc -l) -eq 1 ]"
one=$(bursts)
echo "1 thread: $one answers to 4 x 24 requests"
tempus_check "a client's many source ports get as many answers from 2 workers as from 1 ($two = $one = 4)" \
  "[ '$two' = '$one' ] && [ '$one' = 4 ]"
tempus_stop_pid "$daemon"
# A follower with 2 workers: its source's replies reach a worker and are forwarded to the timing
# thread, which steps the virtual clock; the workers then serve the stepped time (a new line).
upstream=127.0.0.92:12392
follower=127.0.0.93:12393
"$TEMPUSD" --clock=virtual --virtual-offset=0.25 --listen "$upstream" --stratum=2 --duration 60 2>"$work/up.log" &
pids+=($!)
"$TEMPUSD" --clock=virtual --workers 2 --listen "$follower" --server "$upstream" --iburst --minpoll 4 --maxpoll 4 \
  --duration 60 2>"$work/follower.log" &
pids+=($!)
offset=""
for _ in $(seq 1 60); do
  offset=$("$TEMPUS" query --json "$follower" 2>/dev/null |
    python3 -c 'import json,sys; s=json.load(sys.stdin)["servers"][0]; print(s["offset"] if s["ok"] and s["stratum"] == 3 else "")' 2>/dev/null)
  [ -n "$offset" ] && break
  sleep 0.5
done
echo "follower (2 workers) serves offset ${offset:-none} at stratum 3"
tempus_check "a follower with 2 workers syncs through forwarded replies and serves 0.25 s ahead (within 5 ms)" \
  "[ -n '$offset' ] && awk -v x='$offset' 'BEGIN { exit !(x > 0.245 && x < 0.255) }'"
# Without `workers`: clock observe starts the CPUs' count (up to 4) as clock system does, clock
# virtual the timing thread alone (workers.cc WorkerCount).
cpus=$(getconf _NPROCESSORS_ONLN)  # as std::thread::hardware_concurrency (get_nprocs)
expected=$((cpus > 4 ? 4 : cpus))
for kind in observe virtual; do
  [ "$kind" = observe ] && at=127.0.0.94:12394 || at=127.0.0.95:12395
  "$TEMPUSD" --clock=$kind --listen "$at" --stratum=2 --duration 60 2>"$work/$kind.log" &
  daemon=$!
  pids+=("$daemon")
  for _ in $(seq 1 50); do "$TEMPUS" query -n 1 -t 0.1 "$at" >/dev/null 2>&1 && break; sleep 0.1; done
  threads=$(ls /proc/$daemon/task | wc -l)
  tempus_stop_pid "$daemon"
  if [ "$kind" = observe ] && [ "$expected" -gt 1 ]; then
    tempus_check "clock observe without 'workers': $expected workers on $cpus CPUs ($threads threads)" \
      "[ $threads -eq $((expected + 1)) ] && grep -q '$expected workers answer time requests' '$work/$kind.log'"
  else
    tempus_check "clock $kind without 'workers' on $cpus CPUs: the timing thread alone ($threads threads)" \
      "[ $threads -eq 1 ] && ! grep -q 'workers answer' '$work/$kind.log'"
  fi
done
tempus_dump_tails 5 "$work/two.log" "$work/one.log" "$work/follower.log" "$work/observe.log" "$work/virtual.log"
tempus_checks_done
