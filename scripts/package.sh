#!/usr/bin/env bash
# package.sh: builds the Debian package (debian/, dpkg-buildpackage: Debian's compiler flags)
# into OUT_DIR and checks it without ever installing it (its service would steer this machine's
# clock):
#
#   scripts/package.sh OUT_DIR        e.g. scripts/package.sh build-deb
#
#   1. copies the source tree (git's tracked and new files, or all but build*/ outside git) to a
#      scratch directory and runs `dpkg-buildpackage -b -uc -us` there, with warnings as errors
#      (TEMPUS_WERROR=ON; TEMPUS_WERROR=OFF in the environment turns that off) and the commit
#      of this checkout for --version;
#   2. lintian: fails on any error or warning not overridden (debian/tempus.lintian-overrides;
#      docs/packaging.md explains each remaining tag);
#   3. dpkg-deb -I and -c: the fields (Provides/Conflicts/Replaces time-daemon, the libraries
#      depended on), the conffile, the files where Debian expects them;
#   4. dpkg-deb -x into a scratch directory, then, with CAP_SYS_TIME dropped from every set:
#      tempusd --version, tempus --version, tempusd --check-config on the packaged
#      /etc/tempus/ntp.conf (no error, no warning), mandoc -Tlint on the packaged man pages.
#
# Leaves OUT_DIR/tempus_VERSION_ARCH.deb (and the -dbgsym package, .buildinfo, .changes,
# lintian.txt, contents.txt, info.txt). Exits non-zero if the build or any check failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: scripts/package.sh OUT_DIR}
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
nocap=(setpriv --bounding-set -sys_time --inh-caps -sys_time --)
fail=0
err() { echo "package.sh: FAIL: $*"; fail=1; }

