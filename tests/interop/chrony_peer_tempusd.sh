#!/usr/bin/env bash
# chrony_peer_tempusd.sh: symmetric mode (RFC 5905 modes 1/2) between tempusd and a real
# chronyd 4.3, each configured with `peer` pointing at the other. Two pairs run side by side:
#
# (1) tempusd follows chronyd: chronyd (local stratum 8) on 127.0.0.2:11131 has
#     `peer 127.0.0.6 port 11136`; tempusd on 127.0.0.6:11136, virtual clock 0.3 s ahead, has
#     `peer 127.0.0.2 port 11131`. tempusd must select chronyd (system peer, stratum 9) over the
#     symmetric association and end within 5 ms of it (tempus query reads the kernel clock that
#     chronyd serves); its `tempus peers` row shows type s and its offset to chronyd is small;
#     chronyd lists tempusd as a peer (`=`) that it reaches.
# (2) chronyd follows tempusd: tempusd (local stratum 3) on 127.0.0.7:11137, virtual clock 0.05 s
#     ahead, has `peer 127.0.0.3 port 11133`; chronyd (no local reference) on 127.0.0.3:11133 has
#     `peer 127.0.0.7 port 11137`. chronyd must select tempusd (`=*`), pass its packet tests on
#     tempusd's mode 1 packets, and measure its unsteered clock 0.05 s behind (chronyd -x).
# (3) A third chronyd on 127.0.0.4:11134 has `peer 127.0.0.7 port 11137`, which tempusd-b does not
#     configure, without a key: tempusd-b must not mobilize an association for it (ntpd's
#     `enable auth`: an unauthenticated outsider must never become a source). It answers in
#     mode 2 only (chronyd-c counts valid packets from it), logs it once and counts it
#     (unauthenticated_peer).
# (4) A fourth chronyd on 127.0.0.5:11135 has `peer 127.0.0.7 port 11137 key 1` (MD5, the same
#     secret as tempusd-b's trusted key 1): tempusd-b mobilizes a passive association with key 1
#     for it (`tempus peers` type S), chronyd-d selects tempusd-b (`=*`) and authenticates its
#     packets. The real NTPsec ntpq (tempusd-b also listens on 127.0.0.7:123 for it) lists
#     chronyd-b and chronyd-d, not chronyd-c, and the local clock LOCAL(1).
# Polls fixed at 16 s on both sides (minpoll 4 maxpoll 4).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUS:-}" ] || interop_skip "TEMPUS not built"
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
interop_init "$@"
w=$INTEROP_WORK

# chronyd NAME ADDR PORT PEER PEER_PORT [local stratum] [key id]: chronyd -x with one `peer`
# (with the key, chrony's keyfile holds key 1 = MD5 "tempusPeerKey").
start_chronyd_peer() {
  local name=$1 addr=$2 port=$3 peer=$4 peer_port=$5 stratum=${6:-} key=${7:-}
  {
    echo "port $port"
    echo "bindaddress $addr"
    echo "allow 127.0.0.0/8"
    echo "peer $peer port $peer_port minpoll 4 maxpoll 4${key:+ key $key}"
    [ -z "$stratum" ] || echo "local stratum $stratum"
    if [ -n "$key" ]; then
      echo "1 MD5 ASCII:tempusPeerKey" >"$w/$name.keys"
      chmod 600 "$w/$name.keys"
      echo "keyfile $w/$name.keys"
    fi
    echo "cmdport 0"
    echo "bindcmdaddress $w/$name.sock"
    echo "pidfile $w/$name.pid"
  } >"$w/$name.conf"
  interop_spawn "$name" "$CHRONYD" -x -d -u root -f "$w/$name.conf"
  interop_wait_udp "$INTEROP_PID" "$addr" "$port"
  interop_check_guards "$INTEROP_PID"
}

start_chronyd_peer chrony-a 127.0.0.2 11131 127.0.0.6 11136 8
cat >"$w/tempusd-a.conf" <<EOF
clock virtual offset 0.3
peer 127.0.0.2 port 11131 minpoll 4 maxpoll 4
EOF
interop_start_tempusd tempusd-a -c "$w/tempusd-a.conf" --listen=127.0.0.6:11136 --listen=127.0.0.6:123

