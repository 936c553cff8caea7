#include "crypto/system_random.h"

#include <algorithm>
#include <array>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace tempus::crypto {
namespace {

// What tempusd and `tempus query/sync` call: without --seed the kernel CSPRNG, with it the
// replayable generator.
TEST(MakeRandom, WithoutSeedIsTheKernelCsprng) {
  auto r = MakeRandom(std::nullopt);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_NE(dynamic_cast<SystemRandom*>(r->get()), nullptr);
  EXPECT_EQ(dynamic_cast<SeededRandom*>(r->get()), nullptr);
}

TEST(MakeRandom, WithSeedReplaysSeededRandom) {
  auto r = MakeRandom(42);
  ASSERT_TRUE(r);
  ASSERT_NE(dynamic_cast<SeededRandom*>(r->get()), nullptr);
  SeededRandom same(42);
  for (int i = 0; i < 8; ++i) EXPECT_EQ((*r)->NextU64(), same.NextU64());
}

TEST(SystemRandom, TwoInstancesDoNotRepeatEachOther) {
  auto a = SystemRandom::Open(), b = SystemRandom::Open();
  ASSERT_TRUE(a && b);
  std::set<uint64_t> seen;
  // 1000 draws each, across several buffer refills: 2000 distinct values (a collision of 64-bit
  // uniform values has probability ~1e-13).
  for (int i = 0; i < 1000; ++i) {
    seen.insert((*a)->NextU64());
    seen.insert((*b)->NextU64());
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(SystemRandom, FillCoversEveryByteAcrossRefills) {
  auto r = SystemRandom::Open();
  ASSERT_TRUE(r);
  // 1000 bytes: several 256-byte blocks and a partial one. Uniform bytes take most of the 256
  // values (about 250 expected), and the wiping of handed-out bytes leaves no run of zeros.
  std::vector<uint8_t> bytes(1000, 0);
  (*r)->Fill(bytes);
  std::set<uint8_t> values(bytes.begin(), bytes.end());
  EXPECT_GT(values.size(), 200u);
  int zero_run = 0, longest = 0;
  for (uint8_t b : bytes) longest = std::max(longest, zero_run = b == 0 ? zero_run + 1 : 0);
  EXPECT_LT(longest, 8);
}

TEST(FillRandom, SeededFillsEveryByteAndReplays) {
  SeededRandom a(3), b(3);
  std::array<uint8_t, 13> x{}, y{};
  FillRandom(a, x);
  FillRandom(b, y);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, decltype(x){});
}

}  // namespace
}  // namespace tempus::crypto
