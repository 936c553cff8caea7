#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets (fuzz/, clang++, ASan+UBSan) in build-fuzz/ and runs each
# for a bounded time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default 60 s per target, every target
#
# Seeds: the captured packets of tests/testdata/ntp_vectors.h, the real configurations of
# tests/config/testdata/ and a few driftfiles; the corpus grows in build-fuzz/corpus/<target>/.
# A crash leaves its input in build-fuzz/crashes/<target>/ and makes the script exit non-zero;
# turn it into a regression test under tests/. Runs one target at a time (one core), so it never
# uses more than the machine's 2 shared cores together with a build.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(packet_codec extension_fields server_handle config_parse driftfile)
out=build-fuzz

CC=clang CXX=clang++ cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTEMPUS_FUZZ=ON \
    -DTEMPUS_BUILD_TESTS=OFF -DTEMPUS_BUILD_BENCH=OFF >/dev/null || exit 1
cmake --build "$out" -j 2 --target "${targets[@]/#/fuzz_}" || exit 1

# Seeds (rewritten each run; libFuzzer dedups).
seed() { mkdir -p "$out/seeds/$1"; }
for t in packet_codec extension_fields server_handle; do
  seed "$t"
  python3 - "$out/seeds/$t" "$t" <<'PY'
import re, sys, pathlib
d, target = pathlib.Path(sys.argv[1]), sys.argv[2]
text = pathlib.Path("tests/testdata/ntp_vectors.h").read_text()
for i, h in enumerate(re.findall(r'"([0-9a-fA-F]{96,})"', text)):
    b = bytes.fromhex(h)
    if target == "server_handle":
        b = bytes(40) + b  # the state prefix, then the request
    (d / f"vector{i}").write_bytes(b)
PY
done
seed config_parse
cp tests/config/testdata/*.conf tests/config/testdata/*/*.conf "$out/seeds/config_parse/" 2>/dev/null
printf 'includefile /etc/a.conf\nserver 127.0.0.1 iburst\n' >"$out/seeds/config_parse/include-loop.conf"
seed driftfile
printf '12.345\n' >"$out/seeds/driftfile/ok"
printf -- '-499.999' >"$out/seeds/driftfile/neg"
printf '1e308\n' >"$out/seeds/driftfile/huge"
printf ' nan ' >"$out/seeds/driftfile/nan"

status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  log="$out/fuzz_$t.log"
  echo "===== fuzz_$t (${seconds}s)"
  "$out/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=4096 \
      -artifact_prefix="$out/crashes/$t/" -print_final_stats=1 \
      "$out/corpus/$t" "$out/seeds/$t" >"$log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+' || true)
  if [ $rc -ne 0 ]; then
    status=1
    summary+=("FAIL  fuzz_$t: exit $rc, ${execs:-?} execs (see $log, inputs in $out/crashes/$t/)")
    tail -30 "$log"
  else
    summary+=("PASS  fuzz_$t: ${execs:-?} execs in ${seconds}s, ${cov:-cov ?}")
  fi
done
echo "===== fuzz summary"
printf '  %s\n' "${summary[@]}"
exit $status
