// Per-packet cost of the hot paths: decode, encode, and the server reply function.
// Run: build/bench/codec_bench (Google Benchmark; --benchmark_format=json for machines).
#include <array>
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/server/reply.h"
#include "core/wire/codec.h"
#include "core/wire/exchange.h"

namespace tempus::core {

using system::SystemSnapshot;

namespace {

// chrony 4.3's client request (captured, see tests/testdata/ntp_vectors.h C2).
constexpr std::array<uint8_t, 48> kChronyRequest = {0x23, 0x00, 0x04, 0x20, 0,    0,    0,    0,    0,   0, 0, 0, 0,
                                                    0,    0,    0,    0,    0,    0,    0,    0,    0,   0, 0, 0, 0,
                                                    0,    0,    0,    0,    0,    0,    0,    0,    0,   0, 0, 0, 0,
                                                    0,    0xf9, 0xef, 0xf3, 0x96, 0x08, 0x36, 0x1d, 0xb3};

void BM_Decode(benchmark::State& state) {
  for (auto _ : state) {
    auto p = Decode(kChronyRequest);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_Decode);

void BM_Encode(benchmark::State& state) {
  const Header h = Decode(kChronyRequest)->header;
  std::array<uint8_t, 48> out{};
  for (auto _ : state) {
    EncodeHeader(h, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Encode);

void BM_ServerReply(benchmark::State& state) {
  SystemSnapshot sys;
  sys.leap = Leap::kNoWarning;
  sys.stratum = 3;
  sys.precision = -24;
  sys.refid = RefId::FromRaw(0x0a000001);
  sys.reference_time = NtpTimestamp::FromParts(0xeeb62e00, 0);
  NtpTimestamp rx = NtpTimestamp::FromParts(0xeeb62e10, 0);
  std::array<uint8_t, 48> out{};
  for (auto _ : state) {
    auto n = server::HandleRequest(kChronyRequest, rx, sys, out);
    StampTransmit(out, rx);
    benchmark::DoNotOptimize(n);
    rx = rx + NtpDuration::FromRaw(1);
  }
}
BENCHMARK(BM_ServerReply);

void BM_ClientProcessReply(benchmark::State& state) {
  SystemSnapshot sys;
  sys.leap = Leap::kNoWarning;
  sys.stratum = 3;
  const auto cookie = NtpTimestamp::FromRaw(0xf9eff39608361db3);
  const auto rx = NtpTimestamp::FromParts(0xeeb62e10, 0);
  std::array<uint8_t, 48> reply{};
  (void)server::HandleRequest(kChronyRequest, rx, sys, reply);
  for (auto _ : state) {
    auto m = ProcessReply(reply, cookie, rx, rx + NtpDuration::FromMicros(30), -24);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_ClientProcessReply);

}  // namespace
}  // namespace tempus::core
