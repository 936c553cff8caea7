#!/usr/bin/env bash
# peers-setup.sh: prepare the real NTP peers for the interop tests, without installing them.
#
# Downloads the Debian packages of chrony, NTPsec, ntpdig and python3-ntp with
# `apt-get download` and unpacks them with `dpkg -x` into a cache directory
# (${TEMPUS_PEERS_DIR:-/var/cache/tempus-peers}); they are never installed, because their
# maintainer scripts could start a daemon that steers this machine's clock. Their runtime
# libraries are ordinary Debian libraries and are installed normally when missing. Finally it
# builds the LD_PRELOAD guard tests/interop/noclock.c into the cache. Idempotent: a second run
# only checks that everything is in place. tests/interop/lib.sh reads the same layout:
#   $DIR/root/chrony/usr/sbin/chronyd        $DIR/root/ntpsec/usr/sbin/ntpd
#   $DIR/root/ntpsec/usr/bin/{ntpdig,ntpq}   $DIR/root/ntpsec/usr/lib/python3/dist-packages
#   $DIR/lib/noclock.so
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${TEMPUS_PEERS_DIR:-/var/cache/tempus-peers}
export DEBIAN_FRONTEND=noninteractive

log() { echo "peers-setup: $*"; }
die() { echo "peers-setup: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get download, library installs)"
mkdir -p "$dir"/{debs,root/chrony,root/ntpsec,lib}
# One setup at a time: several worktrees or CI runs on one machine share the cache.
exec 9>"$dir/.lock"
flock -w 300 9 || die "another peers-setup.sh holds $dir/.lock"

# Libraries the unpacked binaries link against (chrony 4.3, NTPsec 1.2.2 on Debian 12).
runtime_libs=(libc6 libcap2 libedit2 libgnutls30 libnettle8 libseccomp2 libbsd0 libssl3 python3)
missing=()
for p in "${runtime_libs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
updated=0
if [ ${#missing[@]} -gt 0 ]; then
  log "installing runtime libraries: ${missing[*]}"
  apt-get update -qq && updated=1
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Unpack once; the stamp records which package versions were unpacked.
stamp=$dir/root/unpacked.stamp
want_files=("$dir/root/chrony/usr/sbin/chronyd" "$dir/root/ntpsec/usr/sbin/ntpd"
            "$dir/root/ntpsec/usr/bin/ntpdig" "$dir/root/ntpsec/usr/bin/ntpq"
            "$dir/root/ntpsec/usr/lib/python3/dist-packages/ntp/ntpc.py")
have_all=1
for f in "$stamp" "${want_files[@]}"; do [ -e "$f" ] || have_all=0; done
if [ $have_all -eq 1 ]; then
  log "peers already unpacked: $(tr '\n' ' ' < "$stamp")"
else
  pkgs=(chrony ntpsec ntpsec-ntpdig python3-ntp)
  cd "$dir/debs"
  rm -f ./*.deb
  # apt-get download fetches as the _apt user when it can; the cache dir is root's, so let it
  # write here regardless (the warning about an unsandboxed download is harmless).
  if ! apt-get download -q "${pkgs[@]}" >/dev/null 2>download.err; then
    [ $updated -eq 1 ] || { log "apt-get update"; apt-get update -qq; }
    apt-get download -q "${pkgs[@]}" >/dev/null 2>download.err || { cat download.err >&2; die "apt-get download failed"; }
  fi
  rm -rf "$dir/root/chrony" "$dir/root/ntpsec"
  mkdir -p "$dir/root/chrony" "$dir/root/ntpsec"
  dpkg -x chrony_*.deb "$dir/root/chrony"
  for d in ntpsec_*.deb ntpsec-ntpdig_*.deb python3-ntp_*.deb; do dpkg -x "$d" "$dir/root/ntpsec"; done
  # ntp/ntpc.py loads libntpc.so from its own directory first; point that at the unpacked copy.
  ln -sf ../../../x86_64-linux-gnu/ntp/libntpc.so.1.1.0 \
    "$dir/root/ntpsec/usr/lib/python3/dist-packages/ntp/libntpc.so"
  for f in "${want_files[@]}"; do [ -e "$f" ] || die "missing after unpack: $f"; done
  # shellcheck disable=SC2016  # dpkg-deb expands ${Package}, not the shell
  for d in *.deb; do dpkg-deb -W --showformat='${Package}=${Version}\n' "$d"; done > "$stamp"
  log "unpacked: $(tr '\n' ' ' < "$stamp")"
fi

# Every shared library of the unpacked binaries must resolve.
for bin in "$dir/root/chrony/usr/sbin/chronyd" "$dir/root/ntpsec/usr/sbin/ntpd" \
           "$dir/root/ntpsec/usr/lib/x86_64-linux-gnu/ntp/libntpc.so.1.1.0"; do
  if ldd "$bin" | grep -q 'not found'; then
    ldd "$bin" | grep 'not found' >&2
    die "unresolved libraries for $bin"
  fi
done

# The guard library: rebuilt whenever noclock.c changes (the stamp holds its checksum).
src=$here/noclock.c
sum=$(sha256sum "$src" | cut -d' ' -f1)
if [ -f "$dir/lib/noclock.so" ] && [ "$(cat "$dir/lib/noclock.sha256" 2>/dev/null)" = "$sum" ]; then
  log "noclock.so up to date"
else
  cc=$(command -v gcc || command -v cc || true)
  [ -n "$cc" ] || die "no C compiler (run scripts/install-deps.sh)"
  "$cc" -O2 -Wall -Wextra -Werror -shared -fPIC -o "$dir/lib/noclock.so.tmp" "$src" -ldl
  mv -f "$dir/lib/noclock.so.tmp" "$dir/lib/noclock.so"
  echo "$sum" > "$dir/lib/noclock.sha256"
  log "built $dir/lib/noclock.so"
fi
log "ready: $dir"
