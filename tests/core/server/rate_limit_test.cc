// Rate limiting: ntpd's discard average/minimum, KoD throttling, and bounded memory under a
// flood of distinct (spoofed) sources.
#include "core/server/rate_limit.h"

#include <gtest/gtest.h>

#include <array>

#include "core/net/client_key.h"

namespace tempus::core::server {
namespace {

const NetAddress kClient = NetAddress::IPv4(0xc0000201);

MonoTime At(double seconds) { return MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(seconds)); }

// Sends `count` packets `interval` s apart and counts the verdicts.
struct Tally {
  int allowed = 0, limited = 0, kod = 0;
};
Tally Send(RateLimiter& rl, const NetAddress& src, double start, double interval, int count, bool kod) {
  Tally t;
  for (int i = 0; i < count; ++i) {
    switch (rl.Check(src, At(start + i * interval), kod)) {
      case RateVerdict::kAllow: ++t.allowed; break;
      case RateVerdict::kLimited: ++t.limited; break;
      case RateVerdict::kLimitedKod: ++t.kod; break;
    }
  }
  return t;
}

TEST(RateLimiter, ClientAtTheAverageIsNeverLimited) {
  RateLimiter rl;  // average 3: one packet per 8 s on average
  const Tally t = Send(rl, kClient, 0, 8.0, 1000, true);
  EXPECT_EQ(t.allowed, 1000);
}

TEST(RateLimiter, MinimumSpacing) {
  RateLimitConfig c;
  c.average_log2 = 0;  // 1 s average: only minimum bites
  c.minimum_s = 2;
  RateLimiter rl(c);
  // Every second: each packet comes 1 s after the previous one (limited or not), too soon, as in
  // ntpd, where the interval is measured from the last packet of any kind.
  const Tally t = Send(rl, kClient, 0, 1.0, 100, false);
  EXPECT_EQ(t.allowed, 1);
  EXPECT_EQ(t.limited, 99);
  // Every 2 s is enough.
  const Tally ok = Send(rl, NetAddress::IPv4(0xc0000202), 0, 2.0, 100, false);
  EXPECT_EQ(ok.allowed, 100);
}

TEST(RateLimiter, AverageAllowsABurstOfEightThenTheMeanRate) {
  RateLimitConfig c;
  c.average_log2 = 3;
  c.minimum_s = 0;
  RateLimiter rl(c);
  const Tally burst = Send(rl, kClient, 0, 0.001, 20, false);
  EXPECT_EQ(burst.allowed, 8);  // the bucket holds 8 headways
  // Then one packet a second for 800 s: about one in eight is served.
  const Tally steady = Send(rl, kClient, 1, 1.0, 800, false);
  EXPECT_GE(steady.allowed, 95);
  EXPECT_LE(steady.allowed, 102);
}

TEST(RateLimiter, ClientThatSlowsDownRecovers) {
  RateLimitConfig c;
  c.minimum_s = 0;
  RateLimiter rl(c);
  (void)Send(rl, kClient, 0, 0.001, 1000, false);  // flood
  const Tally later = Send(rl, kClient, 200, 16.0, 50, false);
  EXPECT_EQ(later.allowed, 50);
}

TEST(RateLimiter, AtMostOneKodPerClientPerHeadway) {
  RateLimiter rl;                                           // average 3 -> at most one KoD per 8 s
  const Tally t = Send(rl, kClient, 0, 0.01, 10000, true);  // 100 s at 100 packets/s
  EXPECT_GE(t.kod, 12);
  EXPECT_LE(t.kod, 13);
  EXPECT_EQ(t.allowed, 1);  // minimum 2 s is never met
}

TEST(RateLimiter, GlobalKodBudget) {
  RateLimitConfig c;
  c.kod_burst = 10;
  c.kod_per_second = 5;
  c.minimum_s = 2;
  RateLimiter rl(c);
  // 1000 sources each sending two packets 1 ms apart within 2 s: each second packet is limited.
  int kods = 0;
  for (uint32_t i = 0; i < 1000; ++i) {
    const auto src = NetAddress::IPv4(0x0a000000 + i);
    const double t = i * 0.002;
    (void)rl.Check(src, At(t), true);
    kods += rl.Check(src, At(t + 0.001), true) == RateVerdict::kLimitedKod;
  }
  EXPECT_GE(kods, 10);
  EXPECT_LE(kods, 10 + 5 * 2 + 1);  // burst + 2 s of refill
}

TEST(RateLimiter, Ipv6ClientsShareTheirSlash64) {
  RateLimitConfig c;
  c.minimum_s = 2;
  RateLimiter rl(c);
  const auto a = NetAddress::Parse("2001:db8:1:2::1").value();
  const auto b = NetAddress::Parse("2001:db8:1:2::ffff").value();
  const auto other = NetAddress::Parse("2001:db8:1:3::1").value();
  EXPECT_EQ(rl.Check(a, At(0), false), RateVerdict::kAllow);
  EXPECT_EQ(rl.Check(b, At(0.5), false), RateVerdict::kLimited);  // same /64: rotating does not help
  EXPECT_EQ(rl.Check(other, At(0.6), false), RateVerdict::kAllow);
}

// A million distinct spoofed sources: the table never grows, and an abuser hiding among them is
// still limited (its entry is the most recently seen of its bucket).
TEST(RateLimiter, MillionSpoofedSourcesStayWithinTheBound) {
  RateLimitConfig c;
  c.capacity = 4096;
  RateLimiter rl(c, /*hash_key=*/0x5eed);
  EXPECT_EQ(rl.memory_bytes(), 0u);  // allocated at the first packet
  (void)rl.Check(NetAddress::IPv4(0x0a000001), At(0), false);
  const size_t bytes = rl.memory_bytes();
  const size_t cap = rl.capacity();
  EXPECT_EQ(cap, 4096u);
  EXPECT_GT(bytes, 0u);
  EXPECT_LE(bytes, 4096 * 64u);
  const auto abuser = NetAddress::IPv4(0xc6336401);
  int abuser_allowed = 0;
  for (uint32_t i = 0; i < 1'000'000; ++i) {
    const double t = i * 1e-5;  // 100 000 packets/s for 10 s
    const auto spoofed = (i % 2) ? NetAddress::IPv4(0x0b000000 + i)
                                 : NetAddress::IPv6({0x20, 0x01, 0x0d, 0xb8, static_cast<uint8_t>(i >> 24),
                                                     static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                                                     static_cast<uint8_t>(i)});
    EXPECT_EQ(rl.Check(spoofed, At(t), false), RateVerdict::kAllow);  // each new source: one free answer
    if (i % 10 == 0) abuser_allowed += rl.Check(abuser, At(t), false) == RateVerdict::kAllow;
    ASSERT_LE(rl.tracked(), cap);
  }
  EXPECT_EQ(rl.memory_bytes(), bytes);
  EXPECT_EQ(rl.capacity(), cap);
  EXPECT_EQ(rl.tracked(), cap);
  EXPECT_GT(rl.evictions(), 900'000u);
  // 100 000 abuser packets over 10 s: at most its first plus whatever minimum 2 s lets through.
  EXPECT_LE(abuser_allowed, 6);
}

// One bucket of 8 ways (capacity 8), every client in it: the ninth client takes the way of the
// least recently seen one, which forgets its state, and a client seen again keeps its own.
TEST(RateLimiter, ANewClientEvictsTheLeastRecentlySeenOfItsBucket) {
  RateLimitConfig c;
  c.capacity = RateLimiter::kWays;
  c.minimum_s = 100;  // a client seen again within the test is limited, a forgotten one is not
  c.monitor_s = 3000;
  RateLimiter rl(c, /*hash_key=*/0x1234);
  ASSERT_EQ(rl.capacity(), RateLimiter::kWays);
  const auto client = [](uint32_t i) { return NetAddress::IPv4(0x0a000100 + i); };
  // Clients 0..7 fill the bucket, in that order, one per second.
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(rl.Check(client(i), At(i), false), RateVerdict::kAllow);
  EXPECT_EQ(rl.tracked(), 8u);
  EXPECT_EQ(rl.evictions(), 0u);
  // Clients 0 and 1 are seen again (limited: minimum 100 s), so client 2 is now the oldest.
  EXPECT_EQ(rl.Check(client(0), At(8.5), false), RateVerdict::kLimited);
  EXPECT_EQ(rl.Check(client(1), At(8.6), false), RateVerdict::kLimited);
  // Client 8 takes client 2's way.
  EXPECT_EQ(rl.Check(client(8), At(9), false), RateVerdict::kAllow);
  EXPECT_EQ(rl.tracked(), 8u);
  EXPECT_EQ(rl.evictions(), 1u);
  // Client 2 was forgotten: it comes back as new (allowed within its minimum) and takes the way of
  // the oldest now, client 3.
  EXPECT_EQ(rl.Check(client(2), At(9.5), false), RateVerdict::kAllow);
  EXPECT_EQ(rl.evictions(), 2u);
  // Clients 0, 1 and 8 were remembered: each still within its minimum.
  EXPECT_EQ(rl.Check(client(0), At(10), false), RateVerdict::kLimited);
  EXPECT_EQ(rl.Check(client(1), At(10), false), RateVerdict::kLimited);
  EXPECT_EQ(rl.Check(client(8), At(10), false), RateVerdict::kLimited);
  // Client 3 was the one evicted by client 2; clients 4..7 are still there.
  EXPECT_EQ(rl.Check(client(3), At(10.1), false), RateVerdict::kAllow);  // evicts client 4
  EXPECT_EQ(rl.Check(client(5), At(10.2), false), RateVerdict::kLimited);
  EXPECT_EQ(rl.evictions(), 3u);
}

// An entry idle for `monitor` s is taken without counting an eviction.
TEST(RateLimiter, AnIdleEntryIsReusedWithoutAnEviction) {
  RateLimitConfig c;
  c.capacity = RateLimiter::kWays;
  c.monitor_s = 100;
  RateLimiter rl(c);
  for (uint32_t i = 0; i < 8; ++i) (void)rl.Check(NetAddress::IPv4(0x0a000200 + i), At(0), false);
  (void)rl.Check(NetAddress::IPv4(0x0a000300), At(50), false);  // within monitor: an eviction
  EXPECT_EQ(rl.evictions(), 1u);
  (void)rl.Check(NetAddress::IPv4(0x0a000301), At(200), false);  // idle 200 s: free
  EXPECT_EQ(rl.evictions(), 1u);
  EXPECT_EQ(rl.tracked(), 8u);
}

// Clients whose keys share a bucket and a hash byte (the table's fingerprint, whichever byte it
// takes) still keep their own state: the full key decides. Found by search under a fixed key.
TEST(RateLimiter, ClientsWithTheSameFingerprintKeepTheirOwnState) {
  constexpr uint64_t kHashKey = 0xfeedface;
  RateLimitConfig c;
  c.capacity = RateLimiter::kWays;  // one bucket
  c.minimum_s = 2;
  RateLimiter rl(c, kHashKey);
  // For each of the hash's 8 bytes, two addresses equal in it: 16 clients, in a bucket of 8.
  for (int byte = 0; byte < 8; ++byte) {
    std::array<uint32_t, 256> seen{};
    uint32_t a = 0, b = 0;
    for (uint32_t i = 1; b == 0; ++i) {
      const uint32_t addr = 0x0b000000 + static_cast<uint32_t>(byte << 16) + i;
      const auto v = static_cast<uint8_t>(ClientKey::Of(NetAddress::IPv4(addr)).Hash(kHashKey) >> (8 * byte));
      if (seen[v] != 0) {
        a = seen[v];
        b = addr;
      } else {
        seen[v] = addr;
      }
    }
    const double t = 10.0 * byte;
    EXPECT_EQ(rl.Check(NetAddress::IPv4(a), At(t), false), RateVerdict::kAllow);
    EXPECT_EQ(rl.Check(NetAddress::IPv4(b), At(t + 0.1), false), RateVerdict::kAllow) << "byte " << byte;
    EXPECT_EQ(rl.Check(NetAddress::IPv4(a), At(t + 0.2), false), RateVerdict::kLimited) << "byte " << byte;
    EXPECT_EQ(rl.Check(NetAddress::IPv4(b), At(t + 0.3), false), RateVerdict::kLimited) << "byte " << byte;
  }
  // An IPv4 client and the IPv6 /64 whose first 4 bytes are the same address are two clients.
  const auto v4 = NetAddress::IPv4(0xc0000263);
  const auto v6 = NetAddress::IPv6({0xc0, 0x00, 0x02, 0x63});
  EXPECT_EQ(rl.Check(v4, At(100), false), RateVerdict::kAllow);
  EXPECT_EQ(rl.Check(v6, At(100.1), false), RateVerdict::kAllow);
  EXPECT_EQ(rl.Check(v4, At(100.2), false), RateVerdict::kLimited);
}

}  // namespace
}  // namespace tempus::core::server
