#!/usr/bin/env bash
# auth_chrony_tempusd.sh: symmetric-key authentication (RFC 5905 §7.3 MAC, RFC 8573 AES-CMAC)
# between tempusd and the real chronyd, both ways, plus NTPsec's ntpdig -k/-a.
#
# Server side: tempusd (stratum 3, keys 1 MD5, 2 SHA1, 3 AES128CMAC, 4 MD5, all trusted) listens
# on 127.0.0.2, .3, .4, .8 (port 11123) and 127.0.0.2:123. A continuous chronyd client polls
# .2 with key 1, .3 with key 3 and .4 with key 2, and .8 with a key 4 whose secret differs
# from tempusd's. chronyd must select tempusd, `chronyc authdata` must list the three good
# sources with their key id and type, `chronyc ntpdata` must say "Authenticated: Yes" and count
# every reply valid, and the wrong-key source must stay unreachable while tempusd counts its
# requests as crypto_nak_sent. NTPsec's ntpdig -k KEYFILE -a 1 must verify the MAC of tempusd's
# answer from 127.0.0.2:123.
#
# Client side: a chronyd server (127.0.0.9:11124, local stratum 8) holds key 1. tempusd "good"
# polls it with `key 1` and must synchronize (stratum 9 by `tempus query`); tempusd "bad" polls
# it with a key 1 of another secret and must not synchronize (chronyd drops a request whose MAC
# fails, silently: no reply to count). tempusd "nak" polls the tempusd server above with a key 4
# of another secret: it gets crypto-NAKs, takes none, counts them on its /metrics
# (tempus_source_auth_failures_total) and does not synchronize.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -x "${TEMPUSD:-}" ] || interop_skip "TEMPUSD not built"
[ -x "${TEMPUS:-}" ] || interop_skip "TEMPUS not built"
interop_init "$@"
w=$INTEROP_WORK

metric() {  # metric ADDR:PORT NAME-WITH-LABELS: one sample value from tempusd's /metrics
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, urllib.request
url, want = sys.argv[1], sys.argv[2]
try:
    body = urllib.request.urlopen("http://%s/metrics" % url, timeout=2).read().decode()
except Exception:
    sys.exit(1)
for line in body.splitlines():
    if line.startswith(want + " "):
        print(line.split()[-1])
        sys.exit(0)
sys.exit(1)
PY
}

# --- tempusd as the server, chronyd as the authenticating client ------------------------------
cat >"$w/server.keys" <<EOF2
1 MD5 tempusTestKey1
2 SHA1 0123456789abcdef0123456789abcdef01234567
3 AES128CMAC 000102030405060708090a0b0c0d0e0f
4 MD5 theServerSecret
EOF2
cat >"$w/server.conf" <<EOF2
keys $w/server.keys
trustedkey 1-4
EOF2
interop_start_tempusd server -c "$w/server.conf" --clock=virtual --virtual-offset=0.05 --stratum=3 \
  --metrics=127.0.0.2:19401 --listen=127.0.0.2:11123 --listen=127.0.0.3:11123 \
  --listen=127.0.0.4:11123 --listen=127.0.0.8:11123 --listen=127.0.0.2:123

cat >"$w/chrony-client.keys" <<EOF2
1 MD5 ASCII:tempusTestKey1
2 SHA1 HEX:0123456789abcdef0123456789abcdef01234567
3 AES128 HEX:000102030405060708090a0b0c0d0e0f
4 MD5 ASCII:notTheServerSecret
EOF2
chmod 600 "$w/chrony-client.keys"
interop_start_chrony_client chrony-client \
  "server 127.0.0.2 port 11123 iburst minpoll 4 maxpoll 4 key 1" \
  "server 127.0.0.3 port 11123 iburst minpoll 4 maxpoll 4 key 3" \
  "server 127.0.0.4 port 11123 iburst minpoll 4 maxpoll 4 key 2" \
  "server 127.0.0.8 port 11123 iburst minpoll 4 maxpoll 4 key 4" \
  "keyfile $w/chrony-client.keys"
interop_check_guards "$INTEROP_PID"

# --- chronyd as the server, tempusd as the authenticating client -------------------------------
cat >"$w/chrony-server.keys" <<EOF2
1 MD5 ASCII:chronyServerKey
EOF2
chmod 600 "$w/chrony-server.keys"
cat >"$w/chrony-server.conf" <<EOF2
port 11124
bindaddress 127.0.0.9
bindacqaddress 127.0.0.9
allow 127.0.0.0/8
local stratum 8
keyfile $w/chrony-server.keys
cmdport 0
bindcmdaddress $w/chrony-server.sock
pidfile $w/chrony-server.pid
EOF2
interop_spawn chrony-server "$CHRONYD" -x -d -u root -f "$w/chrony-server.conf"
interop_wait_udp "$INTEROP_PID" 127.0.0.9 11124
interop_check_guards "$INTEROP_PID"