version=$(sed -n 's/^project(tempus VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
deb_version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
if [ "$version" != "$deb_version" ]; then
  echo "package.sh: CMakeLists.txt says $version, debian/changelog $deb_version: add a changelog entry" >&2
  exit 1
fi
arch=$(dpkg --print-architecture)
deb=$out/tempus_${version}_${arch}.deb

# 1. Build in a copy: dpkg-buildpackage writes into debian/ and next to the tree.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tempus-$version"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  commit=$(git -C "$root" rev-parse --short=12 HEAD)
  [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ] && commit+=-dirty
  # (A deleted file that git still tracks is skipped: --ignore-failed-read.)
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
     tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
    tar -xf - -C "$work/tempus-$version"
else
  commit=unknown
  tar -C "$root" --exclude='./build*' -cf - . | tar -xf - -C "$work/tempus-$version"
fi
echo "===== dpkg-buildpackage (tempus $version, commit $commit)"
t0=$SECONDS
if ! (cd "$work/tempus-$version" &&
      TEMPUS_WERROR=${TEMPUS_WERROR:-ON} TEMPUS_GIT_COMMIT=$commit DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
      dpkg-buildpackage -b -uc -us >"$out/build.log" 2>&1); then
  tail -n 60 "$out/build.log"
  echo "package.sh: dpkg-buildpackage failed (whole log: $out/build.log)"
  exit 1
fi
echo "built in $((SECONDS - t0)) s (log: $out/build.log)"
rm -f "$out"/tempus*_"$version"_*.deb "$out"/tempus_"$version"_*.{buildinfo,changes}
mv "$work"/tempus*_"$version"_*.deb "$work"/tempus_"$version"_*.buildinfo "$work"/tempus_"$version"_*.changes "$out"/
ls -l "$out"/*.deb

# 2. lintian, on the .changes (the packages and the .buildinfo).
echo "===== lintian"
lintian --fail-on error,warning --display-info --show-overrides "$out/tempus_${version}_${arch}.changes" \
  >"$out/lintian.txt" 2>&1 || err "lintian found errors or warnings"
cat "$out/lintian.txt"
[ -s "$out/lintian.txt" ] || echo "(no tags)"

# 3. Fields and contents.
echo "===== dpkg-deb -I"
dpkg-deb -I "$deb" | tee "$out/info.txt"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = tempus ] || err "Package: $(field Package)"
for f in Provides Conflicts Replaces; do
  [[ $(field $f) =~ (^|, )time-daemon(,|$) ]] || err "$f: '$(field $f)' lacks time-daemon"
done
for lib in libc6 libssl3 libsystemd0 libcap2; do
  [[ $(field Depends) == *"$lib"* ]] || err "Depends: '$(field Depends)' lacks $lib"
done
[[ $(field Depends) == *systemd-sysusers* || $(field Depends) == *systemd* ]] ||
  err "Depends: no systemd-sysusers provider for the tempus user"
control=$work/control
dpkg-deb -e "$deb" "$control"
grep -qx /etc/tempus/ntp.conf "$control/conffiles" || err "/etc/tempus/ntp.conf is not a conffile"
grep -q 'systemd-sysusers.*tempus' "$control/postinst" || err "postinst does not create the tempus user"
grep -q 'systemd-tmpfiles.*tempus' "$control/postinst" || err "postinst does not create /var/lib/tempus"

echo "===== dpkg-deb -c"
dpkg-deb -c "$deb" | tee "$out/contents.txt"
for f in ./usr/sbin/tempusd ./usr/bin/tempus ./etc/tempus/ntp.conf ./lib/systemd/system/tempusd.service \
         ./usr/lib/sysusers.d/tempus.conf ./usr/lib/tmpfiles.d/tempus.conf \
         ./usr/lib/systemd/ntp-units.d/60-tempus.list \
         ./usr/share/man/man8/tempusd.8.gz ./usr/share/man/man1/tempus.1.gz ./usr/share/man/man5/tempus-ntp.conf.5.gz \
         ./usr/share/bash-completion/completions/tempus ./usr/share/bash-completion/completions/tempusd \
         ./usr/share/doc/tempus/copyright ./usr/share/doc/tempus/changelog.gz; do
  awk '{ print $6 }' "$out/contents.txt" | grep -qx -- "$f" || err "not in the package: $f"
done
ls "$out"/tempus-dbgsym_"$version"_*.deb >/dev/null 2>&1 || err "no tempus-dbgsym package (dh_strip)"

# 4. The packaged programs, run from an extracted copy with CAP_SYS_TIME dropped.
echo "===== dpkg-deb -x, run without CAP_SYS_TIME"
x=$work/x
dpkg-deb -x "$deb" "$x"
run() {
  echo "\$ $*"
  "${nocap[@]}" "$@"
}
run "$x/usr/sbin/tempusd" --version || err "tempusd --version"
run "$x/usr/bin/tempus" --version || err "tempus --version"
"$x/usr/sbin/tempusd" --version | grep -qx "commit: $commit" || err "tempusd --version does not say commit: $commit"
"$x/usr/sbin/tempusd" --version | grep -q '^libsystemd: [0-9]' || err "the packaged tempusd is not linked with libsystemd"
check=$(run "$x/usr/sbin/tempusd" --check-config "$x/etc/tempus/ntp.conf" 2>&1) || err "tempusd --check-config of the packaged ntp.conf"
echo "$check"
if grep -q ':[0-9]*:[0-9]*: ' <<<"$check" || ! grep -q ' 0 warning(s)' <<<"$check"; then
  err "the packaged ntp.conf has warnings"
fi
for page in "$x"/usr/share/man/man*/*.gz; do
  lint=$(mandoc -Tlint "$page" 2>&1) || true
  [ -z "$lint" ] || err "mandoc -Tlint $(basename "$page"): $lint"
done
grep -qx 'ExecStart=/usr/sbin/tempusd -c /etc/tempus/ntp.conf' "$x/lib/systemd/system/tempusd.service" ||
  err "the unit does not start /usr/sbin/tempusd -c /etc/tempus/ntp.conf"

echo
if [ $fail -eq 0 ]; then echo "package.sh: $deb: all checks passed"; else echo "package.sh: FAILED"; fi
exit $fail
