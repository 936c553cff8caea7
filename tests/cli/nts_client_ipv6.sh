#!/usr/bin/env bash
# tempusd as NTS client over IPv6: a tempusd NTS server S on [::1] (`nts enable`, a certificate
# for IP ::1, NTS-KE and NTP on ports the kernel hands out) and a client C with
# `server [::1]:PORT nts` (NTPsec's bracketed HOST:PORT form). C's NTS-KE with [::1]:PORT names
# S's NTP port (§4.1.8), its association at [::1]:NTP becomes reachable with authenticated replies,
# and its NTS state names the NTS-KE server "[::1]:PORT", bracketed once (mode 6 `ntske_server`,
# `tempus peers --json`; it read "[[::1]]:PORT" before commit 711a3f8). Then a stub NTS-KE server
# on [::1] (tests/common/nts_ke_stub.py) whose NTPv4 Server Negotiation record names the IPv6
# address "::1" (§4.1.7): C's association goes to [::1]:123, the address named, no lookup.
set -u
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/../common/nts_ke.sh"
tempus_test_init
python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null ||
  { echo "SKIP: no IPv6 loopback"; exit 77; }
tempus_make_test_ca "$work" "IP:::1" || { echo "FAIL: openssl could not make the test CA"; exit 1; }

# free_port6 udp|tcp: a port of ::1 free a moment ago.
free_port6() {
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("::1", 0))
print(s.getsockname()[1])' "$1"
}

s_port=$(free_port6 udp)
printf 'clock virtual\nlocal stratum 3\nnts enable cert %s key %s cookie %s port 0\n' \
  "$work/server.pem" "$work/server.key" "$work/nts-keys" >"$work/s.conf"
"$TEMPUSD" -c "$work/s.conf" --listen "[::1]:$s_port" --duration 60 >"$work/s.log" 2>&1 &
pids+=("$!")
ke_port=
for _ in $(seq 1 100); do
  ke_port=$(sed -n 's/.*NTS-KE on \[::1\]:\([0-9]*\).*/\1/p' "$work/s.log" 2>/dev/null | head -1)
  [ -n "$ke_port" ] && break
  sleep 0.1
done
tempus_check "S serves NTS-KE on [::1]" '[ -n "$ke_port" ]'

# C serves on [::1] too: its requests to an IPv6 source leave from a serving socket of that family.
c_port=$(free_port udp)
c_port6=$(free_port6 udp)
printf 'clock virtual\nserver [::1]:%s nts ca %s iburst minpoll 3 maxpoll 3\n' "$ke_port" "$work/ca.pem" >"$work/c.conf"
"$TEMPUSD" -c "$work/c.conf" --listen "127.0.0.1:$c_port" --listen "[::1]:$c_port6" --duration 50 >"$work/c.log" 2>&1 &
c_pid=$!
pids+=("$c_pid")
tempus_check "C: NTS-KE with [::1]:$ke_port, NTP at [::1]:$s_port" \
  'wait_for "$work/c.log" "server \[::1\] nts: NTS-KE with \[::1\]:$ke_port: 8 cookies, NTP at \[::1\]:$s_port" 10'
tempus_check "C: S reachable over IPv6" 'wait_for "$work/c.log" "source \[::1\]:$s_port reachable" 20'
peers=$("$TEMPUS" peers --json "127.0.0.1:$c_port" 2>&1)
echo "peers C: $peers"
tempus_check "C's mode 6: authentic, its NTS-KE server \"[::1]:$ke_port\" (bracketed once)" \
  "python3 -c 'import json,sys; p=json.loads(sys.argv[1])[\"peers\"]; assert len(p)==1 and (int(p[0][\"status\"],16) & 0x6000) == 0x6000, p; assert p[0][\"nts\"][\"ke_server\"] == \"[::1]:$ke_port\", p' '$peers'"
tempus_stop_pid "$c_pid"
tempus_check "C's exit line: authenticated replies, none dropped" \
  'grep -qE "server \[::1\] nts: NTS-KE 1 ok, 0 failed; [0-9]+ requests \([0-9]+ polls unsent\); [1-9][0-9]* replies authenticated, 0 dropped" "$work/c.log"'

# The stub names the NTP server by its IPv6 address.
stub_port=$(free_port6 tcp)
python3 "$(dirname "$0")/../common/nts_ke_stub.py" "$work/server.pem" "$work/server.key" ::1 "$stub_port" ::1 30 \
  >"$work/stub.log" 2>&1 &
pids+=("$!")
wait_for "$work/stub.log" listening 10
printf 'clock virtual\nserver [::1]:%s nts ca %s iburst minpoll 3 maxpoll 3\n' "$stub_port" "$work/ca.pem" >"$work/c2.conf"
"$TEMPUSD" -c "$work/c2.conf" --listen "127.0.0.1:$c_port" --listen "[::1]:$c_port6" --duration 20 >"$work/c2.log" 2>&1 &
c2_pid=$!
pids+=("$c2_pid")
tempus_check "C: the stub's NTS-KE names ::1: NTP at [::1]:123, no lookup" \
  'wait_for "$work/c2.log" "server \[::1\] nts: NTS-KE with \[::1\]:$stub_port: 8 cookies, NTP at \[::1\]:123" 10 &&
   ! grep -q "looking it up" "$work/c2.log"'
tempus_stop_pid "$c2_pid"
tempus_checks_done || { tempus_dump_tails 30 "$work/s.log" "$work/c.log" "$work/c2.log"; exit 1; }
