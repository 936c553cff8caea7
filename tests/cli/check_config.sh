#!/usr/bin/env bash
# --check-config and a start say what tempus does instead of every directive it does not act on
# (item 7: the directive status table), and load the stock CentOS 7 ntp.conf with warnings only
# when /etc/ntp/crypto/pw and /etc/ntp/keys do not exist (item 9, as ntpd), while a missing keys
# file that a `key N` needs is an error. No name is looked up, no packet leaves 127.0.0.1.
set -u
fails=0
checks=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# expect WHAT CONDITION...: counts a check.
expect() {
  local what=$1
  shift
  checks=$((checks + 1))
  if "$@"; then echo "ok: $what"; else
    echo "FAIL: $what"
    fails=$((fails + 1))
  fi
}
out=$work/out
conf=$work/ntp.conf
printf 'clock virtual\ntos ceiling 10 minsane 1\ntinker allan 11\nstatistics clockstats loopstats\nlimit average 1\nleapsmearinterval 3600\n' >"$conf"
rc=0
"$TEMPUSD" --check-config "$conf" >"$out" 2>&1 || rc=$?
cat "$out"
expect "unsupported knobs: --check-config exit 0" test "$rc" = 0
expect "tos ceiling: warned with its place and what tempus does instead" \
  grep -q "$conf:2:5: warning: 'tos ceiling': tempus takes sources of any stratum up to 15; ignored" "$out"
expect "tinker allan: warned" grep -q "$conf:3:8: warning: 'tinker allan':" "$out"
expect "statistics clockstats: warned" grep -q "$conf:4:12: warning: 'statistics clockstats': tempusd writes only peerstats and loopstats" "$out"
expect "limit average: warned" grep -q "$conf:5:7: warning: 'limit average':" "$out"
expect "leapsmearinterval: warned" grep -q "$conf:6:1: warning: 'leapsmearinterval':" "$out"
expect "the summary counts the 5 warnings" grep -q "5 warning(s)" "$out"
# At start, the same warnings (the daemon runs one second on an ephemeral loopback port).
"$TEMPUSD" -c "$conf" --listen 127.0.0.1:0 --duration 1 >"$out" 2>&1
expect "at start: the same warnings are logged" test "$(grep -c "warning: '" "$out")" = 5

centos=$(dirname "$0")/../config/testdata/centos7-ntp.conf
if [ -e /etc/ntp/crypto/pw ] || [ -e /etc/ntp/keys ]; then
  echo "skip: /etc/ntp/crypto/pw or /etc/ntp/keys exists here (the ntp package is installed)"
else
  rc=0
  "$TEMPUSD" --check-config "$centos" >"$out" 2>&1 || rc=$?
  cat "$out"
  expect "stock CentOS 7 ntp.conf without the ntp package: --check-config exit 0" test "$rc" = 0
  expect "its missing include is a warning" \
    grep -q "centos7-ntp.conf:36:13: warning: includefile '/etc/ntp/crypto/pw': no such file; skipped (as ntpd)" "$out"
  expect "its missing keys file is a warning" \
    grep -q "centos7-ntp.conf:40:1: warning: keys '/etc/ntp/keys': no such file" "$out"
  # With a key in use the missing keys file is an error, at --check-config and at start.
  sed 's/^server 0.centos.pool.ntp.org iburst$/server 127.0.0.1 key 4/' "$centos" >"$conf"
  rc=0
  "$TEMPUSD" --check-config "$conf" >"$out" 2>&1 || rc=$?
  cat "$out"
  expect "a 'key N' with the keys file missing: --check-config exit 1" test "$rc" = 1
  expect "the error names the key and its line" \
    grep -q "$conf:40:1: expected a keys file at '/etc/ntp/keys', got no such file; 'key 4' of 127.0.0.1 ($conf:21:8) need(s) its keys" "$out"
  rc=0
  grep -v '^server' "$conf" | sed 's/^keys/clock virtual\nserver 127.0.0.1 key 4\nkeys/' >"$work/start.conf"
  timeout 10 "$TEMPUSD" -c "$work/start.conf" --listen 127.0.0.1:0 --duration 1 >"$out" 2>&1 || rc=$?
  expect "a 'key N' with the keys file missing: the daemon does not start" test "$rc" = 1
fi
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
