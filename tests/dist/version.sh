#!/usr/bin/env bash
# dist.version: `tempusd --version` and `tempus --version` name the version (CMake's project
# VERSION), the git commit of the source tree, the build type, the OpenSSL library loaded (the
# version string inside the libcrypto that ldd finds for the binary) and libsystemd (the version
# pkg-config reports when tempusd links it, "none" otherwise). Exit 0, nothing on stderr.
set -euo pipefail
: "${TEMPUSD:?}" "${TEMPUS:?}" "${SOURCE_DIR:?}" "${TEMPUS_VERSION:?}" "${BUILD_TYPE:?}"
fail=0
err() { echo "FAIL: $*"; fail=1; }

expected_commit=unknown
if top=$(git -C "$SOURCE_DIR" rev-parse --show-toplevel 2>/dev/null) &&
   [ "$(realpath "$top")" = "$(realpath "$SOURCE_DIR")" ]; then
  expected_commit=$(git -C "$SOURCE_DIR" rev-parse --short=12 HEAD)
fi
libcrypto=$(ldd "$TEMPUS" | awk '/libcrypto/ { print $3 }')
openssl=$(grep -a -o -m1 'OpenSSL [0-9][0-9.]*[a-z]* \{1,2\}[0-9]\{1,2\} [A-Z][a-z][a-z] [0-9]\{4\}' "$libcrypto" | head -1)
[ -n "$openssl" ] || err "no OpenSSL version string in '$libcrypto'"

check() {  # check PROGRAM BINARY LIBSYSTEMD_PATTERN
  local prog=$1 bin=$2 systemd=$3 out errf
  errf=$(mktemp)
  if ! out=$("$bin" --version 2>"$errf"); then err "$prog --version exited non-zero"; fi
  [ -s "$errf" ] && err "$prog --version wrote to stderr: $(cat "$errf")"
  rm -f "$errf"
  echo "$out"
  local line1 commit type ssl sd
  line1=$(sed -n 1p <<<"$out")
  commit=$(sed -n 's/^commit: //p' <<<"$out")
  type=$(sed -n 's/^build type: //p' <<<"$out")
  ssl=$(sed -n 's/^OpenSSL: //p' <<<"$out")
  sd=$(sed -n 's/^libsystemd: //p' <<<"$out")
  [ "$line1" = "$prog $TEMPUS_VERSION" ] || err "$prog: first line '$line1', expected '$prog $TEMPUS_VERSION'"
  # The build may be of uncommitted changes: the commit is then followed by -dirty.
  [[ $commit == "$expected_commit" || $commit == "$expected_commit-dirty" ]] ||
    err "$prog: commit '$commit', expected '$expected_commit' (or with -dirty; built before the last commit? rebuild)"
  [ "$type" = "$BUILD_TYPE" ] || err "$prog: build type '$type', expected '$BUILD_TYPE'"
  [[ $ssl == "$openssl"* ]] || err "$prog: OpenSSL '$ssl', expected '$openssl'"
  [[ $sd =~ $systemd ]] || err "$prog: libsystemd '$sd', expected /$systemd/"
}

# (ldd's output kept first: grep -q exiting early would fail the pipeline under pipefail.)
libs=$(ldd "$TEMPUSD")
if grep -q libsystemd <<<"$libs"; then
  sd_version=$(pkg-config --modversion libsystemd)
  check tempusd "$TEMPUSD" "^$sd_version "
else
  check tempusd "$TEMPUSD" "^none"
fi
check tempus "$TEMPUS" "^none"

# --version is listed in --help, and --describe-cli (the man pages' input) is not.
help_d=$("$TEMPUSD" --help)
help_c=$("$TEMPUS" --help)
grep -q -- '--version' <<<"$help_d" || err "tempusd --help does not list --version"
grep -q -- '--version' <<<"$help_c" || err "tempus --help does not list --version"
if grep -q -- '--describe-cli' <<<"$help_d$help_c"; then err "--help lists the hidden --describe-cli"; fi

[ $fail -eq 0 ] && echo "dist.version: ok"
exit $fail
