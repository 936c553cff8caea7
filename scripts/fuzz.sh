#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets (fuzz/, clang++, ASan+UBSan) in build-fuzz/ and runs each
# for a bounded time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default 60 s per target, every target
#   TEMPUS_FUZZ_JOBS=2 scripts/fuzz.sh ...    run two targets at a time (default 1)
#
# Seeds: the captured packets of tests/testdata/ntp_vectors.h and mode6_vectors.h (the lab's
# REFERENCE.md captures), the real configurations of tests/config/testdata/, a few driftfiles,
# keys files and leap-seconds.list files, and every input that once failed
# (tests/testdata/fuzz/<target>/); the corpus grows in build-fuzz/corpus/<target>/. A crash leaves
# its input in build-fuzz/crashes/<target>/ and makes the script exit non-zero; turn it into a unit
# test under tests/ and add the input to tests/testdata/fuzz/<target>/. By default one target runs
# at a time (one core), so the script never uses more
# than the machine's 2 shared cores together with a build; CI (scripts/test.sh), which runs
# nothing else meanwhile, runs two at a time.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(packet_codec extension_fields server_handle config_parse driftfile mode6 keys_file leap_file core_node
                                     nts_ke nts_fields)
jobs=${TEMPUS_FUZZ_JOBS:-1}
out=build-fuzz

CC=clang CXX=clang++ cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTEMPUS_FUZZ=ON -DTEMPUS_WERROR=ON \
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
        if i == 1:  # key 1 trusted (byte 38), a MAC by it, a failing one, a crypto-NAK, as mode 1
            keyed = bytes(38) + b"\x02\x01" + b[40:]
            (d / "signed").write_bytes(keyed + bytes([0, 0, 0, 1, 1]) + bytes(15))
            (d / "bad-mac").write_bytes(keyed + bytes([0, 0, 0, 1, 2]) + bytes(15))
            (d / "crypto-nak").write_bytes(keyed + bytes(4))
            (d / "mode1").write_bytes(keyed[:40] + bytes([(keyed[40] & 0xf8) | 1]) + keyed[41:])
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

seed mode6
python3 - "$out/seeds/mode6" <<'PY'
import re, sys, pathlib
d = pathlib.Path(sys.argv[1])
text = pathlib.Path("tests/testdata/mode6_vectors.h").read_text()
frames = {}
for name, body in re.findall(r'(k\w+)\s*=\s*((?:\s*"[0-9a-fA-F]*")+)\s*;', text):
    frames[name] = bytes.fromhex("".join(re.findall(r'"([0-9a-fA-F]*)"', body)))
