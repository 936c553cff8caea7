// The mode 6 rate limit: an ntpq burst passes, a flood from one address is cut to the per-client
// rate, many clients together are cut to the global rate, and memory stays fixed under a flood
// of distinct sources.
#include "core/control/control_limiter.h"

#include <gtest/gtest.h>

namespace tempus::core::control {
namespace {

MonoTime At(double seconds) { return MonoTime::FromSinceOrigin(NtpDuration::FromSeconds(seconds)); }

const NetAddress kNtpq = NetAddress::IPv4({127, 0, 0, 1}, 40000);

// Sends `count` requests `interval` s apart from `source`; returns how many were allowed.
int Allowed(ControlLimiter& l, const NetAddress& source, double start, double interval, int count) {
  int allowed = 0;
  for (int i = 0; i < count; ++i) allowed += l.Check(source, At(start + i * interval)) == ControlVerdict::kAllow;
  return allowed;
}

TEST(ControlLimiter, NtpqPeersBurstOnFiftyAssociationsPasses) {
  ControlLimiter l;
  // ntpq -p: one READSTAT and one READVAR per association, back to back; then again every 2 s
  // (tempus peers --watch 2) for ten minutes.
  for (int round = 0; round < 300; ++round) {
    EXPECT_EQ(Allowed(l, kNtpq, round * 2.0, 0.0001, 51), 51) << "round " << round;
  }
}

TEST(ControlLimiter, FloodFromOneAddressIsCutToTheClientRate) {
  ControlLimitConfig c;
  ControlLimiter l(c);
  // 100,000 requests per second for 10 s.
  const int allowed = Allowed(l, kNtpq, 0, 1e-5, 1'000'000);
  const double bound = c.client_burst + 10 * c.client_per_second + 1;
  EXPECT_LE(allowed, bound);
  EXPECT_GE(allowed, bound - 2);  // and it does get its rate (not starved)
}

TEST(ControlLimiter, DropsSayWhichBucketWasEmpty) {
  ControlLimitConfig c;
  c.client_burst = 2;
  c.client_per_second = 1;
  c.global_burst = 3;
  c.global_per_second = 1;
  ControlLimiter l(c);
  const NetAddress a = NetAddress::IPv4({127, 0, 0, 5});
  const NetAddress b = NetAddress::IPv4({127, 0, 0, 6});
  EXPECT_EQ(l.Check(a, At(0)), ControlVerdict::kAllow);
  EXPECT_EQ(l.Check(a, At(0)), ControlVerdict::kAllow);
  EXPECT_EQ(l.Check(a, At(0)), ControlVerdict::kClientLimited);
  EXPECT_EQ(l.Check(b, At(0)), ControlVerdict::kAllow);
  EXPECT_EQ(l.Check(b, At(0)), ControlVerdict::kGlobalLimited);  // 3 answered in all
  // One second later each bucket has one more token.
  EXPECT_EQ(l.Check(a, At(1)), ControlVerdict::kAllow);
  EXPECT_EQ(l.Check(b, At(1)), ControlVerdict::kGlobalLimited);
  // Without an address only the global bucket applies.
  EXPECT_EQ(l.Check(NetAddress(), At(2)), ControlVerdict::kAllow);
}

TEST(ControlLimiter, ManyClientsTogetherAreCutToTheGlobalRate) {
  ControlLimitConfig c;
  ControlLimiter l(c);
  // 1000 distinct sources, each within its own rate (10/s), for 10 s: 100,000 requests.
  int allowed = 0;
  for (int i = 0; i < 100'000; ++i) {
    const auto source = NetAddress::IPv4(0x0a000000u + static_cast<uint32_t>(i % 1000));
    allowed += l.Check(source, At(i * 1e-4)) == ControlVerdict::kAllow;
  }
  EXPECT_LE(allowed, c.global_burst + 10 * c.global_per_second + 1);
  EXPECT_GE(allowed, c.global_burst + 10 * c.global_per_second - 2);
}

TEST(ControlLimiter, IPv6ClientsAreKeyedByTheir64) {
  ControlLimitConfig c;
  c.client_burst = 4;
  c.client_per_second = 0;
  ControlLimiter l(c);
  std::array<uint8_t, 16> addr{0x20, 0x01, 0x0d, 0xb8};
  int allowed = 0;
  for (int i = 0; i < 100; ++i) {
    addr[15] = static_cast<uint8_t>(i);  // rotating the interface id does not help
    allowed += l.Check(NetAddress::IPv6(addr), At(i)) == ControlVerdict::kAllow;
  }
  EXPECT_EQ(allowed, 4);
}

TEST(ControlLimiter, MemoryStaysFixedUnderAMillionSpoofedSources) {
  ControlLimiter l;
  const size_t bytes = l.memory_bytes();
  for (uint32_t i = 0; i < 1'000'000; ++i) (void)l.Check(NetAddress::IPv4(0x0b000000u + i), At(i * 1e-6));
  EXPECT_EQ(l.memory_bytes(), bytes);
  EXPECT_EQ(l.tracked(), l.capacity());
  EXPECT_LE(bytes, 64u * 1024u);
  // The legitimate client still gets its burst afterwards (it comes back with a full bucket).
  EXPECT_EQ(Allowed(l, kNtpq, 2.0, 0.0001, 51), 51);
}

}  // namespace
}  // namespace tempus::core::control
