// No amplification, no reflection: every datagram of a corpus (every mode and version byte,
// sizes 0..1500, zero, random and extension-field bodies) goes through the ServerPath under three
// access policies; a reply is never larger than its request, and nothing answers modes 4, 5, 6, 7
// or a kiss-o'-death. Prints the largest reply/request ratio seen.
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "base/random.h"
#include "core/wire/codec.h"
#include "engine/fake_clock.h"
#include "engine/server_path.h"

namespace tempus::engine {
namespace {

constexpr uint32_t F(core::server::Restrict f) { return static_cast<uint32_t>(f); }

core::system::SystemSnapshot Synced() {
  core::system::SystemSnapshot s;
  s.leap = core::Leap::kNoWarning;
  s.stratum = 2;
  return s;
}

// Datagram number `i` of size `size` with first byte `lvm`: body zero, random, or a chain of
// 16-byte extension fields (RFC 7822) after the header.
std::vector<uint8_t> Make(uint8_t lvm, size_t size, int body, Random& rng) {
  std::vector<uint8_t> p(size, 0);
  if (body == 1) {
    for (auto& b : p) b = static_cast<uint8_t>(rng.NextU64());
  } else if (body == 2) {
    for (size_t at = core::kHeaderSize; at + 16 <= size; at += 16) {
      p[at] = 0x01;  // type 0x0104
      p[at + 1] = 0x04;
      p[at + 3] = 16;  // length 16
    }
  }
  if (!p.empty()) p[0] = lvm;
  if (size > 1 && body != 1) p[1] = (lvm & 7) == 4 ? 0 : 2;  // mode 4 with stratum 0: a KoD
  return p;
}

struct Policy {
  const char* name;
  core::server::AccessPolicy access;
};

TEST(NoAmplification, RepliesNeverExceedRequests) {
  std::vector<Policy> policies(3);
  policies[0].name = "open";
  policies[1].name = "default limited kod";
  policies[1].access.restricts = {core::server::RestrictRule::Default(
      core::NetAddress::Family::kIPv4, F(core::server::Restrict::kLimited) | F(core::server::Restrict::kKod))};
  policies[1].access.rate.kod_per_second = 1e6;  // let every eligible KoD through: worst case for size
  policies[1].access.rate.kod_burst = 1e6;
  policies[2].name = "default nopeer noquery";
  policies[2].access.restricts = {core::server::RestrictRule::Default(
      core::NetAddress::Family::kIPv4, F(core::server::Restrict::kNoPeer) | F(core::server::Restrict::kNoQuery))};

  for (const Policy& policy : policies) {
    FakeClock clock(core::UnixTime::FromParts(1795928139, 0));
    ServerPath path(clock, policy.access, 42);
    path.Publish(Synced());
    SeededRandom rng(7);
    uint64_t requests = 0, answered = 0, request_bytes = 0, reply_bytes = 0, kods = 0;
    double worst = 0;
    for (int lvm = 0; lvm < 256; lvm += 1) {
      for (size_t size = 0; size <= 1500; size += (size < 100 ? 1 : 37)) {
        for (int body = 0; body < 3; ++body) {
          const auto req = Make(static_cast<uint8_t>(lvm), size, body, rng);
          const auto from = core::NetAddress::IPv4(0x7f000001 + static_cast<uint32_t>(requests % 64), 40000);
          clock.Advance(core::NtpDuration::FromMillis(3));
          ++requests;
          request_bytes += size;
          const auto reply = path.Handle(req, from, std::nullopt);
          if (!reply) continue;
          ++answered;
          reply_bytes += reply->size();
          ASSERT_LE(reply->size(), req.size()) << policy.name << " lvm " << lvm << " size " << size;
          worst = std::max(worst, static_cast<double>(reply->size()) / static_cast<double>(req.size()));
          const core::Mode mode = core::PeekMode(req);
          const uint8_t version = core::PeekVersion(req);
          EXPECT_TRUE(mode == core::Mode::kClient || (mode == core::Mode::kReserved && version == 1))
              << policy.name << " answered mode " << static_cast<int>(mode) << " v" << static_cast<int>(version);
          const auto out = core::Decode(*reply);
          ASSERT_TRUE(out.has_value());
          EXPECT_EQ(out->header.mode, core::Mode::kServer);
          kods += out->header.IsKissOfDeath();
        }
      }
    }
    std::printf("%s: %llu requests (%llu bytes), %llu answered (%llu bytes, %llu KoD); byte ratio %.4f, worst "
                "reply/request %.3f\n",
                policy.name, static_cast<unsigned long long>(requests), static_cast<unsigned long long>(request_bytes),
                static_cast<unsigned long long>(answered), static_cast<unsigned long long>(reply_bytes),
                static_cast<unsigned long long>(kods),
                static_cast<double>(reply_bytes) / static_cast<double>(request_bytes), worst);
    EXPECT_GT(answered, 0u) << policy.name;
    EXPECT_LE(worst, 1.0);
    if (policy.access.restricts.empty()) {
      EXPECT_EQ(kods, 0u);
    }
    if (&policy == &policies[1]) {
      EXPECT_GT(kods, 0u);
    }
  }
}

}  // namespace
}  // namespace tempus::engine
