#!/usr/bin/env bash
# Bad command-line values give one clear line on stderr and a non-zero exit, never a crash.
set -u
fails=0
# expect EXIT_CODE PATTERN CMD...: runs CMD, checks the status and that stderr matches PATTERN
# in one line (at most MAX_LINES lines of stderr in all, 1 unless set).
expect() {
  local want=$1 pattern=$2
  shift 2
  local err rc
  err=$("$@" 2>&1 >/dev/null) && rc=0 || rc=$?
  if [ "$rc" != "$want" ] || ! grep -qE -- "$pattern" <<<"$err" || [ "$(grep -c . <<<"$err")" -gt "${MAX_LINES:-1}" ]; then
    echo "FAIL: $* -> exit $rc (want $want), stderr: $err"
    fails=$((fails + 1))
  else
    echo "ok: $* -> $rc: $err"
  fi
}
expect 1 "port 99999 out of range" "$TEMPUSD" --listen 127.0.0.1:99999
expect 1 "--clock: foo not in" "$TEMPUSD" --clock=foo
expect 1 "minpoll 9 is above --maxpoll 6" "$TEMPUSD" --minpoll 9 --maxpoll 6
expect 1 "port 99999 out of range" "$TEMPUS" query 127.0.0.1:99999
expect 1 "--clock: foo not in" "$TEMPUS" query --clock=foo 127.0.0.1
expect 1 "cannot resolve 'no.such.host.invalid'" "$TEMPUS" query no.such.host.invalid
expect 1 "expected a duration" "$TEMPUS" cluster --max-skew 1parsec 127.0.0.1
expect 1 "samples" "$TEMPUS" query -n 0 127.0.0.1
conf=$(mktemp)
printf 'sever 127.0.0.2\nserver 127.0.0.2 minpoll fast\n' >"$conf"
# A config reports every error in one pass: both lines, then the count.
MAX_LINES=3 expect 1 "$conf:1:1: expected a directive, got 'sever' \(did you mean 'server'\?\)" "$TEMPUSD" --check-config "$conf"
MAX_LINES=3 expect 1 "$conf:2:26: expected poll exponent 3..17 after 'minpoll', got 'fast'" "$TEMPUSD" -c "$conf"
# A leapfile that cannot be read is reported by name; the daemon would run without a leap table.
printf 'server 127.0.0.2\nleapfile /nonexistent/leap-seconds.list\n' >"$conf"
MAX_LINES=2 expect 0 "/nonexistent/leap-seconds.list: cannot read the leap seconds file: .*No such file" "$TEMPUSD" --check-config "$conf"
MAX_LINES=2 expect 0 "leapfile /nonexistent/leap-seconds.list: not used; running without a leap table" "$TEMPUSD" --check-config "$conf"
checks=12
# Debian's tzdata copy parses and its hash verifies (it may have expired: then a warning line more).
if [ -r /usr/share/zoneinfo/leap-seconds.list ]; then
  printf 'leapfile /usr/share/zoneinfo/leap-seconds.list\n' >"$conf"
  MAX_LINES=2 expect 0 "leapfile /usr/share/zoneinfo/leap-seconds.list: TAI-UTC 37 s, [0-9]+ entries up to 201701010000, expires [0-9]{12}, hash verified" "$TEMPUSD" --check-config "$conf"
  checks=13
fi
rm -f "$conf"
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