printf '1 MD5 tempusPeerKey\n' >"$w/tempusd-b.keys"
cat >"$w/tempusd-b.conf" <<EOF
clock virtual offset 0.05
local stratum 3
peer 127.0.0.3 port 11133 minpoll 4 maxpoll 4
keys $w/tempusd-b.keys
trustedkey 1
EOF
interop_start_tempusd tempusd-b -c "$w/tempusd-b.conf" --listen=127.0.0.7:11137 --listen=127.0.0.7:123
start_chronyd_peer chrony-b 127.0.0.3 11133 127.0.0.7 11137
start_chronyd_peer chrony-c 127.0.0.4 11134 127.0.0.7 11137
start_chronyd_peer chrony-d 127.0.0.5 11135 127.0.0.7 11137 "" 1

INTEROP_OWN+=(query peers-a peers-b)
a=127.0.0.6:11136
out=$INTEROP_WORK/query.out
done_a=0
done_b=0
done_c=0
done_d=0
done_e=0
for _ in $(seq 1 45); do  # at most ~90 s
  sleep 2
  if [ $done_a = 0 ] && interop_run query 10 "$TEMPUS" query --json --samples 2 --timeout 1 "$a"; then
    oa=$(interop_json_field "$out" $a offset)
    sa=$(interop_json_field "$out" $a stratum)
    [ "$sa" = 9 ] && awk -v a="$oa" 'BEGIN { exit !(a < 0.005 && a > -0.005) }' && done_a=1
  fi
  if [ $done_b = 0 ]; then
    interop_run chrony-b-sources 5 "$CHRONYC" -c -n -h "$w/chrony-b.sock" sources || true
    grep -q '^=,\*,127\.0\.0\.7,' "$w/chrony-b-sources.out" && done_b=1
  fi
  if [ $done_c = 0 ]; then
    interop_run chrony-d-sources 5 "$CHRONYC" -c -n -h "$w/chrony-d.sock" sources || true
    grep -q '^=,\*,127\.0\.0\.7,' "$w/chrony-d-sources.out" && done_c=1
  fi
  if [ $done_e = 0 ]; then
    interop_run chrony-c-ntpdata 5 "$CHRONYC" -c -n -h "$w/chrony-c.sock" ntpdata 127.0.0.7 || true
    [ "$(head -n 1 "$w/chrony-c-ntpdata.out" | awk -F, '{ print ($33 >= 2) }')" = 1 ] && done_e=1
  fi
  # tempusd-b measures chronyd-b once chronyd-b, synchronized to it, sends stratum 4.
  if [ $done_b = 1 ] && [ $done_d = 0 ]; then
    interop_run peers-b 10 "$TEMPUS" peers -n 127.0.0.7:11137 || true
    [ "$(grep -E '^.127\.0\.0\.3 ' "$w/peers-b.out" | awk '{ print $3 }')" = 4 ] && done_d=1
  fi
  [ $done_a = 1 ] && [ $done_b = 1 ] && [ $done_c = 1 ] && [ $done_d = 1 ] && [ $done_e = 1 ] && break
done

# (1) tempusd follows chronyd over the symmetric association.
interop_log "tempus query of tempusd-a: $(tr -d '\n' <"$out")"
interop_expect_near "(1) tempusd-a (peer of chronyd), offset from the kernel clock" "$oa" 0 0.005
interop_expect_eq "(1) stratum of tempusd-a" "$sa" 9
interop_expect_eq "(1) refid of tempusd-a" "$(interop_json_field "$out" $a refid)" 127.0.0.2
grep -q "system peer 127.0.0.2:11131" "$w/tempusd-a.log" ||
  interop_expect_eq "(1) tempusd-a log names chronyd as system peer" missing "system peer 127.0.0.2:11131"
