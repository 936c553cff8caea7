#!/usr/bin/env bash
# --seed N replays the daemon's randomness (for simulation and tests): two daemons with the same
# seed send the same request cookies (the random transmit timestamps of their client requests),
# another seed gives others, and without --seed two runs differ (the default draws from the
# kernel). Five tempusd with virtual clocks poll one capture socket on loopback that never
# answers; it records each request's source port and transmit timestamp.
set -u
source "$(dirname "$0")/../common/lib.sh"
tempus_test_init

addr=127.0.0.82
timeout -k 2 30 /usr/bin/python3 - "$addr" 12383 "$work/requests" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
with open(sys.argv[3], 'w') as out:
    while True:
        data, (host, port) = s.recvfrom(2048)
        if len(data) >= 48 and data[0] & 7 == 3:  # a client request (RFC 5905 mode 3)
            out.write('%d %s\n' % (port, data[40:48].hex()))
            out.flush()
PY
pids+=($!)
sleep 0.5

# port -> seed ("" : none); each daemon sends from its listen port.
declare -A seed=([12384]=7 [12385]=7 [12386]=8 [12387]= [12388]=)
for port in "${!seed[@]}"; do
  "$TEMPUSD" --clock virtual --listen $addr:$port --server $addr:12383 --iburst --duration 5 \
    ${seed[$port]:+--seed ${seed[$port]}} >"$work/$port.log" 2>&1 </dev/null &
  pids+=($!)
done
for p in "${pids[@]:1}"; do wait "$p"; done
# cookies PORT: the first two transmit timestamps sent from PORT, on one line.
cookies() { awk -v p="$1" '$1 == p { print $2 }' "$work/requests" | head -n 2 | tr '\n' ' '; }
for port in 12384 12385 12386 12387 12388; do echo "port $port seed '${seed[$port]}': $(cookies $port)"; done
tempus_check "two requests from each daemon" \
  "[ \"\$(for p in 12384 12385 12386 12387 12388; do cookies \$p | wc -w; done | sort -u)\" = 2 ]"
tempus_check "--seed 7 twice: the same cookies" "[ \"$(cookies 12384)\" = \"$(cookies 12385)\" ]"
tempus_check "--seed 8: other cookies" "[ \"$(cookies 12384)\" != \"$(cookies 12386)\" ]"
tempus_check "no --seed: two runs differ" "[ \"$(cookies 12387)\" != \"$(cookies 12388)\" ]"
tempus_check "no --seed: not the seeded cookies" "[ \"$(cookies 12387)\" != \"$(cookies 12384)\" ]"

tempus_checks_done
