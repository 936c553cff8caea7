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