interop_run peers-a 10 "$TEMPUS" peers -n "$a" || true
interop_log "(1) tempus peers $a:"$'\n'"$(cat "$w/peers-a.out")"
row=$(grep -E '^.127\.0\.0\.2 ' "$w/peers-a.out" || true)
interop_expect_eq "(1) tempus peers: chronyd is the system peer ('*')" "${row:0:1}" "*"
interop_expect_eq "(1) tempus peers: type s (symmetric active)" "$(echo "$row" | awk '{ print $4 }')" s
# offset column (ms) of `tempus peers`: tempusd-a's clock against chronyd's, after the step.
interop_expect_near "(1) tempus peers: offset to chronyd (ms)" "$(echo "$row" | awk '{ print $(NF - 1) }')" 0 5
interop_run chrony-a-sources 5 "$CHRONYC" -n -h "$w/chrony-a.sock" sources || true
interop_log "(1) chronyc sources (chrony-a):"$'\n'"$(cat "$w/chrony-a-sources.out")"
interop_run chrony-a-ntpdata 5 "$CHRONYC" -c -n -h "$w/chrony-a.sock" ntpdata 127.0.0.6 || true
nd=$(head -n 1 "$w/chrony-a-ntpdata.out")
interop_log "(1) chronyc ntpdata 127.0.0.6: $nd"
# ntpdata CSV: 8 mode, 24-26 the tests (1-3, 5-7, chrony's A-D), 32-33 RX and valid RX.
interop_expect_eq "(1) chronyd-a: tempusd's packets are mode 1" "$(echo "$nd" | cut -d, -f8)" "Symmetric active"
# The on-wire tests pass; chrony's test D (the source is not synchronized to us) fails, as it
# must: tempusd-a follows this chronyd, so chronyd does not follow it back.
interop_expect_eq "(1) chronyd-a: NTP tests" "$(echo "$nd" | cut -d, -f24),$(echo "$nd" | cut -d, -f25),$(echo "$nd" | cut -d, -f26)" 111,111,1110
interop_expect_eq "(1) chronyd-a: valid packets from tempusd-a" "$(echo "$nd" | awk -F, '{ print ($33 >= 1) }')" 1

# (2) chronyd follows tempusd over the symmetric association.
interop_run chrony-b-sources-h 5 "$CHRONYC" -n -h "$w/chrony-b.sock" sources || true
interop_log "(2) chronyc sources (chrony-b):"$'\n'"$(cat "$w/chrony-b-sources-h.out")"
interop_expect_eq "(2) chronyd-b selected tempusd-b as its peer ('=*')" "$done_b" 1
interop_run chrony-b-ntpdata 5 "$CHRONYC" -c -n -h "$w/chrony-b.sock" ntpdata 127.0.0.7 ||
  interop_fail "chronyc ntpdata failed"
nd=$(head -n 1 "$w/chrony-b-ntpdata.out")
interop_log "(2) chronyc ntpdata 127.0.0.7: $nd"
interop_expect_eq "(2) chronyd-b: tempusd's packets are mode 1" "$(echo "$nd" | cut -d, -f8)" "Symmetric active"
interop_expect_eq "(2) chronyd-b: stratum of tempusd-b" "$(echo "$nd" | cut -d, -f9)" 3
interop_expect_eq "(2) chronyd-b: NTP tests" "$(echo "$nd" | cut -d, -f24),$(echo "$nd" | cut -d, -f25),$(echo "$nd" | cut -d, -f26)" 111,111,1111
interop_run chrony-b-tracking 5 "$CHRONYC" -c -n -h "$w/chrony-b.sock" tracking || interop_fail "chronyc tracking failed"
tr_line=$(head -n 1 "$w/chrony-b-tracking.out")
interop_log "(2) chronyc tracking: $tr_line"
interop_expect_eq "(2) chronyd-b: reference is tempusd-b" "$(echo "$tr_line" | cut -d, -f1)" 7F000007
interop_expect_near "(2) chronyd-b: system time behind tempusd-b" "$(echo "$tr_line" | cut -d, -f5)" 0.05 0.002
interop_run peers-b 10 "$TEMPUS" peers -n 127.0.0.7:11137 || true
interop_log "(2) tempus peers 127.0.0.7:11137:"$'\n'"$(cat "$w/peers-b.out")"
# tempusd-b measures chronyd-b too (stratum 4, refid tempusd-b: a loop, so not selected), and
# chronyd -x serves its corrected time, i.e. tempusd-b's: the offset is small.
row=$(grep -E '^.127\.0\.0\.3 ' "$w/peers-b.out" || true)
interop_expect_eq "(2) tempus peers: chronyd-b at stratum 4, synchronized to tempusd-b" \
  "$(echo "$row" | awk '{ print $3, $2 }')" "4 127.0.0.7"
interop_expect_near "(2) tempus peers: offset to chronyd-b (ms)" "$(echo "$row" | awk '{ print $(NF - 1) }')" 0 5
interop_expect_eq "(2) tempus peers marks chronyd-b as a timing loop" "$(grep -c '^loop: 127\.0\.0\.3 never selected' "$w/peers-b.out" || true)" 1