printf '1 MD5 chronyServerKey\n' >"$w/good.keys"
printf '1 MD5 someOtherSecret\n' >"$w/bad.keys"
printf '4 MD5 notTheServerSecret\n' >"$w/nak.keys"
for who in good bad; do
  cat >"$w/$who.conf" <<EOF2
server 127.0.0.9 port 11124 iburst minpoll 4 maxpoll 4 key 1
keys $w/$who.keys
trustedkey 1
EOF2
done
cat >"$w/nak.conf" <<EOF2
server 127.0.0.8 port 11123 iburst minpoll 4 maxpoll 4 key 4
keys $w/nak.keys
trustedkey 4
EOF2
interop_start_tempusd good -c "$w/good.conf" --clock=virtual --virtual-offset=0.3 \
  --listen=127.0.0.10:11125 --metrics=127.0.0.10:19402
interop_start_tempusd bad -c "$w/bad.conf" --clock=virtual --virtual-offset=0.3 \
  --listen=127.0.0.11:11126 --metrics=127.0.0.11:19403
interop_start_tempusd nak -c "$w/nak.conf" --clock=virtual --virtual-offset=0.3 \
  --listen=127.0.0.12:11127 --metrics=127.0.0.12:19404

# --- wait (bounded) until chronyd selected tempusd and tempusd "good" is synchronized ---------
INTEROP_OWN+=(query)
done_=0
for _ in $(seq 1 45); do
  sleep 1
  interop_run chrony-sources 5 "$CHRONYC" -c -n -h "$w/chrony-client.sock" sources || true
  interop_run query 10 "$TEMPUS" query --json --samples 1 --timeout 1 127.0.0.10:11125 || true
  st=$(interop_json_field "$w/query.out" 127.0.0.10:11125 stratum 2>/dev/null || echo none)
  if grep -q '^\^,\*,127\.0\.0\.[234],' "$w/chrony-sources.out" && [ "$st" = 9 ]; then
    done_=1
    break
  fi
done
interop_log "chronyc sources:"$'\n'"$(cat "$w/chrony-sources.out")"
[ $done_ = 1 ] || interop_fail "chronyd did not select tempusd, or tempusd (key 1) did not sync to chronyd, within 45 s"

interop_run chrony-authdata 5 "$CHRONYC" -n -h "$w/chrony-client.sock" authdata || interop_fail "chronyc authdata failed"
interop_run chrony-authdata-csv 5 "$CHRONYC" -c -n -h "$w/chrony-client.sock" authdata || true
interop_log "chronyc authdata:"$'\n'"$(cat "$w/chrony-authdata.out")"
# Columns: Name/IP address, Mode, KeyID, Type, KLen (bits), Last, Atmp, NAK, Cook, CLen. chrony 4.3
# prints the type as its hash id: 1 MD5, 2 SHA1, 13 AES128 (CMAC).
ad() { awk -v n="$1" '$1 == n { print $2 "," $3 "," $4 "," $5 }' "$w/chrony-authdata.out"; }
interop_expect_eq "authdata 127.0.0.2: mode,key,type,bits" "$(ad 127.0.0.2)" SK,1,1,112
interop_expect_eq "authdata 127.0.0.3: mode,key,type,bits" "$(ad 127.0.0.3)" SK,3,13,128
interop_expect_eq "authdata 127.0.0.4: mode,key,type,bits" "$(ad 127.0.0.4)" SK,2,2,160

# chronyc -c ntpdata: field 29 is "Authenticated" (Yes/No); 32-34 total RX, valid RX, good RX.
for a in 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.8; do
  interop_run "ntpdata-$a" 5 "$CHRONYC" -c -n -h "$w/chrony-client.sock" ntpdata "$a" || true
  interop_log "chronyc ntpdata $a: $(head -n 1 "$w/ntpdata-$a.out")"
done
interop_run ntpdata-text 5 "$CHRONYC" -n -h "$w/chrony-client.sock" ntpdata 127.0.0.2 || true
interop_log "chronyc ntpdata 127.0.0.2 (text):"$'\n'"$(grep -E 'Remote address|Authenticated|Total (RX|valid)|Stratum' "$w/ntpdata-text.out")"
nd() { head -n 1 "$w/ntpdata-$1.out" | cut -d, -f"$2"; }
auth_col=$(awk -F': *' '/^Authenticated/ { print $2 }' "$w/ntpdata-text.out")
interop_expect_eq "chronyd: replies of tempusd (key 1) authenticated" "$auth_col" Yes
for a in 127.0.0.2 127.0.0.3 127.0.0.4; do
  interop_expect_eq "chronyd: $a every reply valid (RX = valid RX)" "$(nd "$a" 33)" "$(nd "$a" 32)"
