#!/usr/bin/env bash
# (e) SIGHUP reloads the configuration: a new server line starts its association while the
# unchanged one keeps its state (reach, poll, samples; no new "association" or "reachable" line,
# the system peer does not change, the clock stays within 1 ms); a file with an error is
# reported with file:line and changes nothing; a removed line's association goes; a leapfile
# line added is read and logged (TAI-UTC, expiry, hash); `restrict default ignore` added refuses
# the next request and removed serves again; keys and trustedkey added sign the next reply; `tos
# minsane 2` added leaves the one-source node without a system peer and removed brings it back,
# with the association kept throughout; a changed `clock` line is named as needing a restart.
# The log goes to the `logfile` of the configuration, each line with a UTC timestamp.
# Polls fixed at 16 s (minpoll 4 maxpoll 4, iburst).
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

a=127.0.0.2
b=127.0.0.3
node=127.0.0.10
opts="iburst minpoll 4 maxpoll 4 port $CLUSTER_PORT"
log=$CLUSTER_WORK/node.log  # the daemon's logfile (cluster_start appends stderr to the same)
cluster_start up_a $a -c "$(cluster_conf up_a $'clock virtual\nlocal stratum 1')"
cluster_start up_b $b -c "$(cluster_conf up_b $'clock virtual offset 0.0001\nlocal stratum 1')"
conf=$(cluster_conf node "clock virtual offset 0.2 freq -30
logfile $log
server $a $opts")
cluster_start node $node -c "$conf"
pid=$CLUSTER_LAST_PID
cluster_wait_skew 0.001 45 $a $node >/dev/null || cluster_fail "node did not synchronize to $a"
cluster_expect "log lines carry a UTC timestamp" \
  grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z tempusd\[[0-9]+\]: system peer' "$log"

# 1. A file with an error: reported with file:line, nothing changes.
printf 'clock virtual offset 0.2 freq -30\nlogfile %s\nserver %s %s\nserver %s %s bogus\n' \
  "$log" $a "$opts" $b "$opts" >"$conf"
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q "keeping the running configuration" "$log" && break; sleep 0.1; done
cluster_expect "bad reload reported with file:line" grep -qE "$conf:4:[0-9]+: .*bogus" "$log"
cluster_expect "bad reload keeps the running configuration" grep -q "keeping the running configuration" "$log"
cluster_expect "bad reload added nothing" test "$(grep -c "association with $b" "$log")" = 0

# 2. Add a server: the old association is kept with its state.
printf 'clock virtual offset 0.2 freq -30\nlogfile %s\nserver %s %s\nserver %s %s\n' \
  "$log" $a "$opts" $b "$opts" >"$conf"
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q "1 kept, 0 removed, 1 added\|source line(s) kept" "$log" && break; sleep 0.1; done
kept=$(grep -E "kept $a:$CLUSTER_PORT \(reach" "$log" | tail -n 1)
cluster_log "reload: $kept"
cluster_expect "reload kept 1 line and added 1" grep -q "1 source line(s) kept, 0 removed, 1 added" "$log"
cluster_expect "kept association still reachable with its samples" \
  bash -c "echo '$kept' | grep -qE 'reach [0-7]*[1-7][0-7]*, poll 4, [1-9][0-9]* samples'"
cluster_expect "old association not mobilized again" test "$(grep -c "association with $a" "$log")" = 1
for _ in $(seq 1 60); do grep -q "source $b:$CLUSTER_PORT reachable" "$log" && break; sleep 0.5; done
cluster_expect "new server $b reachable" grep -q "source $b:$CLUSTER_PORT reachable" "$log"
cluster_expect "old server not re-announced reachable" test "$(grep -c "source $a:$CLUSTER_PORT reachable" "$log")" = 1
cluster_expect "the clock was not stepped again" test "$(grep -c 'clock stepped' "$log")" -le 1
if skew=$(cluster_wait_skew 0.001 5 $a $b $node); then
  cluster_log "ok   after the reload: skew $skew s across $a, $b and the node"
else
  cluster_expect "skew below 1 ms after the reload (last $skew s)" false
fi

# 3. Remove server a: its association goes. A leapfile added meanwhile is read (NIST format;
# its #h computed with Python's hashlib).
leap=$CLUSTER_WORK/leap-seconds.list
printf '#$\t3676924800\n#@\t3707596800\n2272060800\t10\n3644697600\t36\n3692217600\t37\n#h\t33d7aeef 5a6fcd12 ef8a7a6c c67197ec 4cabd9ac\n' >"$leap"
printf 'clock virtual offset 0.2 freq -30\nlogfile %s\nserver %s %s\nleapfile %s\n' "$log" $b "$opts" "$leap" >"$conf"
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q "1 source line(s) kept, 1 removed" "$log" && break; sleep 0.1; done
cluster_expect "reload removed server $a" grep -q "server $a: removed (1 association(s))" "$log"
cluster_expect "reload read the new leapfile" \
  grep -q "leapfile $leap: TAI-UTC 37 s, 3 entries up to 201701010000, expires 201706280000, hash verified" "$log"

# 4. restrict, keys and tos lines are applied by a reload while the association stays; what needs
# a restart is named in one line.
base="clock virtual offset 0.2 freq -30
logfile $log
server $b $opts
leapfile $leap"
# reload TEXT: writes the file, sends SIGHUP, waits (at most 5 s) until the reload was applied.
reload() {
  local before
  before=$(grep -c "reload: applied" "$log" || true)
  printf '%s\n' "$1" >"$conf"
  kill -HUP "$pid"
  for _ in $(seq 1 50); do
    [ "$(grep -c "reload: applied" "$log" || true)" -gt "$before" ] && return 0
    sleep 0.1
  done
  cluster_log "reload of: $1: not applied within 5 s"
  return 1
}
# served: does the node answer one time request (three tries of 0.5 s)?
served() { timeout -k 2 10 "$TEMPUS" query -n 3 -t 0.5 "$node:$CLUSTER_PORT" >/dev/null 2>&1; }
refused() { ! served; }
# mac_reply: what a request with an MD5 MAC by key 1 ("tempus-secret") gets: signed, nak or none.
mac_reply() {
  python3 - "$node" "$CLUSTER_PORT" <<'PY'
import hashlib, socket, struct, sys
key = b"tempus-secret"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
request = bytearray(48)
request[0] = (4 << 3) | 3
request[40:48] = struct.pack("!II", 0x12345678, 0x9ABCDEF0)
request += struct.pack("!I", 1) + hashlib.md5(key + bytes(request)).digest()
got = "none"
for _ in range(3):  # bounded: three tries
    s.sendto(bytes(request), (sys.argv[1], int(sys.argv[2])))
    try:
        reply = s.recv(2048)
    except socket.timeout:
        continue
    if len(reply) == 68 and reply[48:52] == struct.pack("!I", 1) and hashlib.md5(key + reply[:48]).digest() == reply[52:]:
        got = "signed"
    elif len(reply) == 52 and reply[48:52] == bytes(4):
        got = "nak"
    else:
        got = "other(%d)" % len(reply)
    break
print(got)
PY
}
cluster_expect "served before any restrict line" served
reload "$base
restrict default ignore" || true
cluster_expect "restrict default ignore added by a reload: the next request is refused" refused
reload "$base" || true
cluster_expect "restrict line removed by a reload: served again" served
cluster_expect "a MAC by an unknown key gets a crypto-NAK" test "$(mac_reply)" = nak
printf '1 MD5 tempus-secret\n' >"$CLUSTER_WORK/node.keys"
reload "$base
keys $CLUSTER_WORK/node.keys
trustedkey 1" || true
got=$(mac_reply)
cluster_log "after keys were added by a reload, a MAC by key 1 gets: $got"
cluster_expect "keys and trustedkey added by a reload: the reply is signed with key 1" test "$got" = signed
peers_lost=$(grep -c "no system peer" "$log" || true)
reload "$base
tos minsane 2
clock virtual offset 0.3 freq -30" || true
for _ in $(seq 1 50); do [ "$(grep -c "no system peer" "$log" || true)" -gt "$peers_lost" ] && break; sleep 0.1; done
cluster_expect "tos minsane 2 added by a reload: one source is not enough, no system peer" \
  test "$(grep -c "no system peer" "$log" || true)" -gt "$peers_lost"
cluster_expect "a changed clock line is named as needing a restart" \
  grep -q "reload: clock changed: taking effect at the next start" "$log"
peers=$(grep -c "system peer $b:$CLUSTER_PORT" "$log" || true)
reload "$base" || true
for _ in $(seq 1 50); do [ "$(grep -c "system peer $b:$CLUSTER_PORT" "$log" || true)" -gt "$peers" ] && break; sleep 0.1; done
cluster_expect "tos minsane removed by a reload: $b is the system peer again" \
  test "$(grep -c "system peer $b:$CLUSTER_PORT" "$log" || true)" -gt "$peers"
cluster_expect "the association with $b was kept through every reload" \
  test "$(grep -c "association with $b" "$log")" = 1
kill -0 "$pid" || cluster_fail "the daemon died during the reloads"
