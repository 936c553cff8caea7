#!/usr/bin/env bash
# Bad input, one clear message each: a port in use, a missing or unreadable configuration,
# `clock system` without CAP_SYS_TIME (checked under setpriv and the noclock.so guard, which
# would log any clock write: the daemon must exit before trying), an unresolvable pool (warned,
# retried with back-off, the daemon keeps serving), and a pool address that stays unreachable
# (replaced, the pool looked up again). The garbage driftfile is in driftfile_restart.sh.
source "$(dirname "$0")/lib.sh"
cluster_init "$@"

# run_bad NAME ARGS...: runs tempusd (at most 10 s), which must exit 1; output in $WORK/NAME.log.
run_bad() {
  local name=$1 rc=0
  shift
  timeout -k 2 10 "$TEMPUSD" "$@" >"$CLUSTER_WORK/$name.log" 2>&1 </dev/null || rc=$?
  cluster_expect "$name: exit status 1 (got $rc)" test $rc = 1
  cluster_log "$name says: $(grep -v '^$' "$CLUSTER_WORK/$name.log" | tail -n 1)"
}

# Port in use.
cluster_start holder 127.0.0.2 --clock virtual
run_bad port_in_use --clock virtual --listen 127.0.0.2:$CLUSTER_PORT
cluster_expect "port in use: one clear line" grep -q "cannot listen on 127.0.0.2:$CLUSTER_PORT: .*Address already in use" "$CLUSTER_WORK/port_in_use.log"

# Missing and unreadable configuration.
run_bad missing_conf -c "$CLUSTER_WORK/nope.conf" --listen 127.0.0.3:$CLUSTER_PORT
cluster_expect "missing config: names the file" grep -q "$CLUSTER_WORK/nope.conf" "$CLUSTER_WORK/missing_conf.log"
run_bad dir_conf -c "$CLUSTER_WORK" --listen 127.0.0.3:$CLUSTER_PORT
cluster_expect "unreadable config: names the file" grep -q "$CLUSTER_WORK" "$CLUSTER_WORK/dir_conf.log"

# clock system without CAP_SYS_TIME: the message, exit 1, and no clock write attempted.
noclock=$CLUSTER_WORK/noclock.so
if cc -O2 -shared -fPIC -o "$noclock" "$(dirname "$0")/../interop/noclock.c" -ldl 2>"$CLUSTER_WORK/cc.err"; then
  rc=0
  # verify_asan_link_order=0: a sanitizer build accepts the guard preloaded ahead of its runtime.
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
  NOCLOCK_LOG=$CLUSTER_WORK/noclock.log LD_PRELOAD=$noclock timeout -k 2 10 \
    setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
    "$TEMPUSD" --clock system --listen 127.0.0.4:$CLUSTER_PORT >"$CLUSTER_WORK/no_sys_time.log" 2>&1 || rc=$?
  cluster_expect "clock system without CAP_SYS_TIME: exit 1 (got $rc)" test $rc = 1
  cluster_log "no_sys_time says: $(tail -n 1 "$CLUSTER_WORK/no_sys_time.log")"
  cluster_expect "clock system without CAP_SYS_TIME: says so" grep -q "clock system needs CAP_SYS_TIME" "$CLUSTER_WORK/no_sys_time.log"
  cluster_expect "clock system without CAP_SYS_TIME: never tried to write the clock" test ! -s "$CLUSTER_WORK/noclock.log"
else
  cluster_log "no C compiler for noclock.so: skipping the clock system check"
fi