# (3) chrony-c, unauthenticated: mode 2 replies, no association.
interop_log "(3) chronyc ntpdata 127.0.0.7 (chrony-c): $(head -n 1 "$w/chrony-c-ntpdata.out")"
interop_expect_eq "(3) chronyd-c got valid mode 2 packets from tempusd-b" "$done_e" 1
interop_expect_eq "(3) they are mode 2 (symmetric passive)" \
  "$(head -n 1 "$w/chrony-c-ntpdata.out" | cut -d, -f8)" "Symmetric passive"
interop_expect_eq "(3) tempusd-b mobilized nothing for chronyd-c" \
  "$(grep -c 'passive peer 127.0.0.4:11134 mobilized' "$w/tempusd-b.log" || true)" 0
interop_expect_eq "(3) tempusd-b logged the unauthenticated peer once" \
  "$(grep -c 'peer 127.0.0.4:11134: symmetric active packet without a valid MAC' "$w/tempusd-b.log" || true)" 1
row=$(grep -E '^.127\.0\.0\.4 ' "$w/peers-b.out" || true)
interop_expect_eq "(3) tempus peers: no row for chronyd-c" "$row" ""

# (4) chrony-d, authenticated with key 1: a passive association with that key.
interop_run chrony-d-sources-h 5 "$CHRONYC" -n -h "$w/chrony-d.sock" sources || true
interop_log "(4) chronyc sources (chrony-d):"$'\n'"$(cat "$w/chrony-d-sources-h.out")"
interop_expect_eq "(4) chronyd-d selected tempusd-b over the passive association ('=*')" "$done_c" 1
grep -q "passive peer 127.0.0.5:11135 mobilized (key 1)" "$w/tempusd-b.log" ||
  interop_expect_eq "(4) tempusd-b log: passive peer mobilized with key 1" missing "passive peer 127.0.0.5:11135 mobilized (key 1)"
interop_run chrony-d-ntpdata 5 "$CHRONYC" -n -h "$w/chrony-d.sock" ntpdata 127.0.0.7 || true
interop_expect_eq "(4) chronyd-d: tempusd-b's packets are authenticated" \
  "$(awk -F': *' '/^Authenticated/ { print $2 }' "$w/chrony-d-ntpdata.out")" Yes
interop_run peers-b 10 "$TEMPUS" peers -n 127.0.0.7:11137 || true
interop_log "(4) tempus peers 127.0.0.7:11137:"$'\n'"$(cat "$w/peers-b.out")"
row=$(grep -E '^.127\.0\.0\.5 ' "$w/peers-b.out" || true)
interop_expect_eq "(4) tempus peers: chronyd-d is a passive peer (type S)" "$(echo "$row" | awk '{ print $4 }')" S
row=$(grep -E '^.127\.0\.0\.3 ' "$w/peers-b.out" || true)
interop_expect_eq "(4) tempus peers: chronyd-b is a configured peer (type s)" "$(echo "$row" | awk '{ print $4 }')" s
interop_run ntpq-b 10 "$INTEROP_PY" "$NTPQ" -n -p 127.0.0.7 || true
interop_log "(4) NTPsec ntpq -n -p 127.0.0.7:"$'\n'"$(cat "$w/ntpq-b.out")"
interop_run ntpq-b-assoc 10 "$INTEROP_PY" "$NTPQ" -n -c associations 127.0.0.7 || true
interop_log "(4) NTPsec ntpq -c associations 127.0.0.7:"$'\n'"$(cat "$w/ntpq-b-assoc.out")"
interop_expect_eq "(4) ntpq -p lists chronyd-b and chronyd-d, not chronyd-c" \
  "$(grep -oE '^.127\.0\.0\.[345] ' "$w/ntpq-b.out" | cut -c2- | tr -d ' ' | sort | tr '\n' ' ')" "127.0.0.3 127.0.0.5 "
interop_expect_eq "(4) ntpq -p lists the local clock" "$(grep -cE '^.LOCAL\(1\) +\.LOCL\. ' "$w/ntpq-b.out" || true)" 1
interop_run ntpq-a 10 "$INTEROP_PY" "$NTPQ" -n -p 127.0.0.6 || true
interop_log "(1) NTPsec ntpq -n -p 127.0.0.6:"$'\n'"$(cat "$w/ntpq-a.out")"
interop_expect_eq "(1) ntpq -p: tempusd-a follows chronyd-a" "$(grep -c '^\*127\.0\.0\.2 ' "$w/ntpq-a.out" || true)" 1
for pid in "${INTEROP_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || interop_fail "pid $pid died during the test"; done
