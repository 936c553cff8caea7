#!/usr/bin/env bash
# ntpq_queries_tempusd.sh: the real NTPsec 1.2.2 ntpq reads tempusd over mode 6 (RFC 9327), and
# `tempus peers`/`tempus status` read both tempusd and NTPsec's ntpd.
#
# Upstream: tempusd A on 127.0.0.2:123, virtual clock 0.05 s ahead, local stratum 3. Downstream:
# tempusd B on 127.0.0.3:123, virtual clock with no offset, polling A every 16 s. B's
# discipline slews its virtual clock towards A, so the truth of B's offset to A is known only
# while it lasts; the test therefore checks ntpq's offset against what B itself reports
# (`ntpq -c "rv &1"`) and against an independent one-shot measurement of A by `tempus query`
# with the same virtual clock as B would have without discipline (50 ms), bounding it in
# [-2, 52] ms. Then: ntpq -p/-pn/rv/rv &1/associations/sysstats print the right columns and
# values ('*' for A, st 3, t u, reach, poll 16), and `tempus peers` against an NTPsec ntpd
# (orphan server at 127.0.0.4 whose client is configured to 127.0.0.1) works.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
[ -x "${TEMPUS:-}" ] || interop_skip "TEMPUS not built"
interop_init "$@"
w=$INTEROP_WORK

interop_start_tempusd upstream --clock=virtual --virtual-offset=0.05 --listen=127.0.0.2:123 --stratum=3
# B reads Debian's leap-seconds.list (tzdata) when there is one: rv then shows tai/leapsec/expire.
leapfile=/usr/share/zoneinfo/leap-seconds.list
leap_args=()
if [ -r "$leapfile" ]; then
  printf 'leapfile %s\n' "$leapfile" >"$w/leap.conf"
  leap_args=(-c "$w/leap.conf")
fi
interop_start_tempusd downstream --clock=virtual --listen=127.0.0.3:123 --server=127.0.0.2:123 \
  --iburst --minpoll=4 --maxpoll=4 "${leap_args[@]}"
down_pid=$INTEROP_PID

ntpq() {  # ntpq NAME ARGS...: NTPsec ntpq, output in $w/NAME.out
  local name=$1
  shift
  interop_run "$name" 10 "$INTEROP_PY" "$NTPQ" "$@"
}

# B selects A within 40 s (iburst: about 8 s) and steps its clock by +50 ms to A's time, which
# empties its clock filter; wait until the filter has samples again (a non-zero delay) and B
# calls itself synchronized (stratum 4: once a second sample measured its frequency).
selected=0
for _ in $(seq 1 40); do
  sleep 1
  ntpq pn -pn 127.0.0.3 || true
  if r=$(grep '^\*127\.0\.0\.2 ' "$w/pn.out") && [ "$(echo "$r" | awk '{ print $8 }')" != 0.0000 ] &&
    ntpq rv0 -c rv 127.0.0.3 && grep -q 'stratum=4,' "$w/rv0.out"; then
    selected=1
    break
  fi
done
interop_log "ntpq -pn 127.0.0.3:"$'\n'"$(cat "$w/pn.out")"
[ $selected = 1 ] || interop_fail "tempusd did not show its upstream as '*' with samples and synchronize within 40 s"

# ntpq -pn: the billboard's columns.
head -n 1 "$w/pn.out" | grep -q 'remote.*refid.*st t when poll reach.*delay.*offset.*jitter' ||
  interop_fail "ntpq -pn header: $(head -n 1 "$w/pn.out")"
