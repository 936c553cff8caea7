#!/usr/bin/env bash
# ntpq_local_tempusd.sh: the LOCAL clock is a source you can see (issue 10 item 10). tempusd on
# 127.0.0.2:123 with ntpd's LOCAL driver, `server 127.127.1.0` + `fudge 127.127.1.0 stratum 10`,
# and no other source. As ntpd 4.2.8 shows it, the real NTPsec 1.2.2 `ntpq -p` must list
# `*LOCAL(0)  .LOCL.  10 l ... 64` (the system peer), `ntpq -c rv` must say `sync_local` (clock
# source 5) with stratum 11 and refid 127.127.1.0 (ntpd's clock_update: the driver's address),
# clients must be served stratum 11 / refid 127.127.1.0 (`tempus query`), `tempus peers` must show
# the same line and `tempus status` must name LOCAL(0) as the system peer.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
[ -x "${TEMPUS:-}" ] || interop_skip "TEMPUS not built"
interop_init "$@"
w=$INTEROP_WORK

cat >"$w/local.conf" <<EOF
clock virtual
server 127.127.1.0
fudge 127.127.1.0 stratum 10
EOF
interop_start_tempusd local -c "$w/local.conf" --listen=127.0.0.2:123

shown=0
for _ in $(seq 1 20); do
  interop_ntpq p 127.0.0.2 peers || true
  if grep -q '^\*LOCAL(0) ' "$w/p.out"; then
    shown=1
    break
  fi
  sleep 1
done
interop_log "ntpq -p 127.0.0.2:"$'\n'"$(cat "$w/p.out")"
[ $shown = 1 ] || interop_fail "ntpq -p shows no '*LOCAL(0)' line within 20 s"
row=$(grep '^\*LOCAL(0) ' "$w/p.out")
col() { echo "$row" | awk -v c="$1" '{ print $c }'; }
interop_expect_eq "ntpq -p: refid" "$(col 2)" .LOCL.
interop_expect_eq "ntpq -p: stratum (the driver's)" "$(col 3)" 10
interop_expect_eq "ntpq -p: type l (local refclock)" "$(col 4)" l
interop_expect_eq "ntpq -p: poll" "$(col 6)" 64
interop_expect_near "ntpq -p: offset" "$(col 9)" 0 0.0001
interop_ntpq rv 127.0.0.2 rv || interop_fail "ntpq -c rv failed"
interop_log "ntpq -c rv 127.0.0.2:"$'\n'"$(cat "$w/rv.out")"
grep -q 'leap_none, sync_local' "$w/rv.out" || interop_fail "rv: status line is not sync_local: $(head -n 1 "$w/rv.out")"
interop_expect_eq "rv: stratum" "$(interop_ntpq_var stratum rv)" 11
interop_expect_eq "rv: refid (ntpd's: the driver's address)" "$(interop_ntpq_var refid rv)" 127.127.1.0
peer_id=$(interop_ntpq_var peer rv)
interop_ntpq rvp 127.0.0.2 "rv $peer_id" || interop_fail "ntpq -c 'rv $peer_id' failed"
interop_log "ntpq -c 'rv $peer_id':"$'\n'"$(cat "$w/rvp.out")"
interop_expect_eq "rv &peer: srcadr" "$(interop_ntpq_var srcadr rvp)" 127.127.1.0
grep -q 'sel_sys.peer' "$w/rvp.out" || interop_fail "rv &peer: status lacks sel_sys.peer: $(head -n 1 "$w/rvp.out")"

# What clients are served.
INTEROP_OWN+=(query peers status)
interop_run query 10 "$TEMPUS" query --json --samples 1 --timeout 1 127.0.0.2 || interop_fail "tempus query failed"
interop_expect_eq "served stratum" "$(interop_json_field "$w/query.out" 127.0.0.2 stratum)" 11
interop_expect_eq "served refid" "$(interop_json_field "$w/query.out" 127.0.0.2 refid)" 127.127.1.0

interop_run peers 10 "$TEMPUS" peers -n 127.0.0.2 || interop_fail "tempus peers failed"
interop_log "tempus peers -n 127.0.0.2:"$'\n'"$(cat "$w/peers.out")"
row=$(grep '^\*LOCAL(0) ' "$w/peers.out" || true)
interop_expect_eq "tempus peers: LOCAL(0) line" "$(col 2) $(col 3) $(col 4) $(col 6)" ".LOCL. 10 l 64"
interop_run status 10 "$TEMPUS" status 127.0.0.2 || interop_fail "tempus status: not synchronized"
interop_log "tempus status 127.0.0.2:"$'\n'"$(cat "$w/status.out")"
grep -q 'system peer: *LOCAL(0)$' "$w/status.out" || interop_fail "tempus status does not name LOCAL(0)"