view = bytes(range(1, 51))  # the NodeSnapshot prefix of the server side: varied, 50 bytes
for i, (name, b) in enumerate(sorted(frames.items())):
    if "Request" in name:
        for shape in (0x00, 0x05, 0x3f, 0xff):  # no peers, 5 peers, 63 peers, ids from 1001
            (d / f"server-{name}-{shape:02x}").write_bytes(b"\x00" + view + bytes([shape]) + b)
    # The client side: sequence (little-endian, as the target reads it), opcode, then length-prefixed (in words) datagrams.
    else:
        (d / f"client-{name}").write_bytes(b"\x01" + bytes([b[3], b[2], b[1] & 0x1f, len(b) // 4]) + b)
f1, f2 = frames.get("kReadVarPeerFragment1"), frames.get("kReadVarPeerFragment2")
if f1 and f2:  # the two fragments of ntpq -p's READVAR, in and out of order
    head = b"\x01" + bytes([f1[3], f1[2], f1[1] & 0x1f])
    (d / "client-fragments").write_bytes(head + bytes([len(f1) // 4]) + f1 + bytes([len(f2) // 4]) + f2)
    (d / "client-fragments-reversed").write_bytes(head + bytes([len(f2) // 4]) + f2 + bytes([len(f1) // 4]) + f1)
PY
seed keys_file
printf '# ntpkeygen\n1 MD5 L";Nw<`.I<f4U0)247"i  # MD5 key\n2 SHA1 8d9b9ad0b4b6b1c7c4c7fe2a6ef6bc3a4b7a3c1e\n' \
    >"$out/seeds/keys_file/ntpd"
printf '3 sha256 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n4 AES128CMAC 00112233445566778899aabbccddeeff\n' \
    >"$out/seeds/keys_file/ntpsec"
printf '6 M key6 127.0.0.1,10.0.0.0/8,::1\n65535 sha-1 x\r\n\n' >"$out/seeds/keys_file/iplist"
printf '5 MD5 one\n5 SHA1 zz0123456789abcdef0123\n0 DES\n' >"$out/seeds/keys_file/errors"

seed leap_file
cp /usr/share/zoneinfo/leap-seconds.list "$out/seeds/leap_file/tzdata" 2>/dev/null
printf '#$ 3676924800\n#@ 3707596800\n2272060800 10 # 1 Jan 1972\n3692217600 37\n#h 0 0 0 0 0\n' \
    >"$out/seeds/leap_file/short"

# NTS (RFC 8915): KE messages as chrony and NTPsec send them, and NTS NTP packets (unique id,
# cookie, placeholders, authenticator), also as an authenticator's plaintext of cookie fields.
seed nts_ke
seed nts_fields
python3 - "$out/seeds" <<'PY'
import struct, sys, pathlib
d = pathlib.Path(sys.argv[1])
rec = lambda t, body, crit=True: struct.pack(">HH", t | (0x8000 if crit else 0), len(body)) + body
end = rec(0, b"")
request = rec(1, b"\0\0") + rec(4, b"\0\x0f") + end
response = rec(1, b"\0\0") + rec(4, b"\0\x0f") + b"".join(rec(5, bytes([i]) * 100, False) for i in range(8)) \
    + rec(6, b"ntp.example.com") + rec(7, b"\0\x7b") + end
(d / "nts_ke/request").write_bytes(request)
(d / "nts_ke/response").write_bytes(response)
(d / "nts_ke/error").write_bytes(rec(2, b"\0\x01") + end)
(d / "nts_ke/unknown").write_bytes(rec(0x40, b"xyz", False) + request)
ef = lambda t, body: struct.pack(">HH", t, 4 + len(body)) + body
auth = lambda nonce, ct: ef(0x0404, struct.pack(">HH", len(nonce), len(ct)) + nonce + ct)
head = bytes([0x23]) + bytes(47)
uid, cookie = ef(0x0104, b"\xaa" * 32), ef(0x0204, b"\xcc" * 100)
(d / "nts_fields/request").write_bytes(head + uid + cookie + ef(0x0304, bytes(100)) * 2 + auth(b"\x11" * 16, b"\x22" * 16))
(d / "nts_fields/response").write_bytes(bytes([0x24]) + bytes(47) + uid + auth(b"\x11" * 16, b"\x22" * 120))
(d / "nts_fields/plaintext").write_bytes(cookie * 3)
PY

# Inputs that once failed (tests/testdata/fuzz/<target>/): run first, every time, as seeds.
for d in tests/testdata/fuzz/*/; do
  t=$(basename "$d")
  seed "$t"
  cp "$d"* "$out/seeds/$t/"
done

# run_target T: one bounded run of fuzz_T; writes its summary line to $out/fuzz_T.result.
run_target() {
  local t=$1 log="$out/fuzz_$1.log" rc execs cov
  # Every target gets a seed directory, also one with no seeds of its own (libFuzzer refuses a
  # missing one).
  mkdir -p "$out/corpus/$t" "$out/crashes/$t" "$out/seeds/$t"
  "$out/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=4096 \
      -artifact_prefix="$out/crashes/$t/" -print_final_stats=1 \
      "$out/corpus/$t" "$out/seeds/$t" >"$log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+' || true)
  if [ $rc -ne 0 ]; then
    echo "FAIL  fuzz_$t: exit $rc, ${execs:-?} execs (see $log, inputs in $out/crashes/$t/)" >"$out/fuzz_$t.result"
  else
    echo "PASS  fuzz_$t: ${execs:-?} execs in ${seconds}s, ${cov:-cov ?}" >"$out/fuzz_$t.result"
  fi
  return $rc
}

status=0
pids=()
for t in "${targets[@]}"; do
  echo "===== fuzz_$t (${seconds}s)"
  rm -f "$out/fuzz_$t.result"
  run_target "$t" &
  pids+=($!)
  # At most $jobs at a time: wait for the oldest before starting another.
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
echo "===== fuzz summary"
for t in "${targets[@]}"; do
  line=$(cat "$out/fuzz_$t.result" 2>/dev/null || echo "FAIL  fuzz_$t: no result")
  echo "  $line"
  case $line in FAIL*) status=1; tail -30 "$out/fuzz_$t.log" ;; esac
done
exit $status