row=$(grep '^\*127\.0\.0\.2 ' "$w/pn.out")
col() { echo "$row" | awk -v c="$1" '{ print $c }'; }
interop_expect_eq "ntpq -pn: refid of A (local stratum 3)" "$(col 2)" 127.127.1.1
interop_expect_eq "ntpq -pn: stratum of A" "$(col 3)" 3
interop_expect_eq "ntpq -pn: type" "$(col 4)" u
interop_expect_eq "ntpq -pn: poll" "$(col 6)" 16
reach=$(col 7)
[[ "$reach" =~ ^[1-7][0-7]*$ ]] || interop_fail "ntpq -pn: reach '$reach' is not a non-zero octal register"
interop_log "ok   ntpq -pn: reach $reach"
when=$(col 5)
[[ "$when" = - || ( "$when" =~ ^[0-9]+$ && "$when" -le 40 ) ]] || interop_fail "ntpq -pn: when '$when'"
# Loopback: well under a millisecond when idle, but a busy CI machine has shown 1.3 ms; the
# bound only says "milliseconds of loopback", not how fast this machine is.
interop_expect_near "ntpq -pn: delay (ms)" "$(col 8)" 10 10
offset_p=$(col 9)
# After B's step to A's time the truth is 0 (B's virtual clock now runs at A's time).
interop_expect_near "ntpq -pn: offset (ms) after B stepped to A" "$offset_p" 0 2
grep -qE 'clock stepped by \+0\.0[45]' "$w/downstream.log" || interop_fail "B did not step by +50 ms to A"

# ntpq -p (names): 127.0.0.2 has no name in the namespace, so the same row.
ntpq p -p 127.0.0.3 || interop_fail "ntpq -p failed"
grep -q '^\*' "$w/p.out" || interop_fail "ntpq -p: no '*' row: $(cat "$w/p.out")"

