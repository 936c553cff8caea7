// No amplification, no reflection, in the core: every datagram of a corpus (every mode and
// version byte, sizes 0..1500; zero, random and extension-field bodies, each also with a valid
// MAC, a failing MAC and a crypto-NAK at its end) goes through core::server::Server under four
// access policies. An answer, the MAC the host appends included, is never larger than its
// request, and nothing answers modes 4, 5, 6, 7 or a kiss-o'-death. Prints the largest
// reply/request ratio seen.
#include <array>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include "base/random.h"
#include "core/server/fake_authenticator.h"
#include "core/server/server.h"
#include "core/wire/codec.h"

namespace tempus::core::server {
namespace {

using system::SystemSnapshot;

constexpr uint32_t F(Restrict f) { return static_cast<uint32_t>(f); }
constexpr uint32_t kKey = 5;

SystemSnapshot Synced() {
  SystemSnapshot s;
  s.leap = Leap::kNoWarning;
  s.stratum = 2;
  return s;
}

enum class Tail { kNone, kGoodMac, kBadMac, kCryptoNak };

// A datagram of `size` with first byte `lvm`: body zero, random, or a chain of 16-byte extension
// fields (RFC 7822) after the header; its last bytes replaced by `tail` when it fits.
std::vector<uint8_t> Make(uint8_t lvm, size_t size, int body, Tail tail, Random& rng) {
  std::vector<uint8_t> p(size, 0);
  if (body == 1) {
    for (auto& b : p) b = static_cast<uint8_t>(rng.NextU64());
  } else if (body == 2) {
    for (size_t at = kHeaderSize; at + 16 <= size; at += 16) {
      p[at] = 0x01;  // type 0x0104
      p[at + 1] = 0x04;
      p[at + 3] = 16;  // length 16
    }
  }
  if (!p.empty()) p[0] = lvm;
  if (size > 1 && body != 1) p[1] = (lvm & 7) == 4 ? 0 : 2;  // mode 4 with stratum 0: a KoD
  const size_t mac = tail == Tail::kNone ? 0 : tail == Tail::kCryptoNak ? 4 : 4 + FakeAuthenticator::kDigestSize;
  if (mac == 0 || size < kHeaderSize + mac) return p;
  p.resize(size - mac);
  if (tail == Tail::kCryptoNak) return FakeAuthenticator::WithCryptoNak(std::move(p));
  p = FakeAuthenticator::Signed(std::move(p), kKey);
  if (tail == Tail::kBadMac) p.back() ^= 1;
  return p;
}

struct Policy {
  const char* name;
  AccessPolicy access;
};

TEST(NoAmplification, AnswersNeverExceedRequestsMacIncluded) {
  std::vector<Policy> policies(4);
  policies[0].name = "open";
  policies[1].name = "default limited kod";
  policies[1].access.restricts = {
      RestrictRule::Default(NetAddress::Family::kIPv4, F(Restrict::kLimited) | F(Restrict::kKod))};
  policies[1].access.rate.kod_per_second = 1e6;  // let every eligible KoD through: worst case for size
  policies[1].access.rate.kod_burst = 1e6;
  policies[2].name = "default nopeer noquery";
  policies[2].access.restricts = {
      RestrictRule::Default(NetAddress::Family::kIPv4, F(Restrict::kNoPeer) | F(Restrict::kNoQuery))};
  policies[3].name = "default notrust";
  policies[3].access.restricts = {RestrictRule::Default(NetAddress::Family::kIPv4, F(Restrict::kNoTrust))};

  for (const Policy& policy : policies) {
    Server server(policy.access, 42);
    server.Publish(Synced());
    const FakeAuthenticator auth({kKey});
    std::array<uint8_t, kReplyCapacity> buffer{};
    SeededRandom rng(7);
    uint64_t requests = 0, answered = 0, request_bytes = 0, reply_bytes = 0, kods = 0, naks = 0, signed_replies = 0;
    double worst = 0;
    MonoTime now;
    for (int lvm = 0; lvm < 256; lvm += 1) {
      for (size_t size = 0; size <= 1500; size += (size < 100 ? 1 : 37)) {
        for (int body = 0; body < 3; ++body) {
          for (Tail tail : {Tail::kNone, Tail::kGoodMac, Tail::kBadMac, Tail::kCryptoNak}) {
            const auto req = Make(static_cast<uint8_t>(lvm), size, body, tail, rng);
            const auto from = NetAddress::IPv4(0x7f000001 + static_cast<uint32_t>(requests % 64), 40000);
            now += NtpDuration::FromMillis(3);
            ++requests;
            request_bytes += req.size();
            const ServerAction action =
                server.Handle(req, from, NtpTimestamp::FromParts(0xeeb62e10, 0), now, auth, buffer);
            const auto* r = std::get_if<Respond>(&action);
            if (r == nullptr) continue;
            ++answered;
            // The host appends key id + digest by sign_key: the request's key, so its digest's size.
            const size_t sent = r->bytes.size() + (r->sign_key ? 4 + FakeAuthenticator::kDigestSize : 0);
            reply_bytes += sent;
            signed_replies += r->sign_key.has_value();
            ASSERT_LE(sent, req.size()) << policy.name << " lvm " << lvm << " size " << size;
            worst = std::max(worst, static_cast<double>(sent) / static_cast<double>(req.size()));
            const Mode mode = PeekMode(req);
            const uint8_t version = PeekVersion(req);
            EXPECT_TRUE(mode == Mode::kClient || (mode == Mode::kReserved && version == 1))
                << policy.name << " answered mode " << static_cast<int>(mode) << " v" << static_cast<int>(version);
            const auto out = Decode(r->bytes);
            ASSERT_TRUE(out.has_value());
            EXPECT_EQ(out->header.mode, Mode::kServer);
            kods += out->header.IsKissOfDeath();
            naks += out->mac.has_value();
          }
        }
      }
    }
    std::printf(
        "%s: %llu requests (%llu bytes), %llu answered (%llu bytes, %llu KoD, %llu crypto-NAK, %llu signed);"
        " byte ratio %.4f, worst reply/request %.3f\n",
        policy.name, static_cast<unsigned long long>(requests), static_cast<unsigned long long>(request_bytes),
        static_cast<unsigned long long>(answered), static_cast<unsigned long long>(reply_bytes),
        static_cast<unsigned long long>(kods), static_cast<unsigned long long>(naks),
        static_cast<unsigned long long>(signed_replies),
        static_cast<double>(reply_bytes) / static_cast<double>(request_bytes), worst);
    EXPECT_GT(answered, 0u) << policy.name;
    if (&policy != &policies[1]) {
      EXPECT_GT(signed_replies, 0u) << policy.name;  // (limited: the MAC'd ones come too fast)
    }
    EXPECT_LE(worst, 1.0);
    if (policy.access.restricts.empty()) {
      EXPECT_EQ(kods, 0u);
      EXPECT_GT(naks, 0u);
    }
    if (&policy == &policies[1]) {
      EXPECT_GT(kods, 0u);
    }
    if (&policy == &policies[3]) {
      EXPECT_EQ(naks, 0u);  // notrust: a failing MAC gets nothing at all
    }
  }
}

}  // namespace
}  // namespace tempus::core::server
