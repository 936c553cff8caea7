#!/usr/bin/env bash
# shellcheck disable=SC2317  # configure_and_build and run_ctest are called through step()
# test.sh: the one command that builds tempus and runs every test (what CI runs).
#
#   1. scripts/install-deps.sh             build and test packages (fast when present)
#   2. tests/interop/peers-setup.sh        real chrony and NTPsec, unpacked (root only)
#   3. build/       Release (-O3)          all CTest tests: unit, scenario, flood, interop, bench
#                                          (the server benchmark's smoke run, bench/server_bench.sh),
#                                          dist (--version, man pages, completion, install rules);
#                                          then scripts/check-style.sh --enforced (clang-tidy, clang-format)
#   4. build-asan/  ASan + UBSan, Debug,   unit, scenario, cli, cluster and dist tests (labels not
#                                          interop, flood, large, bench), no bench programs
#   5. build-deb/   Debian's flags         scripts/package.sh: the .deb (dpkg-buildpackage), lintian,
#                                          its contents, its programs run from dpkg-deb -x; never installed
#   6. build-fuzz/  clang, libFuzzer       each fuzz target for TEMPUS_TEST_FUZZ_SECONDS (default 30), two at a time
#
# So every build type a developer or packager uses compiles here with -Werror: Release (3),
# Debug (4), Debian's dpkg-buildflags (5); RelWithDebInfo is the developers' own and the demo's.
#
# Every test runs with CAP_SYS_TIME dropped from all capability sets, so no test can change
# this machine's clock; the interop tests add a network namespace and an LD_PRELOAD guard
# (tests/interop/lib.sh). At most 2 parallel jobs. Prints a summary; exits non-zero if any
# step failed. A test fails its step when it fails twice in a row (ctest --repeat until-pass:2);
# the summary ends with a digest (scripts/failed-tests-digest.py) of every test that failed a
# run, FLAKY when its second run passed, with the lines that say why. Environment: TEMPUS_TEST_SKIP_ASAN=1 skips step 4 (quicker local runs);
# TEMPUS_TEST_FUZZ_SECONDS=0 skips step 6.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
jobs=2
nocap=(setpriv --bounding-set -sys_time --inh-caps -sys_time --)

results=()
failed=0
ctest_dirs=()
start_all=$SECONDS

# step NAME CMD...: runs CMD, records "PASS/FAIL NAME (Ns)".
step() {
  local name=$1 t0=$SECONDS rc=0
  shift
  echo
  echo "===== $name"
  "$@" || rc=$?
  local dt=$((SECONDS - t0))
  if [ $rc -eq 0 ]; then
    results+=("PASS  $name (${dt}s)")
  else
    results+=("FAIL  $name (${dt}s, exit $rc)")
    failed=1
  fi
  return $rc
}

skipped() { results+=("SKIP  $1"); }

summary() {
  echo
  echo "===== summary ($((SECONDS - start_all))s)"
  printf '  %s\n' "${results[@]}"
  # Which check of which test failed, at the end of the output where a CI that keeps only the
  # log's tail still shows it.
  local dir digest
  for dir in "${ctest_dirs[@]}"; do
    digest=$(python3 scripts/failed-tests-digest.py "$dir")
    [ -z "$digest" ] || printf '  tests in %s/ that failed a run:\n%s\n' "$dir" "$digest"
  done
  if [ $failed -eq 0 ]; then echo "ALL PASSED"; else echo "FAILED"; fi
}

configure_and_build() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DTEMPUS_WERROR=ON "$@" && cmake --build "$dir" -j "$jobs"
}

run_ctest() {
  local dir=$1
  shift
  ctest_dirs+=("$dir")
  # A test fails the step when it fails twice in a row; one that fails once and then passes is
  # named FLAKY in the summary's digest (with what its failed run said), to be fixed, not hidden.
  "${nocap[@]}" ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 300 \
    --repeat until-pass:2 "$@"
}

if ! step "install dependencies" scripts/install-deps.sh; then
  summary
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  # As root the interop tests can run, so a missing prerequisite is a failure, not a skip.
  if step "set up chrony and NTPsec peers" tests/interop/peers-setup.sh; then
    export TEMPUS_INTEROP_REQUIRED=1
  fi
else
  echo "test.sh: not root: the interop tests will be skipped"
  skipped "set up chrony and NTPsec peers (not root)"
fi

# Release (-O3 -DNDEBUG) is what a packager's first build is; the sanitizer build below keeps the
# asserts (Debug).
if step "build (Release, build/)" configure_and_build build -DCMAKE_BUILD_TYPE=Release; then
  step "tests: unit, scenario, interop (build/)" run_ctest build
  # clang-tidy over src/base and src/core (with build/compile_commands.json), and clang-format on
  # the files .clang-format-enforced lists.
  step "style: clang-tidy (src/base, src/core), clang-format (.clang-format-enforced)" \
      scripts/check-style.sh --enforced
else
  skipped "tests in build/ (build failed)"
fi

if [ "${TEMPUS_TEST_SKIP_ASAN:-0}" = 1 ]; then
  skipped "ASan/UBSan build and tests (TEMPUS_TEST_SKIP_ASAN=1)"
# Debug (-O0 -g) for the sanitizer build: it compiles about 3x faster than -O2 -g under ASan
# (the CLI11-heavy apps dominate CI time) and keeps assert() on.
elif step "build (ASan+UBSan, Debug, build-asan/)" configure_and_build build-asan \
    -DCMAKE_BUILD_TYPE=Debug -DTEMPUS_SANITIZE=ON -DTEMPUS_BUILD_BENCH=OFF; then
  step "tests: unit, scenario, cli, cluster (build-asan/)" run_ctest build-asan -LE 'interop|flood|large|bench'
else
  skipped "tests in build-asan/ (build failed)"
fi

# The Debian package, built with Debian's flags (src/ and apps/ only) and checked, never installed.
step "package: build-deb/ (dpkg-buildpackage, lintian, dpkg-deb -I/-c/-x)" scripts/package.sh build-deb

# 30 s per target (45 before the package step came in, to keep CI near 26 minutes: docs/packaging.md).
fuzz_seconds=${TEMPUS_TEST_FUZZ_SECONDS:-30}
if [ "$fuzz_seconds" = 0 ]; then
  skipped "fuzzing (TEMPUS_TEST_FUZZ_SECONDS=0)"
else
  # Two targets at a time: nothing else runs in this step, and the machine has 2 cores.
  step "fuzz: each target ${fuzz_seconds}s, two at a time (build-fuzz/)" \
      env TEMPUS_FUZZ_JOBS=$jobs "${nocap[@]}" scripts/fuzz.sh "$fuzz_seconds"
fi

summary
exit $failed