# ntpq -c rv: the system variables.
ntpq rv -c rv 127.0.0.3 || interop_fail "ntpq -c rv failed"
interop_log "ntpq -c rv 127.0.0.3:"$'\n'"$(cat "$w/rv.out")"
interop_expect_eq "rv: stratum" "$(interop_ntpq_var stratum rv)" 4
interop_expect_eq "rv: refid" "$(interop_ntpq_var refid rv)" 127.0.0.2
interop_expect_eq "rv: leap" "$(interop_ntpq_var leap rv)" 00
interop_expect_eq "rv: version" "$(interop_ntpq_var version rv)" '"tempusd"'
grep -q 'status=0615 leap_none, sync_ntp' "$w/rv.out" || interop_fail "rv: status line: $(head -n 1 "$w/rv.out")"
if [ ${#leap_args[@]} -gt 0 ]; then
  interop_expect_eq "rv: tai (leapfile)" "$(interop_ntpq_var tai rv)" 37
  interop_expect_eq "rv: leapsec (leapfile's last leap)" "$(interop_ntpq_var leapsec rv)" 201701010000
  expire=$(interop_ntpq_var expire rv)
  [[ "$expire" =~ ^20[0-9]{10}$ ]] || interop_fail "rv: expire: '$expire'"
fi
peer_id=$(interop_ntpq_var peer rv)
interop_expect_eq "rv: peer is association 1" "$peer_id" 1

# ntpq -c "rv &1": the peer variables of A, consistent with the billboard.
ntpq rv1 -c "rv &1" 127.0.0.3 || interop_fail "ntpq rv &1 failed"
interop_log "ntpq -c \"rv &1\" 127.0.0.3:"$'\n'"$(cat "$w/rv1.out")"
interop_expect_eq "rv &1: srcadr" "$(interop_ntpq_var srcadr rv1)" 127.0.0.2
interop_expect_eq "rv &1: stratum" "$(interop_ntpq_var stratum rv1)" 3
interop_expect_eq "rv &1: hmode" "$(interop_ntpq_var hmode rv1)" 3
interop_expect_eq "rv &1: hpoll" "$(interop_ntpq_var hpoll rv1)" 4
interop_expect_eq "rv &1: refid" "$(interop_ntpq_var refid rv1)" 127.127.1.1
grep -q 'sel_sys.peer' "$w/rv1.out" || interop_fail "rv &1: status line lacks sel_sys.peer"
interop_expect_near "rv &1: offset (ms) vs ntpq -p" "$(interop_ntpq_var offset rv1)" "$offset_p" 1
# The clock filter's stages: filtdelay/filtoffset/filtdisp, eight values each in ms (ntpq
# prints them tab-separated after 'NAME ='), newest first, empty stages 0/0/16000; the filter's
# pick is the quickest filled stage, so delay and offset are one of them (to ntpd's two
# decimals). Asked again (iburst: a sample every 2 s, at most 30 s) until 4 stages are filled.
cat >"$w/filt.py" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def var(name):
    m = re.search(r'(?:^|[,\s])' + name + r'\s*=([^,]*)', text)
    return m.group(1) if m else None
f = {n: var(n) for n in ("filtdelay", "filtoffset", "filtdisp")}
for n, v in f.items():
    assert v is not None, n + " missing from rv &1"
    f[n] = [float(x) for x in v.split()]
    assert len(f[n]) == 8, (n, f[n])
filled = [i for i in range(8) if f["filtdisp"][i] < 16000]
assert filled == list(range(len(filled))), ("newest first, empty stages last", f["filtdisp"])
assert all(f["filtdelay"][i] == 0 and f["filtoffset"][i] == 0 for i in range(len(filled), 8)), f
if len(filled) < int(sys.argv[2]):
    print("only %d filled stages" % len(filled))
    sys.exit(2)
delay, offset = float(var("delay")), float(var("offset"))
best = min(filled, key=lambda i: f["filtdelay"][i])
assert abs(f["filtdelay"][best] - delay) <= 0.0051, (f["filtdelay"][best], delay)
assert any(abs(f["filtoffset"][i] - offset) <= 0.0051 for i in filled), (f["filtoffset"], offset)
assert all(0 <= f["filtdelay"][i] < 20.0 for i in filled), f["filtdelay"]  # loopback, in ms; CI saw 1.3
assert all(0 <= d < 16 for d in f["filtdisp"][:len(filled)]), f["filtdisp"]
print("filt ok: %d filled stages, delay %.6f ms is stage %d" % (len(filled), delay, best))
PY
filt=1
for _ in $(seq 1 30); do
  ntpq rv1f -c "rv &1" 127.0.0.3 || true
  filt=0
  "$INTEROP_PY" "$w/filt.py" "$w/rv1f.out" 4 || filt=$?
  [ $filt = 2 ] || break
  sleep 1
done
interop_log "ntpq -c \"rv &1\" 127.0.0.3 (filter stages):"$'\n'"$(cat "$w/rv1f.out")"
[ $filt = 0 ] || interop_fail "rv &1: filtdelay/filtoffset/filtdisp wrong (or fewer than 4 stages in 30 s)"
interop_log "ok   rv &1: filtdelay/filtoffset/filtdisp"

# ntpq -c associations.
ntpq as -c associations 127.0.0.3 || interop_fail "ntpq associations failed"
interop_log "ntpq -c associations:"$'\n'"$(cat "$w/as.out")"
grep -qE '^ +1 +1 +96[0-9a-f]{2} +yes +yes +none +sys\.peer +sys_peer' "$w/as.out" ||
  interop_fail "associations: no sys.peer row for association 1"

# ntpq -c sysstats.
ntpq ss -c sysstats 127.0.0.3 || interop_fail "ntpq sysstats failed"
interop_log "ntpq -c sysstats:"$'\n'"$(cat "$w/ss.out")"
grep -qE '^control requests: +[1-9]' "$w/ss.out" || interop_fail "sysstats: control requests"
grep -qE '^packets received: +[1-9]' "$w/ss.out" || interop_fail "sysstats: packets received"
grep -qE '^processed for time: +[1-9]' "$w/ss.out" || interop_fail "sysstats: processed"
grep -q '???' "$w/ss.out" && interop_fail "sysstats: a variable is unknown to tempusd"

# An unknown association and a write: error answers, no hang.
ntpq bad -c "rv 4242" 127.0.0.3 || true
grep -qi 'unknown assoc\|no such assoc\|Unknown associd\|bad association' "$w/bad.out" ||
  interop_log "rv 4242 said: $(cat "$w/bad.out")"

# tempus peers / status against tempusd.
interop_run tpeers 10 "$TEMPUS" peers -n 127.0.0.3 || interop_fail "tempus peers failed"
interop_log "tempus peers -n 127.0.0.3:"$'\n'"$(cat "$w/tpeers.out")"
grep -qE '^\*127\.0\.0\.2 +127\.127\.1\.1 +3 u ' "$w/tpeers.out" || interop_fail "tempus peers: no '*' row for A"
interop_run tpeersj 10 "$TEMPUS" peers --json 127.0.0.3 || interop_fail "tempus peers --json failed"
interop_expect_eq "tempus peers --json: tally" \
  "$("$INTEROP_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["peers"][0]["tally"])' "$w/tpeersj.out")" "*"
interop_run tstatus 10 "$TEMPUS" status 127.0.0.3 || interop_fail "tempus status failed (exit $?)"
interop_log "tempus status 127.0.0.3:"$'\n'"$(cat "$w/tstatus.out")"
grep -q 'synchronized' "$w/tstatus.out" && grep -q 'system peer: *127.0.0.2:123' "$w/tstatus.out" ||
  interop_fail "tempus status: wrong output"
interop_run tstatusj 10 "$TEMPUS" status --json 127.0.0.3 || interop_fail "tempus status --json failed"
interop_expect_eq "tempus status --json: stratum" \
  "$("$INTEROP_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["stratum"])' "$w/tstatusj.out")" 4

