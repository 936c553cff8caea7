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
// `clients`: requests from that many clients (sessions with keys of their own) take turns. With
// one, every request is under the same C2S and S2C, which aes_siv.cc keeps keyed; with many,
// only the server's cookie key stays keyed, as on a server with many clients.
void Serve(benchmark::State& state, bool nts, size_t clients = 1) {
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
  std::vector<std::vector<uint8_t>> requests;
  for (size_t i = 0; i < clients; ++i) {
    core::nts::SessionKeys keys = core::nts::TestKeys();
    keys.c2s[0] ^= static_cast<uint8_t>(i);
    keys.s2c[0] ^= static_cast<uint8_t>(i);
    std::array<uint8_t, crypto::kCookieSize> cookie{};
    cookies.Seal(keys, random, cookie);
    requests.push_back(core::nts::NtsRequest(aead, keys.c2s, cookie, 0));
    if (!nts) requests.back().resize(core::kHeaderSize);
  }
  std::array<uint8_t, core::server::kNtsReplyCapacity> reply{};
  const NoKeys auth;
  const auto from = *core::NetAddress::Parse("192.0.2.1:123");
  const auto rx = core::NtpTimestamp::FromParts(0xeeb62e10, 0);
  size_t next = 0;
  for (auto _ : state) {
    auto action = server.Handle(requests[next], from, rx, core::MonoTime(), auth, reply);
    benchmark::DoNotOptimize(action);
    next = next + 1 == requests.size() ? 0 : next + 1;
  }
  if (server.stats().replied != server.stats().received) state.SkipWithError("not answered");
}

void BM_PlainRequest(benchmark::State& state) { Serve(state, false); }
void BM_NtsRequest(benchmark::State& state) { Serve(state, true); }
void BM_NtsRequestManyClients(benchmark::State& state) { Serve(state, true, 16); }
BENCHMARK(BM_PlainRequest);
BENCHMARK(BM_NtsRequest);
BENCHMARK(BM_NtsRequestManyClients);

}  // namespace
}  // namespace tempus