# An unresolvable pool (only inside our own network namespace: no query may leave the machine).
if [ "$(readlink /proc/1/ns/net)" != "$(readlink /proc/self/ns/net)" ] 2>/dev/null || [ "$(id -u)" -eq 0 ]; then
  conf=$(cluster_conf dns "clock virtual
pool nonexistent.invalid iburst minpoll 4 maxpoll 4 port $CLUSTER_PORT")
  cluster_start dns 127.0.0.5 -c "$conf"
  for _ in $(seq 1 100); do [ "$(cluster_count 'nonexistent.invalid: warning' dns)" -ge 2 ] && break; sleep 0.2; done
  cluster_expect "unresolvable pool warned twice (with back-off)" test "$(cluster_count 'nonexistent.invalid: warning' dns)" -ge 2
  cluster_log "dns says: $(grep 'nonexistent.invalid: warning' "$CLUSTER_WORK/dns.log" | head -n 2 | tr '\n' '|')"
  cluster_expect "back-off doubles (4 s then 8 s)" \
    bash -c "grep 'nonexistent.invalid: warning' '$CLUSTER_WORK/dns.log' | head -n 2 | grep -c 'retrying in [48] s' | grep -qx 2"
  cluster_json dns 127.0.0.5
  cluster_expect "the daemon keeps serving meanwhile" test "$(cluster_field dns "doc['answered']")" = 1
  cluster_stop dns

  # A pool with one address that stays unreachable: tempus-pool.test is 127.0.0.7, .8 and .9 in
  # a private /etc/hosts (this test's mount namespace); .8 does not serve. With `tos maxclock 2`
  # the pool takes .7 and .8, and replaces .8 by .9 after 8 unanswered requests.
  printf '127.0.0.1 localhost\n127.0.0.7 tempus-pool.test\n127.0.0.8 tempus-pool.test\n127.0.0.9 tempus-pool.test\n' \
    >"$CLUSTER_WORK/hosts"
  if [ "$(readlink /proc/1/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && mount --bind "$CLUSTER_WORK/hosts" /etc/hosts &&
     [ "$(getent ahosts tempus-pool.test | awk '$2 == "DGRAM"' | wc -l)" = 3 ]; then
    cluster_start pool7 127.0.0.7 -c "$(cluster_conf pool7 $'clock virtual\nlocal stratum 1')"
    cluster_start pool9 127.0.0.9 -c "$(cluster_conf pool9 $'clock virtual offset 0.0001\nlocal stratum 1')"
    cluster_start pool 127.0.0.6 -c "$(cluster_conf pool "clock virtual
tos maxclock 2
pool tempus-pool.test iburst minpoll 4 maxpoll 4 port $CLUSTER_PORT")"
    for _ in $(seq 1 80); do grep -q "association with 127.0.0.9" "$CLUSTER_WORK/pool.log" && break; sleep 0.5; done
    cluster_log "pool says: $(grep -E 'pool tempus-pool.test' "$CLUSTER_WORK/pool.log" | sed 's/^.*tempusd\[[0-9]*\]: //' | tr '\n' '|')"
    cluster_expect "pool took .7 and .8 first" test "$(grep -cE 'association with 127.0.0.[78]:' "$CLUSTER_WORK/pool.log")" = 2
    cluster_expect "unreachable pool address replaced" grep -q "127.0.0.8:$CLUSTER_PORT unreachable after 8 requests; replacing it" "$CLUSTER_WORK/pool.log"
    cluster_expect "replaced by .9" grep -q "association with 127.0.0.9:$CLUSTER_PORT" "$CLUSTER_WORK/pool.log"
    for _ in $(seq 1 40); do grep -q "source 127.0.0.9:$CLUSTER_PORT reachable" "$CLUSTER_WORK/pool.log" && break; sleep 0.5; done
    cluster_expect "the replacement is reachable" grep -q "source 127.0.0.9:$CLUSTER_PORT reachable" "$CLUSTER_WORK/pool.log"
  else
    cluster_log "cannot use a private /etc/hosts here: skipping the pool replacement check"
  fi
fi

# The keys file and restrict names, through --check-config and a start.
# check NAME CONF: tempusd --check-config (at most 10 s); status in $CLUSTER_WORK/NAME.rc.
check() {
  local rc=0
  timeout -k 2 10 "$TEMPUSD" --check-config "$2" >"$CLUSTER_WORK/$1.log" 2>&1 </dev/null || rc=$?
  echo $rc >"$CLUSTER_WORK/$1.rc"
  cluster_log "$1 says: $(grep -v '^$' "$CLUSTER_WORK/$1.log" | tr '\n' '|' | cut -c1-400)"
}
secret=0123456789abcdef0123456789abcdef01234567
printf '# keys\n1 MD5 tempus-secret # comment\n2 SHA1 %s\n' "$secret" >"$CLUSTER_WORK/good.keys"
printf '1 MD5 ok\n2 SHA1 %sz\n' "${secret:0:39}" >"$CLUSTER_WORK/bad.keys"
mkfifo "$CLUSTER_WORK/fifo.keys"
check keys_good "$(cluster_conf keys_good "clock virtual
keys $CLUSTER_WORK/good.keys
trustedkey 1 2 7
restrict default noquery
restrict localhost nomodify")"
cluster_expect "good keys file: --check-config exit 0" test "$(cat "$CLUSTER_WORK/keys_good.rc")" = 0
cluster_expect "good keys file: two keys" grep -q "2 key(s)" "$CLUSTER_WORK/keys_good.log"
cluster_expect "trustedkey 7 not in the file: warned" grep -q "warning: trustedkey 7 is not in the keys file" "$CLUSTER_WORK/keys_good.log"
cluster_expect "restrict localhost resolves: no warning" bash -c "! grep -q 'restrict localhost' '$CLUSTER_WORK/keys_good.log'"
cluster_expect "no secret in the output" bash -c "! grep -qE 'tempus-secret|$secret' '$CLUSTER_WORK/keys_good.log'"
check keys_bad "$(cluster_conf keys_bad "clock virtual
keys $CLUSTER_WORK/bad.keys")"
cluster_expect "bad hex: --check-config exit 1" test "$(cat "$CLUSTER_WORK/keys_bad.rc")" = 1
cluster_expect "bad hex: file:line:column" grep -q "$CLUSTER_WORK/bad.keys:2:47: expected hex digits" "$CLUSTER_WORK/keys_bad.log"
cluster_expect "bad hex: the key is not printed" bash -c "! grep -q '${secret:0:20}' '$CLUSTER_WORK/keys_bad.log'"
run_bad keys_bad_start -c "$CLUSTER_WORK/keys_bad.conf" --listen 127.0.0.10:$CLUSTER_PORT
check keys_fifo "$(cluster_conf keys_fifo "clock virtual
keys $CLUSTER_WORK/fifo.keys")"
cluster_expect "keys file is a FIFO: exit 1 without waiting for a writer" test "$(cat "$CLUSTER_WORK/keys_fifo.rc")" = 1
cluster_expect "keys file is a FIFO: says so" grep -q "not a regular file" "$CLUSTER_WORK/keys_fifo.log"
# A name that does not resolve: only inside our own network namespace (no query leaves the machine).
if [ "$(readlink /proc/1/ns/net)" != "$(readlink /proc/self/ns/net)" ]; then
  check restrict_unresolved "$(cluster_conf restrict_unresolved "clock virtual
restrict nonexistent.invalid noquery")"
  cluster_expect "restrict NAME unresolved: still OK" test "$(cat "$CLUSTER_WORK/restrict_unresolved.rc")" = 0
  cluster_expect "restrict NAME unresolved: warned with its place" \
    grep -q ":2:10: warning: restrict nonexistent.invalid: the name does not resolve" "$CLUSTER_WORK/restrict_unresolved.log"
fi

# restrict NAME is enforced: with `restrict default noquery` and `restrict localhost`, mode 6 is
# answered to 127.0.0.1 (localhost) and refused to 127.0.0.12.
cluster_start restrict_name 127.0.0.10 -c "$(cluster_conf restrict_name "clock virtual
restrict default noquery
restrict localhost")"
answers=$(python3 - "$CLUSTER_PORT" <<'PY'
import socket, struct, sys
port = int(sys.argv[1])
out = []
for src in ("127.0.0.1", "127.0.0.12"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(0.5)
    got = 0
    for seq in range(1, 4):  # bounded: three tries
        s.sendto(struct.pack("!BBHHHHH", 0x16, 1, seq, 0, 0, 0, 0), ("127.0.0.10", port))
        try:
            s.recv(2048)
            got = 1
            break
        except socket.timeout:
            pass
    out.append(f"{src}={got}")
print(" ".join(out))
PY
)
cluster_log "restrict localhost: mode 6 answers $answers"
cluster_expect "restrict localhost: 127.0.0.1 may query" grep -q "127.0.0.1=1" <<<"$answers"
cluster_expect "restrict default noquery: 127.0.0.12 may not" grep -q "127.0.0.12=0" <<<"$answers"