done
[ "$(nd 127.0.0.8 33)" = 0 ] || interop_expect_eq "chronyd: no valid reply with the wrong key 4" "$(nd 127.0.0.8 33)" 0
interop_expect_eq "chronyd: the wrong-key source 127.0.0.8 is unusable, reach 0" \
  "$(awk -F, '$3 == "127.0.0.8" { print $2 "," $6 }' "$w/chrony-sources.out")" "?,0"

naks=$(metric 127.0.0.2:19401 'tempus_server_drops_total{reason="crypto_nak_sent"}' || echo none)
interop_log "tempusd server: crypto_nak_sent=$naks replies=$(metric 127.0.0.2:19401 tempus_server_replies_total || echo none)"
awk -v n="$naks" 'BEGIN { exit !(n + 0 >= 1) }' || interop_expect_eq "tempusd counted crypto-NAKs for key 4" "$naks" ">=1"

# NTPsec's ntpdig with the same MD5 key (its key file is ntp.keys(5), like tempus's).
printf '1 MD5 tempusTestKey1\n' >"$w/ntpdig.keys"
if interop_run ntpdig-auth 20 "$INTEROP_PY" "$NTPDIG" -d -k "$w/ntpdig.keys" -a 1 -p 1 -t 2 127.0.0.2; then
  interop_log "ntpdig -a 1: $(grep -iE 'auth|MAC|s[0-9]+ ' "$w/ntpdig-auth.out" | tr '\n' '|')"
  grep -q 'MAC verification on reply from 127.0.0.2 succeeded' "$w/ntpdig-auth.out" ||
    interop_expect_eq "ntpdig -a 1: MAC verified" missing present
  grep -q ' s3 ' "$w/ntpdig-auth.out" || interop_expect_eq "ntpdig -a 1: stratum 3 answer" missing present
else
  interop_expect_eq "ntpdig -k -a 1 got an authenticated answer" failed ok
  interop_log "ntpdig output: $(tr '\n' '|' < "$w/ntpdig-auth.out")"
fi

# --- tempusd as the client ---------------------------------------------------------------------
interop_log "tempus query good: $(tr -d '\n' < "$w/query.out")"
interop_expect_eq "tempusd with the right key synchronized to chronyd (stratum)" "$st" 9
good_fail=$(metric 127.0.0.10:19402 'tempus_source_auth_failures_total{source="127.0.0.9:11124"}' || echo none)
good_ok=$(metric 127.0.0.10:19402 'tempus_source_replies_total{source="127.0.0.9:11124"}' || echo none)
interop_log "tempusd good: replies=$good_ok auth_failures=$good_fail"
interop_expect_eq "tempusd good: no auth failure" "$good_fail" 0
interop_run query-bad 10 "$TEMPUS" query --json --samples 1 --timeout 1 127.0.0.11:11126 || true
bad_st=$(interop_json_field "$w/query-bad.out" 127.0.0.11:11126 stratum 2>/dev/null || echo none)
bad_fail=$(metric 127.0.0.11:19403 'tempus_source_auth_failures_total{source="127.0.0.9:11124"}' || echo none)
bad_ok=$(metric 127.0.0.11:19403 'tempus_source_replies_total{source="127.0.0.9:11124"}' || echo none)
interop_log "tempusd bad: stratum=$bad_st replies=$bad_ok auth_failures=$bad_fail"
interop_log "tempusd bad log: $(tail -n 5 "$w/bad.log" | tr '\n' '|')"
interop_expect_eq "tempusd with the wrong key is not synchronized" "$bad_st" None
interop_expect_eq "tempusd bad: no reply taken" "$bad_ok" 0
bad_sent=$(metric 127.0.0.11:19403 'tempus_source_requests_total{source="127.0.0.9:11124"}' || echo none)
awk -v n="$bad_sent" 'BEGIN { exit !(n + 0 >= 2) }' || interop_expect_eq "tempusd bad: requests sent" "$bad_sent" ">=2"
interop_run query-nak 10 "$TEMPUS" query --json --samples 1 --timeout 1 127.0.0.12:11127 || true
nak_st=$(interop_json_field "$w/query-nak.out" 127.0.0.12:11127 stratum 2>/dev/null || echo none)
nak_fail=$(metric 127.0.0.12:19404 'tempus_source_auth_failures_total{source="127.0.0.8:11123"}' || echo none)
nak_ok=$(metric 127.0.0.12:19404 'tempus_source_replies_total{source="127.0.0.8:11123"}' || echo none)
interop_log "tempusd nak: stratum=$nak_st replies=$nak_ok auth_failures=$nak_fail"
interop_expect_eq "tempusd nak is not synchronized" "$nak_st" None
interop_expect_eq "tempusd nak: no reply taken" "$nak_ok" 0
awk -v n="$nak_fail" 'BEGIN { exit !(n + 0 >= 1) }' || interop_expect_eq "tempusd nak: crypto-NAKs counted" "$nak_fail" ">=1"
