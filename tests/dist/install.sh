#!/usr/bin/env bash
# dist.install: `cmake --install` into a scratch DESTDIR puts each file where GNUInstallDirs and
# systemd expect it (the Debian package is made from the same rules: scripts/package.sh).
set -euo pipefail
: "${BUILD_DIR:?}"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$BUILD_DIR" >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD_DIR/CMakeCache.txt")
sysconf=$([ "$prefix" = /usr ] && echo /etc || echo "$prefix/etc")
fail=0
for f in "$prefix/sbin/tempusd" "$prefix/bin/tempus" "$sysconf/tempus/ntp.conf" \
         "$prefix/lib/systemd/system/tempusd.service" "$prefix/lib/sysusers.d/tempus.conf" \
         "$prefix/lib/tmpfiles.d/tempus.conf" "$prefix/lib/systemd/ntp-units.d/60-tempus.list" \
         "$prefix/share/man/man8/tempusd.8" "$prefix/share/man/man1/tempus.1" \
         "$prefix/share/man/man5/tempus-ntp.conf.5" \
         "$prefix/share/bash-completion/completions/tempus" "$prefix/share/bash-completion/completions/tempusd" \
         "$prefix/share/doc/tempus/README.md" "$prefix/share/doc/tempus/ntp.conf.md"; do
  [ -e "$dest$f" ] || { echo "FAIL: not installed: $f"; fail=1; }
done
[ -x "$dest$prefix/sbin/tempusd" ] || { echo "FAIL: tempusd is not executable"; fail=1; }
# The unit starts the installed daemon with the installed configuration.
unit=$dest$prefix/lib/systemd/system/tempusd.service
grep -qx "ExecStart=$prefix/sbin/tempusd -c $sysconf/tempus/ntp.conf" "$unit" ||
  { echo "FAIL: ExecStart: $(grep ExecStart= "$unit")"; fail=1; }
(cd "$dest" && find . -type f | sort)
[ $fail -eq 0 ] && echo "dist.install: ok"
exit $fail
