#!/usr/bin/env bash
# dist.example_config: dist/ntp.conf, installed as /etc/tempus/ntp.conf, loads without an error
# or a warning, and says what the package promises: it steers the system clock from the Debian
# pool with iburst, keeps the driftfile in /var/lib/tempus, and serves time to everyone
# (limited, kod) but status and peering only to loopback.
set -euo pipefail
: "${TEMPUSD:?}" "${SOURCE_DIR:?}"
conf=$SOURCE_DIR/dist/ntp.conf
fail=0
out=$("$TEMPUSD" --check-config "$conf" 2>&1) || { echo "FAIL: --check-config exited non-zero"; fail=1; }
echo "$out"
# Every diagnostic is "file:line:column: ..."; the summary counts the warnings.
if grep -q ':[0-9]*:[0-9]*: ' <<<"$out" || ! grep -q ' 0 warning(s)' <<<"$out"; then
  echo "FAIL: --check-config reported a problem"
  fail=1
fi
for line in 'clock system' 'pool 2.debian.pool.ntp.org iburst' 'driftfile /var/lib/tempus/tempus.drift' \
            'restrict default nomodify noquery nopeer limited kod' 'restrict 127.0.0.1' 'restrict ::1'; do
  grep -qx -- "$line" "$conf" || { echo "FAIL: dist/ntp.conf has no line '$line'"; fail=1; }
done
[ $fail -eq 0 ] && echo "dist.example_config: ok"
exit $fail
