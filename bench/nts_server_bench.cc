// Per-request cost of the NTS server path (RFC 8915 §5: open the cookie, verify the request,
// seal fresh cookies and the reply with OpenSSL's AES-SIV) beside the plain path, both through
// core::server::Server::Handle as the daemon calls it. Run: build/bench/nts_server_bench; for
// instructions, valgrind --tool=callgrind build/bench/nts_server_bench --benchmark_filter=...
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/server/fake_nts.h"  // tests/core/server/
#include "core/server/server.h"
#include "crypto/aes_siv_aead.h"
#include "crypto/jar_cookie_codec.h"

namespace tempus {
namespace {

class NoKeys final : public core::Authenticator {
 public:
  bool Verify(uint32_t, std::span<const uint8_t>, std::span<const uint8_t>) const override { return false; }
};

// `placeholders`: chrony asks for one cookie per request (0 placeholders) once it holds enough.
void Serve(benchmark::State& state, bool nts) {
  crypto::ServerKey key{1, {}};
  key.key.fill(0x42);
  const std::optional<crypto::CookieJar> jar(std::in_place, key);
  const crypto::JarCookieCodec cookies(jar);
  const crypto::AesSivAead aead;
  SeededRandom random(1);
  core::server::Server server;
  core::system::SystemSnapshot s;
  s.leap = core::Leap::kNoWarning;
  s.stratum = 2;
  server.Publish(s);
  server.SetNts(core::server::NtsServerContext{&cookies, &aead, &random});
  const core::nts::SessionKeys keys = core::nts::TestKeys();
  std::array<uint8_t, crypto::kCookieSize> cookie{};
  cookies.Seal(keys, random, cookie);
  std::vector<uint8_t> request = core::nts::NtsRequest(aead, keys.c2s, cookie, 0);
  if (!nts) request.resize(core::kHeaderSize);
  std::array<uint8_t, core::server::kNtsReplyCapacity> reply{};
  const NoKeys auth;
  const auto from = *core::NetAddress::Parse("192.0.2.1:123");
  const auto rx = core::NtpTimestamp::FromParts(0xeeb62e10, 0);
  for (auto _ : state) {
    auto action = server.Handle(request, from, rx, core::MonoTime(), auth, reply);
    benchmark::DoNotOptimize(action);
  }
  if (server.stats().replied != server.stats().received) state.SkipWithError("not answered");
}

void BM_PlainRequest(benchmark::State& state) { Serve(state, false); }
void BM_NtsRequest(benchmark::State& state) { Serve(state, true); }
BENCHMARK(BM_PlainRequest);
BENCHMARK(BM_NtsRequest);

}  // namespace
}  // namespace tempus
