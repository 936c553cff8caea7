#!/usr/bin/env bash
# Bad command-line values give one clear line on stderr and a non-zero exit, never a crash.
set -u
fails=0
checks=0
# expect EXIT_CODE PATTERN CMD...: runs CMD (at most 10 s: a value that makes it run forever is a
# failure, not a hung test), checks the status and that stderr matches PATTERN in one line (at
# most MAX_LINES lines of stderr in all, 1 unless set, and at most 1000 characters: hostile input
# is cut, not echoed whole).
expect() {
  local want=$1 pattern=$2
  shift 2
  local err rc cmd="$*"
  checks=$((checks + 1))
  err=$(timeout -k 2 10 "$@" 2>&1 >/dev/null) && rc=0 || rc=$?
  if [ "$rc" != "$want" ] || ! grep -qE -- "$pattern" <<<"$err" || [ "$(grep -c . <<<"$err")" -gt "${MAX_LINES:-1}" ] ||
    [ "${#err}" -gt 1000 ]; then
    echo "FAIL: ${cmd:0:200} -> exit $rc (want $want), stderr: ${err:0:2000}"
    fails=$((fails + 1))
  else
    echo "ok: ${cmd:0:200} -> $rc: ${err:0:300}"
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
expect 1 "^tempus query: --ca and --noval go with --nts$" "$TEMPUS" query --noval 127.0.0.1
expect 1 "--ca: File does not exist: /nonexistent" "$TEMPUS" query --nts --ca /nonexistent 127.0.0.1

# An empty path or value (a script's unset variable) is an error, never a daemon with defaults.
# (--listen keeps a daemon that would start anyway off 0.0.0.0:123.)
run=(--listen 127.0.0.1:12397 --clock virtual --duration 2)
expect 1 "^tempusd: --check-config: expected a configuration file, got an empty string$" "$TEMPUSD" --check-config "" "${run[@]}"
expect 1 "^tempusd: --config: expected a configuration file, got an empty string$" "$TEMPUSD" -c "" "${run[@]}"
expect 1 "^tempusd: --user: expected a user name, got an empty string$" "$TEMPUSD" -u "" "${run[@]}"
expect 1 "^tempusd: --metrics: expected an address" "$TEMPUSD" --metrics "" "${run[@]}"
expect 1 "^tempus: --csv: expected a file name" "$TEMPUS" sim --csv "" /dev/null
# NaN, infinities and out-of-range numbers are errors for every numeric flag (one shared check).
for v in nan inf -inf 1e300 1e400; do
  expect 1 "^tempusd: --virtual-offset: expected a number -1000000000..1000000000, got '$v'$" "$TEMPUSD" --virtual-offset="$v" "${run[@]}"
  expect 1 "^tempus: --timeout: expected a number 0.01..60, got '$v'$" "$TEMPUS" query --timeout="$v" 127.0.0.1:12397
done
expect 1 "^tempusd: --duration: expected a number 0..1000000000, got 'nan'$" "$TEMPUSD" --listen 127.0.0.1:12397 --clock virtual --duration nan
expect 1 "^tempusd: --virtual-freq: expected a number -100000..100000, got 'nan'$" "$TEMPUSD" --virtual-freq nan "${run[@]}"
expect 1 "^tempusd: --orphan-wait: expected a number 0..86400, got 'nan'$" "$TEMPUSD" --orphan-wait nan "${run[@]}"
expect 1 "^tempus: --virtual-freq: expected a number" "$TEMPUS" sync --clock virtual --virtual-freq nan 127.0.0.1:12397
expect 1 "^tempus: --interval: expected a number 0..60, got 'inf'$" "$TEMPUS" query --interval inf 127.0.0.1:12397
expect 1 "^tempus: --watch: expected a number 0.1..86400, got 'nan'$" "$TEMPUS" peers --watch nan 127.0.0.1:12397
expect 1 "^tempus: --watch: expected a number 0.1..3600, got 'inf'$" "$TEMPUS" cluster --watch inf 127.0.0.1:12397
expect 1 "^tempus: --duration: expected a number 0..10000000, got 'nan'$" "$TEMPUS" cluster --watch 1 --duration nan 127.0.0.1:12397
expect 1 "^tempus cluster: --max-skew: expected a duration such as 1ms, got 'nan'$" "$TEMPUS" cluster --max-skew nan 127.0.0.1:12397
expect 1 "^tempus: --seed: expected an integer 0..18446744073709551615, got '-1'$" "$TEMPUS" sim --seed -1 /dev/null

# A 100,000-character argument is cut in the message, whatever echoes it.
long=$(printf 'a%.0s' $(seq 100000))
cut="a{80}\\.\\.\\."
expect 1 "^tempus query: cannot resolve '$cut': " "$TEMPUS" query "$long"
expect 1 "^tempus peers: cannot resolve '$cut': " "$TEMPUS" peers "$long"
expect 1 "^tempus: --clock: a+\\.\\.\\.$" "$TEMPUS" query --clock "$long" 127.0.0.1
expect 1 "^tempusd: --server $cut: cannot resolve '$cut': " "$TEMPUSD" --server "$long" "${run[@]}"
expect 1 "^tempus: --timeout: expected a number 0.01..60, got '1{80}\\.\\.\\.'$" "$TEMPUS" query -t "${long//a/1}" 127.0.0.1
conf=$(mktemp)
printf 'sever 127.0.0.2\nserver 127.0.0.2 minpoll fast\n' >"$conf"
# A config reports every error in one pass: both lines, then the count.
# --check-config prints as a compiler does: no time stamp, no "tempusd[PID]:" (docs/tempusd.md).
MAX_LINES=3 expect 1 "^$conf:1:1: expected a directive, got 'sever' \(did you mean 'server'\?\)$" "$TEMPUSD" --check-config "$conf"
MAX_LINES=3 expect 1 "$conf:2:26: expected poll exponent 3..17 after 'minpoll', got 'fast'" "$TEMPUSD" -c "$conf"
# A leapfile that cannot be read is reported by name; the daemon would run without a leap table.
printf 'server 127.0.0.2\nleapfile /nonexistent/leap-seconds.list\n' >"$conf"
MAX_LINES=2 expect 0 "^/nonexistent/leap-seconds.list: cannot read the leap seconds file: .*No such file" "$TEMPUSD" --check-config "$conf"
MAX_LINES=2 expect 0 "leapfile /nonexistent/leap-seconds.list: not used; running without a leap table" "$TEMPUSD" --check-config "$conf"
# Debian's tzdata copy parses and its hash verifies (it may have expired: then a warning line more).
if [ -r /usr/share/zoneinfo/leap-seconds.list ]; then
  printf 'leapfile /usr/share/zoneinfo/leap-seconds.list\n' >"$conf"
  MAX_LINES=2 expect 0 "leapfile /usr/share/zoneinfo/leap-seconds.list: TAI-UTC 37 s, [0-9]+ entries up to 201701010000, expires [0-9]{12}, hash verified" "$TEMPUSD" --check-config "$conf"
fi
rm -f "$conf"
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
