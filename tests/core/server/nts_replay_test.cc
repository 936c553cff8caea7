// NtsReplayWindow: a cookie seen again is a replay while it is among the last `capacity` to
// 2 * `capacity` recorded; memory stays bounded. ServerStats::Add carries the NTS counts (the
// daemon adds up its workers' servers).
#include "core/server/nts_replay.h"

#include <array>
#include <cstdint>

#include <gtest/gtest.h>

#include "core/server/drop_reason.h"

namespace tempus::core::server {
namespace {

std::array<uint8_t, 8> Cookie(uint32_t n) {
  return {static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n >> 16), 0, 1, 2, 3, 4};
}

TEST(NtsReplayWindow, ACookieSeenAgainIsAReplay) {
  NtsReplayWindow w(4);
  EXPECT_FALSE(w.SeenBefore(Cookie(1)));
  EXPECT_FALSE(w.SeenBefore(Cookie(2)));
  EXPECT_TRUE(w.SeenBefore(Cookie(1)));
  EXPECT_TRUE(w.SeenBefore(Cookie(2)));
  EXPECT_FALSE(w.SeenBefore(Cookie(3)));
}

TEST(NtsReplayWindow, RemembersBetweenCapacityAndTwiceCapacityCookies) {
  NtsReplayWindow w(4);
  for (uint32_t n = 0; n < 8; ++n) ASSERT_FALSE(w.SeenBefore(Cookie(n)));
  // 0..3 are the older generation, 4..7 the current one: all remembered.
  for (uint32_t n = 0; n < 8; ++n) EXPECT_TRUE(w.SeenBefore(Cookie(n))) << n;
  // One more starts a new generation: 0..3 are forgotten, 4..8 kept.
  EXPECT_FALSE(w.SeenBefore(Cookie(8)));
  EXPECT_FALSE(w.SeenBefore(Cookie(0)));
  EXPECT_TRUE(w.SeenBefore(Cookie(5)));
}

// 100-octet cookies that differ in one word or in their last octet only, with a window of 1,000
// (tables of 2,048 slots, filled to half): every one recorded is found among the 1,000 to 2,000
// last, none is found before it is recorded, and the next generation forgets the oldest.
TEST(NtsReplayWindow, ManyCookiesOfRealSizeTellTheirReplays) {
  constexpr uint32_t kCapacity = 1000;
  NtsReplayWindow w(kCapacity);
  auto cookie = [](uint32_t n) {
    std::array<uint8_t, 100> c{};
    c.fill(0x5a);
    c[20] = static_cast<uint8_t>(n);
    c[21] = static_cast<uint8_t>(n >> 8);
    c[99] = static_cast<uint8_t>(n >> 16);
    return c;
  };
  for (uint32_t n = 0; n < 2 * kCapacity; ++n) ASSERT_FALSE(w.SeenBefore(cookie(n))) << n;
  for (uint32_t n = 0; n < 2 * kCapacity; ++n) ASSERT_TRUE(w.SeenBefore(cookie(n))) << n;
  // Differs from cookie(5) in the last octet only.
  ASSERT_FALSE(w.SeenBefore(cookie(5 + (1u << 16))));
  // That began a generation: 0..999 are forgotten, 1000..1999 and the new one kept.
  EXPECT_FALSE(w.SeenBefore(cookie(999)));
  EXPECT_TRUE(w.SeenBefore(cookie(1000)));
  EXPECT_TRUE(w.SeenBefore(cookie(1999)));
  EXPECT_TRUE(w.SeenBefore(cookie(5 + (1u << 16))));
}

TEST(ServerStats, AddCarriesTheNtsCounts) {
  ServerStats a;
  ServerStats b;
  b.replied = 5;
  b.nts_answered = 3;
  b.nts_replayed = 1;
  a.Add(b);
  a.Add(b);
  EXPECT_EQ(a.replied, 10u);
  EXPECT_EQ(a.nts_answered, 6u);
  EXPECT_EQ(a.nts_replayed, 2u);
}

}  // namespace
}  // namespace tempus::core::server
