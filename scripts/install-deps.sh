#!/usr/bin/env bash
# install-deps.sh: install every package tempus needs to build and test on Debian 12.
#
# Idempotent: when every package is already installed (dpkg -s) it does nothing, so a second
# run takes well under a second. Otherwise it runs `apt-get update` once and installs only the
# missing packages. It never installs a time daemon (chrony, ntp, ntpsec, openntpd): their
# maintainer scripts may start a daemon that steers this machine's clock. The interop tests
# unpack those packages without installing them (tests/interop/peers-setup.sh).
set -euo pipefail

# Build: compiler, CMake, Ninja and the libraries CMakeLists.txt finds.
build_pkgs=(cmake ninja-build g++ gcc libc6-dev pkg-config
            libgtest-dev libgmock-dev libbenchmark-dev libfmt-dev libcli11-dev nlohmann-json3-dev libssl-dev
            libsystemd-dev libcap-dev)  # both optional for the build: sd_notify, tempusd -u
# Packaging (scripts/package.sh; dpkg-buildpackage also wants build-essential) and the man
# pages' checks (mandoc, groff).
package_pkgs=(build-essential dpkg-dev debhelper lintian mandoc groff-base)
# Fuzzing and sanitizers with clang (libFuzzer's runtime lives in libclang-rt-14-dev), and the
# style checks (scripts/check-style.sh: version 14 of clang-format and clang-tidy).
fuzz_pkgs=(clang libclang-rt-14-dev clang-format-14 clang-tidy-14)
# Test harness: scripts, network namespaces (ip, unshare, nsenter, setpriv), process tools,
# and the downloader/unpacker used by tests/interop/peers-setup.sh.
test_pkgs=(bash python3 python3-prometheus-client iproute2 util-linux procps coreutils findutils grep sed mawk dpkg apt)

forbidden='^(chrony|ntp|ntpsec|openntpd|ntpdate|systemd-timesyncd)$'
missing=()
for p in "${build_pkgs[@]}" "${package_pkgs[@]}" "${fuzz_pkgs[@]}" "${test_pkgs[@]}"; do
  if [[ "$p" =~ $forbidden ]]; then
    echo "install-deps: refusing to install time daemon package $p" >&2
    exit 2
  fi
  # dpkg -s succeeds for removed-but-configured packages too; require "install ok installed".
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or install them with sudo apt-get install)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
