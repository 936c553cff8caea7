#!/usr/bin/env bash
# build-types.sh: compiles tempus in every build type with warnings as errors, to find the
# warnings a developer or a packager would hit (GCC's warnings depend on the optimization level).
#
#   scripts/build-types.sh [TYPE...]     default: Debug Release RelWithDebInfo MinSizeRel Debian
#
# "Debian" is Debian's own flags: CFLAGS, CXXFLAGS, CPPFLAGS and LDFLAGS from dpkg-buildflags,
# build type None (what debian/rules uses). Each type builds every target (tests and benchmarks
# included) in build-types/TYPE/ with -k 0, so one run lists every warning; the log is
# build-types/TYPE.log. Uses ccache when it is installed. Two jobs (the machine has 2 cores);
# a full run takes long: CI (scripts/test.sh) builds Release, Debug (ASan) and Debian's flags
# (scripts/package.sh), this script is for a compiler or flag change. Exits non-zero if any
# type failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
types=("$@")
[ ${#types[@]} -eq 0 ] && types=(Debug Release RelWithDebInfo MinSizeRel Debian)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
mkdir -p build-types
failed=0
for t in "${types[@]}"; do
  t0=$SECONDS
  (
    build_type=$t
    if [ "$t" = Debian ]; then
      eval "$(dpkg-buildflags --export=sh)"
      build_type=None
    fi
    cmake -S . -B "build-types/$t" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DTEMPUS_WERROR=ON "${launcher[@]}" &&
      cmake --build "build-types/$t" -j 2 -- -k 0
  ) >"build-types/$t.log" 2>&1
  rc=$?
  warnings=$(grep -c 'warning:\|error:' "build-types/$t.log")
  printf '%-15s %s in %d s, %d warning/error lines (build-types/%s.log)\n' "$t" \
    "$([ $rc -eq 0 ] && echo ok || echo FAILED)" $((SECONDS - t0)) "$warnings" "$t"
  [ $rc -eq 0 ] || failed=1
done
exit $failed
