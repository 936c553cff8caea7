#include "ntp_load/request_ring.h"

#include <vector>

#include <gtest/gtest.h>

namespace tempus::bench {
namespace {

TEST(RequestRing, MatchesAReplyByItsCookieOnce) {
  SeededRandom random(1);
  RequestRing ring(8, &random);
  std::vector<int64_t> lost;
  auto on_lost = [&lost](int64_t sent) { lost.push_back(sent); };
  const uint64_t a = ring.Issue(100, on_lost);
  const uint64_t b = ring.Issue(200, on_lost);
  EXPECT_NE(a, b);
  EXPECT_EQ(ring.pending(), 2u);
  EXPECT_EQ(ring.Complete(b), std::optional<int64_t>(200));
  EXPECT_EQ(ring.Complete(b), std::nullopt) << "a duplicate reply matches nothing";
  EXPECT_EQ(ring.Complete(a), std::optional<int64_t>(100));
  EXPECT_EQ(ring.pending(), 0u);
  EXPECT_TRUE(lost.empty());
}

TEST(RequestRing, RefusesAnOriginWithTheRightSlotButWrongRandomBits) {
  SeededRandom random(2);
  RequestRing ring(8, &random);
  const uint64_t cookie = ring.Issue(5, [](int64_t) {});
  EXPECT_EQ(ring.Complete(cookie ^ (uint64_t{1} << 40)), std::nullopt);
  EXPECT_EQ(ring.Complete(cookie + 1), std::nullopt);
  EXPECT_EQ(ring.pending(), 1u);
}

TEST(RequestRing, ExpiresTheUnansweredOldestFirst) {
  SeededRandom random(3);
  RequestRing ring(16, &random);
  std::vector<int64_t> lost;
  auto on_lost = [&lost](int64_t sent) { lost.push_back(sent); };
  const uint64_t first = ring.Issue(10, on_lost);
  ring.Issue(20, on_lost);
  ring.Issue(30, on_lost);
  ASSERT_TRUE(ring.Complete(first));
  EXPECT_EQ(ring.ExpireBefore(25, on_lost), 1u);
  EXPECT_EQ(lost, std::vector<int64_t>({20}));
  EXPECT_EQ(ring.pending(), 1u);
  EXPECT_EQ(ring.ExpireBefore(1000, on_lost), 1u);
  EXPECT_EQ(lost, std::vector<int64_t>({20, 30}));
  EXPECT_EQ(ring.pending(), 0u);
}

TEST(RequestRing, WhenFullReusesTheOldestSlotAndCountsItLost) {
  SeededRandom random(4);
  RequestRing ring(4, &random);
  EXPECT_EQ(ring.capacity(), 4u);
  std::vector<int64_t> lost;
  auto on_lost = [&lost](int64_t sent) { lost.push_back(sent); };
  std::vector<uint64_t> cookies;
  for (int64_t t = 1; t <= 4; ++t) cookies.push_back(ring.Issue(t, on_lost));
  ASSERT_TRUE(ring.Complete(cookies[1]));
  const uint64_t fifth = ring.Issue(5, on_lost);  // slot of request 1, still pending
  EXPECT_EQ(lost, std::vector<int64_t>({1}));
  ring.Issue(6, on_lost);  // slot of request 2, already answered: nothing lost
  EXPECT_EQ(lost, std::vector<int64_t>({1}));
  EXPECT_EQ(ring.Complete(cookies[0]), std::nullopt) << "an evicted request's late reply matches nothing";
  EXPECT_EQ(ring.Complete(fifth), std::optional<int64_t>(5));
}

TEST(RequestRing, RoundsTheCapacityUpToAPowerOfTwo) {
  SeededRandom random(5);
  EXPECT_EQ(RequestRing(5, &random).capacity(), 8u);
  EXPECT_EQ(RequestRing(0, &random).capacity(), 2u);
}

}  // namespace
}  // namespace tempus::bench
