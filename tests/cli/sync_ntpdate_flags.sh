#!/usr/bin/env bash
# `tempus sync` takes ntpdate's flags with ntpdate's meaning (ntpdate(8)), each checked by its
# effect on loopback: -q and -d never change a clock (the system clock is asked for, under
# CAP_SYS_TIME dropped and the noclock.so guard that logs any clock write; the same run without
# -q is the control that tries one), -q prints ntpdate's lines, -d every request and reply, -v
# a line per server, -s nothing on stdout, -p the number of requests, -t the wait for each reply,
# -o the request's version (the server answers in it), -k/-a sign the requests with the key and
# accept only signed replies (a server with `restrict default notrust` answers only then; a server
# that does not know the key sends a crypto-NAK), -4/-6 the address family, -u requests from an
# unprivileged port (a Python responder records the port).
set -u
here=$(dirname "$0")
srv=127.0.0.41:12341
auth=127.0.0.42:12342
silent=127.0.0.43:12343
fake=127.0.0.44:12344
. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
tempus_test_init  # $work and pids, cleaned up at exit; tempus_check's counters
tmp=$work

printf '1 MD5 tempus-test-key\n2 SHA1 0123456789abcdef0123456789abcdef01234567\n' >"$tmp/ntp.keys"
printf '1 MD5 another-secret\n' >"$tmp/wrong.keys"
chmod 600 "$tmp"/*.keys
# The plain server also listens on ::1 when this machine has IPv6 loopback.
v6=""
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
  v6="[::1]:12341"
fi
printf 'keys %s\ntrustedkey 1 2\n' "$tmp/ntp.keys" >"$tmp/plain.conf"
"$TEMPUSD" -c "$tmp/plain.conf" --clock=virtual --virtual-offset=0.25 --listen "$srv" ${v6:+--listen "$v6"} \
  --stratum 3 --duration 90 2>"$tmp/plain.log" &
pids+=($!)
printf 'keys %s\ntrustedkey 1\nrestrict default notrust\n' "$tmp/ntp.keys" >"$tmp/auth.conf"
"$TEMPUSD" -c "$tmp/auth.conf" --clock=virtual --listen "$auth" --stratum 2 --duration 90 2>"$tmp/auth.log" &
pids+=($!)
ready=$tmp/ready
# A UDP socket that never answers, and a minimal NTP responder that records each request's source
# port and version (both bounded: they exit after 90 s).
python3 - "$ready" "$tmp/ports" <<'PY' &
import socket, struct, sys, time
silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); silent.bind(("127.0.0.43", 12343))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.44", 12344))
open(sys.argv[1], "w").close()
s.settimeout(1)
end = time.time() + 90
while time.time() < end:
    try:
        req, peer = s.recvfrom(2048)
    except socket.timeout:
        continue
    with open(sys.argv[2], "a") as f: f.write(f"{peer[1]}\n")
    now = time.time() + 2208988800
    ts = struct.pack("!II", int(now), int((now % 1) * 2**32))
    vn = (req[0] >> 3) & 7
    reply = bytes([(vn << 3) | 4, 2, 6, 0xEC]) + bytes(8) + b"GPS\0" + ts + req[40:48] + ts + ts
    s.sendto(reply, peer)
PY
pids+=($!)
for _ in $(seq 1 50); do "$TEMPUS" query -n 1 -t 0.1 "$srv" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 1 300); do [ -e "$ready" ] && break; sleep 0.1; done

# run NAME ARGS...: tempus sync ARGS (at most 20 s); stdout in $tmp/NAME.out, stderr in .err,
# the exit status in $rc.
run() {
  local name=$1
  shift
  rc=0
  timeout -k 2 20 "$TEMPUS" sync "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}
# field NAME EXPR: a Python expression on the JSON output `d` of run NAME.
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/$1.out" "$2" 2>/dev/null; }

# -q and -d: never a clock write, even when the system clock is asked for.
noclock=$tmp/noclock.so
if cc -O2 -shared -fPIC -o "$noclock" "$here/../interop/noclock.c" -ldl 2>"$tmp/cc.err"; then
  guarded() {
    local name=$1
    shift
    rc=0
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
    NOCLOCK_LOG=$tmp/$name.noclock LD_PRELOAD=$noclock timeout -k 2 20 \
      setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
      "$TEMPUS" sync "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  }
  guarded control --clock=system "$srv"
  tempus_check "control: without -q, --clock=system tries to slew (exit 6, one write blocked)" \
    "[ $rc = 6 ] && grep -q BLOCKED $tmp/control.noclock"
  guarded q -q --clock=system "$srv"
  tempus_check "-q --clock=system: exit 0, no clock write" "[ $rc = 0 ] && [ ! -s $tmp/q.noclock ]"
  tempus_check "-q: ntpdate's server line" "grep -Eq '^server 127.0.0.41:12341, stratum 3, offset 0\.2[45][0-9]+, delay 0\.[0-9]{5}$' $tmp/q.out"
  tempus_check "-q: ntpdate's last line (adjust: below 0.5 s)" \
    "grep -Eq '^ ?[0-9]+ [A-Z][a-z]{2} [0-9:]{8} tempus\[[0-9]+\]: adjust time server 127.0.0.41:12341 offset 0\.2[45][0-9]+ sec$' $tmp/q.out"
  guarded d -d --clock=system -p 2 "$srv"
  tempus_check "-d --clock=system: exit 0, no clock write" "[ $rc = 0 ] && [ ! -s $tmp/d.noclock ]"
  tempus_check "-d: every request and reply told (2 + 2)" \
    "[ \$(grep -c '^transmit 127.0.0.41:12341' $tmp/d.out) = 2 ] && [ \$(grep -c '^receive 127.0.0.41:12341: offset' $tmp/d.out) = 2 ]"
else
  echo "skip: no C compiler for noclock.so: -q/-d with --clock=system not checked"
fi

run v -v "$srv"
tempus_check "-v: a line per server, then the result" \
  "[ $rc = 0 ] && grep -q '^server 127.0.0.41:12341, stratum 3' $tmp/v.out && grep -q '^offset +0.2.* agreed by 1 of 1' $tmp/v.out"
run s -s "$srv"
tempus_check "-s: exit 0 and nothing on stdout or stderr (it went to syslog)" "[ $rc = 0 ] && [ ! -s $tmp/s.out ] && [ ! -s $tmp/s.err ]"

run p --json -p 3 "$srv"
tempus_check "-p 3: three requests" "[ $rc = 0 ] && [ \"\$(field p 'd[\"servers\"][0][\"samples_sent\"]')\" = 3 ]"
run p1 --json -p 1 "$srv"
tempus_check "-p 1: one request" "[ \"\$(field p1 'd[\"servers\"][0][\"samples_sent\"]')\" = 1 ]"
run p9 -p 0 "$srv"
tempus_check "-p 0: usage error" "[ $rc = 1 ]"

run t1 --json -p 2 -t 0.2 "$silent"
tempus_check "-t 0.2 against a silent server: exit 3 after 2 requests, waiting 0.2 s each" \
  "[ $rc = 3 ] && [ \"\$(field t1 'd[\"servers\"][0][\"samples_sent\"]')\" = 2 ] && grep -q 'within 0.200000 s' $tmp/t1.out"
run t2 --json -p 1 -t 0.5 "$silent"
tempus_check "-t 0.5: the wait said is 0.5 s" "[ $rc = 3 ] && grep -q 'within 0.500000 s' $tmp/t2.out"

for v in 2 3 4; do
  run o$v --json -o $v "$srv"
  tempus_check "-o $v: the server answers in version $v" "[ $rc = 0 ] && [ \"\$(field o$v 'd[\"servers\"][0][\"version\"]')\" = $v ]"
done
run o5 -o 5 "$srv"
tempus_check "-o 5: usage error" "[ $rc = 1 ]"

run noauth --json -p 1 -t 0.3 "$auth"
tempus_check "notrust server, no key: no answer (exit 3)" "[ $rc = 3 ]"
run a1 --json -p 2 -k "$tmp/ntp.keys" -a 1 "$auth"
tempus_check "-k FILE -a 1: answered, authenticated" \
  "[ $rc = 0 ] && [ \"\$(field a1 'd[\"servers\"][0][\"authenticated\"]')\" = True ]"
run a2 --json -p 1 -k "$tmp/ntp.keys" -a 2 "$srv"
tempus_check "-a 2 (SHA1): authenticated" "[ $rc = 0 ] && [ \"\$(field a2 'd[\"servers\"][0][\"authenticated\"]')\" = True ]"
run plain --json -p 1 "$srv"
tempus_check "no -a: not authenticated" "[ $rc = 0 ] && [ \"\$(field plain 'd[\"servers\"][0][\"authenticated\"]')\" = False ]"
run wrong -p 1 -t 0.5 -k "$tmp/wrong.keys" -a 1 "$srv"
tempus_check "-a 1 with another secret: the server's crypto-NAK, exit 4" "[ $rc = 4 ] && grep -q 'crypto-NAK' $tmp/wrong.err"
run missing -k "$tmp/ntp.keys" -a 7 "$srv"
tempus_check "-a 7 not in the file: exit 1, says so" "[ $rc = 1 ] && grep -q 'no key 7' $tmp/missing.err"
run nofile -k "$tmp/none.keys" -a 1 "$srv"
tempus_check "-k a missing file: exit 1" "[ $rc = 1 ]"
run unsigned --json -p 1 -t 0.3 -k "$tmp/ntp.keys" -a 1 "$fake"
tempus_check "-a 1 against a server that does not sign: its replies are refused" \
  "[ $rc != 0 ] && [ \"\$(field unsigned 'd[\"servers\"][0][\"samples_good\"]')\" = 0 ]"

run four -4 -p 1 "$srv"
tempus_check "-4 with an IPv4 address: exit 0" "[ $rc = 0 ]"
run six -6 -p 1 "$srv"
tempus_check "-6 with an IPv4 address: no IPv6 address, exit 1" "[ $rc = 1 ]"
run both -4 -6 "$srv"
tempus_check "-4 and -6 together: usage error" "[ $rc = 1 ]"
run name4 --json -4 -p 1 localhost:12341
tempus_check "-4 localhost: 127.0.0.1" "[ \"\$(field name4 'd[\"servers\"][0][\"address\"]')\" = 127.0.0.1 ]"
if [ -n "$v6" ]; then
  run v6 --json -6 -p 1 "$v6"
  tempus_check "-6 [::1]: answered over IPv6" "[ $rc = 0 ] && [ \"\$(field v6 'd[\"servers\"][0][\"address\"]')\" = ::1 ]"
  run v6on4 -4 -p 1 "$v6"
  tempus_check "-4 [::1]: no IPv4 address, exit 1" "[ $rc = 1 ]"
fi

: >"$tmp/ports"
run u -u -p 2 "$fake"
tempus_check "-u: answered (exit 0)" "[ $rc = 0 ]"
tempus_check "-u: requests from an unprivileged port" "[ -s $tmp/ports ] && awk '\$1 < 1024 { bad = 1 } END { exit bad }' $tmp/ports"
run bu -bu -p 1 "$srv"
tempus_check "-bu (ntpdate's bundled flags): exit 0, would step" "[ $rc = 0 ] && grep -q 'would step' $tmp/bu.out"

[ "$tempus_fails" -eq 0 ] || tempus_dump_tails 20 "$tmp"/*.out "$tmp"/*.err
tempus_checks_done