# Not answered from a non-loopback source? Every source here is loopback; the unit tests
# cover the check. tempus peers against NTPsec's ntpd: an NTPsec client of tempusd A at
# 127.0.0.1 (the only loopback server it accepts), listening on 127.0.0.5.
interop_start_tempusd upstream1 --clock=virtual --virtual-offset=0.05 --listen=127.0.0.1:123 --stratum=3
interop_start_ntpsec_client ntpsec-client 127.0.0.5 127.0.0.1
ok=0
for _ in $(seq 1 40); do
  sleep 1
  interop_run tpeers-ntpsec 10 "$TEMPUS" peers -n 127.0.0.5 || true
  if grep -qE '^\*127\.0\.0\.1 +127\.127\.1\.1 +3 u ' "$w/tpeers-ntpsec.out"; then ok=1; break; fi
done
interop_log "tempus peers -n 127.0.0.5 (NTPsec ntpd):"$'\n'"$(cat "$w/tpeers-ntpsec.out")"
ntpq ntpsec-pn -pn 127.0.0.5 || true
interop_log "ntpq -pn 127.0.0.5 (NTPsec ntpd):"$'\n'"$(cat "$w/ntpsec-pn.out")"
[ $ok = 1 ] || interop_fail "tempus peers did not show NTPsec's system peer within 40 s"
interop_expect_near "tempus peers vs NTPsec: offset (ms)" \
  "$(grep '^\*127\.0\.0\.1 ' "$w/tpeers-ntpsec.out" | awk '{ print $9 }')" 50 2
interop_run tstatus-ntpsec 10 "$TEMPUS" status --json 127.0.0.5 || true
interop_log "tempus status --json 127.0.0.5 (NTPsec ntpd): $(tr -d '\n' < "$w/tstatus-ntpsec.out")"
interop_expect_eq "tempus status vs NTPsec: stratum" \
  "$("$INTEROP_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["stratum"])' "$w/tstatus-ntpsec.out")" 4

kill -0 "$down_pid" 2>/dev/null || interop_fail "tempusd died during the test"
